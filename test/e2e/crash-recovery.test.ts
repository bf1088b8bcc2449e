// SIGKILL during delivery loses nothing: a restarted gateway delivers every accepted record; duplicates carry the same message id.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { initDevCertificates } from '../../src/security/dev-certificates.js';
import type { PartnerSimulator } from '../../src/sim/partner-simulator.js';
import { startSimulators } from '../../src/sim/start-simulators.js';
import { RECORD_FIXTURES, ROOT } from '../support/project.js';

const TOKEN = 'crash-test-token-0123456789';
const RECORDS = 500;
const dir = mkdtempSync(join(tmpdir(), 'gw-crash-'));
const certsDir = join(dir, 'certs');
initDevCertificates(certsDir, ['iru-safetir', 'ru-fcs']);
const movement = JSON.parse(readFileSync(join(RECORD_FIXTURES, 'transit.movement.json'), 'utf8')) as Record<string, unknown>;

let sims: Map<string, PartnerSimulator>;
let child: ChildProcess | undefined;
afterAll(async () => {
  child?.kill('SIGKILL');
  await Promise.all([...(sims?.values() ?? [])].map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

/** Starts `gateway serve` as a separate process and resolves with its API URL once it prints "gateway ready". */
function startGateway(): Promise<string> {
  const env = {
    ...process.env,
    GATEWAY_DATA_DIR: join(dir, 'data'),
    GATEWAY_CERTS_DIR: certsDir,
    GATEWAY_PORT: '0',
    GATEWAY_TOKENS: `${TOKEN}:cais,admin,auditor`,
    GATEWAY_SIMULATORS: 'off',
    GATEWAY_PARTNER_RU_FCS_URL: sims.get('ru-fcs')!.url,
    GATEWAY_PARTNER_IRU_SAFETIR_URL: sims.get('iru-safetir')!.url,
    GATEWAY_RETRY_DELAY_SCALE: '0.001',
    GATEWAY_LEASE_MS: '2000',
    GATEWAY_LOG_LEVEL: 'warn',
  };
  child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli.ts'), 'serve'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child!.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /gateway ready: api (http:\/\/[^\s]+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    child!.once('exit', (code) => reject(new Error(`gateway exited with ${code} before it was ready: ${out}`)));
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are checked field by field
async function api(url: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  return { status: res.status, body: await res.json() };
}

async function until(check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('crash recovery', () => {
  it(`delivers all ${RECORDS} accepted records after SIGKILL mid-delivery and a restart`, { timeout: 180_000 }, async () => {
    sims = await startSimulators({ certsDir });
    const sim = sims.get('ru-fcs')!;
    sim.faults.delay(5);
    let url = await startGateway();
    const accepted = new Set<string>();
    for (let batch = 0; batch < RECORDS / 50; batch++) {
      const records = Array.from({ length: 50 }, (_, i) => ({ ...movement, recordId: `KZ-TM-CRASH-${batch * 50 + i}` }));
      const res = await api(url, 'POST', '/v1/cais/records', records);
      expect(res.status).toBe(202);
      for (const r of res.body.results) for (const m of r.messages) accepted.add(m.id);
    }
    expect(accepted.size).toBe(RECORDS);
    await until(() => sim.received.length >= 50, 60_000);
    child!.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));
    const beforeRestart = new Set(sim.received.map((r) => r.messageId)).size;
    expect(beforeRestart).toBeLessThan(RECORDS);

    url = await startGateway();
    await until(async () => (await api(url, 'GET', '/v1/messages?status=pending&limit=1')).body.items.length === 0, 120_000);
    const delivered = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = await api(url, 'GET', `/v1/messages?status=delivered&partner=ru-fcs&limit=500${cursor ? `&cursor=${cursor}` : ''}`);
      for (const m of page.body.items) delivered.add(m.id);
      cursor = page.body.nextCursor;
    } while (cursor);
    expect([...accepted].filter((id) => !delivered.has(id))).toEqual([]);

    const atSim = new Map<string, string[]>();
    for (const r of sim.received) atSim.set(r.messageId, [...(atSim.get(r.messageId) ?? []), r.document]);
    expect([...accepted].filter((id) => !atSim.has(id))).toEqual([]);
    expect([...atSim.keys()].filter((id) => !accepted.has(id))).toEqual([]);
    for (const docs of atSim.values()) expect(new Set(docs).size).toBe(1);
    expect(sim.received.every((r) => r.valid)).toBe(true);
    console.log(`crash test: ${beforeRestart} delivered before SIGKILL, ${sim.received.length - RECORDS} duplicate deliveries (same message id)`);
  });
});
