// `npm run bench -- [name …]`: runs the named benchmarks (all by default); exits 1 when a target is missed.
import { randomUUID } from 'node:crypto';
import { migratePostgres, openPostgresPool } from '../../src/store/postgres-connection.js';
import { POSTGRES_MIGRATIONS } from '../../src/store/postgres-migrations.js';
import { benchE2e as benchE2eSim } from './e2e-sim.bench.js';
import { benchE2e } from './e2e.bench.js';
import { PROJECT_PARTNERS } from '../support/project.js';
import { deleteTopology } from '../support/rabbitmq.js';
import { benchInbound } from './inbound.bench.js';
import { benchMirror } from './mirror.bench.js';
import { benchSearch } from './search.bench.js';
import { benchTranslate, measureTranslate } from './translate.bench.js';
import { benchVerify } from './verify.bench.js';

/** RabbitMQ for `e2e --amqp` (`GATEWAY_AMQP_URL` or the local broker). */
const AMQP_URL = process.env.GATEWAY_AMQP_URL || 'amqp://guest:guest@127.0.0.1:5672';

/** Every RabbitMQ prefix a run declared queues under: deleted when the run ends (quorum queues left behind weigh on the broker). */
const prefixes: string[] = [];

/** The gateway on RabbitMQ under a fresh queue prefix. */
function amqpEnv(): Record<string, string> {
  const prefix = `gwbench-${randomUUID().slice(0, 8)}`;
  prefixes.push(prefix);
  return { GATEWAY_AMQP_URL: AMQP_URL, GATEWAY_AMQP_PREFIX: prefix };
}

/** PostgreSQL for `--postgres` (`GATEWAY_BENCH_DATABASE_URL` or the local server). */
const PG_URL = process.env.GATEWAY_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Every PostgreSQL schema a run made: dropped when the run ends. */
const schemas: string[] = [];

/** The gateway on a fresh, migrated PostgreSQL schema (and RabbitMQ, which several instances share). */
async function postgresEnv(): Promise<Record<string, string>> {
  const schema = `gwbench_e2e_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  schemas.push(schema);
  const pool = openPostgresPool(PG_URL, { schema });
  await migratePostgres(pool, POSTGRES_MIGRATIONS).finally(() => pool.end());
  return { ...amqpEnv(), GATEWAY_DATABASE_URL: PG_URL, GATEWAY_DATABASE_SCHEMA: schema };
}

/** Deletes the queues and schemas the run made. */
async function cleanUp(): Promise<void> {
  for (const prefix of prefixes) await deleteTopology({ prefix, partners: PROJECT_PARTNERS }).catch((err: Error) => console.error(`could not delete the queues of ${prefix}: ${err.message}`));
  if (schemas.length === 0) return;
  const pool = openPostgresPool(PG_URL, {});
  for (const schema of schemas) await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch((err: Error) => console.error(`could not drop schema ${schema}: ${err.message}`));
  await pool.end();
}

/**
 * The e2e-sim benchmark (against the simulator that checks everything) prints the translate figures of the
 * same run beside its own; `--amqp` adds a run on RabbitMQ, `--postgres` one of two gateway processes
 * sharing PostgreSQL and RabbitMQ.
 */
async function e2eSim(): Promise<boolean> {
  const translate = await measureTranslate();
  console.log('end-to-end benchmark — HTTP ingest → log → queue → deliver → simulator acknowledgement (simulators in a second process)');
  const embedded = await benchE2eSim('embedded');
  if (process.argv.includes('--amqp')) {
    const amqp = await benchE2eSim('amqp', amqpEnv());
    console.log(`  RabbitMQ / embedded = ${(amqp.recordsPerSecond / embedded.recordsPerSecond).toFixed(2)} in records/s`);
  }
  if (process.argv.includes('--postgres')) {
    const shared = await benchE2eSim('pg+amqp×2', await postgresEnv(), 2);
    console.log(`  two instances on PostgreSQL + RabbitMQ / embedded = ${(shared.recordsPerSecond / embedded.recordsPerSecond).toFixed(2)} in records/s`);
  }
  console.log(`  for comparison: map+render+sign alone ${translate.signedPerSecond.toFixed(0)} documents/s`);
  return translate.ok;
}

/**
 * The e2e benchmark against the bare spine and a stand-in that checks nothing: embedded always;
 * `--amqp` adds RabbitMQ, `--postgres` two gateway processes on PostgreSQL and RabbitMQ.
 */
async function e2e(): Promise<boolean> {
  return benchE2e(({ gatewayRow }) => [
    ...(process.argv.includes('--amqp') ? [gatewayRow('gateway RabbitMQ', async () => amqpEnv())] : []),
    ...(process.argv.includes('--postgres') ? [gatewayRow('PostgreSQL ×2', postgresEnv, 2)] : []),
  ]);
}

const BENCHMARKS: Record<string, () => Promise<boolean>> = { translate: benchTranslate, e2e, 'e2e-sim': e2eSim, verify: benchVerify, inbound: benchInbound, search: benchSearch, mirror: benchMirror };

const names = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = names.filter((n) => !(n in BENCHMARKS));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(BENCHMARKS).join(', ')}`);
  process.exit(2);
}
let ok = true;
try {
  for (const name of names.length > 0 ? names : Object.keys(BENCHMARKS)) ok = (await BENCHMARKS[name]?.()) !== false && ok;
} finally {
  await cleanUp();
}
process.exitCode = ok ? 0 : 1;
