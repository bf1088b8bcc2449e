// The gateway on the real RabbitMQ under faults: broker stopped and started, gateway SIGKILLed, a poison job, two processes.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqplib from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initDevCertificates } from '../../src/security/dev-certificates.js';
import type { PartnerSimulator } from '../../src/sim/partner-simulator.js';
import { externalSimulatorsEnv, startGatewayProcess, until, type GatewayProcess } from '../support/gateway-process.js';
import { receivedByOurId } from '../support/member-message-ids.js';
import { faultClient, movements as records } from '../support/fault-run.js';
import { partnersSubset, PROJECT_PARTNERS } from '../support/project.js';
import { deleteTopology, rabbitmqUrl, skipWithoutRabbitmq } from '../support/rabbitmq.js';
import { startProjectSimulators } from '../support/project-simulators.js';

const TOKEN = 'fault-test-token-0123456789';
const { post, pendingCount, detailsAt, expectAllDelivered } = faultClient(TOKEN);
const skip = await skipWithoutRabbitmq('gateway on RabbitMQ under faults');
const dir = mkdtempSync(join(tmpdir(), 'gw-faults-'));
const certsDir = join(dir, 'certs');
const processes: GatewayProcess[] = [];
const prefixes = new Set<string>();
/** The two partners under test: their simulators outlive the gateways (Russia's signals cannot reach them; its transaction times are long). */
const PARTNERS = ['iru-safetir', 'eaeu-ru'];
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
  if (prefixes.size > 0) await deleteCaisQueues([...prefixes]);
  rmSync(dir, { recursive: true, force: true });
});

async function deleteCaisQueues(list: string[]): Promise<void> {
  const connection = await amqplib.connect(rabbitmqUrl);
  const channel = await connection.createChannel();
  for (const prefix of list) for (const q of [`${prefix}.cais.records`, `${prefix}.cais.records.invalid`]) await channel.deleteQueue(q);
  await connection.close();
}

/** Environment of a gateway process on its own data folder and queue prefix (or a shared one). */
function envFor(name: string, prefix: string): Record<string, string> {
  prefixes.add(prefix);
  return {
    ...externalSimulatorsEnv({ dataDir: join(dir, name), certsDir, token: TOKEN, simulators: sims, leaseMs: 3000, partners: PARTNERS }),
    ...partnersSubset(join(dir, `${name}-partners`), PARTNERS),
    GATEWAY_AMQP_URL: rabbitmqUrl,
    GATEWAY_AMQP_PREFIX: prefix,
    GATEWAY_AMQP_CAIS_QUEUE: `${prefix}.cais.records`,
  };
}

async function start(env: Record<string, string>): Promise<GatewayProcess> {
  const p = await startGatewayProcess(env);
  processes.push(p);
  return p;
}

function rabbitmqctl(...args: string[]): void {
  execFileSync('rabbitmqctl', args, { stdio: 'ignore', timeout: 60_000 });
}

describe.skipIf(skip)('gateway on RabbitMQ under faults', () => {
  it('accepts 2000 records while the broker is stopped and started again, and delivers every one', { timeout: 240_000 }, async () => {
    const gateway = await start(envFor('broker-restart', `gwf-${randomUUID().slice(0, 8)}`));
    const sim = sims.get('eaeu-ru')!;
    const accepted = new Set<string>();
    for (let i = 0; i < 1000; i += 100) for (const id of await post(gateway.url, records('BRK', i, 100))) accepted.add(id);
    rabbitmqctl('stop_app');
    try {
      for (let i = 1000; i < 2000; i += 100) for (const id of await post(gateway.url, records('BRK', i, 100))) accepted.add(id);
    } finally {
      rabbitmqctl('start_app');
    }
    expect(accepted.size).toBe(2000);
    await until(async () => (await pendingCount(gateway.url)) === 0, 200_000);
    const duplicates = await expectAllDelivered(gateway.url, accepted, sim.received);
    console.log(`broker restart: 2000 delivered, ${duplicates} duplicate deliveries (same message id)`);
    gateway.child.kill('SIGTERM');
    await gateway.exited;
  });

  it('keeps accepting into the log while the broker is down, up to GATEWAY_MAX_OUTBOX, then answers 503 with Retry-After', { timeout: 120_000 }, async () => {
    const gateway = await start({ ...envFor('backpressure', `gwf-${randomUUID().slice(0, 8)}`), GATEWAY_MAX_OUTBOX: '150' });
    const accepted = new Set<string>();
    rabbitmqctl('stop_app');
    try {
      for (const id of await post(gateway.url, records('BP', 0, 100))) accepted.add(id);
      for (const id of await post(gateway.url, records('BP', 100, 100))) accepted.add(id);
      const refused = await fetch(`${gateway.url}/v1/cais/records`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(records('BP', 200, 1)) });
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('5');
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('GW_ERR_OUTBOX_FULL');
      const ready = await fetch(`${gateway.url}/readyz`);
      expect(ready.status).toBe(503);
    } finally {
      rabbitmqctl('start_app');
    }
    await until(async () => (await pendingCount(gateway.url)) === 0, 100_000);
    await expectAllDelivered(gateway.url, accepted, sims.get('eaeu-ru')!.received);
    expect(accepted.size).toBe(200);
    gateway.child.kill('SIGTERM');
    await gateway.exited;
  });

  it('delivers everything after the gateway is SIGKILLed mid-run and restarted', { timeout: 180_000 }, async () => {
    const env = envFor('sigkill', `gwf-${randomUUID().slice(0, 8)}`);
    const sim = sims.get('eaeu-ru')!;
    const before = sim.received.length;
    sim.faults.delay(5);
    try {
      let gateway = await start(env);
      const accepted = new Set<string>();
      for (let i = 0; i < 1000; i += 100) for (const id of await post(gateway.url, records('KILL', i, 100))) accepted.add(id);
      await until(() => sim.received.length - before >= 100, 60_000);
      gateway.child.kill('SIGKILL');
      await gateway.exited;
      gateway = await start(env);
      await until(async () => (await pendingCount(gateway.url)) === 0, 150_000);
      const duplicates = await expectAllDelivered(gateway.url, accepted, sim.received.slice(before));
      console.log(`SIGKILL with RabbitMQ: 1000 delivered, ${duplicates} duplicate deliveries (same message id)`);
      gateway.child.kill('SIGTERM');
      await gateway.exited;
    } finally {
      sim.faults.reset();
    }
  });

  it('dead-letters a poison job after the delivery limit while the queue keeps flowing', { timeout: 120_000 }, async () => {
    const prefix = `gwf-${randomUUID().slice(0, 8)}`;
    const gateway = await start({ ...envFor('poison', prefix), GATEWAY_DELIVERY_LIMIT: '3' });
    const connection = await amqplib.connect(rabbitmqUrl);
    try {
      const channel = await connection.createConfirmChannel();
      const poison = { messageId: randomUUID(), partner: 'no-such-partner' };
      channel.publish(`${prefix}.delivery`, 'eaeu-ru', Buffer.from(JSON.stringify(poison)), { persistent: true, messageId: poison.messageId, contentType: 'application/json' });
      await channel.waitForConfirms();
      const accepted = new Set(await post(gateway.url, records('AFTER-POISON', 0, 50)));
      await until(async () => (await channel.checkQueue(`${prefix}.dead.eaeu-ru`)).messageCount === 1, 60_000);
      await until(async () => (await pendingCount(gateway.url)) === 0, 60_000);
      await expectAllDelivered(gateway.url, accepted, sims.get('eaeu-ru')!.received);
      const dead = await channel.get(`${prefix}.dead.eaeu-ru`, { noAck: false });
      expect(dead && JSON.parse(dead.content.toString())).toEqual(poison);
      if (dead) channel.nack(dead, false, true);
    } finally {
      await connection.close();
      gateway.child.kill('SIGTERM');
      await gateway.exited;
    }
  });

  it('two gateway processes on one broker and one log deliver each message once', { timeout: 120_000 }, async () => {
    const env = envFor('two-processes', `gwf-${randomUUID().slice(0, 8)}`);
    const [a, b] = [await start(env), await start(env)];
    const sim = sims.get('eaeu-ru')!;
    const before = sim.received.length;
    const accepted = new Set<string>();
    for (let i = 0; i < 600; i += 100) for (const id of await post(i % 200 === 0 ? a!.url : b!.url, records('TWO', i, 100))) accepted.add(id);
    await until(async () => (await pendingCount(a!.url)) === 0, 100_000);
    const received = (await receivedByOurId(detailsAt(a!.url), accepted, sim.received.slice(before))).filter((r) => accepted.has(r.messageId));
    expect(received.length).toBe(accepted.size);
    expect(new Set(received.map((r) => r.messageId)).size).toBe(accepted.size);
    for (const p of [a!, b!]) {
      p.child.kill('SIGTERM');
      await p.exited;
    }
  });
});
