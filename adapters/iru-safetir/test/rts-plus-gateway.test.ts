// The IRU adapter's RTS+ profile end to end: GATEWAY_PARTNER_IRU_SAFETIR_PROFILE=rts-plus sends terminations through TerminationService-1.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECORD_FIXTURES } from '../../../test/support/project.js';
import { startTestGateway, type RunningGateway } from '../../../test/support/running-gateway.js';
import { iruState } from '../sim/simulator.js';

const termination = JSON.parse(readFileSync(join(RECORD_FIXTURES, 'tir.termination.json'), 'utf8')) as Record<string, unknown>;
let gw: RunningGateway;

beforeAll(async () => {
  // Waits at a quarter: a 500 ms batch window, so terminations posted together travel together.
  gw = await startTestGateway({ GATEWAY_PARTNER_IRU_SAFETIR_PROFILE: 'rts-plus', GATEWAY_RETRY_DELAY_SCALE: '0.25' });
});
afterAll(async () => {
  await gw?.stop();
});

describe('IRU over RTS+', () => {
  it('delivers a termination as a WS-Security-signed transmitTIROperationTerminations that IRU verified and recorded', async () => {
    const res = await gw.api('POST', '/v1/cais/records', { ...termination, recordId: `KZ-TT-RTSPLUS-${Date.now()}`, departureCountry: 'TUR' });
    expect(res.status).toBe(202);
    const id = (res.body.results[0].messages as Array<{ id: string; partner: string }>).find((m) => m.partner === 'iru-safetir')!.id;
    const detail = await gw.waitFor(async () => {
      const m = await gw.api('GET', `/v1/messages/${id}`);
      return m.body.status === 'delivered' ? m.body : undefined;
    });
    expect(detail.attemptLog[0]).toMatchObject({ outcome: 'delivered', partnerCode: 'success=true' });
    const recorded = iruState(gw.gateway.simulators.get('iru-safetir')!).rtsPlusTerminations;
    expect(recorded.some((doc: string) => doc.includes('DX25123456') && doc.includes(id))).toBe(true);
  });

  it('splits a batch by size: 50 terminations with full 126-character remarks go as two requests, each within IRU\'s 65,536 bytes', { timeout: 60_000 }, async () => {
    const stamp = Date.now();
    const records = Array.from({ length: 50 }, (_, i) => ({ ...termination, recordId: `KZ-TT-RTSBIG-${stamp}-${i}`, departureCountry: 'TUR', remarks: `${i} ${'x'.repeat(120)}`.slice(0, 126) }));
    const res = await gw.api('POST', '/v1/cais/records', records);
    expect(res.status).toBe(202);
    const ids = res.body.results.map((r: { messages: Array<{ id: string; partner: string }> }) => r.messages.find((m) => m.partner === 'iru-safetir')!.id);
    const details = await Promise.all(
      ids.map((id: string) =>
        gw.waitFor(async () => {
          const m = await gw.api('GET', `/v1/messages/${id}`);
          return m.body.status === 'delivered' ? m.body : undefined;
        }, 50_000),
      ),
    );
    const batches = new Map<string, number>();
    for (const d of details) batches.set(d.attemptLog[0].batchId ?? d.id, (batches.get(d.attemptLog[0].batchId ?? d.id) ?? 0) + 1);
    // 50 fit the count limit; only the byte budget (49 such terminations) splits them.
    const sizes = [...batches.values()].sort((a, b) => b - a);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(50);
    expect(sizes[0]).toBeLessThanOrEqual(49);
    expect(sizes[0]).toBeGreaterThan(40);
    const sim = gw.gateway.simulators.get('iru-safetir')!;
    expect(sim.received.filter((r) => r.problems.some((p) => p.startsWith('HTTP 413')))).toEqual([]);
  });

  it('refuses an unknown profile at start with the choices', async () => {
    await expect(startTestGateway({ GATEWAY_PARTNER_IRU_SAFETIR_PROFILE: 'carrier-pigeon' })).rejects.toMatchObject({ code: 'GW_ERR_CONFIG_INVALID', message: expect.stringMatching(/known: default, rts-plus/) });
  });
});
