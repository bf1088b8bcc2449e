// Our answers to Uzbekistan's CUSDECs after the MDN (profile edifact): a CONTRL (syntax), then a CUSRES (customs), accepting it or naming what is wrong.
import type { InboundEnvelope, InboundRefused, InboundReply, PartnerContext } from '../../src/partners/kit.js';
import { controlReference, writeContrl, writeCusres, type Parties } from './edifact-acknowledgements.js';
import { agreedSyntax, EDIFACT_TYPES, faultOf, INTERCHANGE_KEY } from './edifact-inbound.js';
import { validationCode } from './codes.js';
import { SYNTAX_ERRORS } from './syntax-errors.js';

/** Our interchanges' UNB parties: us (our AS2 name) to Uzbekistan (its AS2 name), in the agreed character set. */
function parties(context: PartnerContext): Parties {
  return { sender: context.participants.as2From ?? '', recipient: context.participants.as2To ?? '', syntax: agreedSyntax(context) };
}

/** A CUSRES waits this long before its first attempt, so it follows the CONTRL logged with it (unless that one needs retries). */
const CUSRES_AFTER_MS = 1_000;

/** A reply as the log keeps it: its own interchange reference and the one it answers; a CUSRES after the CONTRL. */
function reply(messageType: 'contrl' | 'cusres', document: Buffer, reference: string, answers: string): InboundReply {
  return { messageType, document, businessKeys: { [INTERCHANGE_KEY]: reference, answers }, ...(messageType === 'cusres' ? { delayMs: CUSRES_AFTER_MS } : {}) };
}

/**
 * CONTRL (action 7) and CUSRES 29 for a CUSDEC we took; the CUSRES's BGM 1004 is our registration (our
 * inbound id without hyphens). Interchange references derive from our inbound id, so they are unique.
 */
export function repliesToCusdec(accepted: { id: string; envelope: InboundEnvelope; receivedAt: Date }, context: PartnerContext): InboundReply[] {
  const theirs = accepted.envelope.replyContext?.interchange ?? '';
  if (accepted.envelope.messageType !== EDIFACT_TYPES.cusdec || theirs === '') return [];
  const who = parties(context);
  const contrl = controlReference('KZ', `${accepted.id}:contrl`);
  const cusres = controlReference('KZ', `${accepted.id}:cusres`);
  return [
    reply('contrl', writeContrl(who, contrl, accepted.receivedAt, { interchange: theirs, sender: who.recipient, recipient: who.sender }), contrl, theirs),
    reply('cusres', writeCusres(who, cusres, accepted.receivedAt, { responseId: accepted.id.replace(/-/g, ''), accepted: true, answers: theirs, errors: [] }), cusres, theirs),
  ];
}

/**
 * Our answer to a CUSDEC (or an interchange we could not type) refused after its signature verified: a
 * CONTRL rejecting it (action 4) with the syntax error, 26 for an interchange reference used before with
 * other content; or, when its syntax was sound but its content is not (no valid record, another sender),
 * a CONTRL accepting the interchange and a CUSRES 27 whose ERC is our validation code. Nothing for an
 * interchange whose reference cannot be read, nor for Uzbekistan's own CONTRL and CUSRES (a syntax report
 * is never answered; a response we cannot place is for our log).
 */
export function repliesToRefused(refused: InboundRefused, context: PartnerContext): InboundReply[] {
  const { envelope } = refused;
  const theirs = envelope.replyContext?.interchange ?? '';
  if (theirs === '' || (envelope.messageType !== EDIFACT_TYPES.cusdec && envelope.messageType !== 'interchange')) return [];
  const who = parties(context);
  const seed = refused.identity.toString('hex');
  const contrl = controlReference('KZ', `${seed}:contrl`);
  const report = { interchange: theirs, sender: who.recipient, recipient: who.sender };
  const fault = refused.code === 'GW_ERR_INBOUND_CONFLICT' ? { code: SYNTAX_ERRORS.duplicate, serviceSegment: 'UNB' } : faultOf(envelope.replyContext);
  if (fault) return [reply('contrl', writeContrl(who, contrl, refused.receivedAt, { ...report, error: fault }), contrl, theirs)];
  const cusres = controlReference('KZ', `${seed}:cusres`);
  const errors = [{ code: validationCode(refused.code), description: `${refused.code}: ${refused.reason}` }];
  return [
    reply('contrl', writeContrl(who, contrl, refused.receivedAt, report), contrl, theirs),
    reply('cusres', writeCusres(who, cusres, refused.receivedAt, { responseId: cusres, accepted: false, answers: theirs, errors }), cusres, theirs),
  ];
}
