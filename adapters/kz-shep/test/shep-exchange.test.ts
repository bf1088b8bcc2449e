// The e-government gateway adapter for real: records through the gateway's API to the simulated ШЭП over loopback HTTP, async delivery states, sync look-ups, files, signatures and secrets.
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PartnerSimulator } from '../../../src/partners/kit.js';
import { AUDITOR_TOKEN, startTestGateway, type RunningGateway } from '../../../test/support/running-gateway.js';
import type { ShepSimState } from '../sim/simulator.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const LETTER = JSON.parse(readFileSync(join(ROOT, 'mappings/shep-esedo/esedo-letter.golden/letter-with-annex.input.json'), 'utf8')) as Record<string, unknown>;
const PASSWORD = 'Pa55-word-of-the-sender-7c1e9';
const SENDER_ID = 'KGD_CUSTOMS_GATEWAY';

/** A message detail as the API answers it (checked field by field). */
type Detail = Awaited<ReturnType<RunningGateway['api']>>['body'];

/**
 * A message's acknowledgements as `code:effect`, each once: a state is told by the poll and by the
 * gateway's push, and whichever comes second is recorded too (late, or a request to send again while the
 * message is already pending).
 */
function statesOf(detail: Detail): string[] {
  return [...new Set((detail.acknowledgements as Array<{ code: string; effect: string }>).map((a) => `${a.code}:${a.effect}`))];
}

const PERMIT_QUERY = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/records/permit.query.json'), 'utf8')) as Record<string, unknown>;

let serial = 0;
/** A permit.query record (the fixture's licence and declarant) with the given document and goods. */
function permitQuery(documentKind: string, documentNumber: string, hsCodes: string[] = []): Record<string, unknown> {
  return { ...PERMIT_QUERY, recordId: `PQ-TEST-${process.pid}-${++serial}`, documentKind, documentNumber, goods: hsCodes.map((hsCode, i) => ({ itemNumber: i + 1, hsCode })) };
}

function letter(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...LETTER, recordId: `LTR-TEST-${process.pid}-${++serial}`, ...overrides };
}

describe('kz-shep: documents, delivery states and look-ups through the e-government gateway', () => {
  let gw: RunningGateway;
  let esedo: PartnerSimulator & { state: ShepSimState };
  let elicense: PartnerSimulator & { state: ShepSimState };
  let dataDir: string;
  /** Every log line the gateway wrote, at debug level. */
  const logLines: string[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'gw-shep-log-'));
    gw = await startTestGateway({
      GATEWAY_DATA_DIR: dataDir,
      GATEWAY_PARTNER_SHEP_ESEDO_OPTION_PASSWORD: PASSWORD,
      GATEWAY_PARTNER_SHEP_ELICENSE_OPTION_PASSWORD: PASSWORD,
      GATEWAY_PARTNER_SHEP_TREASURY_OPTION_PASSWORD: PASSWORD,
      GATEWAY_PARTNER_SHEP_STAT_OPTION_PASSWORD: PASSWORD,
      GATEWAY_PARTNER_SHEP_ESEDO_OPTION_ERRORVERDICTS: 'AG-409=failed,AG-503=retry',
      // Polls of the delivery state every 150 ms instead of 15 s.
      GATEWAY_SCHEDULE_SCALE: '0.01',
    }, { write: (line: string) => void logLines.push(line) });
    esedo = gw.gateway.simulators.get('shep-esedo') as typeof esedo;
    elicense = gw.gateway.simulators.get('shep-elicense') as typeof elicense;
    await fetch(`${elicense.url}/_sim/seed`, {
      method: 'POST',
      body: JSON.stringify({
        permits: [
          { documentKind: 'licence', documentNumber: 'KZ-LIC-2026-0042', status: 'VALID', holder: 'ТОО «Алатау Импорт»', validUntil: '2099-12-31', covers: ['8703', '8704'] },
          { documentKind: 'certificate', documentNumber: 'KZ-CO-2026-0007', status: 'REVOKED', holder: 'ТОО «Степь»', validUntil: '2099-12-31', covers: ['0402'] },
        ],
      }),
    });
  });
  afterAll(async () => {
    await gw?.stop();
  });
  beforeEach(() => {
    esedo.faults.reset();
    esedo.state.deliveries.forgetScript();
  });

  async function send(record: Record<string, unknown>): Promise<string> {
    const res = await gw.api('POST', '/v1/cais/records', record);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const listed = await gw.api('GET', `/v1/messages?key=${encodeURIComponent(String(record.documentNumber))}&partner=shep-esedo`);
    const ids = (listed.body.items as Array<{ id: string; recordId: string }>).filter((m) => m.recordId === record.recordId).map((m) => m.id);
    expect(ids).toHaveLength(1);
    return ids[0] as string;
  }

  async function settled(id: string, status: string): Promise<Detail> {
    return gw.waitFor(async () => {
      const res = await gw.api('GET', `/v1/messages/${id}`);
      return res.body.status === status && res.body.awaiting === null ? res.body : undefined;
    }, 20_000);
  }

  it('a letter with an annex: both files uploaded first, the sendMessage names their identifiers, DELIVERED ends it delivered', async () => {
    const id = await send(letter());
    const detail = await settled(id, 'delivered');
    expect(detail.acknowledgements[0]).toMatchObject({ stage: 'accepted', code: 'DELIVERED', effect: 'advanced' });
    expect(statesOf(detail).filter((s) => !s.endsWith(':late'))).toEqual(['DELIVERED:advanced']);
    const delivery = [...esedo.state.deliveries.messages.values()].find((d) => d.senderMessageId === id);
    expect(delivery?.state).toBe('DELIVERED');
    expect(detail.businessKeys).toMatchObject({ shepMessageId: delivery?.messageId, shepCorrelationId: delivery?.correlationId });
    const stored = [...esedo.state.files.values()];
    const annex = Buffer.from((LETTER.files as Array<{ content: string }>)[1]!.content, 'base64');
    expect(stored.some((f) => f.bytes.equals(annex) && f.fileName === 'annex-goods.txt')).toBe(true);
    for (const file of stored.filter((f) => delivery?.data.includes(f.fileIdentifier))) expect(esedo.state.files.has(file.fileIdentifier)).toBe(true);
    expect(delivery?.data.match(/<fileIdentifier>/g)).toHaveLength(2);
    expect(delivery?.data).not.toContain((LETTER.files as Array<{ content: string }>)[1]!.content);
  });

  it('NOT_DELIVERED with the receiver asking to resend: sent again, then DELIVERED ends it delivered with both states in its history', async () => {
    await fetch(`${esedo.url}/_sim/delivery`, { method: 'POST', body: JSON.stringify({ outcomes: ['not-delivered-resend', 'delivered'] }) });
    const id = await send(letter());
    const detail = await settled(id, 'delivered');
    expect(statesOf(detail).filter((s) => !s.endsWith(':late'))).toEqual(['NOT_DELIVERED RESEND:resent', 'DELIVERED:advanced']);
    expect(detail.history.map((h: { to: string }) => h.to)).toEqual(['pending', 'delivered', 'pending', 'delivered']);
    expect(detail.history[2].reason).toMatch(/asked for the message again.*repeat 1 of 3/);
    expect(detail.attempts).toBe(2);
    expect([...esedo.state.deliveries.messages.values()].filter((d) => d.senderMessageId === id)).toHaveLength(2);
  });

  it.each([
    ['not-delivered', /NOT_DELIVERED NOT_RESEND.*the receiver refused the message/],
    ['stopped', /DELIVERY_STOPPED.*delivery stopped/],
  ])('%s ends it failed with the reason', async (outcome, reason) => {
    await fetch(`${esedo.url}/_sim/delivery`, { method: 'POST', body: JSON.stringify({ outcomes: [outcome] }) });
    const id = await send(letter());
    const detail = await settled(id, 'failed');
    expect(detail.history.at(-1).reason).toMatch(reason);
    expect(detail.attempts).toBe(1);
  });

  it('a late delivery stays ON_DELIVERY while polled, then ends delivered without a second send', async () => {
    await fetch(`${esedo.url}/_sim/delivery`, { method: 'POST', body: JSON.stringify({ outcomes: ['late'], lateMs: 1_500 }) });
    const id = await send(letter());
    await gw.waitFor(async () => ((await gw.api('GET', `/v1/messages/${id}`)).body.status === 'delivered' ? true : undefined));
    expect((await gw.api('GET', `/v1/messages/${id}`)).body.acknowledgements).toEqual([]);
    const detail = await settled(id, 'delivered');
    expect(statesOf(detail).filter((s) => !s.endsWith(':late'))).toEqual(['DELIVERED:advanced']);
    expect(detail.attempts).toBe(1);
  });

  it('an ErrorInfo of the gateway alone is judged by the default table: 2003 is retried', async () => {
    // Only the next document sent: a status question of the poll in between does not take the fault.
    await fetch(`${esedo.url}/_sim/gatewayFault`, { method: 'POST', body: JSON.stringify({ code: '2003', message: 'Service is currently unavailable.' }) });
    const id = await send(letter());
    const detail = await settled(id, 'delivered');
    expect(detail.attemptLog[0]).toMatchObject({ outcome: 'retry', partnerCode: '2003' });
    expect(detail.attemptLog[0].error).toMatch(/ErrorInfo from the e-government gateway \(fatal\): 2003/);
  });

  it.each([
    ['AG-409', 'failed', 'AG-409', /ErrorInfo from the agency \(business\): 2017 \(the receiver answered with an error\) ← AG-409 \(duplicate document\)/],
    ['AG-777', 'needs-human', '2017', /ErrorInfo from the e-government gateway \(business\): 2017 .* ← AG-777/],
  ])('a nested agency error %s is read whole: the agency table decides (%s, code %s), else the gateway code', async (code, status, partnerCode, reason) => {
    await fetch(`${esedo.url}/_sim/agencyFault`, { method: 'POST', body: JSON.stringify({ code, message: code === 'AG-409' ? 'duplicate document' : 'something new' }) });
    const id = await send(letter());
    const detail = await settled(id, status);
    expect(detail.attemptLog[0]).toMatchObject({ outcome: status, partnerCode });
    expect(detail.attemptLog[0].error).toMatch(reason);
  });

  it('a customs receipt goes to the Treasury as its own document and ends delivered; the simulated agency received it whole', async () => {
    const treasury = gw.gateway.simulators.get('shep-treasury') as typeof esedo;
    const receipt = { ...JSON.parse(readFileSync(join(ROOT, 'test/fixtures/records/payment.receipt.json'), 'utf8')), recordId: `PR-TEST-${process.pid}` };
    expect((await gw.api('POST', '/v1/cais/records', receipt)).status).toBe(202);
    const listed = await gw.api('GET', `/v1/messages?partner=shep-treasury&key=${encodeURIComponent(receipt.receiptNumber)}`);
    const id = listed.body.items[0].id as string;
    const detail = await settled(id, 'delivered');
    expect(detail.acknowledgements.map((a: { code: string }) => a.code)).toContain('DELIVERED');
    const delivery = [...treasury.state.deliveries.messages.values()].find((d) => d.senderMessageId === id);
    expect(delivery).toMatchObject({ serviceId: 'KAZNA_CUSTOMS_RECEIPTS', messageType: 'REQUEST', state: 'DELIVERED' });
    expect(delivery?.data).toContain('<total currency="KZT">3874100.00</total>');
  });

  it('trade statistics go to the statistics bureau with the confidential cell suppressed (code and status C, no figures) and the totals whole', async () => {
    const bureau = gw.gateway.simulators.get('shep-stat') as typeof esedo;
    const statistics = { ...JSON.parse(readFileSync(join(ROOT, 'test/fixtures/records/trade.statistics.json'), 'utf8')), recordId: `STAT-TEST-${process.pid}` };
    expect((await gw.api('POST', '/v1/cais/records', statistics)).status).toBe(202);
    const listed = await gw.api('GET', `/v1/messages?partner=shep-stat&key=${encodeURIComponent('2026-10/CN/M/hs6')}`);
    const id = (listed.body.items as Detail[]).find((m) => m.recordId === statistics.recordId)?.id as string;
    await settled(id, 'delivered');
    const data = [...bureau.state.deliveries.messages.values()].find((d) => d.senderMessageId === id)?.data ?? '';
    expect(data).toContain('<row code="930190" status="C"></row>');
    expect(data).not.toContain('120000.00');
    expect(data).toContain('<totals><statisticalValue>5158700.50</statisticalValue><netMassKg>658010.5</netMassKg></totals>');
  });

  describe('permit check (SyncChannel) through the API', () => {
    it('valid: the licence covers the goods; the request is the look-up mapping\'s document', async () => {
      const before = elicense.received.length;
      const res = await gw.api('POST', '/v1/agencies/shep-elicense/permit-checks', permitQuery('licence', 'KZ-LIC-2026-0042', ['8703230000', '870340']));
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toMatchObject({ valid: true, status: 'VALID', holder: 'ТОО «Алатау Импорт»', validUntil: '2099-12-31' });
      const asked = elicense.received.slice(before).map((r) => r.document).join('');
      expect(asked).toContain('<hsCode>8703230000</hsCode><hsCode>870340</hsCode><declarantBin>100140012345</declarantBin><declarationNumber>55401/261126/0012345</declarationNumber>');
    });

    it.each([
      [permitQuery('certificate', 'KZ-CO-2026-0007', ['040210']), 'REVOKED'],
      [permitQuery('licence', 'KZ-LIC-2026-0042', ['2203000100']), 'GOODS_NOT_COVERED'],
      [permitQuery('permit', 'NO-SUCH-1'), 'NOT_FOUND'],
    ])('invalid: %o → %s', async (query, status) => {
      const res = await gw.api('POST', '/v1/agencies/shep-elicense/permit-checks', query);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ valid: false, status });
    });

    it('an agency fault: 502 GW_ERR_SHEP_AGENCY_FAULT with the whole chain, and the look-up logged with it', async () => {
      await fetch(`${elicense.url}/_sim/agencyFault`, { method: 'POST', body: JSON.stringify({ code: 'EL-503', message: 'registry database offline' }) });
      const query = permitQuery('licence', 'KZ-LIC-2026-0042');
      const res = await gw.api('POST', '/v1/agencies/shep-elicense/permit-checks', query);
      expect(res.status).toBe(502);
      expect(res.body.error.code).toBe('GW_ERR_SHEP_AGENCY_FAULT');
      expect(res.body.error.message).toBe('permit check: 2017 (the receiver answered with an error) ← EL-503 (registry database offline)');
      // Errors carry no credential either.
      expect(JSON.stringify(res.body)).not.toContain(PASSWORD);
      expect(JSON.stringify(res.body)).not.toContain(SENDER_ID);
      const logged = await gw.api('GET', '/v1/agencies/shep-elicense/permit-checks?documentNumber=KZ-LIC-2026-0042', undefined, AUDITOR_TOKEN);
      expect(logged.status).toBe(200);
      expect(logged.body.items[0]).toMatchObject({
        record: { recordId: query.recordId, documentNumber: 'KZ-LIC-2026-0042' },
        mapping: { id: 'shep-elicense.permit-check', version: 1 },
        businessKeys: { documentNumber: 'KZ-LIC-2026-0042', declarationNumber: '55401/261126/0012345' },
        error: { code: 'GW_ERR_SHEP_AGENCY_FAULT', detail: { partnerCode: '2017', raisedBy: 'gateway', errors: [{ code: '2017' }, { code: 'EL-503', message: 'registry database offline' }] } },
      });
      expect(logged.body.items[0].mapping.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(logged.body.items.some((i: { answer?: { valid: boolean } }) => i.answer?.valid === true)).toBe(true);
    });

    it('a record that breaks its schema is refused with 400 and its violations, sending nothing', async () => {
      const before = elicense.received.length;
      const res = await gw.api('POST', '/v1/agencies/shep-elicense/permit-checks', { ...permitQuery('licence', 'KZ-LIC-2026-0042', ['87']), declarant: undefined });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('GW_ERR_RECORD_INVALID');
      expect(res.body.error.violations).toEqual([expect.objectContaining({ pointer: '/goods/0/hsCode' })]);
      expect(elicense.received.length).toBe(before);
    });

    it('a look-up is no delivery: the same record posted to /v1/cais/records has no route', async () => {
      const res = await gw.api('POST', '/v1/cais/records', permitQuery('licence', 'KZ-LIC-2026-0042', ['8703230000']));
      expect(res.status).toBe(400);
      expect(res.body.results[0].violations).toEqual([
        { code: 'GW_ERR_NO_ROUTE', pointer: '', message: 'a permit.query record is a look-up, not a delivery: ask it through the look-up route of partner shep-elicense' },
      ]);
    });

    it('an instance without a look-up service refuses with 404 GW_ERR_SHEP_NOT_CONFIGURED, sending nothing', async () => {
      const before = esedo.received.length;
      const res = await gw.api('POST', '/v1/agencies/shep-esedo/permit-checks', permitQuery('licence', 'KZ-LIC-2026-0042'));
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('GW_ERR_SHEP_NOT_CONFIGURED');
      expect(esedo.received.length).toBe(before);
    });
  });

  it('no credential appears anywhere in the stored data, the payload views, the metrics or the log', async () => {
    // Everything the log holds, every byte of every file under the data folder (SQLite, WAL), and the payload views.
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else files.push(path);
      }
    };
    walk(dataDir);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const bytes = readFileSync(file);
      expect(bytes.includes(PASSWORD), file).toBe(false);
      expect(bytes.includes(SENDER_ID), file).toBe(false);
    }
    const listed = await gw.api('GET', '/v1/messages?partner=shep-esedo');
    for (const item of listed.body.items as Array<{ id: string }>) {
      const payload = await fetch(`${gw.url}/v1/messages/${item.id}/payload`, { headers: { authorization: `Bearer ${AUDITOR_TOKEN}` } });
      const text = await payload.text();
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(SENDER_ID);
    }
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).not.toContain(PASSWORD);
    expect(metrics).not.toContain(SENDER_ID);
    // The log at debug level, every line since the start (attempts, look-ups, faults, the resend).
    expect(logLines.length).toBeGreaterThan(20);
    for (const line of logLines) {
      expect(line).not.toContain(PASSWORD);
      expect(line).not.toContain(SENDER_ID);
    }
  });
});
