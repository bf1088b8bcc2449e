// Gateway instances on the real PostgreSQL and RabbitMQ under faults: one of two SIGKILLed mid-run, and the database stopped for 10 s under load.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEDULE_LEASE_KIND, type ScheduleLease } from '../../src/partners/schedule-lease.js';
import { initDevCertificates } from '../../src/security/dev-certificates.js';
import type { PartnerSimulator } from '../../src/sim/partner-simulator.js';
import { faultClient, movements } from '../support/fault-run.js';
import { externalSimulatorsEnv, startGatewayProcess, until, type GatewayProcess } from '../support/gateway-process.js';
import { freshSchema, postgresUrl, skipWithoutPostgres, startPostgres, stopPostgres, type TestSchema } from '../support/postgres.js';
import { partnersSubset, PROJECT_PARTNERS } from '../support/project.js';
import { startProjectSimulators } from '../support/project-simulators.js';
import { deleteTopology, rabbitmqUrl, skipWithoutRabbitmq } from '../support/rabbitmq.js';

const TOKEN = 'postgres-fault-token-0123456789';
const { post, pendingCount, expectAllDelivered } = faultClient(TOKEN);
const skip = (await skipWithoutPostgres('gateway instances on PostgreSQL under faults')) || (await skipWithoutRabbitmq('gateway instances on PostgreSQL under faults'));
const dir = mkdtempSync(join(tmpdir(), 'gw-pg-faults-'));
const certsDir = join(dir, 'certs');
/** IRU (whose reconciliation pull is the schedule under a lease) and Russia (which the movements go to). */
const PARTNERS = ['iru-safetir', 'eaeu-ru'];
const processes: GatewayProcess[] = [];
const schemas: TestSchema[] = [];
const prefixes = new Set<string>();
let sims: Map<string, PartnerSimulator>;

beforeAll(async () => {
  if (skip) return;
  initDevCertificates(certsDir, PROJECT_PARTNERS);
  sims = await startProjectSimulators(certsDir);
});
afterAll(async () => {
  for (const p of processes) p.child.kill('SIGKILL');
  await Promise.all([...(sims?.values() ?? [])].map((s) => s.close()));
  for (const prefix of prefixes) await deleteTopology({ prefix, partners: PARTNERS });
  for (const schema of schemas) await schema.drop();
  rmSync(dir, { recursive: true, force: true });
});

/** Environment of instance `name` on the shared schema and queue prefix: its own data folder, the reconciliation pull every 3 s (lease 9 s). */
function instanceEnv(name: string, schema: string, prefix: string): Record<string, string> {
  prefixes.add(prefix);
  return {
    ...externalSimulatorsEnv({ dataDir: join(dir, name), certsDir, token: TOKEN, simulators: sims, leaseMs: 3000, partners: PARTNERS }),
    ...partnersSubset(join(dir, `${name}-partners`), PARTNERS),
    GATEWAY_DATABASE_URL: postgresUrl,
    GATEWAY_DATABASE_SCHEMA: schema,
    GATEWAY_DATABASE_CONNECT_TIMEOUT_MS: '1000',
    GATEWAY_AMQP_URL: rabbitmqUrl,
    GATEWAY_AMQP_PREFIX: prefix,
    GATEWAY_AMQP_CAIS_QUEUE: `${prefix}.cais.records`,
    GATEWAY_SCHEDULE_SCALE: '0.01',
  };
}

async function start(env: Record<string, string>): Promise<GatewayProcess> {
  const p = await startGatewayProcess(env);
  processes.push(p);
  return p;
}

async function stop(p: GatewayProcess): Promise<void> {
  p.child.kill('SIGTERM');
  await p.exited;
}

async function sharedSchema(): Promise<TestSchema> {
  const schema = await freshSchema();
  schemas.push(schema);
  return schema;
}

/** The lease of IRU's reconciliation pull as the database holds it, if any. */
async function reconciliationLease(schema: TestSchema): Promise<ScheduleLease | undefined> {
  const pool = schema.pool();
  try {
    const { rows } = await pool.query<{ value: ScheduleLease }>('SELECT value FROM partner_records WHERE partner = $1 AND kind = $2 AND id = $3', ['iru-safetir', SCHEDULE_LEASE_KIND, 'reconciliation-pull']);
    return rows[0]?.value;
  } finally {
    await pool.end();
  }
}

/** Status counts of the shared log, read from the database itself. */
async function statusCounts(schema: TestSchema): Promise<Record<string, number>> {
  const pool = schema.pool();
  try {
    const { rows } = await pool.query<{ status: string; count: number }>('SELECT status, COUNT(*)::int AS count FROM messages GROUP BY status');
    return Object.fromEntries(rows.map((r) => [r.status, r.count]));
  } finally {
    await pool.end();
  }
}

describe.skipIf(skip)('gateway instances on PostgreSQL and RabbitMQ under faults', () => {
  it('two instances, 1000 records, one SIGKILLed mid-run: every accepted record delivered with its own message id, and the survivor takes over the schedule', { timeout: 240_000 }, async () => {
    const schema = await sharedSchema();
    const prefix = `gwp-${randomUUID().slice(0, 8)}`;
    const sim = sims.get('eaeu-ru')!;
    const before = sim.received.length;
    sim.faults.delay(5);
    try {
      // The first instance alone takes the schedule's lease; the second starts once it holds it.
      const first = await start(instanceEnv('first', schema.schema, prefix));
      await until(async () => (await reconciliationLease(schema)) !== undefined, 30_000);
      const firstOwner = (await reconciliationLease(schema))!.owner;
      const second = await start(instanceEnv('second', schema.schema, prefix));
      const accepted = new Set<string>();
      for (let i = 0; i < 500; i += 100) for (const id of await post(i % 200 === 0 ? first.url : second.url, movements('PGKILL', i, 100))) accepted.add(id);
      await until(() => sim.received.length - before >= 100, 60_000);
      first.child.kill('SIGKILL');
      await first.exited;
      for (let i = 500; i < 1000; i += 100) for (const id of await post(second.url, movements('PGKILL', i, 100))) accepted.add(id);
      expect(accepted.size).toBe(1000);
      await until(async () => (await pendingCount(second.url)) === 0, 180_000);
      expect(await statusCounts(schema)).toEqual({ delivered: 1000 });
      const duplicates = await expectAllDelivered(second.url, accepted, sim.received.slice(before));
      console.log(`two instances on PostgreSQL, one SIGKILLed: 1000 delivered, ${duplicates} duplicate deliveries (same message id)`);
      // The killed instance's lease lapses (three intervals) and the survivor renews it as its own.
      await until(async () => {
        const lease = await reconciliationLease(schema);
        return lease !== undefined && lease.owner !== firstOwner && lease.until > Date.now();
      }, 30_000);
      await stop(second);
    } finally {
      sim.faults.reset();
    }
  });

  it('PostgreSQL stopped for 10 s under load: clients get 503 with Retry-After, nothing accepted is lost or half-stored, delivery resumes by itself', { timeout: 240_000 }, async () => {
    const schema = await sharedSchema();
    const gateway = await start(instanceEnv('outage', schema.schema, `gwp-${randomUUID().slice(0, 8)}`));
    const sim = sims.get('eaeu-ru')!;
    const before = sim.received.length;
    const accepted = new Map<string, string>();
    const refusals: Array<{ code: string; retryAfter: string | null }> = [];
    let outageReady: number | undefined;
    let stopAt = Date.now() + 20_000;
    // Four clients post one record per request, as CAIS would; a record refused with 503 is posted again after a pause.
    const client = async (n: number): Promise<void> => {
      for (let i = 0; Date.now() < stopAt; i += 1) {
        const recordId = `PGDOWN-${n}-${i}`;
        for (;;) {
          const res = await fetch(`${gateway.url}/v1/cais/records`, {
            method: 'POST',
            headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
            body: JSON.stringify(movements('PGDOWN', 0, 1).map((r) => ({ ...r, recordId }))),
          });
          const body = (await res.json()) as { results?: Array<{ messages: Array<{ id: string }> }>; error?: { code: string } };
          if (res.status === 202) {
            accepted.set(recordId, body.results![0]!.messages[0]!.id);
            break;
          }
          expect(res.status).toBe(503);
          refusals.push({ code: body.error!.code, retryAfter: res.headers.get('retry-after') });
          await new Promise((r) => setTimeout(r, 250));
        }
      }
    };
    const load = Promise.all([0, 1, 2, 3].map(client));
    await new Promise((r) => setTimeout(r, 3_000));
    stopPostgres();
    try {
      await new Promise((r) => setTimeout(r, 2_000));
      outageReady = (await fetch(`${gateway.url}/readyz`)).status;
      await new Promise((r) => setTimeout(r, 8_000));
    } finally {
      startPostgres();
    }
    stopAt = Date.now() + 3_000;
    await load;
    expect(outageReady).toBe(503);
    expect(refusals.length).toBeGreaterThan(0);
    expect(new Set(refusals.map((r) => r.code))).toEqual(new Set(['GW_ERR_STORE_UNAVAILABLE']));
    expect(refusals.every((r) => r.retryAfter === '5')).toBe(true);
    await until(async () => (await pendingCount(gateway.url)) === 0, 180_000);
    // Nothing half-stored: the log holds exactly the records clients were told were accepted, each delivered.
    const pool = schema.pool();
    try {
      const { rows } = await pool.query<{ record_id: string }>('SELECT record_id FROM records');
      expect(rows.map((r) => r.record_id).sort()).toEqual([...accepted.keys()].sort());
    } finally {
      await pool.end();
    }
    expect(await statusCounts(schema)).toEqual({ delivered: accepted.size });
    const ids = new Set(accepted.values());
    const duplicates = await expectAllDelivered(gateway.url, ids, sim.received.slice(before));
    console.log(`PostgreSQL down 10 s: ${accepted.size} records accepted, ${refusals.length} answers 503 with Retry-After, all delivered, ${duplicates} duplicate deliveries (same message id)`);
    expect((await fetch(`${gateway.url}/readyz`)).status).toBe(200);
    await stop(gateway);
  });
});
