// Benchmark e2e-sim: records per second from HTTP ingest to taken by the partner simulator (which checks every signature and document), with p50/p99 latency.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initDevCertificates } from '../../src/security/dev-certificates.js';
import { receivedByOurId } from '../support/member-message-ids.js';
import { partnersSubset, PROJECT_PARTNERS, RECORD_FIXTURES } from '../support/project.js';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { startTestGateway, TEST_TOKEN } from '../support/running-gateway.js';
import { startSimulatorProcess } from '../support/simulator-process.js';
import { processCpuMs } from './process-cpu.js';

const RECORDS = 2000;
const BATCH = 50;
const CLIENTS = 4;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** The gateway(s) under test: their API URLs and the CPU they used so far (ms, all threads). */
interface Target {
  urls: string[];
  cpuMs(): Promise<number>;
  stop(): Promise<void>;
}

/** One gateway in this process (the clients share it). */
async function inProcess(env: Record<string, string>): Promise<Target> {
  const gw = await startTestGateway(env);
  const before = process.cpuUsage();
  return {
    urls: [gw.url],
    cpuMs: async () => {
      const cpu = process.cpuUsage(before);
      return (cpu.user + cpu.system) / 1000;
    },
    stop: () => gw.stop(),
  };
}

/** `instances` gateway processes (`gateway serve`) on the same configuration, each with its own data folder. */
async function asProcesses(env: Record<string, string>, instances: number, dir: string): Promise<Target> {
  const started: GatewayProcess[] = [];
  try {
    for (let i = 0; i < instances; i += 1) {
      started.push(await startGatewayProcess({ GATEWAY_DATA_DIR: join(dir, `instance-${i}`), GATEWAY_PORT: '0', GATEWAY_INBOUND_PORT: '0', GATEWAY_TOKENS: `${TEST_TOKEN}:cais,admin,auditor`, GATEWAY_RETRY_DELAY_SCALE: '0.001', ...env }));
    }
  } catch (error) {
    for (const p of started) p.child.kill('SIGKILL');
    throw error;
  }
  const before = await Promise.all(started.map((p) => processCpuMs(p.child.pid!)));
  return {
    urls: started.map((p) => p.url),
    cpuMs: async () => (await Promise.all(started.map((p) => processCpuMs(p.child.pid!)))).reduce((sum, ms, i) => sum + ms - before[i]!, 0),
    async stop() {
      for (const p of started) p.child.kill('SIGTERM');
      await Promise.all(started.map((p) => p.exited));
    },
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the benchmark reads the few fields it needs
async function api(url: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TEST_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: await res.json() };
}

/** Result of one end-to-end run. */
export interface E2eFigures {
  recordsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/**
 * Posts RECORDS transit movements (each becomes one signed P.CP.01 envelope to the simulator of
 * Russia's member gateway) from CLIENTS concurrent clients in batches of BATCH, and waits until the
 * simulator has taken every message. Gateway and clients share this process; the simulators, which
 * verify every signature and validate every document as the partner would, run in another (the
 * partner is another machine in reality), whose signals cannot reach this gateway: the transactions'
 * times are long, so no repeat starts during the run. With `instances`, that many gateway processes
 * share the configuration (a shared log and queue) and the clients take turns among them.
 */
export async function benchE2e(label: string, env: Record<string, string> = {}, instances?: number): Promise<E2eFigures> {
  const movement = JSON.parse(readFileSync(join(RECORD_FIXTURES, 'transit.movement.json'), 'utf8')) as Record<string, unknown>;
  const certsDir = mkdtempSync(join(tmpdir(), 'gw-bench-certs-'));
  initDevCertificates(certsDir, PROJECT_PARTNERS);
  const sims = await startSimulatorProcess(certsDir);
  const gatewayEnv = {
    // The spine with the partners this benchmark measures.
    ...partnersSubset(join(certsDir, 'partners-subset'), ['iru-safetir', 'eaeu-ru']),
    GATEWAY_LOG_LEVEL: 'silent',
    GATEWAY_CERTS_DIR: certsDir,
    GATEWAY_SIMULATORS: 'off',
    GATEWAY_TRANSACTION_TIME_SCALE: '10',
    ...Object.fromEntries(Object.entries(sims.env).filter(([name]) => /^GATEWAY_PARTNER_(EAEU_RU|IRU_SAFETIR)_URL/.test(name))),
    ...env,
  };
  const target = instances === undefined ? await inProcess(gatewayEnv) : await asProcesses(gatewayEnv, instances, certsDir);
  const [first] = target.urls as [string];
  try {
    const postedAt = new Map<string, number>();
    const started = performance.now();
    const cpuBefore = await target.cpuMs();
    const startedEpoch = Date.now();
    let next = 0;
    const client = async (n: number): Promise<void> => {
      const url = target.urls[n % target.urls.length]!;
      while (next < RECORDS) {
        const from = next;
        next += BATCH;
        const records = Array.from({ length: Math.min(BATCH, RECORDS - from) }, (_, i) => ({ ...movement, recordId: `BENCH-${label.replace(/[^A-Za-z0-9._-]/g, '-')}-${startedEpoch}-${from + i}` }));
        const sentAt = Date.now();
        const res = await api(url, 'POST', '/v1/cais/records', records);
        if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${JSON.stringify(res.body).slice(0, 500)}`);
        for (const r of res.body.results) for (const m of r.messages) postedAt.set(m.id, sentAt);
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, (_, n) => client(n)));
    for (const deadline = Date.now() + 600_000; (await api(first, 'GET', '/v1/messages?status=pending&limit=1')).body.items.length > 0; ) {
      if (Date.now() > deadline) throw new Error('messages still pending after 10 minutes');
      await new Promise((r) => setTimeout(r, 25));
    }
    const seconds = (performance.now() - started) / 1000;
    const cpuMsPerRecord = ((await target.cpuMs()) - cpuBefore) / RECORDS;
    const firstAck = new Map<string, number>();
    const received = await receivedByOurId(async (id) => (await api(first, 'GET', `/v1/messages/${id}`)).body, postedAt.keys(), await sims.received('eaeu-ru'));
    for (const r of received) if (!firstAck.has(r.messageId)) firstAck.set(r.messageId, r.at);
    if (firstAck.size < RECORDS) throw new Error(`the simulator acknowledged ${firstAck.size} of ${RECORDS} messages`);
    const latencies = [...postedAt].map(([id, t]) => (firstAck.get(id) ?? Number.NaN) - t).sort((a, b) => a - b);
    const figures = { recordsPerSecond: RECORDS / seconds, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
    console.log(
      `  e2e ${label.padEnd(10)} ${RECORDS} records: ${figures.recordsPerSecond.toFixed(0)} records/s, latency p50 ${figures.p50Ms.toFixed(0)} ms, p99 ${figures.p99Ms.toFixed(0)} ms; ` +
        `gateway CPU ${cpuMsPerRecord.toFixed(2)} ms per record${instances === undefined ? ' (with the clients)' : ` (${instances} processes)`} (the simulator verifying each XML signature is the slower side)`,
    );
    return figures;
  } finally {
    await target.stop();
    await sims.stop();
    rmSync(certsDir, { recursive: true, force: true });
  }
}
