// What the e-government gateway pushes to our participant endpoint, for real over mutual TLS: delivery states recorded on our messages, and an agency's answer handed to CAIS; the delivery-state poll is slowed so only pushes can settle a message.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PartnerSimulator } from '../../../src/partners/kit.js';
import { startTestGateway, type RunningGateway } from '../../../test/support/running-gateway.js';
import type { ShepSimState } from '../sim/simulator.js';
import { skipWithout } from '../../../test/support/external-tool.js';
import { EGOV_XSD_SAMPLE, xmllintOperation } from './egov-oracle.js';

/** Our answers to the pushes are validated against the published XSDs where xmllint and the reference are present (CI). */
const noXsd = skipWithout('e-government gateway XSD validation of our answers', { tools: ['xmllint'], files: [EGOV_XSD_SAMPLE] });

const ROOT = join(import.meta.dirname, '..', '..', '..');
const LETTER = JSON.parse(readFileSync(join(ROOT, 'mappings/shep-esedo/esedo-letter.golden/letter-with-annex.input.json'), 'utf8')) as Record<string, unknown>;

/** A message detail as the API answers it (checked field by field). */
type Detail = Awaited<ReturnType<RunningGateway['api']>>['body'];

let serial = 0;

describe('kz-shep: the gateway pushes states and answers to us', () => {
  let gw: RunningGateway;
  let sim: PartnerSimulator & { state: ShepSimState };

  beforeAll(async () => {
    gw = await startTestGateway({
      GATEWAY_INBOUND_PORT: '0',
      // The poll runs every 25 minutes: within a test, only a push settles a message.
      GATEWAY_SCHEDULE_SCALE: '100',
    });
    sim = gw.gateway.simulators.get('shep-esedo') as typeof sim;
  });
  afterAll(async () => {
    await gw?.stop();
  });
  beforeEach(() => sim.state.deliveries.forgetScript());

  async function send(outcome: string): Promise<{ id: string; detail: () => Promise<Detail> }> {
    await fetch(`${sim.url}/_sim/delivery`, { method: 'POST', body: JSON.stringify({ outcomes: [outcome] }) });
    const record: Record<string, unknown> = { ...LETTER, recordId: `LTR-PUSH-${process.pid}-${++serial}` };
    const res = await gw.api('POST', '/v1/cais/records', record);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const listed = await gw.api('GET', `/v1/messages?partner=shep-esedo&direction=out&key=${encodeURIComponent(String(record.documentNumber))}`);
    const id = (listed.body.items as Detail[]).find((m) => m.recordId === record.recordId)?.id as string;
    expect(id).toBeDefined();
    return { id, detail: async () => (await gw.api('GET', `/v1/messages/${id}`)).body };
  }

  it('a pushed DELIVERED settles the message; our answer to the push is signed', async () => {
    const { detail } = await send('delivered');
    const done = await gw.waitFor(async () => {
      const d = await detail();
      return d.status === 'delivered' && d.awaiting === null ? d : undefined;
    });
    expect(done.acknowledgements).toEqual([expect.objectContaining({ stage: 'accepted', code: 'DELIVERED', effect: 'advanced' })]);
    // Our answer reaches the gateway's simulator once the push is durable in our log, a moment after the log shows it.
    const pushed = await gw.waitFor(async () => sim.state.pushes.find((p) => p.kind === 'delivery-state' && p.messageId === done.businessKeys.shepMessageId));
    expect(pushed).toMatchObject({ status: 200, answerSigned: true });
    expect(pushed?.body).toContain('changeMassageStatusNotificationResponse');
    if (!noXsd) expect(xmllintOperation(Buffer.from(pushed!.body)).status).toBe(0);
  });

  it('a pushed NOT_DELIVERED without resend fails the message with the reason', async () => {
    const { detail } = await send('not-delivered');
    const failed = await gw.waitFor(async () => {
      const d = await detail();
      return d.status === 'failed' ? d : undefined;
    });
    expect(failed.history.at(-1).reason).toMatch(/NOT_DELIVERED NOT_RESEND.*AG-422 \(document kind not accepted by this receiver\)/);
  });

  it('a lost notification leaves the message awaiting DELIVERED (only the poll, or its deadline, settles it)', async () => {
    const { id, detail } = await send('lost-notification');
    await gw.waitFor(async () => ([...sim.state.deliveries.messages.values()].some((d) => d.senderMessageId === id && d.state === 'DELIVERED') ? true : undefined));
    await new Promise((r) => setTimeout(r, 400));
    const d = await detail();
    expect(d).toMatchObject({ status: 'delivered', awaiting: { stage: 'accepted' }, acknowledgements: [] });
  });

  it("the agency's RESPONSE to our REQUEST: logged as inbound, linked to our letter by the chain's correlation id, and handed to CAIS as an official.letter", async () => {
    const { id, detail } = await send('answered');
    const answered = await gw.waitFor(async () => sim.state.pushes.find((p) => p.kind === 'agency-answer' && p.status === 200));
    expect(answered.answerSigned).toBe(true);
    expect(answered.body).toContain('sendMessageResponse');
    if (!noXsd) expect(xmllintOperation(Buffer.from(answered.body)).status).toBe(0);
    const ours = await detail();
    const correlationId = ours.businessKeys.shepCorrelationId as string;
    const inbound = await gw.api('GET', `/v1/messages?partner=shep-esedo&direction=in`);
    const answer = (inbound.body.items as Detail[]).find((m) => m.businessKeys.correlationId === correlationId);
    expect(answer).toMatchObject({ direction: 'in', messageType: 'agency-message', recordType: 'official.letter' });
    const inboundDetail = (await gw.api('GET', `/v1/messages/${answer.id}`)).body;
    expect(inboundDetail.answers).toBe(id);
    const pulled = await gw.api('GET', '/v1/cais/inbound?after=0&limit=500');
    const item = (pulled.body.items as Detail[]).find((i) => i.record.answersCorrelationId === correlationId);
    expect(item.record).toMatchObject({ type: 'official.letter', documentKind: 'answer', sender: { organisationCode: 'ESEDO' } });
    expect(Buffer.from(item.record.files[0].content, 'base64').toString()).toContain(correlationId);
  });

  it('a push whose signature does not verify is refused with a signed ErrorInfo fault, and nothing is recorded', async () => {
    const before = (await gw.api('GET', '/v1/messages?partner=shep-esedo&direction=in')).body.items.length;
    const envelope = `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><client:sendMessage xmlns:client="http://bip.bee.kz/AsyncChannel/v10/Types/Client"><request/></client:sendMessage></soap:Body></soap:Envelope>`;
    const res = await fetch(`${sim.url}/_sim/pushRaw`, { method: 'POST', body: JSON.stringify({ body: envelope }) });
    const refused = (await res.json()) as { status: number; body: string; answerSigned: boolean };
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.body).toMatch(/<errorCode>GW_ERR_SIGNATURE_(MISSING|POLICY|INVALID)<\/errorCode>/);
    expect(refused.answerSigned).toBe(true);
    if (!noXsd) expect(xmllintOperation(Buffer.from(refused.body))).toMatchObject({ status: 0 });
    expect((await gw.api('GET', '/v1/messages?partner=shep-esedo&direction=in')).body.items.length).toBe(before);
  });
});
