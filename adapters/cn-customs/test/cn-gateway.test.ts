// A cargo declaration with China through the whole gateway: routed by its countries, batched, signed, delivered on China's signed receipt, and logged with its keys.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveredMessage, startTestGateway, type RunningGateway } from '../../../test/support/running-gateway.js';
import { declaration } from '../../../test/support/declaration-data.js';
import { RECORD_FIXTURES, ROOT } from '../../../test/support/project.js';
import { buildCmsSignedData, parseXml, renderCsv, SDMX_CSV_COLUMNS, SDMX_DATAFLOW_ID } from '../../../src/partners/kit.js';
import { runCli } from '../../../test/support/cli-run.js';
import { loadTestKey } from '../../../test/support/test-keys.js';
import { skipWithout } from '../../../test/support/external-tool.js';
import { readReceipt } from '../batch-receipt.js';
import { expectSignedByGateway, type GatewayAnswer } from './gateway-answer.js';
import type { ChinaBatchCommand } from '../sim/china-batch.js';
import type { CnSimState } from '../sim/simulator.js';

const DECLARATION = JSON.parse(readFileSync(join(RECORD_FIXTURES, 'declaration.cargo.json'), 'utf8')) as Record<string, unknown>;

describe('cn-customs through the gateway', () => {
  let gw: RunningGateway;
  /** The gateway's data folder, for the commands that read its log, and its development certificates (other partners' keys sign forgeries). */
  const dataDir = mkdtempSync(join(tmpdir(), 'gw-cn-data-'));
  const certsDir = mkdtempSync(join(tmpdir(), 'gw-cn-certs-'));
  beforeAll(async () => {
    gw = await startTestGateway({ GATEWAY_DATA_DIR: dataDir, GATEWAY_CERTS_DIR: certsDir });
  });
  afterAll(async () => {
    await gw?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(certsDir, { recursive: true, force: true });
  });
  /** Runs the gateway command on the same log, without blocking this process (its simulators keep answering). */
  const cli = (...args: string[]) => runCli(args, { GATEWAY_DATA_DIR: dataDir });

  it('a declaration from China is delivered as a batch China keeps, findable by declaration number and transport document', async () => {
    const recordId = `KZ-CD-GW-${process.pid}`;
    const posted = await gw.api('POST', '/v1/cais/records', { ...DECLARATION, recordId });
    expect(posted.status, JSON.stringify(posted.body)).toBe(202);
    const detail = await deliveredMessage(gw, 'cn-customs', 'CMR 0457812', recordId);
    expect(detail.businessKeys).toMatchObject({ declarationNumber: '55401/261126/0012345', transportDocument: 'CMR 0457812', batchId: `${recordId}.1` });
    const china = gw.gateway.simulators.get('cn-customs') as unknown as { state: CnSimState };
    expect(china.state.batches.has(`${recordId}.1`)).toBe(true);
  });

  it('statistics computed by stats export go to China through the gateway as trade.statistics records, suppressed cells and all', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-cn-stats-'));
    try {
      const items = [{ code: '8703231990', value: '1000.00', mass: '10' }];
      const declarations = [1, 2, 3, 4].map((n) => declaration(n, { flow: 'import', partner: 'CN', day: n, items })).concat(declaration(5, { flow: 'import', partner: 'CN', day: 5, items: [{ code: '8704211000', value: '700.00', mass: '7' }] }));
      writeFileSync(join(dir, 'declarations.json'), JSON.stringify(declarations));
      const run = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli.ts'), 'stats', 'export', '--period', '2026-10', '--level', 'hs6', '--partner', 'CN', '--records', join(dir, 'declarations.json'), '--out', dir, '--as-records'], { cwd: ROOT, encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      const record = JSON.parse(readFileSync(join(dir, 'STAT-2026-10-CN-M-HS6.record.json'), 'utf8')) as { recordId: string; rows: Array<{ commodityCode: string; confidential: boolean }> };
      // 870421 has one declaration (C); 870323, the only other part of the total, is hidden too (D): both confidential.
      expect(record.rows.map((r) => [r.commodityCode, r.confidential])).toEqual([['870323', true], ['870421', true]]);
      const posted = await gw.api('POST', '/v1/cais/records', { ...record, recordId: `${record.recordId}-${process.pid}` });
      expect(posted.status, JSON.stringify(posted.body)).toBe(202);
      const china = gw.gateway.simulators.get('cn-customs') as unknown as { state: CnSimState };
      const taken = await gw.waitFor(async () => china.state.statistics.get('KZ-CN-M-2026-10'), 20_000);
      expect(taken).toContain('dataflow,KZ_CUSTOMS:DF_IMTS_HS(1.0.0),I,M,KZ,CN,M,TOTAL,2026-10,4700.00,47,');
      expect(taken).toContain(',870421,2026-10,,,,USD,CIF,HS6,,C');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe.skipIf(skipWithout('China batches to us', { tools: ['xmlsec1'] }))('China\'s batches to us', () => {
    const batch: ChinaBatchCommand = {
      batchId: `CN-HRG-${process.pid}-1`,
      period: '2026-11-25',
      declarations: [
        { declarationId: '651920261125000001', flow: 'X', registeredAt: '2026-11-25T16:40:00+08:00', transportDocument: 'cmr-0457812', vehicle: 'XJ4711KA', items: [{ hsCode: '8703231910', netMassKg: '1450', valueUsd: '17100.00' }, { hsCode: '4011100000', netMassKg: '360', valueUsd: '5450.00' }] },
        { declarationId: '651920261125000002', flow: 'M', registeredAt: '2026-11-25T17:00:00+08:00', items: [{ hsCode: '1001990000', netMassKg: '64000', valueUsd: '16320.00' }] },
      ],
    };
    const push = async (command: ChinaBatchCommand): Promise<GatewayAnswer> => {
      const china = gw.gateway.simulators.get('cn-customs')!;
      const res = await fetch(`${china.url}/_sim/pushBatch`, { method: 'POST', body: JSON.stringify(command) });
      expect(res.status).toBe(200);
      return (await res.json()) as GatewayAnswer;
    };
    /** Our receipt, checked by China's verifier and by xmlsec1 with the certificate China pinned for us, then read. */
    const receiptOf = (answer: GatewayAnswer) => {
      expectSignedByGateway(answer);
      return readReceipt(parseXml(answer.body));
    };

    it('a batch is verified, checked against its manifest, answered by our signed receipt, and handed to CAIS as a mirror.batch', async () => {
      const answer = await push(batch);
      expect(answer.status, answer.body).toBe(200);
      expect(receiptOf(answer)).toMatchObject({ batchId: batch.batchId, status: 'ACCEPTED', itemCount: 3 });
      const pulled = await gw.api('GET', '/v1/cais/inbound?after=0&limit=500');
      const item = (pulled.body.items as Array<{ record: { type: string; recordId: string; declarations: unknown[] } }>).find((i) => i.record.recordId === batch.batchId);
      expect(item?.record).toMatchObject({ type: 'mirror.batch', reporter: 'CN', partner: 'KZ', period: '2026-11-25' });
      expect(item?.record.declarations).toHaveLength(2);
      // The same batch again: the same receipt, and still one record.
      const again = await push(batch);
      expect(receiptOf(again)).toMatchObject({ batchId: batch.batchId, status: 'ACCEPTED' });
      const inbound = await gw.api('GET', '/v1/messages?partner=cn-customs&direction=in');
      expect((inbound.body.items as Array<{ recordId: string }>).filter((m) => m.recordId === batch.batchId)).toHaveLength(1);
      // Found by its batch id, like any message of the log.
      expect((await gw.api('GET', `/v1/messages?key=${encodeURIComponent(batch.batchId)}&direction=in`)).body.items).toHaveLength(1);
    });

    it("the log is a comparison's input: our logged declarations and China's logged batches become rows that match by transport document, and the logged declarations make statistics", async () => {
      const dir = mkdtempSync(join(tmpdir(), 'gw-cn-log-'));
      try {
        const ours = join(dir, 'ours.csv');
        const theirs = join(dir, 'theirs.csv');
        const fromOurs = await cli('mirror', 'rows', '--from-log', 'ours', '--partner', 'CN', '--out', ours);
        expect(fromOurs.status, fromOurs.stderr).toBe(0);
        const fromTheirs = await cli('mirror', 'rows', '--from-log', 'theirs', '--partner', 'CN', '--out', theirs);
        expect(fromTheirs.status, fromTheirs.stderr).toBe(0);
        // China's batch pushed above: two declarations, three items; nothing from another reporter.
        expect(fromTheirs.stdout).toContain('3 rows from 1 records');
        const out = join(dir, 'compared');
        const compared = await cli('mirror', 'compare', '--ours', ours, '--theirs', theirs, '--out', out);
        expect(compared.status, compared.stderr).toBe(0);
        const report = JSON.parse(readFileSync(join(out, 'discrepancies.json'), 'utf8')) as { summary: { matched: Record<string, number> } };
        // Our declaration with CMR 0457812 (posted in the first test) and China's export with cmr-0457812: car and tyres pair up.
        expect(report.summary.matched['transport-document']).toBe(2);
        const exported = await cli('stats', 'export', '--from-log', '--period', '2026-11', '--level', 'hs6', '--partner', 'CN', '--threshold', '1', '--out', dir);
        expect(exported.status, exported.stderr).toBe(0);
        expect(readFileSync(join(dir, 'KZ-CN-2026-11-hs6.csv'), 'utf8')).toContain(',870323,2026-11,');
        // Either source, not both; and an unknown side is refused.
        const both = await cli('stats', 'export', '--from-log', '--records', 'x.json', '--period', '2026-11', '--level', 'hs6', '--partner', 'CN', '--out', dir);
        expect(both.status).toBe(2);
        expect(both.stderr).toContain('GW_ERR_STATS_INPUT_INVALID: give either --records FILE... or --from-log, not both');
        expect((await cli('mirror', 'rows', '--from-log', 'mine', '--out', ours)).stderr).toContain('GW_ERR_MIRROR_INPUT_INVALID: --from-log must be ours or theirs, got "mine"');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("China's statistics (SDMX-CSV in CMS signed by its key) are verified, checked, answered by our signed receipt and handed to CAIS as mirror.statistics; a file changed after signing or with figures in a confidential row is refused", async () => {
      const china = gw.gateway.simulators.get('cn-customs')!;
      const pushStatistics = async (command: unknown): Promise<GatewayAnswer> => {
        const res = await fetch(`${china.url}/_sim/pushStatistics`, { method: 'POST', body: JSON.stringify(command) });
        expect(res.status).toBe(200);
        return (await res.json()) as GatewayAnswer;
      };
      const key = { FREQ: 'M', REF_AREA: 'CN', COUNTERPART_AREA: 'KZ', TRADE_FLOW: 'X', TIME_PERIOD: '2026-10', CURRENCY: 'USD', VALUATION: 'FOB' };
      const observations = [
        { ...key, CMD_CODE: 'TOTAL', CMD_LEVEL: 'TOTAL', TRADE_VALUE: '52340.00', NET_MASS: '2910', CONF_STATUS: 'F' },
        { ...key, CMD_CODE: '870323', CMD_LEVEL: 'HS6', TRADE_VALUE: '34200.00', NET_MASS: '2900', SUPP_QTY: '2', SUPP_UNIT: '796', CONF_STATUS: 'F' },
        { ...key, CMD_CODE: '901890', CMD_LEVEL: 'HS6', CONF_STATUS: 'C' },
      ];
      const answer = await pushStatistics({ observations });
      expect(answer.status, answer.body).toBe(200);
      const receipt = receiptOf(answer);
      expect(receipt).toMatchObject({ status: 'ACCEPTED', itemCount: 3 });
      expect(receipt.batchId).toMatch(/^CN-KZ-X-2026-10-[0-9a-f]{16}$/);
      const pulled = await gw.api('GET', '/v1/cais/inbound?after=0&limit=500');
      const item = (pulled.body.items as Array<{ record: { type: string; flow: string; observations: Array<{ commodityCode: string; value?: string; confidentiality: string }> } }>).find((i) => i.record.type === 'mirror.statistics');
      expect(item?.record).toMatchObject({ reporter: 'CN', partner: 'KZ', flow: 'X', period: '2026-10' });
      expect(item?.record.observations.map((o) => [o.commodityCode, o.value, o.confidentiality])).toEqual([['TOTAL', '52340.00', 'F'], ['870323', '34200.00', 'F'], ['901890', undefined, 'C']]);

      // Mirror comparison with ours: our imports from China of the month (CIF), from the records, against what China sent (FOB).
      const dir = mkdtempSync(join(tmpdir(), 'gw-cn-stats-compare-'));
      try {
        writeFileSync(join(dir, 'ours.json'), JSON.stringify([declaration(81, { flow: 'import', partner: 'CN', day: 9, items: [{ code: '8703231990', value: '36252.00', mass: '2900' }] })]));
        expect((await cli('stats', 'export', '--records', join(dir, 'ours.json'), '--period', '2026-10', '--level', 'hs6', '--partner', 'CN', '--threshold', '1', '--out', dir)).status).toBe(0);
        const compared = await cli('stats', 'compare', '--ours', join(dir, 'KZ-CN-2026-10-hs6.csv'), '--theirs-from-log', 'CN', '--out', dir);
        expect(compared.status, compared.stderr).toBe(0);
        const { gaps } = JSON.parse(readFileSync(join(dir, 'statistics-gaps.json'), 'utf8')) as { gaps: Array<{ kind: string; commodityCode: string }> };
        // 36252 CIF / 1.06 = 34200 FOB: 870323 agrees; China's total holds goods we did not declare; 901890 China suppressed.
        expect(gaps.filter((g) => g.commodityCode === '870323')).toEqual([]);
        expect(gaps.filter((g) => g.commodityCode === 'TOTAL').map((g) => g.kind)).toEqual(['value']);
        expect(gaps.find((g) => g.commodityCode === '901890')?.kind).toBe('confidential');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }

      const tampered = await pushStatistics({ observations, tamper: true });
      expect(tampered.status).toBe(401);
      expect(receiptOf(tampered).errors[0]?.code).toBe('CNB-SIGNATURE');
      // Signed by a key pinned for another partner (Russia's), or of trade with another country than ours.
      const russia = loadTestKey(join(certsDir, 'partners', 'eaeu-ru.key.pem'), join(certsDir, 'partners', 'eaeu-ru.cert.pem'));
      // The same valid file: only the signer is wrong.
      const file = renderCsv({ rows: observations.map((o) => ({ STRUCTURE: 'dataflow', STRUCTURE_ID: SDMX_DATAFLOW_ID, ACTION: 'I', ...o })) }, { columns: SDMX_CSV_COLUMNS });
      const forged = buildCmsSignedData(file, russia, { detached: false });
      const otherSigner = await pushStatistics({ cms: forged.toString('base64') });
      expect(otherSigner.status).toBe(401);
      expect(receiptOf(otherSigner).errors[0]?.code).toBe('CNB-SIGNATURE');
      const elsewhere = await pushStatistics({ observations: observations.map((o) => ({ ...o, COUNTERPART_AREA: 'UZ' })) });
      expect(elsewhere.status).toBe(422);
      expect(receiptOf(elsewhere).errors[0]).toMatchObject({ code: 'CNB-SCHEMA', text: expect.stringContaining('the statistics are of trade with "UZ", we are KZ') as unknown });
      const leaking = await pushStatistics({ observations: [observations[0], observations[1], { ...observations[2], TRADE_VALUE: '18140.00' }] });
      expect(leaking.status).toBe(422);
      const refused = receiptOf(leaking);
      expect(refused.errors[0]).toMatchObject({ code: 'CNB-SCHEMA' });
      expect(refused.errors[0]?.text).toContain('a confidential row carries figures');
    });

    it('a partial batch (its manifest states more items than it holds) is refused with a signed CNB-PARTIAL receipt and nothing is recorded', async () => {
      const partial = { ...batch, batchId: `CN-HRG-${process.pid}-2`, statedItems: 4 };
      const answer = await push(partial);
      expect(answer.status).toBe(422);
      const receipt = receiptOf(answer);
      expect(receipt).toMatchObject({ batchId: partial.batchId, status: 'REJECTED' });
      expect(receipt.errors[0]).toMatchObject({ code: 'CNB-PARTIAL' });
      expect(receipt.errors[0]?.text).toContain('the manifest states 4 items, the batch holds 3');
      const inbound = await gw.api('GET', '/v1/messages?partner=cn-customs&direction=in');
      expect((inbound.body.items as Array<{ recordId: string }>).filter((m) => m.recordId === partial.batchId)).toHaveLength(0);
    });
  });
});
