// The partner side of the inbound benchmark, in its own process: pre-signs Russia's P.CP.01 messages, then pushes them over mutual TLS and times each answer.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Agent, request } from 'undici';
import { shippedProcesses } from '../../adapters/eaeu-iis/process-table.js';
import { memberPush } from '../../adapters/eaeu-iis/sim/member-push.js';
import { loadKeyCapabilities } from '../../src/security/key-capabilities.js';

/** What a run reports on stdout (one JSON line). */
export interface PushRun {
  pushes: number;
  seconds: number;
  /** Answer times in ms, sorted. */
  latenciesMs: number[];
  /** Pushes not taken (HTTP 202). */
  failures: number;
  bytes: number;
  /** CPU the pusher itself used, ms (user + system). */
  cpuMs: number;
}

const [certsDir = '', concurrencyText = '1'] = process.argv.slice(2);
const concurrency = Number(concurrencyText);
const partnerKey = (name: string): string => join(certsDir, 'partners', `eaeu-ru.${name}.pem`);
const key = loadKeyCapabilities(partnerKey('key'), partnerKey('cert'));
const processes = shippedProcesses();
const agent = new Agent({
  connections: concurrency,
  connect: { ca: readFileSync(join(certsDir, 'ca.cert.pem'), 'utf8'), cert: readFileSync(partnerKey('cert'), 'utf8'), key: readFileSync(partnerKey('key'), 'utf8') },
});

/** Pushes `documents` to `url` from `concurrency` clients, each waiting for its answer before the next. */
async function run(url: string, documents: readonly Buffer[]): Promise<PushRun> {
  const latencies: number[] = [];
  let failures = 0;
  let next = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const client = async (): Promise<void> => {
    while (next < documents.length) {
      const body = documents[next++] as Buffer;
      const sent = performance.now();
      const res = await request(url, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/soap+xml' }, body });
      await res.body.arrayBuffer();
      latencies.push(performance.now() - sent);
      if (res.statusCode !== 202) failures++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { pushes: documents.length, seconds, latenciesMs: latencies.sort((a, b) => a - b), failures, bytes: documents[0]?.length ?? 0, cpuMs: (used.user + used.system) / 1000 };
}

// Protocol on stdin/stdout: prints `ready`; each line `<url> <count>` signs that many fresh documents (untimed), pushes them there and prints the run as JSON.
process.stdout.write('ready\n');
for await (const line of createInterface({ input: process.stdin })) {
  const [url, countText] = line.trim().split(' ');
  if (!url) continue;
  const documents = Array.from({ length: Number(countText) }, () => memberPush(processes, key, { member: 'RU', us: 'KZ', goodsItems: 3 }).body);
  process.stdout.write(`${JSON.stringify(await run(url, documents))}\n`);
}
await agent.close();
