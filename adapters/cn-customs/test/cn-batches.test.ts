// Declaration batches to China for real: the batch and the receipt against their XSD (xmllint), signatures by xmlsec1, the manifest that tells a partial batch, and every receipt judged.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseXml } from '../../../src/partners/kit.js';
import { skipWithout } from '../../../test/support/external-tool.js';
import { startPartnerHarness, type PartnerHarness } from '../../../test/support/partner-harness.js';
import { RECORD_FIXTURES, ROOT } from '../../../test/support/project.js';
import { xmlsec1Verify } from '../../../test/support/xmlsec1.js';
import { batchRoot, countBatch, manifestOf } from '../batch-manifest.js';
import type { CnSimState } from '../sim/simulator.js';

const XSD = join(ROOT, 'schemas', 'partners', 'cn-customs', 'declaration-batch.xsd');
const skip = skipWithout('China declaration batches', { tools: ['xmllint', 'xmlsec1', 'openssl'] });
const STATISTICS = JSON.parse(readFileSync(join(RECORD_FIXTURES, 'trade.statistics.json'), 'utf8')) as Record<string, unknown>;
const DECLARATION = JSON.parse(readFileSync(join(RECORD_FIXTURES, 'declaration.cargo.json'), 'utf8')) as Record<string, unknown>;

describe.skipIf(skip)('cn-customs: declaration batches with manifests and signed receipts', () => {
  let harness: PartnerHarness;
  let dir: string;
  let serial = 0;
  beforeAll(async () => {
    harness = await startPartnerHarness({}, ['cn-customs']);
    dir = mkdtempSync(join(tmpdir(), 'gw-cn-'));
  });
  afterAll(async () => {
    await harness?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const state = (): CnSimState => (harness.sim('cn-customs') as unknown as { state: CnSimState }).state;

  function xmllint(document: Buffer): { ok: boolean; output: string } {
    const file = join(dir, `doc-${++serial}.xml`);
    writeFileSync(file, document);
    const run = spawnSync('xmllint', ['--noout', '--schema', XSD, file], { encoding: 'utf8' });
    return { ok: run.status === 0, output: `${run.stdout}${run.stderr}` };
  }

  function certFile(pem: string): string {
    const file = join(dir, `cert-${++serial}.pem`);
    writeFileSync(file, pem);
    return file;
  }

  async function batch(overrides: Record<string, unknown> = {}): Promise<Buffer> {
    const translated = await harness.translator.translate({ ...DECLARATION, recordId: `KZ-CD-CN-${process.pid}-${++serial}`, ...overrides });
    if (!translated.ok) throw new Error(JSON.stringify(translated.problems));
    const document = translated.documents.find((d) => d.partner === 'cn-customs');
    if (!document) throw new Error('no batch for China');
    return document.bytes;
  }

  it('a declaration with China goes out as a signed batch that validates against its XSD, with the manifest filled in', async () => {
    const bytes = await batch();
    const checked = xmllint(bytes);
    expect(checked.ok, checked.output).toBe(true);
    const verified = xmlsec1Verify(bytes, certFile(harness.setup.identities.get('cn-customs')!.identity.certificate.toString()));
    expect(verified.status, verified.output).toBe(0);
    const root = batchRoot(parseXml(bytes));
    const counts = countBatch(root);
    expect(manifestOf(root)).toMatchObject({ declarations: 1, items: 2, digest: counts.digest });
    expect(counts.digest).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    // The oracle can fail: a batch without its manifest's digest.
    expect(xmllint(Buffer.from(bytes.toString('utf8').replace(/<ItemsDigest>[^<]*<\/ItemsDigest>/, ''))).ok).toBe(false);
  });

  it('a declaration neither from nor to China makes no batch', async () => {
    const translated = await harness.translator.translate({ ...DECLARATION, recordId: `KZ-CD-RU-${++serial}`, countryOfDispatch: 'RU', items: (DECLARATION.items as Array<Record<string, unknown>>).map((i) => ({ ...i, originCountry: 'RU' })) });
    expect(translated.ok === false && translated.problems[0]?.code).toBe('GW_ERR_NO_ROUTE');
  });

  it('China accepts it with a receipt signed by its key (xmlsec1, the XSD); the same batch again is a duplicate, still delivered', async () => {
    const payload = await batch();
    const first = await harness.attempt('cn-customs', { id: `batch-${serial}`, payload });
    expect(first.outcome).toMatchObject({ verdict: 'delivered' });
    const batchId = manifestOf(batchRoot(parseXml(payload))).batchId;
    expect(state().batches.get(batchId)).toBe(countBatch(batchRoot(parseXml(payload))).digest);
    const receipt = first.result.kind === 'response' ? first.result.body : Buffer.alloc(0);
    expect(xmllint(receipt).ok, receipt.toString()).toBe(true);
    const chinaCert = harness.context('cn-customs').partnerCertificates[0]!;
    expect(xmlsec1Verify(receipt, certFile(chinaCert.toString())).status).toBe(0);
    const again = await harness.attempt('cn-customs', { id: `batch-again-${serial}`, payload });
    expect(again.outcome).toMatchObject({ verdict: 'delivered', partnerCode: 'CNB-DUPLICATE' });
  });

  it('a batch that does not hold what its manifest states is a partial batch: China rejects it CNB-PARTIAL and it is sent again', async () => {
    const context = harness.context('cn-customs');
    // Our signature over a batch whose manifest counts three items while it holds two.
    const unsigned = (await batch()).toString('utf8').replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, '');
    const lying = context.sign('xmldsig', Buffer.from(unsigned.replace('<ItemCount>2</ItemCount>', '<ItemCount>3</ItemCount>')));
    const { outcome } = await harness.attempt('cn-customs', { id: `partial-${serial}`, payload: lying });
    expect(outcome).toMatchObject({ verdict: 'retry', partnerCode: 'CNB-PARTIAL' });
    expect(outcome.reason).toContain('the manifest states 3 items, the batch holds 2');
    // An item changed after the digest was taken: the digest tells.
    const altered = context.sign('xmldsig', Buffer.from(unsigned.replace('<StatisticalValueUsd>5800.00</StatisticalValueUsd>', '<StatisticalValueUsd>580.00</StatisticalValueUsd>')));
    const second = await harness.attempt('cn-customs', { id: `altered-${serial}`, payload: altered });
    expect(second.outcome).toMatchObject({ verdict: 'retry', partnerCode: 'CNB-PARTIAL' });
    expect(second.outcome.reason).toContain("the items do not match the manifest's digest");
  });

  it('trade statistics with China go as SDMX-CSV of our dataflow in CMS (openssl verifies it), are taken and read back as the same observations', async () => {
    const translated = await harness.translator.translate({ ...STATISTICS, recordId: `STAT-CN-${++serial}` });
    if (!translated.ok) throw new Error(JSON.stringify(translated.problems));
    const document = translated.documents.find((d) => d.partner === 'cn-customs')!;
    expect(document.message).toBe('trade-statistics');
    const der = join(dir, `stats-${serial}.der`);
    writeFileSync(der, document.bytes);
    const verified = spawnSync('openssl', ['cms', '-verify', '-inform', 'DER', '-binary', '-purpose', 'any', '-CAfile', join(harness.config.certsDir, 'ca.cert.pem'), '-in', der]);
    expect(verified.status, verified.stderr.toString()).toBe(0);
    const { outcome } = await harness.attempt('cn-customs', { id: `stats-${serial}`, payload: document.bytes, messageType: 'trade-statistics' });
    expect(outcome).toMatchObject({ verdict: 'delivered' });
    const taken = state().statistics.get('KZ-CN-M-2026-10')!;
    expect(Buffer.from(taken).equals(verified.stdout)).toBe(true);
    const csv = join(dir, `stats-${serial}.csv`);
    writeFileSync(csv, taken);
    // Read back by the gateway's own importer, as a partner's file would be.
    const imported = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli.ts'), 'stats', 'import', csv, '--json', `${csv}.json`], { cwd: ROOT, encoding: 'utf8' });
    expect(imported.status, imported.stderr).toBe(0);
    const observations = JSON.parse(readFileSync(`${csv}.json`, 'utf8')) as Array<Record<string, string>>;
    expect(observations.map((o) => [o.CMD_CODE, o.TRADE_VALUE, o.CONF_STATUS])).toEqual([
      ['TOTAL', '5158700.50', 'F'],
      ['870323', '4120500.00', 'F'],
      ['850440', '918200.50', 'F'],
      ['930190', undefined, 'C'],
    ]);
    // A file whose visible rows add up to more than its total is refused by China: CNB-SCHEMA, failed.
    const inflated = harness.context('cn-customs').sign('cms', Buffer.from(verified.stdout.toString().replace('5158700.50', '5000000.00')));
    const refused = await harness.attempt('cn-customs', { id: `stats-bad-${serial}`, payload: inflated, messageType: 'trade-statistics' });
    expect(refused.outcome).toMatchObject({ verdict: 'failed', partnerCode: 'CNB-SCHEMA' });
    expect(refused.outcome.reason).toContain('the visible rows add up to more than the total');
  });

  it('a batch changed after signing is refused CNB-SIGNATURE (a person must look); an unsigned receipt is not believed', async () => {
    const tampered = Buffer.from((await batch()).toString('utf8').replace('<NetMassKg>1450</NetMassKg>', '<NetMassKg>145</NetMassKg>'));
    expect((await harness.attempt('cn-customs', { id: `tampered-${serial}`, payload: tampered })).outcome).toMatchObject({ verdict: 'needs-human', partnerCode: 'CNB-SIGNATURE' });
    await fetch(`${harness.sim('cn-customs').url}/_sim/unsignedReceipt`, { method: 'POST', body: '{}' });
    const { outcome } = await harness.attempt('cn-customs', { id: `unsigned-${serial}`, payload: await batch() });
    expect(outcome.verdict).toBe('needs-human');
    expect(outcome.reason).toMatch(/the receipt is not one the partner signed: GW_ERR_SIGNATURE_MISSING/);
  });
});
