// A cargo declaration with China through the whole gateway: routed by its countries, batched, signed, delivered on China's signed receipt, and logged with its keys.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type RunningGateway } from '../../../test/support/running-gateway.js';
import { RECORD_FIXTURES } from '../../../test/support/project.js';
import type { CnSimState } from '../sim/simulator.js';

const DECLARATION = JSON.parse(readFileSync(join(RECORD_FIXTURES, 'declaration.cargo.json'), 'utf8')) as Record<string, unknown>;

describe('cn-customs through the gateway', () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(async () => {
    await gw?.stop();
  });

  it('a declaration from China is delivered as a batch China keeps, findable by declaration number and transport document', async () => {
    const recordId = `KZ-CD-GW-${process.pid}`;
    const posted = await gw.api('POST', '/v1/cais/records', { ...DECLARATION, recordId });
    expect(posted.status, JSON.stringify(posted.body)).toBe(202);
    const listed = await gw.api('GET', `/v1/messages?partner=cn-customs&key=${encodeURIComponent('CMR 0457812')}`);
    const id = (listed.body.items as Array<{ id: string; recordId: string }>).find((m) => m.recordId === recordId)?.id;
    expect(id).toBeDefined();
    const detail = await gw.waitFor(async () => {
      const res = await gw.api('GET', `/v1/messages/${id}`);
      return res.body.status === 'delivered' ? res.body : undefined;
    }, 20_000);
    expect(detail.businessKeys).toMatchObject({ declarationNumber: '55401/261126/0012345', transportDocument: 'CMR 0457812', batchId: `${recordId}.1` });
    const china = gw.gateway.simulators.get('cn-customs') as unknown as { state: CnSimState };
    expect(china.state.batches.has(`${recordId}.1`)).toBe(true);
  });
});
