// Missing batches, both ways: our period manifest finds the batch China lost and the gateway sends it again; China's period manifest names the batch that never reached us.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseXml } from '../../../src/partners/kit.js';
import { declaration } from '../../../test/support/declaration-data.js';
import { skipWithout } from '../../../test/support/external-tool.js';
import { ROOT } from '../../../test/support/project.js';
import { startTestGateway, type RunningGateway } from '../../../test/support/running-gateway.js';
import type { PeriodState } from '../period-close.js';
import { readPeriodReceipt } from '../period-manifest.js';
import type { ChinaBatchCommand } from '../sim/china-batch.js';
import type { CnSimState } from '../sim/simulator.js';
import { expectSignedByGateway, type GatewayAnswer } from './gateway-answer.js';

const XSD = join(ROOT, 'schemas', 'partners', 'cn-customs', 'declaration-batch.xsd');

describe.skipIf(skipWithout('cn-customs period manifests', { tools: ['xmlsec1', 'xmllint'] }))('cn-customs: period manifests find missing batches both ways', () => {
  let gw: RunningGateway;
  let china: { url: string; state: CnSimState };
  beforeAll(async () => {
    // Schedules at a five-hundredth of their interval: the period close runs every 1.2 s.
    gw = await startTestGateway({ GATEWAY_SCHEDULE_SCALE: '0.002' });
    china = gw.gateway.simulators.get('cn-customs') as unknown as { url: string; state: CnSimState };
  });
  afterAll(async () => {
    await gw?.stop();
  });

  const control = async (name: string, command: unknown): Promise<unknown> => {
    const res = await fetch(`${china.url}/_sim/${name}`, { method: 'POST', body: JSON.stringify(command) });
    expect([200, 204]).toContain(res.status);
    return res.status === 200 ? res.json() : undefined;
  };
  /** xmllint's verdict on a document against the batch XSD. */
  const xmllint = (document: string): { status: number | null; stderr: string } => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-cn-period-'));
    try {
      const file = join(dir, 'document.xml');
      writeFileSync(file, document);
      return spawnSync('xmllint', ['--noout', '--schema', XSD, file], { encoding: 'utf8' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const periodOf = async (period: string): Promise<PeriodState | undefined> => {
    const res = await gw.api('GET', '/v1/mirror/cn-customs/periods');
    expect(res.status).toBe(200);
    return (res.body.items as PeriodState[]).find((p) => p.period === period);
  };
  const delivered = async (recordId: string): Promise<{ id: string; attemptLog: unknown[]; history: Array<{ reason: string }> }> => {
    const listed = await gw.api('GET', `/v1/messages?partner=cn-customs`);
    const id = (listed.body.items as Array<{ id: string; recordId: string }>).find((m) => m.recordId === recordId)?.id;
    expect(id, `a message for ${recordId}`).toBeDefined();
    return gw.waitFor(async () => {
      const res = await gw.api('GET', `/v1/messages/${id}`);
      return res.body.status === 'delivered' ? res.body : undefined;
    }, 20_000);
  };

  it('a batch China accepted and then lost is named by its receipt of our period manifest, sent again, and the period ends complete', async () => {
    const items = [{ code: '8703231990', value: '1000.00', mass: '10' }];
    const first = { ...declaration(71, { flow: 'export', partner: 'CN', day: 7, items }), recordId: `KZ-CD-PM-${process.pid}-1` };
    const second = { ...declaration(72, { flow: 'export', partner: 'CN', day: 7, items }), recordId: `KZ-CD-PM-${process.pid}-2` };
    expect((await gw.api('POST', '/v1/cais/records', first)).status).toBe(202);
    await delivered(first.recordId);
    // China loses the first batch after its ACCEPTED receipt, and says nothing.
    await control('loseBatch', { batchId: `${first.recordId}.1` });
    expect(china.state.batches.has(`${first.recordId}.1`)).toBe(false);
    // The second batch of the same day opens the period again, so its next close lists both.
    expect((await gw.api('POST', '/v1/cais/records', second)).status).toBe(202);
    await delivered(second.recordId);
    const complete = await gw.waitFor(async () => {
      const p = await periodOf('2026-10-07');
      return p?.state === 'complete' && p.listed === 2 && china.state.batches.has(`${first.recordId}.1`) ? p : undefined;
    }, 30_000);
    // China's receipt of one of our manifests named the lost batch, and only it.
    const incomplete = [...china.state.periods.values()].filter((r) => r.period === '2026-10-07' && r.status === 'INCOMPLETE');
    expect(incomplete.length).toBeGreaterThan(0);
    expect(incomplete.every((r) => r.missing.length === 1 && r.missing[0] === `${first.recordId}.1`)).toBe(true);
    expect(complete.closes).toBeGreaterThanOrEqual(2);
    // Our manifests, as China received them, are valid against the XSD.
    const manifests = (china as unknown as { received: Array<{ messageId: string; document: string }> }).received.filter((r) => r.messageId.startsWith('KZ-PM-20261007-'));
    expect(manifests.length).toBe(complete.closes);
    for (const m of manifests) {
      const checked = xmllint(m.document);
      expect(checked.status, checked.stderr).toBe(0);
    }
    // The first batch was delivered twice: the second time because of the receipt.
    const again = await delivered(first.recordId);
    expect(again.attemptLog.length).toBeGreaterThanOrEqual(2);
    expect(again.history.some((h) => h.reason.includes(`names batch ${first.recordId}.1 as not held`))).toBe(true);
  }, 60_000);

  it("a receipt about another manifest is not believed: the period stays open, and the next close, with a new number, completes it", async () => {
    const items = [{ code: '8703231990', value: '1000.00', mass: '10' }];
    const record = { ...declaration(73, { flow: 'export', partner: 'CN', day: 8, items }), recordId: `KZ-CD-PM-${process.pid}-3` };
    await control('staleReceipt', {});
    expect((await gw.api('POST', '/v1/cais/records', record)).status).toBe(202);
    await delivered(record.recordId);
    const doubted = await gw.waitFor(async () => {
      const p = await periodOf('2026-10-08');
      return p?.problem?.includes("China's receipt is about manifest") ? p : undefined;
    }, 30_000);
    expect(doubted).toMatchObject({ state: 'open', manifestId: 'KZ-PM-20261008-1' });
    const complete = await gw.waitFor(async () => {
      const p = await periodOf('2026-10-08');
      return p?.state === 'complete' ? p : undefined;
    }, 30_000);
    expect(complete).toMatchObject({ manifestId: 'KZ-PM-20261008-2', listed: 1 });
  }, 60_000);

  describe("China's period manifests to us", () => {
    const batch = (n: number, lost = false): ChinaBatchCommand => ({
      batchId: `CN-HRG-PM-${process.pid}-${n}`,
      period: '2026-11-27',
      declarations: [{ declarationId: `6519202611270000${n}`, flow: 'X', registeredAt: '2026-11-27T11:00:00+08:00', items: [{ hsCode: '8703231910', netMassKg: '1450', valueUsd: '17100.00' }] }],
      ...(lost ? { lostInTransit: true } : {}),
    });
    /** Our period receipt: signed (China's verifier and xmlsec1 with the certificate China pinned for us), valid against the XSD, read. */
    const periodReceiptOf = (answer: GatewayAnswer) => {
      expectSignedByGateway(answer);
      const valid = xmllint(answer.body);
      expect(valid.status, valid.stderr).toBe(0);
      return readPeriodReceipt(parseXml(answer.body));
    };

    it('a manifest listing a batch that never reached us is answered INCOMPLETE naming it; once China sends it again, its next manifest is COMPLETE', async () => {
      expect(((await control('pushBatch', batch(1))) as GatewayAnswer).status).toBe(200);
      expect(((await control('pushBatch', batch(2, true))) as GatewayAnswer).status).toBe(0);
      const first = (await control('pushPeriod', { manifestId: `CN-PM-${process.pid}-1`, period: '2026-11-27' })) as GatewayAnswer;
      expect(first.status, first.body).toBe(200);
      expect(periodReceiptOf(first)).toMatchObject({ manifestId: `CN-PM-${process.pid}-1`, period: '2026-11-27', status: 'INCOMPLETE', held: 1, missing: [`CN-HRG-PM-${process.pid}-2`] });
      // CAIS gets China's manifest as a mirror.period record.
      const pulled = await gw.api('GET', '/v1/cais/inbound?after=0&limit=500');
      const item = (pulled.body.items as Array<{ record: { type: string; recordId: string; batches: Array<{ batchId: string }> } }>).find((i) => i.record.recordId === `CN-PM-${process.pid}-1`);
      expect(item?.record.type).toBe('mirror.period');
      expect(item?.record.batches.map((b) => b.batchId)).toEqual([`CN-HRG-PM-${process.pid}-1`, `CN-HRG-PM-${process.pid}-2`]);

      expect(((await control('pushBatch', batch(2))) as GatewayAnswer).status).toBe(200);
      const second = (await control('pushPeriod', { manifestId: `CN-PM-${process.pid}-2`, period: '2026-11-27' })) as GatewayAnswer;
      expect(periodReceiptOf(second)).toMatchObject({ status: 'COMPLETE', held: 2, missing: [] });
    });

    it('a manifest whose count disagrees with its list is refused with a signed REJECTED receipt (CNB-SCHEMA) and reaches nobody', async () => {
      const wrong = (await control('pushPeriod', { manifestId: `CN-PM-${process.pid}-4`, period: '2026-11-27', statedBatches: 5 })) as GatewayAnswer;
      expect(wrong.status).toBe(422);
      const receipt = periodReceiptOf(wrong);
      expect(receipt).toMatchObject({ manifestId: `CN-PM-${process.pid}-4`, status: 'REJECTED', held: 0 });
      expect(receipt.errors[0]?.code).toBe('CNB-SCHEMA');
      expect(receipt.errors[0]?.text).toContain('BatchCount 5 but 2 Batch elements');
      const pulled = await gw.api('GET', '/v1/cais/inbound?after=0&limit=500');
      expect((pulled.body.items as Array<{ record: { recordId: string } }>).some((i) => i.record.recordId === `CN-PM-${process.pid}-4`)).toBe(false);
    });

    it('a manifest of a day with no batch is COMPLETE and still reaches CAIS', async () => {
      const empty = (await control('pushPeriod', { manifestId: `CN-PM-${process.pid}-3`, period: '2026-11-28' })) as GatewayAnswer;
      expect(periodReceiptOf(empty)).toMatchObject({ status: 'COMPLETE', held: 0, missing: [] });
      const pulled = await gw.api('GET', '/v1/cais/inbound?after=0&limit=500');
      const item = (pulled.body.items as Array<{ record: { recordId: string; batches: unknown[] } }>).find((i) => i.record.recordId === `CN-PM-${process.pid}-3`);
      expect(item?.record.batches).toEqual([]);
    });
  });
});
