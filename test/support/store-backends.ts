// The logs a gateway under test can run on: the embedded SQLite one, and a PostgreSQL schema of its own (skipped, with the reason, where PostgreSQL is not reachable; never in CI).
import { freshSchema, postgresUrl, skipWithoutPostgres, type TestSchema } from './postgres.js';

/** One log a suite runs a gateway on: the configuration to add, made fresh per gateway, and its removal. */
export interface StoreBackend {
  name: 'SQLite' | 'PostgreSQL';
  /** True when the backend is not available here (the skip was reported). */
  skipped: boolean;
  /** The variables that put a new gateway on a fresh log of this backend. */
  open(): Promise<Record<string, string>>;
  /** Removes what {@link open} made. */
  drop(): Promise<void>;
}

/** SQLite (the gateway's data folder) and PostgreSQL (a schema per gateway), for `describe.each`. */
export async function storeBackends(suite: string): Promise<StoreBackend[]> {
  let schema: TestSchema | undefined;
  return [
    { name: 'SQLite', skipped: false, open: async () => ({}), drop: async () => undefined },
    {
      name: 'PostgreSQL',
      skipped: await skipWithoutPostgres(`${suite} on PostgreSQL`),
      async open() {
        schema = await freshSchema();
        return { GATEWAY_DATABASE_URL: postgresUrl, GATEWAY_DATABASE_SCHEMA: schema.schema };
      },
      async drop() {
        await schema?.drop();
        schema = undefined;
      },
    },
  ];
}
