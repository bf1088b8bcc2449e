// `gateway serve` as a process: the README's quick-start curl commands work as written, and SIGTERM drains in-flight attempts.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_DEV_TOKEN } from '../../src/config.js';
import { initDevCertificates } from '../../src/security/dev-certificates.js';
import type { PartnerSimulator } from '../../src/sim/partner-simulator.js';
import { skipWithout } from '../support/external-tool.js';
import { startGatewayProcess, until, type GatewayProcess } from '../support/gateway-process.js';
import { PROJECT_PARTNERS, RECORD_FIXTURES, ROOT } from '../support/project.js';
import { startProjectSimulators } from '../support/project-simulators.js';

const dir = mkdtempSync(join(tmpdir(), 'gw-serve-'));
const processes: GatewayProcess[] = [];
let sims: Map<string, PartnerSimulator> | undefined;
afterAll(async () => {
  for (const p of processes) p.child.kill('SIGKILL');
  await Promise.all([...(sims?.values() ?? [])].map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

/** The README's curl commands (continuation lines joined), in order. */
function readmeCurls(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8').replace(/\\\n\s*/g, '');
  return readme.split('\n').filter((line) => line.startsWith('curl '));
}

describe.skipIf(skipWithout('README quick start', { tools: ['curl'] }))('README quick start', () => {
  it('the curl commands post a record and find its delivered messages, with the documented dev token', { timeout: 60_000 }, async () => {
    const gateway = await startGatewayProcess({ GATEWAY_DATA_DIR: join(dir, 'quick', 'data'), GATEWAY_CERTS_DIR: join(dir, 'quick', 'certs'), GATEWAY_PORT: '0', GATEWAY_INBOUND_PORT: '0' });
    processes.push(gateway);
    expect(gateway.output()).toMatch(/gateway ready: api http:\/\/127\.0\.0\.1:\d+ docs .*\/docs .*simulators: iru-safetir http:\/\/127\.0\.0\.1:\d+, eaeu-ru http:\/\/127\.0\.0\.1:\d+, eaeu-kg/);
    const port = new URL(gateway.url).port;
    const curls = readmeCurls();
    expect(curls).toHaveLength(2);
    expect(curls.join('\n')).toContain(`Bearer ${DEFAULT_DEV_TOKEN}`);
    const run = (cmd: string): string => execFileSync('bash', ['-c', cmd.replace(/127\.0\.0\.1:8080/g, `127.0.0.1:${port}`)], { cwd: ROOT, encoding: 'utf8' });
    const posted = JSON.parse(run(curls[0]!));
    expect(posted).toMatchObject({ accepted: 1, rejected: 0 });
    expect(posted.results[0].messages.map((m: { partner: string }) => m.partner)).toEqual(['eaeu-ru', 'iru-safetir']);
    await until(() => {
      const found = JSON.parse(run(curls[1]!));
      return found.items.length === 2 && found.items.every((m: { status: string }) => m.status === 'delivered');
    }, 20_000);
  });
});

describe('draining on SIGTERM', () => {
  it('finishes and records the attempt in flight before exiting; a restart finds nothing pending', { timeout: 60_000 }, async () => {
    const certsDir = join(dir, 'drain', 'certs');
    initDevCertificates(certsDir, PROJECT_PARTNERS);
    sims = await startProjectSimulators(certsDir);
    const sim = sims.get('eaeu-ru')!;
    sim.faults.delay(1500);
    const env = {
      GATEWAY_DATA_DIR: join(dir, 'drain', 'data'),
      GATEWAY_CERTS_DIR: certsDir,
      GATEWAY_PORT: '0',
      GATEWAY_SIMULATORS: 'off',
      ...Object.fromEntries([...sims].map(([partner, s]) => [`GATEWAY_PARTNER_${partner.toUpperCase().replaceAll('-', '_')}_URL`, s.url])),
    };
    const gateway = await startGatewayProcess(env);
    processes.push(gateway);
    const record = JSON.parse(readFileSync(join(RECORD_FIXTURES, 'transit.movement.json'), 'utf8')) as Record<string, unknown>;
    const auth = { authorization: `Bearer ${DEFAULT_DEV_TOKEN}`, 'content-type': 'application/json' };
    const res = await fetch(`${gateway.url}/v1/cais/records`, { method: 'POST', headers: auth, body: JSON.stringify(record) });
    const id = ((await res.json()).results[0].messages as Array<{ id: string; partner: string }>).find((m) => m.partner === 'eaeu-ru')!.id;
    // Russia's gateway knows our message by its wsa:MessageID.
    const wsa = `urn:uuid:${((await (await fetch(`${gateway.url}/v1/messages/${id}`, { headers: auth })).json()) as { businessKeys: { messageId: string } }).businessKeys.messageId}`;
    await until(() => sim.received.some((r) => r.messageId === wsa), 10_000);
    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toBe(0);
    const restarted = await startGatewayProcess(env);
    processes.push(restarted);
    const detail = await (await fetch(`${restarted.url}/v1/messages/${id}`, { headers: auth })).json();
    expect(detail.status).toBe('delivered');
    expect(detail.attempts).toBe(1);
    expect(sim.received.filter((r) => r.messageId === wsa)).toHaveLength(1);
    restarted.child.kill('SIGTERM');
    expect(await restarted.exited).toBe(0);
  });
});
