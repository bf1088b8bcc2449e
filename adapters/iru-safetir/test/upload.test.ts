// IRU uploads end to end: terminations batched into one upload, corrections as cancel-then-new, a 1250 storm, IRU's XSD as oracle.
import { parseXml, type XmlContent } from '../../../src/partners/kit.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithout } from '../../../test/support/external-tool.js';
import { RECORD_FIXTURES } from '../../../test/support/project.js';
import { IRU_RTS_DIR } from './rts-oracle.js';
import { startTestGateway, type RunningGateway } from '../../../test/support/running-gateway.js';

const termination = JSON.parse(readFileSync(join(RECORD_FIXTURES, 'tir.termination.json'), 'utf8')) as Record<string, unknown>;
const XSD = join(IRU_RTS_DIR, 'SafeTIRUpload.xsd');
const noXsd = skipWithout('IRU upload XSD check', { tools: ['xmllint'], files: [XSD] });
const work = mkdtempSync(join(tmpdir(), 'gw-iru-upload-'));
let gw: RunningGateway;

beforeAll(async () => {
  // Waits at 1/20: a 100 ms batch window (terminations posted together still travel together), retries of 0.25 s, 1.5 s, 6 s.
  gw = await startTestGateway({ GATEWAY_RETRY_DELAY_SCALE: '0.05' });
});
afterAll(async () => {
  await gw?.stop();
  rmSync(work, { recursive: true, force: true });
});

const iru = () => gw.gateway.simulators.get('iru-safetir')!;
/** Terminations that started outside Russia go to IRU only. */
const tt = (id: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ ...termination, departureCountry: 'TUR', recordId: id, ...extra });

function recordsOf(document: string): XmlContent[] {
  const doc = parseXml(document.replace(/^<\?xml[^>]*\?>/, ''), { arrayPaths: new Set(['SafeTIR.Body.SafeTIRRecords.Record']) });
  return (((doc.SafeTIR as XmlContent).Body as XmlContent).SafeTIRRecords as XmlContent).Record as XmlContent[];
}

async function messageIds(records: Array<Record<string, unknown>>): Promise<string[]> {
  const res = await gw.api('POST', '/v1/cais/records', records);
  expect(res.status).toBe(202);
  return res.body.results.map((r: { messages: Array<{ id: string; partner: string }> }) => r.messages.find((m) => m.partner === 'iru-safetir')!.id);
}

function delivered(id: string) {
  return gw.waitFor(async () => {
    const res = await gw.api('GET', `/v1/messages/${id}`);
    return res.body.status === 'delivered' ? res.body : undefined;
  }, 60_000);
}

describe('IRU SafeTIR uploads', () => {
  it('sends terminations posted together in one upload (TCN = count), each message linked to it', { timeout: 90_000 }, async () => {
    const stamp = Date.now();
    const ids = await messageIds([1, 2, 3, 4, 5].map((n) => tt(`KZ-TT-BATCH-${stamp}-${n}`)));
    const details = await Promise.all(ids.map(delivered));
    const batchIds = new Set(details.map((d) => d.attemptLog[0].batchId));
    expect(batchIds.size).toBe(1);
    const [batchId] = [...batchIds];
    expect(batchId).toMatch(/^[0-9a-f-]{36}$/);
    const upload = iru().received.find((r) => r.messageId === batchId);
    expect(upload?.valid).toBe(true);
    const records = recordsOf(upload!.document);
    expect(records).toHaveLength(5);
    expect(upload!.document).toMatch(/<TCN>5<\/TCN>/);
  });

  it('sends a correction as a cancel repeating the record as sent, then the new record, in one upload', { timeout: 90_000 }, async () => {
    const id = `KZ-TT-CORR-${Date.now()}`;
    const [first] = await messageIds([tt(id, { remarks: 'seal intact' })]);
    const v1 = await delivered(first!);
    const sentV1 = recordsOf(iru().received.find((r) => r.messageId === (v1.attemptLog[0].batchId ?? first))!.document);
    const [second] = await messageIds([tt(id, { version: 2, remarks: 'seal broken on arrival', withReservation: true })]);
    const v2 = await delivered(second!);
    const upload = iru().received.find((r) => r.messageId === (v2.attemptLog[0].batchId ?? second))!;
    expect(upload.valid).toBe(true);
    const [cancel, replacement] = recordsOf(upload.document);
    expect(cancel).toEqual({ ...sentV1[0], '@UPG': 'C' });
    expect(replacement).toMatchObject({ '@TNO': 'DX25123456', '@COM': 'seal broken on arrival', '@CWR': 'R', '@UPG': 'N' });
    const payload = await fetch(`${gw.url}/v1/messages/${second}/payload`, { headers: { authorization: 'Bearer test-token-0123456789abcdef' } });
    expect(recordsOf(await payload.text())).toHaveLength(2);
  });

  it('retries through a storm of 1250 DATABASE_QUERY_TIMEOUT answers, then succeeds', { timeout: 120_000 }, async () => {
    iru().faults.partnerErrorNext(3, 1250);
    try {
      const [id] = await messageIds([tt(`KZ-TT-STORM-${Date.now()}`)]);
      const detail = await gw.waitFor(async () => {
        const res = await gw.api('GET', `/v1/messages/${id}`);
        return res.body.status === 'delivered' ? res.body : undefined;
      }, 110_000);
      expect(detail.attemptLog.map((a: { outcome: string; partnerCode: string | null }) => [a.outcome, a.partnerCode])).toEqual([
        ['retry', '1250'],
        ['retry', '1250'],
        ['retry', '1250'],
        ['delivered', '2'],
      ]);
    } finally {
      iru().faults.reset();
    }
  });

  it('refuses at ingest a carnet whose check letters break IRU\'s rule, with its code and pointer; a valid 9-digit number reaches IRU', { timeout: 90_000 }, async () => {
    const wrong = await gw.api('POST', '/v1/cais/records', tt(`KZ-TT-CHECK-${Date.now()}`, { carnetNumber: 'XA25123456' }));
    expect(wrong.status).toBe(400);
    expect(wrong.body.results[0]).toMatchObject({ status: 'rejected', violations: [{ code: 'GW_ERR_RECORD_CARNET_CHECK_LETTERS', pointer: '/carnetNumber' }] });
    expect(wrong.body.results[0].violations[0].message).toContain('DX25123456');
    const [id] = await messageIds([tt(`KZ-TT-NINE-${Date.now()}`, { carnetNumber: 'UX251234567' })]);
    const detail = await delivered(id!);
    const upload = iru().received.find((r) => r.messageId === (detail.attemptLog[0].batchId ?? id))!;
    expect(recordsOf(upload.document)[0]).toMatchObject({ '@TNO': 'UX251234567' });
  });

  it('remarks in Cyrillic and Kazakh reach IRU transliterated, Windows-1252 only (iconv), while the log keeps the original record', { timeout: 90_000 }, async () => {
    const remarks = 'Пломба № 7 цела; груз принят в Қорғас';
    const [id] = await messageIds([tt(`KZ-TT-CYR-${Date.now()}`, { remarks })]);
    const detail = await delivered(id!);
    expect(detail.record.remarks).toBe(remarks);
    const upload = iru().received.find((r) => r.messageId === (detail.attemptLog[0].batchId ?? id))!;
    const [sent] = recordsOf(upload.document);
    expect(sent!['@COM']).toBe('Plomba No. 7 tsela; gruz priniat v Korgas');
    const body = upload.document.slice(upload.document.indexOf('<Body>'));
    expect(spawnSync('iconv', ['-f', 'UTF-8', '-t', 'WINDOWS-1252'], { input: body }).status).toBe(0);
    const logged = await (await fetch(`${gw.url}/v1/messages/${id}/payload`, { headers: { authorization: 'Bearer test-token-0123456789abcdef' } })).text();
    expect(logged).toContain('COM="Plomba No. 7 tsela; gruz priniat v Korgas"');
  });

  it('a remark Windows-1252 cannot carry and no transliteration covers is refused for IRU at ingest, naming the character', async () => {
    const res = await gw.api('POST', '/v1/cais/records', tt(`KZ-TT-CN-${Date.now()}`, { remarks: '封条完好' }));
    expect(res.status).toBe(400);
    expect(res.body.results[0].violations).toContainEqual(
      expect.objectContaining({ code: 'GW_ERR_DOCUMENT_INVALID', pointer: '/SafeTIR/Body/SafeTIRRecords/Record/0/@COM', message: expect.stringContaining('U+5C01') }),
    );
  });

  it.skipIf(noXsd)('every upload IRU received, once opened, validates against SafeTIRUpload.xsd', () => {
    const uploads = iru().received.filter((r) => r.document !== '');
    expect(uploads.length).toBeGreaterThanOrEqual(3);
    for (const [i, upload] of uploads.entries()) {
      const file = join(work, `upload-${i}.xml`);
      writeFileSync(file, upload.document.replace(/^<\?xml[^>]*\?>/, ''));
      const r = spawnSync('xmllint', ['--noout', '--schema', XSD, file], { encoding: 'utf8' });
      expect(`${r.stdout}${r.stderr}`).toContain('validates');
    }
  });
});
