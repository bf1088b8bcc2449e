// Benchmark e2e: the gateway end to end against a bare spine measured in the same run, both feeding a partner stand-in that checks nothing; closed and open loop, embedded and RabbitMQ (and two instances on PostgreSQL).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initDevCertificates } from '../../src/security/dev-certificates.js';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { partnersSubset, PROJECT_PARTNERS, RECORD_FIXTURES, ROOT } from '../support/project.js';
import { closedLoop, httpTarget, openLoop, type LoadFigures } from './e2e-load.js';
import { totalCpuMs } from './process-cpu.js';

const RECORDS = 5_000;
const CLIENTS = 32;
const OPEN_RATE = 500;
const TOKEN = 'e2e-bench-token-0123456789';
/** The bare spine's deliveries at once, as the gateway's partner concurrency. */
const SPINE_CONCURRENCY = 8;

/** Starts a TypeScript script of this folder as a process and resolves with the URL its ready line names. */
function startScript(file: string, args: string[], ready: RegExp): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test', 'bench', file), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const url = ready.exec(out)?.[1];
      if (url) resolve({ child, url });
    });
    child.once('exit', (code) => reject(new Error(`${file} exited (${String(code)}) before it was ready: ${out}`)));
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** A system under load: where to post, and how to stop it. */
interface System {
  /** Its processes, whose CPU time the run reports. */
  pids: number[];
  urls: string[];
  path: string;
  headers: Record<string, string>;
  stop(): Promise<void>;
}

/** What one row of the table runs on. */
export interface Row {
  label: string;
  start(): Promise<System>;
}

/** How extra rows are made: gateway processes on the benchmark's partner set-up, with more configuration. */
export interface RowMaker {
  /** A row of `instances` gateway processes (each with its own data folder) configured by the base plus what `env` gives at each start. */
  gatewayRow(label: string, env: () => Promise<Record<string, string>>, instances?: number): Row;
}

/** `count` transit movements with fresh record ids (each becomes one P.CP.01 message to Russia). */
function movements(tag: string, count: number): unknown[] {
  const movement = JSON.parse(readFileSync(join(RECORD_FIXTURES, 'transit.movement.json'), 'utf8')) as Record<string, unknown>;
  return Array.from({ length: count }, (_, i) => ({ ...movement, recordId: `E2E-${tag}-${i}` }));
}

function line(label: string, mode: string, f: LoadFigures, baseline?: LoadFigures): string {
  const ratio = baseline ? `  ${(f.deliveredPerSecond / baseline.deliveredPerSecond).toFixed(2)} × bare` : '';
  const backlog = f.backlogAtEnd === undefined ? '' : `  backlog at end ${f.backlogAtEnd}, drained in ${((f.drainMs ?? 0) / 1000).toFixed(1)} s`;
  const cpu = f.cpuMsPerRecord === undefined ? '' : `  cpu ${f.cpuMsPerRecord.toFixed(2)} ms/record`;
  return `  ${label.padEnd(18)} ${mode.padEnd(14)} ${f.deliveredPerSecond.toFixed(0).padStart(6)} delivered/s   ingest p50 ${f.ingestP50Ms.toFixed(0).padStart(5)} ms  p99 ${f.ingestP99Ms.toFixed(0).padStart(5)} ms${cpu}${ratio}${backlog}`;
}

/**
 * Runs every row closed loop ({@link CLIENTS} clients, {@link RECORDS} records one per request) and
 * open loop ({@link OPEN_RATE}/s), each on a fresh process, and checks issue 15's targets.
 * @param extra rows beyond the bare spine and the embedded gateway (RabbitMQ, PostgreSQL)
 */
export async function benchE2e(extra: (maker: RowMaker) => Row[]): Promise<boolean> {
  const certsDir = mkdtempSync(join(tmpdir(), 'gw-bench-e2e-'));
  initDevCertificates(certsDir, PROJECT_PARTNERS);
  const standIn = await startScript('stand-in-partner.ts', [], /stand-in ready: (\S+)/);
  const gatewayEnv = {
    ...partnersSubset(join(certsDir, 'partners'), ['eaeu-ru']),
    GATEWAY_CERTS_DIR: certsDir,
    GATEWAY_PORT: '0',
    GATEWAY_INBOUND_PORT: '0',
    GATEWAY_TOKENS: `${TOKEN}:cais,admin,auditor`,
    GATEWAY_SIMULATORS: 'off',
    GATEWAY_PARTNER_EAEU_RU_URL: standIn.url,
    GATEWAY_LOG_LEVEL: 'info',
    // The stand-in sends no signals: the transaction's times are long, so no repeat starts during a run.
    GATEWAY_TRANSACTION_TIME_SCALE: '100',
  };
  // BENCH_PROFILE_DIR: each gateway process writes a V8 CPU profile there when it stops (summarise with profile-summary.ts).
  const nodeArgs = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
  const gatewayRow = (label: string, env: () => Promise<Record<string, string>>, instances = 1): Row => ({
    label,
    async start() {
      const shared = { ...gatewayEnv, ...(await env()) };
      const started: GatewayProcess[] = [];
      for (let i = 0; i < instances; i += 1) started.push(await startGatewayProcess({ ...shared, GATEWAY_DATA_DIR: join(certsDir, `data-${randomUUID().slice(0, 8)}`) }, ROOT, nodeArgs));
      return {
        pids: started.map((p) => p.child.pid!),
        urls: started.map((p) => p.url),
        path: '/v1/cais/records',
        headers: { authorization: `Bearer ${TOKEN}` },
        async stop() {
          for (const p of started) p.child.kill('SIGTERM');
          await Promise.all(started.map((p) => p.exited));
        },
      };
    },
  });
  const bare: Row = {
    label: 'bare spine',
    async start() {
      const spine = await startScript('bare-spine.ts', [join(certsDir, 'gateway.key.pem'), standIn.url, String(SPINE_CONCURRENCY)], /bare spine ready: (\S+)/);
      return { pids: [spine.child.pid!], urls: [spine.url], path: '/records', headers: {}, stop: () => stopChild(spine.child) };
    },
  };
  const rows = [bare, gatewayRow('gateway embedded', async () => ({})), ...extra({ gatewayRow })];
  const results = new Map<string, { closed: LoadFigures; open: LoadFigures }>();
  try {
    console.log(`end-to-end benchmark — ${RECORDS} transit movements one per request; closed loop ${CLIENTS} clients, open loop ${OPEN_RATE}/s; partner stand-in answers 202 unread`);
    for (const row of rows) {
      const figures: Partial<{ closed: LoadFigures; open: LoadFigures }> = {};
      for (const mode of ['closed', 'open'] as const) {
        const system = await row.start();
        const target = httpTarget(system.urls, system.path, system.headers, standIn.url, mode === 'closed' ? CLIENTS : 512);
        try {
          const records = movements(`${row.label.replace(/[^A-Za-z0-9]/g, '')}-${mode}-${Date.now()}`, RECORDS);
          const cpuBefore = await totalCpuMs(system.pids);
          const load = mode === 'closed' ? await closedLoop(target, records, CLIENTS) : await openLoop(target, records, OPEN_RATE);
          figures[mode] = { ...load, cpuMsPerRecord: ((await totalCpuMs(system.pids)) - cpuBefore) / RECORDS };
        } finally {
          await target.close();
          await system.stop();
        }
        console.log(line(row.label, mode === 'closed' ? `closed ${CLIENTS}` : `open ${OPEN_RATE}/s`, figures[mode]!, mode === 'closed' ? results.get(bare.label)?.closed : undefined));
      }
      results.set(row.label, figures as { closed: LoadFigures; open: LoadFigures });
    }
  } finally {
    await stopChild(standIn.child);
    rmSync(certsDir, { recursive: true, force: true });
  }
  return checkTargets(results, bare.label);
}

/** Issue 15's targets: embedded ≥ 0.8 × the bare spine; RabbitMQ ≥ 1,000 delivered/s, and at 500/s ingest p99 ≤ 100 ms with delivery keeping pace. */
function checkTargets(results: Map<string, { closed: LoadFigures; open: LoadFigures }>, bareLabel: string): boolean {
  const bare = results.get(bareLabel)!.closed;
  const checks: Array<[string, boolean]> = [];
  const embedded = results.get('gateway embedded');
  if (embedded) checks.push([`embedded delivered/s ≥ 0.8 × bare spine (${(embedded.closed.deliveredPerSecond / bare.deliveredPerSecond).toFixed(2)})`, embedded.closed.deliveredPerSecond >= 0.8 * bare.deliveredPerSecond]);
  const amqp = results.get('gateway RabbitMQ');
  if (amqp) {
    checks.push([`RabbitMQ ≥ 1,000 delivered/s (${amqp.closed.deliveredPerSecond.toFixed(0)})`, amqp.closed.deliveredPerSecond >= 1000]);
    checks.push([`RabbitMQ at ${OPEN_RATE}/s: ingest p99 ≤ 100 ms (${amqp.open.ingestP99Ms.toFixed(0)} ms)`, amqp.open.ingestP99Ms <= 100]);
    // Keeping pace: what was still undelivered when offering ended drains within a second.
    checks.push([`RabbitMQ at ${OPEN_RATE}/s: delivery keeps pace (drained ${((amqp.open.drainMs ?? 0) / 1000).toFixed(1)} s after the last post)`, (amqp.open.drainMs ?? Infinity) <= 1000]);
  }
  for (const [what, met] of checks) console.log(`  target: ${what} — ${met ? 'met' : 'MISSED'}`);
  return checks.every(([, met]) => met);
}
