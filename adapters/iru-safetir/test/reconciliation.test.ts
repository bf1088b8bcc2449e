// SafeTIR reconciliation for real: IRU's requests pulled (WSRQ), answered from the message log or by an officer (WSRE), over loopback HTTP with IRU's XSDs as oracle.
import { childText, GatewayError, type MessageStore, type PartnerRecords, type PartnerSimulator, type SoapRequest, type TransportRequest } from '../../../src/partners/kit.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { skipWithout } from '../../../test/support/external-tool.js';
import { startPartnerHarness, type PartnerHarness } from '../../../test/support/partner-harness.js';
import { RECORD_FIXTURES } from '../../../test/support/project.js';
import { AUDITOR_TOKEN, startTestGateway, type RunningGateway } from '../../../test/support/running-gateway.js';
import { matches } from '../reconciliation-match.js';
import { buildWsreRequest, buildWsrqRequest, EXCHANGE_VERSIONS, readReconciliationAnswer } from '../reconciliation-messages.js';
import { classicResult } from '../rts-classic-call.js';
import { fetchAndKeep, markTaken, PULL_KIND, readKept, untakenPulls, type StoredPull } from '../reconciliation-pull.js';
import { scheduledPull } from '../reconciliation-schedule.js';
import { partnerRecordsFactory, postgresPartnerRecordsFactory } from '../../../test/support/partner-records.js';
import { skipWithoutPostgres } from '../../../test/support/postgres.js';
import { answerByOfficer, pullReconciliation } from '../reconciliation.js';
import { loadTestKey } from '../../../test/support/test-keys.js';
import { openRtsPayload } from '../rts-envelope.js';
import { iruState } from '../sim/simulator.js';
import type { IruSimState, SeededReconciliationRequest } from '../sim/soap-service.js';
import { createXmllint, hashMatches, IRU_RTS_DIR } from './rts-oracle.js';

const termination = JSON.parse(readFileSync(join(RECORD_FIXTURES, 'tir.termination.json'), 'utf8')) as Record<string, unknown>;
const RECONCILIATION_XSD = join(IRU_RTS_DIR, 'SafeTIRReconciliation.xsd');
const UPLOAD_XSD = join(IRU_RTS_DIR, 'SafeTIRUpload.xsd');
const noXsd = skipWithout('reconciliation XSD validation', { tools: ['xmllint'], files: [RECONCILIATION_XSD, UPLOAD_XSD] });
const lint = createXmllint();
afterAll(() => lint.dispose());
const xmllint = (xsd: string, document: string): { status: number | null; output: string } => lint.validate(xsd, document);

/** The termination fixture's data as the SafeTIR mapping writes it (mappings/iru-safetir/safetir-upload.yaml). */
const SENT = { ICC: 'KAZ', DCL: '2026-11-26', CNL: '007222', COF: 'KZ554010', DDI: '2026-11-26', RND: 'TC-554010-118', PFD: 'FD', CWR: 'OK', VPN: '4', COM: 'seal intact', RBC: 'CR', PIC: '12' };
/** What IRU read from the returned volet: everything but the comment. */
const { COM: _comment, ...VOLET } = SENT;

const request = (requestId: string, carnetNumber: string, attributes: Record<string, string>): SeededReconciliationRequest => ({
  requestId,
  carnetNumber,
  attributes: { RequestDataSource: '1', ...attributes },
});

/** IRU's area of fresh SQLite logs, for calls made here without a gateway. */
const logs = partnerRecordsFactory();
afterAll(() => logs.close());
const freshRecords = async (): Promise<PartnerRecords> => (await logs.fresh('iru-safetir')).records;

/** IRU's simulator with the partner's transport, for the calls made here directly (not through a gateway). */
let harness: PartnerHarness;
beforeAll(async () => {
  harness = await startPartnerHarness({}, ['iru-safetir']);
});
afterAll(async () => {
  await harness?.close();
});

describe('the match rule', () => {
  const ours = { TNO: 'SX25100001', ...SENT };
  it('compares what IRU gave: case of TNO and ICC, VPN and PIC as numbers, COM never', () => {
    expect(matches({ TNO: 'sx25100001', ...VOLET, ICC: 'kaz', PIC: '012' }, ours)).toBe(true);
    expect(matches({ TNO: 'SX25100001', ICC: 'KAZ', COF: 'KZ554010', COM: 'another remark' }, ours)).toBe(true);
    expect(matches({ TNO: 'SX25100001', ICC: 'KAZ', COF: 'KZ554010', VPN: '0' }, ours)).toBe(true);
    // IRU always sends PIC, 0 when it has no package count.
    expect(matches({ TNO: 'SX25100001', ICC: 'KAZ', COF: 'KZ554010', PIC: '0' }, ours)).toBe(true);
  });
  it.each(['COF', 'VPN', 'CWR', 'DCL', 'CNL', 'DDI', 'RND', 'PFD', 'RBC', 'PIC'] as const)('a different %s is a mismatch', (name) => {
    expect(matches({ TNO: 'SX25100001', ...VOLET, [name]: name === 'VPN' ? '6' : name === 'PIC' ? '13' : 'X' }, ours)).toBe(false);
  });
  it('a termination IRU has and we lack: TCO given by IRU, absent in ours', () => {
    expect(matches({ TNO: 'SX25100001', ICC: 'KAZ', COF: 'KZ554010', TCO: 'EXIT' }, ours)).toBe(false);
  });
});

describe('reconciliation through the gateway', () => {
  let gw: RunningGateway;
  let sim: PartnerSimulator;
  let state: IruSimState;
  let serial = 0;

  beforeAll(async () => {
    gw = await startTestGateway();
    sim = gw.gateway.simulators.get('iru-safetir')!;
    state = iruState(sim);
  });
  afterAll(async () => {
    await gw?.stop();
  });
  beforeEach(() => sim.faults.reset());

  /** Posts the termination fixture for a carnet (to IRU only) and returns its IRU message id. */
  async function postTermination(carnetNumber: string): Promise<string> {
    const res = await gw.api('POST', '/v1/cais/records', { ...termination, recordId: `KZ-TT-RECON-${++serial}-${Date.now()}`, carnetNumber, departureCountry: 'TUR' });
    expect(res.status).toBe(202);
    return (res.body.results[0].messages as Array<{ id: string; partner: string }>).find((m) => m.partner === 'iru-safetir')!.id;
  }

  function status(id: string, wanted: string) {
    return gw.waitFor(async () => ((await gw.api('GET', `/v1/messages/${id}`)).body.status === wanted ? true : undefined));
  }

  async function pull(): Promise<{ pullId: string; received: string[]; reopened: string[]; answered: string[]; needsOfficer: string[]; open: string[]; quarantined: number }> {
    const res = await gw.api('POST', '/v1/safetir/reconciliation/pull');
    expect(res.status).toBe(200);
    return res.body;
  }

  /** The reply IRU accepted for a request, once IRU's later processing of the WSRE has settled. */
  async function replyTo(requestId: string): Promise<string | undefined> {
    await vi.waitFor(() => expect(sim.received.filter((r) => r.checking)).toEqual([]));
    return state.reconciliationReplies.find((d) => d.includes(`RequestID="${requestId}"`));
  }

  it('answers type 1 by itself when IRU got a volet without our termination (data source 1) and the log holds the same one, with the data as sent; PIC 0 is unknown', async () => {
    await status(await postTermination('SX25100001'), 'delivered');
    // IRU never sends RBC, and sends PIC 0 when it has no package count.
    const { PIC: _unknown, RBC: _neverSent, ...withoutPackages } = VOLET;
    state.reconciliationRequests.push(request('R-MATCH-1', 'SX25100001', { RequestReminderNum: '1', ...withoutPackages }));
    const summary = await pull();
    expect(summary).toMatchObject({ received: ['R-MATCH-1'], answered: ['R-MATCH-1'] });
    const stored = await gw.api('GET', '/v1/safetir/reconciliation/R-MATCH-1', undefined, AUDITOR_TOKEN);
    expect(stored.status).toBe(200);
    expect(stored.body).toMatchObject({ requestId: 'R-MATCH-1', carnetNumber: 'SX25100001', reminderNum: 1, dataSource: 1, status: 'answered-auto', iru: { TNO: 'SX25100001', ...withoutPackages, PIC: '0' } });
    expect(stored.body.reply).toMatchObject({ replyType: 1, by: 'gateway', record: { TNO: 'SX25100001', ...SENT } });
    const reply = await replyTo('R-MATCH-1');
    expect(reply).toMatch(/<RequestReplyRecord [^>]*COM="seal intact"[^>]*RequestID="R-MATCH-1" RequestReplyType="1"[^>]*TNO="SX25100001"/);
  });

  it('never answers 3 by itself: a carnet the log holds nothing for goes to an officer (it may predate the gateway or have gone on paper)', async () => {
    state.reconciliationRequests.push(request('R-NONE-1', 'VX25100002', { ICC: 'KAZ', COF: 'KZ554010', VPN: '6' }));
    expect(await pull()).toMatchObject({ received: ['R-NONE-1'], needsOfficer: ['R-NONE-1'], answered: [] });
    const stored = (await gw.api('GET', '/v1/safetir/reconciliation/R-NONE-1')).body;
    expect(stored).toMatchObject({ status: 'needs-officer', reason: expect.stringContaining('no termination'), logged: [] });
    expect(stored.reply).toBeUndefined();
    expect(await replyTo('R-NONE-1')).toBeUndefined();
  });

  it('never confirms our own transmitted data (data source 0) by itself, even when the log matches IRU\'s attributes', async () => {
    await status(await postTermination('XT27654321'), 'delivered');
    state.reconciliationRequests.push(request('R-OWN-1', 'XT27654321', { ...VOLET, RequestDataSource: '0', RequestRemark: 'volet shows page 6' }));
    expect(await pull()).toMatchObject({ received: ['R-OWN-1'], needsOfficer: ['R-OWN-1'], answered: [] });
    expect((await gw.api('GET', '/v1/safetir/reconciliation/R-OWN-1')).body).toMatchObject({ status: 'needs-officer', dataSource: 0, reason: expect.stringContaining('data source 0') });
    expect(await replyTo('R-OWN-1')).toBeUndefined();
  });

  it('leaves a mismatch to an officer, with both versions, and sends the officer reply once', async () => {
    const messageId = await postTermination('YX25100003');
    await status(messageId, 'delivered');
    state.reconciliationRequests.push(request('R-DIFF-1', 'YX25100003', { ...VOLET, VPN: '6' }));
    expect(await pull()).toMatchObject({ received: ['R-DIFF-1'], needsOfficer: ['R-DIFF-1'] });
    const waiting = (await gw.api('GET', '/v1/safetir/reconciliation?status=needs-officer', undefined, AUDITOR_TOKEN)).body.items;
    const diff = waiting.find((c: { requestId: string }) => c.requestId === 'R-DIFF-1');
    expect(diff).toMatchObject({ iru: { VPN: '6' }, logged: [{ messageId, status: 'delivered', record: { TNO: 'YX25100003', ...SENT } }] });
    expect(await replyTo('R-DIFF-1')).toBeUndefined();

    const path = '/v1/safetir/reconciliation/R-DIFF-1/reply';
    const record = { TNO: 'YX25100003', ...SENT };
    expect((await gw.api('POST', path, { replyType: 1, record }, AUDITOR_TOKEN)).status).toBe(403);
    expect((await gw.api('POST', path, { replyType: 1 })).body.error.code).toBe('GW_ERR_RECONCILIATION_REPLY_INVALID');
    expect((await gw.api('POST', path, { replyType: 1, record: { ...record, TNO: 'SX25100001' } })).status).toBe(422);
    expect((await gw.api('POST', path, { replyType: 1, record: { ...record, VPN: '5' } })).body.error.code).toBe('GW_ERR_REQUEST_INVALID');
    expect((await gw.api('POST', '/v1/safetir/reconciliation/R-NOPE/reply', { replyType: 3 })).body.error.code).toBe('GW_ERR_RECONCILIATION_NOT_FOUND');

    const answered = await gw.api('POST', path, { replyType: 1, record: { ...record, VPN: 4, PIC: 12 } });
    expect(answered.status).toBe(200);
    expect(answered.body).toMatchObject({ status: 'answered', reply: { replyType: 1, by: 'officer', record } });
    expect(await replyTo('R-DIFF-1')).toMatch(/RequestID="R-DIFF-1" RequestReplyType="1"[^>]*VPN="4"/);
    const again = await gw.api('POST', path, { replyType: 3 });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('GW_ERR_RECONCILIATION_ANSWERED');
    expect((await gw.api('POST', '/v1/safetir/reconciliation/R-MATCH-1/reply', { replyType: 3 })).status).toBe(409);
  });

  it('hands out each request once: a second pull receives nothing and changes nothing', async () => {
    const before = state.reconciliationReplies.length;
    expect(await pull()).toEqual({ pullId: expect.any(String), received: [], reopened: [], answered: [], needsOfficer: [], open: [], quarantined: 0 });
    expect(state.reconciliationReplies.length).toBe(before);
    const all = (await gw.api('GET', '/v1/safetir/reconciliation')).body.items as Array<{ requestId: string; status: string }>;
    expect(Object.fromEntries(all.map((c) => [c.requestId, c.status]))).toEqual({ 'R-MATCH-1': 'answered-auto', 'R-NONE-1': 'needs-officer', 'R-OWN-1': 'needs-officer', 'R-DIFF-1': 'answered' });
  });

  it('a reminder after our reply reopens the request for an officer, keeping the reply IRU did not apply', async () => {
    const seeded = state.reconciliationRequests.find((r) => r.requestId === 'R-MATCH-1')!;
    seeded.attributes = { ...seeded.attributes, RequestReminderNum: '2' };
    expect(await pull()).toMatchObject({ received: [], reopened: ['R-MATCH-1'], answered: [] });
    const reopened = (await gw.api('GET', '/v1/safetir/reconciliation/R-MATCH-1')).body;
    expect(reopened).toMatchObject({ status: 'needs-officer', reminderNum: 2, reason: expect.stringMatching(/reminder 2 after our reply .* has not applied it/), earlierReplies: [{ replyType: 1, by: 'gateway' }] });
    expect(reopened.reply).toBeUndefined();
  });

  it('quarantines a RequestRecord that is not a readable request and still takes the rest of the answer (IRU will not send it again)', async () => {
    state.reconciliationRequests.push(
      { requestId: 'R-ODD-1', carnetNumber: 'XQ25100009', attributes: { RequestDataSource: '7', ICC: 'KAZ', COF: 'KZ554010' } },
      request('R-FINE-1', 'XQ25100009', { ICC: 'KAZ', COF: 'KZ554010' }),
    );
    const summary = await pull();
    expect(summary).toMatchObject({ received: ['R-FINE-1'], quarantined: 1 });
    const quarantine = (await gw.api('GET', '/v1/safetir/reconciliation/quarantine', undefined, AUDITOR_TOKEN)).body;
    expect(quarantine.records).toEqual([
      expect.objectContaining({ pullId: summary.pullId, position: 1, attributes: expect.objectContaining({ RequestID: 'R-ODD-1', RequestDataSource: '7' }), problem: expect.stringContaining('RequestDataSource "7"') }),
    ]);
    expect(quarantine.unreadablePulls).toEqual([]);
  });

  it('waits while an upload for the carnet is still being delivered, then answers from it', { timeout: 60_000 }, async () => {
    sim.faults.hangNext(1);
    const messageId = await postTermination('XB25100004');
    await gw.waitFor(async () => (sim.received.some((r) => r.fault?.kind === 'hang' && r.document.includes('TNO="XB25100004"')) ? true : undefined));
    state.reconciliationRequests.push(request('R-WAIT-1', 'XB25100004', VOLET));
    expect(await pull()).toMatchObject({ received: ['R-WAIT-1'], open: ['R-WAIT-1'] });
    expect((await gw.api('GET', '/v1/safetir/reconciliation/R-WAIT-1')).body).toMatchObject({ status: 'open', reason: expect.stringContaining(messageId) });
    await status(messageId, 'delivered');
    expect(await pull()).toMatchObject({ received: [], answered: ['R-WAIT-1'] });
  });

  it('keeps a request open when the reply cannot be sent, and answers it on the next pull', async () => {
    await status(await postTermination('XE25100005'), 'delivered');
    state.reconciliationRequests.push(request('R-RETRY-1', 'XE25100005', VOLET));
    // The WSRQ answer goes through (an injected return code 2); the WSRE gets 503.
    sim.faults.partnerErrorNext(1, 2);
    sim.faults.failNext(1, 503);
    expect(await pull()).toMatchObject({ received: ['R-RETRY-1'], open: ['R-RETRY-1'] });
    expect((await gw.api('GET', '/v1/safetir/reconciliation/R-RETRY-1')).body).toMatchObject({ status: 'open', lastError: expect.stringContaining('HTTP 503') });
    expect(await pull()).toMatchObject({ received: [], answered: ['R-RETRY-1'] });
    const stored = (await gw.api('GET', '/v1/safetir/reconciliation/R-RETRY-1')).body;
    expect(stored.status).toBe('answered-auto');
    expect(stored.lastError).toBeUndefined();
  });

  it('a refused pull is an API error: 1233 → 502 GW_ERR_PARTNER_REJECTED', async () => {
    sim.faults.partnerErrorNext(1, 1233);
    const res = await gw.api('POST', '/v1/safetir/reconciliation/pull');
    expect(res.status).toBe(502);
    expect(res.body.error).toMatchObject({ code: 'GW_ERR_PARTNER_REJECTED', retryable: false });
  });

  it('unknown request → 404; unknown status filter → 400', async () => {
    expect((await gw.api('GET', '/v1/safetir/reconciliation/R-NOPE')).body.error.code).toBe('GW_ERR_RECONCILIATION_NOT_FOUND');
    expect((await gw.api('GET', '/v1/safetir/reconciliation?status=lost')).status).toBe(400);
  });

  it.skipIf(noXsd)('every WSRQ and WSRE document IRU opened validates against its XSD, its hash matching its Body', () => {
    const queries = sim.received.filter((r) => r.document.includes('<ReconciliationQuery '));
    const replies = sim.received.filter((r) => r.document.includes('<RequestReplyRecords>'));
    expect(queries.length).toBeGreaterThanOrEqual(5);
    expect(replies.length).toBeGreaterThanOrEqual(3);
    for (const [received, xsd] of [...queries.map((q) => [q, RECONCILIATION_XSD] as const), ...replies.map((r) => [r, UPLOAD_XSD] as const)]) {
      expect(hashMatches(received.document)).toBe(true);
      const result = xmllint(xsd, received.document);
      expect(result.output).toContain('validates');
      expect(result.status).toBe(0);
    }
  });
});

describe.skipIf(noXsd)("IRU's WSRQ answer, opened with the gateway key", () => {

  it('breaks its own XSD only where IRU does (empty DDI, PFD, TCO when unknown), validates otherwise, its hash matching; the gateway reads both requests', async () => {
    iruState(harness.sim('iru-safetir')).reconciliationRequests.push(request('R-XSD-1', 'XQ25100009', { ...VOLET, RequestRemark: 'volet 4 differs' }), request('R-XSD-2', 'XZ30000001', { ICC: 'KAZ', COF: 'KZ554010' }));
    const context = harness.context('iru-safetir');
    const answer = classicResult('WSRQ', await harness.runtime.send('iru-safetir', buildWsrqRequest('wsrq-xsd', context, new Date())));
    const field = (name: string): Buffer => Buffer.from(childText(answer, 'http://www.iru.org', name) ?? '', 'base64');
    const opened = openRtsPayload({ eSessionKey: field('ESessionKey'), payload: field('ReconciliationRequestData') }, context.identity);
    expect(opened.hashOk && hashMatches(opened.document)).toBe(true);
    expect(opened.document).toContain('<NumberOfRecords>2</NumberOfRecords>');
    // IRU's WSRQ_QueryProcessor writes unknown DDI, PFD, TCO and RND as empty attributes, which its own XSD's types refuse.
    const asSent = xmllint(RECONCILIATION_XSD, opened.document);
    expect(asSent.status).not.toBe(0);
    const complaints = asSent.output.split('\n').filter((line) => line.includes('Schemas validity error'));
    expect(complaints.length).toBeGreaterThan(0);
    for (const line of complaints) expect(line).toMatch(/attribute '(DDI|PFD|TCO)': .*(The value '' |'' is not a valid value)/);
    const withoutEmpty = xmllint(RECONCILIATION_XSD, opened.document.replace(/ (DDI|PFD|TCO|RND)=""/g, ''));
    expect(withoutEmpty.output).toContain('validates');
    expect(readReconciliationAnswer(opened.document)).toMatchObject({ odd: [], problems: [], requests: [{ requestId: 'R-XSD-1' }, { requestId: 'R-XSD-2' }] });
  });
});

describe('an answer that does not open', () => {
  /** A key other than the one IRU seals for: IRU's own development key stands in for it. */
  const otherKey = () => loadTestKey(join(harness.config.certsDir, 'partners', 'iru-safetir.key.pem'), join(harness.config.certsDir, 'partners', 'iru-safetir.cert.pem'));
  const send = (r: TransportRequest) => harness.runtime.send('iru-safetir', r);

  it('is kept as unreadable, sealed, instead of lost (IRU stamped its requests already), and is read on a later try with the right key', async () => {
    iruState(harness.sim('iru-safetir')).reconciliationRequests.push(request('R-LOCKED-1', 'XH25000002', { ICC: 'KAZ', COF: 'KZ554010' }));
    const context = harness.context('iru-safetir');
    const other = { ...context, identity: otherKey() };
    const records = await freshRecords();
    const pull = await fetchAndKeep({ send, context: () => other, records }, new Date());
    expect(await readKept({ send, context: () => other, records }, pull)).toMatchObject({ ok: false, problem: expect.stringContaining('MessageTag') });
    const stored = (await records.get(PULL_KIND, pull.pullId)) as StoredPull;
    expect(stored).toMatchObject({ status: 'unreadable', problems: [expect.stringContaining('MessageTag')] });
    expect(stored.sealed.payload.length).toBeGreaterThan(100);
    const [again] = await untakenPulls({ send, context: () => context, records });
    expect(again?.pullId).toBe(pull.pullId);
    const read = await readKept({ send, context: () => context, records }, again!);
    expect(read.ok && read.requests.map((r) => r.requestId)).toEqual(['R-LOCKED-1']);
    await markTaken({ send, context: () => context, records }, pull.pullId);
    expect(await untakenPulls({ send, context: () => context, records })).toEqual([]);
  });

  it('an answer kept but not taken (the gateway stopped before saving its requests) is taken by the next pull', async () => {
    iruState(harness.sim('iru-safetir')).reconciliationRequests.push(request('R-CRASH-1', 'XH25000002', { ICC: 'KAZ', COF: 'KZ554010' }));
    const records = await freshRecords();
    // A log that holds nothing for any carnet, so the taken request is decided (for an officer) without a gateway.
    const emptyLog = { search: async () => ({ items: [] }) } as unknown as MessageStore;
    const deps = { route: () => undefined, send, context: () => harness.context('iru-safetir'), store: emptyLog, records, partner: 'iru-safetir', translate: noTranslation };
    const interrupted = await fetchAndKeep(deps, new Date());
    const summary = await pullReconciliation(deps);
    expect(summary.pullId).not.toBe(interrupted.pullId);
    expect(summary).toMatchObject({ received: ['R-CRASH-1'], needsOfficer: ['R-CRASH-1'] });
    expect(await untakenPulls(deps)).toEqual([]);
    expect(await records.get(PULL_KIND, interrupted.pullId)).toMatchObject({ status: 'taken', requestIds: ['R-CRASH-1'] });
  });

  it('opens at once during our key rollover when the key IRU still seals for is kept as retired (keys.retiredKeys)', async () => {
    iruState(harness.sim('iru-safetir')).reconciliationRequests.push(request('R-ROLL-1', 'XH25000002', { ICC: 'KAZ', COF: 'KZ554010' }));
    const context = harness.context('iru-safetir');
    const rolled = { ...context, identity: otherKey(), retiredIdentities: [context.identity] };
    const deps = { send, context: () => rolled, records: await freshRecords() };
    const read = await readKept(deps, await fetchAndKeep(deps, new Date()));
    expect(read.ok && read.requests.map((r) => r.requestId)).toEqual(['R-ROLL-1']);
  });
});

/** A message log these calls must not need (no request stays open to be decided against it). */
/** Reconciliation maps no CAIS record for a look-up. */
const noTranslation = (): never => {
  throw new Error('no look-up is translated here');
};
const noLog = new Proxy({}, { get: () => { throw new Error('the message log is not used here'); } }) as MessageStore;

const postgresLogs = postgresPartnerRecordsFactory();
afterAll(() => postgresLogs.close());
const noPostgres = await skipWithoutPostgres('IRU reconciliation on a PostgreSQL log');

describe.each([
  { backend: 'SQLite', factory: logs, skipped: false },
  { backend: 'PostgreSQL', factory: postgresLogs, skipped: noPostgres },
])('two gateway instances on one $backend log', ({ backend, factory, skipped }) => {
  const requestId = `R-TWICE-${backend}`;
  it.skipIf(skipped)('never both answer the same request: the claim on it is taken by compare-and-set on the shared record', async () => {
    const first = await factory.fresh('iru-safetir');
    const second = await factory.fresh('iru-safetir', first.log);
    const at = new Date().toISOString();
    const stored = {
      requestId, requestDate: at.slice(0, 10), reminderNum: 0, dataSource: 1, carnetNumber: 'XH25000002',
      iru: { TNO: 'XH25000002', ICC: 'KAZ', COF: 'KZ554010' }, status: 'needs-officer', reason: 'seeded', receivedAt: at, updatedAt: at,
    };
    await first.records.put('reconciliation', requestId, 'XH25000002', stored, Date.now());
    const instance = (records: PartnerRecords) => ({ route: () => undefined, send: (r: TransportRequest) => harness.runtime.send('iru-safetir', r), context: () => harness.context('iru-safetir'), store: noLog, records, partner: 'iru-safetir', translate: noTranslation });
    const reply = { replyType: 1 as const, record: { TNO: 'XH25000002', ICC: 'KAZ', COF: 'KZ554010', CWR: 'OK', VPN: '4' } };
    const outcomes = await Promise.allSettled([answerByOfficer(instance(first.records), requestId, reply), answerByOfficer(instance(second.records), requestId, reply)]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(outcomes.find((o) => o.status === 'rejected')).toMatchObject({ reason: { code: 'GW_ERR_RECONCILIATION_ANSWERED' } });
    expect(harness.sim('iru-safetir').received.filter((r) => r.document.includes(`RequestID="${requestId}"`))).toHaveLength(1);
    const after = (await second.records.get('reconciliation', requestId)) as { status: string; claim?: unknown };
    expect(after.status).toBe('answered');
    expect(after.claim).toBeUndefined();
  });
});

describe('the scheduled pull and IRU\'s 1200', () => {
  it('backs off after three 1200 answers in a row, saying a person must look, and resets when IRU answers again', async () => {
    const sim = harness.sim('iru-safetir');
    const records = await freshRecords();
    const deps = { route: () => undefined, send: (r: TransportRequest) => harness.runtime.send('iru-safetir', r), context: () => harness.context('iru-safetir'), store: noLog, records, partner: 'iru-safetir', translate: noTranslation };
    const at = (minutes: number): Date => new Date(Date.UTC(2026, 11, 2, 12, minutes));
    sim.faults.partnerErrorNext(4, 1200);
    try {
      await expect(scheduledPull(deps, at(0))).rejects.toMatchObject({ detail: { partnerCode: '1200' }, message: expect.not.stringContaining('a person must look') });
      await expect(scheduledPull(deps, at(5))).rejects.toMatchObject({ detail: { partnerCode: '1200' } });
      await expect(scheduledPull(deps, at(10))).rejects.toMatchObject({ message: expect.stringContaining('a person must look'), detail: { unclassified: 3, nextTryAt: at(20).toISOString() } });
      const calls = sim.received.length;
      await scheduledPull(deps, at(15));
      expect(sim.received.length).toBe(calls);
      await expect(scheduledPull(deps, at(20))).rejects.toMatchObject({ detail: { unclassified: 4, nextTryAt: at(40).toISOString() } });
      expect(sim.received.length).toBe(calls + 1);
    } finally {
      sim.faults.reset();
    }
    await scheduledPull(deps, at(41));
    expect(await records.get('reconciliation-schedule', 'wsrq')).toEqual({ unclassified: 0 });
  });
});

describe('Information_Exchange_Version: IRU takes exactly 1.0.0 on WSRQ and 2.0.0 on WSRE', () => {

  /** The request with its version replaced. */
  const withVersion = (request: SoapRequest, version: string): SoapRequest => ({
    ...request,
    envelope: Buffer.from(request.envelope.toString('utf8').replace(/<Information_Exchange_Version>[^<]*</, `<Information_Exchange_Version>${version}<`)),
  });
  /** IRU's return code for a call: 2, or the code of the refusal. */
  async function returnCode(operation: string, request: SoapRequest): Promise<string> {
    try {
      classicResult(operation, await harness.runtime.send('iru-safetir', request));
      return '2';
    } catch (err) {
      if (err instanceof GatewayError) return String(err.detail?.partnerCode);
      throw err;
    }
  }

  it('the gateway sends 1.0.0 on WSRQ and 2.0.0 on WSRE; the simulator answers 1223 to any other value, as IRU does', async () => {
    expect(EXCHANGE_VERSIONS).toEqual({ WSRQ: '1.0.0', WSRE: '2.0.0' });
    const context = harness.context('iru-safetir');
    const wsrq = buildWsrqRequest('wsrq-version', context, new Date());
    expect(wsrq.envelope.toString('utf8')).toContain('<Information_Exchange_Version>1.0.0</Information_Exchange_Version>');
    expect(await returnCode('WSRQ', wsrq)).toBe('2');
    expect(await returnCode('WSRQ', withVersion(wsrq, '2.0.0'))).toBe('1223');
    // A reply to a request IRU never issued: with the right version IRU queues it (2) and drops it later, unreported; with another it stops at 1223.
    const wsre = buildWsreRequest([{ requestId: 'R-NEVER', replyType: 3, record: { TNO: 'SX25100001', ICC: 'KAZ', COF: 'KZ554010', CWR: 'OK', VPN: '4' } }], 'wsre-version', context);
    expect(wsre.envelope.toString('utf8')).toContain('<Information_Exchange_Version>2.0.0</Information_Exchange_Version>');
    expect(await returnCode('WSRE', wsre)).toBe('2');
    const entry = harness.sim('iru-safetir').received.find((r) => r.messageId === 'wsre-version')!;
    await vi.waitFor(() => expect(entry.checking).toBeUndefined());
    expect(entry.valid).toBe(false);
    expect(entry.problems.join()).toContain('RequestID "R-NEVER" is not a request IRU issued');
    expect(iruState(harness.sim('iru-safetir')).reconciliationReplies.some((r) => r.includes('R-NEVER'))).toBe(false);
    expect(await returnCode('WSRE', withVersion(wsre, '1.0.0'))).toBe('1223');
    expect(await returnCode('WSRE', withVersion(wsre, ''))).toBe('1223');
  });
});
