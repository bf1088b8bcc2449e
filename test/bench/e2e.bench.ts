// Benchmark: records per second from HTTP ingest to acknowledged by the partner simulator, with p50/p99 latency.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initDevCertificates } from '../../src/security/dev-certificates.js';
import { receivedByOurId } from '../support/member-message-ids.js';
import { partnersSubset, PROJECT_PARTNERS, RECORD_FIXTURES } from '../support/project.js';
import { startTestGateway } from '../support/running-gateway.js';
import { startSimulatorProcess } from '../support/simulator-process.js';

const RECORDS = 2000;
const BATCH = 50;
const CLIENTS = 4;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
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
 * times are long, so no repeat starts during the run.
 */
export async function benchE2e(label: string, env: Record<string, string> = {}): Promise<E2eFigures> {
  const movement = JSON.parse(readFileSync(join(RECORD_FIXTURES, 'transit.movement.json'), 'utf8')) as Record<string, unknown>;
  const certsDir = mkdtempSync(join(tmpdir(), 'gw-bench-certs-'));
  initDevCertificates(certsDir, PROJECT_PARTNERS);
  const sims = await startSimulatorProcess(certsDir);
  const gw = await startTestGateway({
    // The spine with the partners this benchmark measures.
    ...partnersSubset(join(certsDir, 'partners-subset'), ['iru-safetir', 'eaeu-ru']),
    GATEWAY_LOG_LEVEL: 'silent',
    GATEWAY_CERTS_DIR: certsDir,
    GATEWAY_SIMULATORS: 'off',
    GATEWAY_TRANSACTION_TIME_SCALE: '10',
    ...Object.fromEntries(Object.entries(sims.env).filter(([name]) => /^GATEWAY_PARTNER_(EAEU_RU|IRU_SAFETIR)_URL/.test(name))),
    ...env,
  });
  try {
    const postedAt = new Map<string, number>();
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const startedEpoch = Date.now();
    let next = 0;
    const client = async (): Promise<void> => {
      while (next < RECORDS) {
        const from = next;
        next += BATCH;
        const records = Array.from({ length: Math.min(BATCH, RECORDS - from) }, (_, i) => ({ ...movement, recordId: `BENCH-${label}-${startedEpoch}-${from + i}` }));
        const sentAt = Date.now();
        const res = await gw.api('POST', '/v1/cais/records', records);
        if (res.status !== 202) throw new Error(`ingest answered ${res.status}`);
        for (const r of res.body.results) for (const m of r.messages) postedAt.set(m.id, sentAt);
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, client));
    await gw.waitFor(async () => ((await gw.api('GET', '/v1/messages?status=pending&limit=1')).body.items.length === 0 ? true : undefined), 600_000);
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuMsPerRecord = (cpu.user + cpu.system) / 1000 / RECORDS;
    const firstAck = new Map<string, number>();
    const received = await receivedByOurId(async (id) => (await gw.api('GET', `/v1/messages/${id}`)).body, postedAt.keys(), await sims.received('eaeu-ru'));
    for (const r of received) if (!firstAck.has(r.messageId)) firstAck.set(r.messageId, r.at);
    if (firstAck.size < RECORDS) throw new Error(`the simulator acknowledged ${firstAck.size} of ${RECORDS} messages`);
    const latencies = [...postedAt].map(([id, t]) => (firstAck.get(id) ?? Number.NaN) - t).sort((a, b) => a - b);
    const figures = { recordsPerSecond: RECORDS / seconds, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
    console.log(
      `  e2e ${label.padEnd(10)} ${RECORDS} records: ${figures.recordsPerSecond.toFixed(0)} records/s, latency p50 ${figures.p50Ms.toFixed(0)} ms, p99 ${figures.p99Ms.toFixed(0)} ms; ` +
        `gateway process CPU ${cpuMsPerRecord.toFixed(2)} ms per record (the simulator verifying each XML signature is the slower side)`,
    );
    return figures;
  } finally {
    await gw.stop();
    await sims.stop();
    rmSync(certsDir, { recursive: true, force: true });
  }
}
