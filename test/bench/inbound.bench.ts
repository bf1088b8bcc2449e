// Benchmark: partner pushes per second end to end (mutual TLS, strict verification, mapping, validation, durable log, signed replies), beside a bare mutual-TLS echo of the same pushes.
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PROJECT_PARTNERS, ROOT, tempDevCertificates } from '../support/project.js';
import { startTestGateway } from '../support/running-gateway.js';
import type { PushRun } from './inbound-pusher.js';

/** The target: signed documents accepted per second on this 2-core machine. */
const TARGET_PER_SECOND = 1000;
const PUSHES_PER_ROUND = 1500;
const WARM_UP = 300;
const ROUNDS = 5;
const CONCURRENCY = 32;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
}

/** The pusher process: one JSON run per `<url> <count>` line. */
async function startPusher(certsDir: string): Promise<{ run(url: string, count: number): Promise<PushRun>; stop(): void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test', 'bench', 'inbound-pusher.ts'), certsDir, String(CONCURRENCY)], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const first = await lines.next();
  if (first.value !== 'ready') throw new Error(`the pusher did not start: ${String(first.value)}`);
  return {
    async run(url, count) {
      child.stdin.write(`${url} ${count}\n`);
      const answer = await lines.next();
      return JSON.parse(String(answer.value)) as PushRun;
    },
    stop: () => child.kill('SIGTERM'),
  };
}

/** A mutual-TLS server that reads each push and answers 202 with no body, as the gateway takes one: the transport alone, as baseline. */
async function startEcho(certsDir: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(
    { cert: readFileSync(join(certsDir, 'gateway.cert.pem')), key: readFileSync(join(certsDir, 'gateway.key.pem')), requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      req.on('data', () => undefined);
      req.on('end', () => res.writeHead(202).end());
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}/v1/inbound/eaeu-ru`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/**
 * Russia's gateway as the replies' receiver, checking nothing and answering 202 at once: the gateway's
 * work on its replies is measured, not a simulator's checks. Counts what it took.
 */
async function startReplySink(): Promise<{ url: string; taken(): number; close(): Promise<void> }> {
  let taken = 0;
  const server = createHttpServer((req, res) => {
    req.on('data', () => undefined);
    req.on('end', () => {
      taken++;
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    taken: () => taken,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/** A server the pusher measures: a gateway configuration, or the echo baseline. */
interface Subject {
  label: string;
  url: string;
  runs: PushRun[];
  cpuMicros: number;
}

function report(subject: Subject, echo: Subject): { perSecond: number; line: string } {
  const pushes = subject.runs.reduce((n, r) => n + r.pushes, 0);
  const perSecond = median(subject.runs.map((r) => r.pushes / r.seconds));
  const latencies = subject.runs.flatMap((r) => r.latenciesMs).sort((a, b) => a - b);
  const pusherCpu = subject.runs.reduce((n, r) => n + r.cpuMs, 0) / pushes;
  const ratio = subject === echo ? '' : `, ${(perSecond / median(echo.runs.map((r) => r.pushes / r.seconds))).toFixed(2)} of the echo`;
  const line =
    `  ${subject.label.padEnd(30)} ${perSecond.toFixed(0).padStart(5)} documents/s, latency p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, ` +
    `CPU ${(subject.cpuMicros / 1000 / pushes).toFixed(2)} ms per document (pusher ${pusherCpu.toFixed(2)} ms)${ratio}; rounds ${subject.runs.map((r) => (r.pushes / r.seconds).toFixed(0)).join(' ')}`;
  return { perSecond, line };
}

/**
 * Pushes Russia's signed 5 KB P.CP.01 messages (EAEU integrated-system envelopes) from a separate
 * process (the member's side: it signs before the clock starts) over kept-alive mutual-TLS
 * connections, CONCURRENCY at a time, in interleaved rounds: the gateway with its default RSA-2048 key
 * for Russia, the gateway with an ECDSA P-256 key (the closer stand-in for GOST R 34.10-2012 curves),
 * and an echo server doing only TLS and HTTP. Each push taken costs the gateway its three signed
 * replies («Получено», «Принято в обработку», R.006), written before it answers 202 and delivered
 * to a receiver that checks nothing. Reports documents/s, answer latency p50/p99 and CPU per document
 * (the gateway process, all its threads; and the pusher's), and the ratio to the echo. False when any
 * push was not taken and logged, or the default configuration misses the target.
 */
export async function benchInbound(): Promise<boolean> {
  const certsDir = tempDevCertificates(PROJECT_PARTNERS);
  const sink = await startReplySink();
  // No simulators: every partner's URL is the reply receiver (only Russia gets traffic).
  const partnerUrls = Object.fromEntries(PROJECT_PARTNERS.map((p) => [`GATEWAY_PARTNER_${p.toUpperCase().replaceAll('-', '_')}_URL`, sink.url]));
  const common = { GATEWAY_CERTS_DIR: certsDir, GATEWAY_LOG_LEVEL: 'silent', GATEWAY_SIMULATORS: 'off', ...partnerUrls };
  const rsa = await startTestGateway(common);
  const ec = await startTestGateway({
    ...common,
    GATEWAY_PARTNER_EAEU_RU_SIGNING_KEY_FILE: join(certsDir, 'gateway-ec.key.pem'),
    GATEWAY_PARTNER_EAEU_RU_SIGNING_CERT_FILE: join(certsDir, 'gateway-ec.cert.pem'),
  });
  const echoServer = await startEcho(certsDir);
  const pusher = await startPusher(certsDir);
  try {
    const inboundOf = (gw: typeof rsa): string => `${gw.gateway.inboundUrl() ?? ''}/v1/inbound/eaeu-ru`;
    const echo: Subject = { label: 'bare mutual-TLS echo', url: echoServer.url, runs: [], cpuMicros: 0 };
    const gateways: Subject[] = [
      { label: 'gateway, RSA-2048 replies', url: inboundOf(rsa), runs: [], cpuMicros: 0 },
      { label: 'gateway, ECDSA P-256 replies', url: inboundOf(ec), runs: [], cpuMicros: 0 },
    ];
    for (const subject of [echo, ...gateways]) await pusher.run(subject.url, WARM_UP);
    for (let round = 0; round < ROUNDS; round++) {
      for (const subject of [echo, ...gateways]) {
        const before = process.cpuUsage();
        subject.runs.push(await pusher.run(subject.url, PUSHES_PER_ROUND));
        const used = process.cpuUsage(before);
        subject.cpuMicros += used.user + used.system;
      }
    }
    const pushed = WARM_UP + ROUNDS * PUSHES_PER_ROUND;
    const logged = [(await rsa.gateway.inboundStore.pullAfter(0, 1_000_000)).length, (await ec.gateway.inboundStore.pullAfter(0, 1_000_000)).length];
    const failures = gateways.reduce((n, g) => n + g.runs.reduce((m, r) => m + r.failures, 0), 0);
    console.log(`inbound benchmark — ${CONCURRENCY} member connections, ${echo.runs[0]?.bytes ?? 0}-byte signed P.CP.01 envelopes, pusher in its own process, ${ROUNDS} interleaved rounds of ${PUSHES_PER_ROUND}`);
    console.log('  each push: mutual TLS, strict verification, envelope, mapping, validation, durable log (group commit), three signed replies logged before the 202 and delivered after');
    const [rsaFigures, ecFigures] = gateways.map((g) => report(g, echo));
    for (const figures of [rsaFigures, ecFigures, report(echo, echo)]) console.log(figures?.line);
    const ok = failures === 0 && logged.every((n) => n === pushed) && (rsaFigures?.perSecond ?? 0) >= TARGET_PER_SECOND;
    console.log(`  logged ${logged.join(' and ')} of ${pushed} pushes each, ${failures} not taken, ${sink.taken()} replies delivered so far; target ≥ ${TARGET_PER_SECOND}/s with the default RSA key: ${ok ? 'met' : 'MISSED'}`);
    return ok;
  } finally {
    pusher.stop();
    await echoServer.close();
    await sink.close();
    await rsa.stop();
    await ec.stop();
    rmSync(certsDir, { recursive: true, force: true });
  }
}
