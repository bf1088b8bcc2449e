// Tracks each delivered document's state on the e-government gateway: notes its id from the acceptance, polls getMessageStatus, and records the outcome on the message.
import { createHash } from 'node:crypto';
import { parseSoapEnvelope, type Acknowledgement, type AttemptResult, type OutboundMessage, type PartnerRouteDeps } from '../../src/partners/kit.js';
import { getMessageStatus, readAsyncAcceptance, readFaultErrorInfo, readMessageStatus, type DeliveryStatus } from './channel-messages.js';
import { describeErrorChain } from './error-info.js';
import { senderOf, signedEnvelope } from './sender.js';

/** Kind of the partner records that follow our documents on the gateway, by the gateway's message id; keyed by their state. */
export const SENT_KIND = 'sent';

/** What the adapter keeps about one of our documents the gateway took. */
export interface SentDocument {
  /** Our message id. */
  messageId: string;
  /** The gateway's id of it and the chain's correlation id (from the acceptance). */
  shepMessageId: string;
  correlationId: string;
  attempt: number;
  state: DeliveryStatus['messageState'];
  statusCode?: string;
  statusMessage?: string;
  updatedAt: number;
}

/** Business key of our message: the gateway's id of its latest send (notifications of its state name it). */
export const SHEP_MESSAGE_ID_KEY = 'shepMessageId';
/** Business key of our message: the correlation id of its chain (an agency's answer carries it). */
export const SHEP_CORRELATION_ID_KEY = 'shepCorrelationId';

/**
 * The gateway took one of our documents (the partner's `delivered` hook; its id and the chain's
 * correlation id are already business keys of the message, stored with the attempt by the classifier's
 * outcome): a partner record lets the poll ask for its state.
 */
export async function noteAcceptance(message: OutboundMessage, result: AttemptResult, deps: Pick<PartnerRouteDeps, 'records'>, now = Date.now()): Promise<void> {
  if (result.kind !== 'response') return;
  const accepted = readAsyncAcceptance(parseSoapEnvelope(result.body, '1.1').body);
  const sent: SentDocument = { messageId: message.id, shepMessageId: accepted.messageId, correlationId: accepted.correlationId, attempt: message.attempt, state: 'ON_DELIVERY', updatedAt: now };
  await deps.records.put(SENT_KIND, accepted.messageId, sent.state, sent, now);
}

/** The codes of a NOT_DELIVERED status (its statusCode, else its error's) that carry the receiver's request to send again (option `resendCodes`). */
function resendCodes(option: string | undefined): string[] {
  return (option ?? 'RESEND').split(',').map((c) => c.trim()).filter(Boolean);
}

/**
 * What a delivery state means for our message: ON_DELIVERY, that the gateway has it (stage `received`,
 * which its acceptance already told); DELIVERED, that the receiver accepted it (stage `accepted`, the
 * one awaited); NOT_DELIVERED with the receiver's "resend" asks for it again; NOT_DELIVERED without it,
 * and DELIVERY_STOPPED, refuse it.
 */
export function acknowledgementOf(status: DeliveryStatus, options: Readonly<Record<string, string>>): Acknowledgement {
  const text = `${status.statusMessage}${status.error ? ` (${describeErrorChain(status.error)})` : ''}`;
  const state = status.messageState;
  switch (state) {
    case 'ON_DELIVERY':
      return { stage: 'received', code: state, text };
    case 'DELIVERED':
      return { stage: 'accepted', code: state, text };
    case 'NOT_DELIVERED': {
      const resend = resendCodes(options.resendCodes).some((c) => c === status.statusCode || c === status.error?.errorCode);
      return { stage: 'accepted', ...(resend ? { resend: true } : { rejected: true }), code: `${state} ${status.statusCode}`, text };
    }
    case 'DELIVERY_STOPPED':
      return { stage: 'accepted', rejected: true, code: `${state} ${status.statusCode}`, text };
  }
}

/**
 * Records a final delivery state found by the poll on our message, once per state of a gateway message.
 * A state of an earlier send (the message was sent again since: its business key names another gateway
 * id) only closes that send's record: it must not act on the message again.
 */
export async function recordState(sent: SentDocument, status: DeliveryStatus, deps: Pick<PartnerRouteDeps, 'store' | 'records' | 'partner' | 'context'>, now = Date.now()): Promise<void> {
  const current = (await deps.store.get(sent.messageId))?.businessKeys[SHEP_MESSAGE_ID_KEY];
  const next: SentDocument = { ...sent, state: status.messageState, statusCode: status.statusCode, statusMessage: status.statusMessage, updatedAt: now };
  if (current !== sent.shepMessageId) {
    await deps.records.put(SENT_KIND, sent.shepMessageId, next.state, next, now);
    return;
  }
  const acknowledgement = acknowledgementOf(status, deps.context().options);
  const payload = Buffer.from(JSON.stringify({ shepMessageId: sent.shepMessageId, messageState: status.messageState, statusCode: status.statusCode, statusMessage: status.statusMessage, error: status.error ?? null }));
  await deps.store.acknowledge(
    {
      messageId: sent.messageId,
      partner: deps.partner,
      partnerMessageId: `poll:${sent.shepMessageId}:${status.messageState}`,
      acknowledgement,
      payload,
      payloadSha256: createHash('sha256').update(payload).digest('hex'),
      clientCertificate: '',
      signerCertificate: '',
      receipt: { status: 200, headers: {}, body: Buffer.alloc(0) },
    },
    now,
  );
  await deps.records.put(SENT_KIND, sent.shepMessageId, next.state, next, now);
}

/** Asks the gateway for one document's state (AsyncChannel getMessageStatus); undefined when it answered with an error (asked again next time). */
async function askState(sent: SentDocument, deps: Pick<PartnerRouteDeps, 'send' | 'context'>): Promise<DeliveryStatus | undefined> {
  const context = deps.context();
  const body = signedEnvelope(getMessageStatus(sent.shepMessageId, new Date(), senderOf(context)), context);
  const result = await deps.send({ transport: 'http', method: 'POST', path: '', headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '""' }, body });
  if (result.kind !== 'response') return undefined;
  const message = parseSoapEnvelope(result.body, '1.1');
  if (readFaultErrorInfo(message.body) || message.fault) return undefined;
  return readMessageStatus(message.body);
}

/** One round of the poll: every document still ON_DELIVERY is asked for, and a final state is recorded. */
export async function pollDeliveryStates(deps: PartnerRouteDeps): Promise<void> {
  const pending = await deps.records.list(SENT_KIND, 'ON_DELIVERY');
  for (const { value } of pending) {
    const sent = value as SentDocument;
    const status = await askState(sent, deps);
    if (status && status.messageState !== 'ON_DELIVERY') await recordState(sent, status, deps);
  }
}
