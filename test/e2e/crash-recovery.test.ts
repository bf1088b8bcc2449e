// SIGKILL during delivery loses nothing: a restarted gateway delivers every accepted record; duplicates carry the same message id.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { initDevCertificates } from '../../src/security/dev-certificates.js';
import type { PartnerSimulator } from '../../src/sim/partner-simulator.js';
import { externalSimulatorsEnv, startGatewayProcess, until, type GatewayProcess } from '../support/gateway-process.js';
import { receivedByOurId } from '../support/member-message-ids.js';
import { partnersSubset, PROJECT_PARTNERS, RECORD_FIXTURES } from '../support/project.js';
import { startProjectSimulators } from '../support/project-simulators.js';

const TOKEN = 'crash-test-token-0123456789';
const RECORDS = 500;
const dir = mkdtempSync(join(tmpdir(), 'gw-crash-'));
const certsDir = join(dir, 'certs');
initDevCertificates(certsDir, PROJECT_PARTNERS);
const movement = JSON.parse(readFileSync(join(RECORD_FIXTURES, 'transit.movement.json'), 'utf8')) as Record<string, unknown>;

let sims: Map<string, PartnerSimulator>;
const children: GatewayProcess[] = [];
afterAll(async () => {
  for (const c of children) c.child.kill('SIGKILL');
  await Promise.all([...(sims?.values() ?? [])].map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

/** The two partners under test: their simulators outlive the gateway (Russia's signals cannot reach it; its transaction times are long). */
const PARTNERS = ['iru-safetir', 'eaeu-ru'];
const subset = partnersSubset(dir, PARTNERS);

function gatewayEnv(): Record<string, string> {
  return { ...externalSimulatorsEnv({ dataDir: join(dir, 'data'), certsDir, token: TOKEN, simulators: sims, leaseMs: 2000, partners: PARTNERS }), ...subset };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are checked field by field
async function api(url: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  return { status: res.status, body: await res.json() };
}

describe('crash recovery', () => {
  it(`delivers all ${RECORDS} accepted records after SIGKILL mid-delivery and a restart`, { timeout: 180_000 }, async () => {
    sims = await startProjectSimulators(certsDir);
    const sim = sims.get('eaeu-ru')!;
    sim.faults.delay(20); // slower than ingest, so the kill lands mid-delivery
    let gateway = await startGatewayProcess(gatewayEnv());
    children.push(gateway);
    let url = gateway.url;
    const accepted = new Set<string>();
    for (let batch = 0; batch < RECORDS / 50; batch++) {
      const records = Array.from({ length: 50 }, (_, i) => ({ ...movement, recordId: `KZ-TM-CRASH-${batch * 50 + i}` }));
      const res = await api(url, 'POST', '/v1/cais/records', records);
      expect(res.status).toBe(202);
      for (const r of res.body.results) for (const m of r.messages) accepted.add(m.id);
    }
    expect(accepted.size).toBe(RECORDS);
    await until(() => sim.received.length >= 50, 60_000);
    gateway.child.kill('SIGKILL');
    await gateway.exited;
    const beforeRestart = new Set(sim.received.map((r) => r.messageId)).size;
    const received = () => receivedByOurId(async (id) => (await api(url, 'GET', `/v1/messages/${id}`)).body, accepted, sim.received);
    expect(beforeRestart).toBeLessThan(RECORDS);

    gateway = await startGatewayProcess(gatewayEnv());
    url = gateway.url;
    children.push(gateway);
    await until(async () => (await api(url, 'GET', '/v1/messages?status=pending&limit=1')).body.items.length === 0, 120_000);
    const delivered = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = await api(url, 'GET', `/v1/messages?status=delivered&partner=eaeu-ru&limit=500${cursor ? `&cursor=${cursor}` : ''}`);
      for (const m of page.body.items) delivered.add(m.id);
      cursor = page.body.nextCursor;
    } while (cursor);
    expect([...accepted].filter((id) => !delivered.has(id))).toEqual([]);

    const atSim = new Map<string, string[]>();
    for (const r of await received()) atSim.set(r.messageId, [...(atSim.get(r.messageId) ?? []), r.document]);
    expect([...accepted].filter((id) => !atSim.has(id))).toEqual([]);
    expect([...atSim.keys()].filter((id) => !accepted.has(id))).toEqual([]);
    for (const docs of atSim.values()) expect(new Set(docs).size).toBe(1);
    // The member checks each document's structure after its 202: every verdict in, all valid.
    await until(() => sim.received.every((r) => !r.checking), 60_000);
    expect(sim.received.filter((r) => !r.valid).map((r) => r.problems)).toEqual([]);
    console.log(`crash test: ${beforeRestart} delivered before SIGKILL, ${sim.received.length - RECORDS} duplicate deliveries (same message id)`);
  });
});
