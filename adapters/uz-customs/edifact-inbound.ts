// Uzbekistan's EDIFACT interchanges over AS2 (profile edifact): its CUSDECs for CAIS, and its CONTRL and CUSRES about ours; read, counted and checked against their segment tables.
import { GatewayError, parseEdifact, checkGrammar, type EdifactInterchange, type EdifactMessage, type EdifactSegment, type InboundAs2Document, type InboundEnvelope, type PartnerContext, type XmlContent } from '../../src/partners/kit.js';
import { GRAMMARS, MESSAGE_TYPES, readContrl, readCusres, RESPONSE, type AgreedSyntax } from './edifact-acknowledgements.js';
import { SYNTAX_ERRORS, syntaxErrorOf, type FaultyMessage, type SyntaxFault } from './syntax-errors.js';

/** Inbound message types of the profile. */
export const EDIFACT_TYPES = { cusdec: 'cusdec', contrl: 'contrl', cusres: 'cusres' } as const;

/** The business key our CUSDECs log their interchange control reference under (declaration-cusdec.yaml), by which CONTRL and CUSRES name them. */
export const INTERCHANGE_KEY = 'interchange';

/** UNB 0020 as the bytes claim it, read without the codec (for a report on an interchange the codec refuses); '' when none. */
export function claimedReference(content: Buffer): string {
  return /UNB\+[^']*?\+[^']*?\+[^']*?\+[^']*?\+([^'+:?]{1,14})/.exec(content.toString('latin1'))?.[1] ?? '';
}

/** The first message as the bytes claim it (UNH 0062 and S009), read without the codec; undefined when none. */
function claimedMessage(content: Buffer): FaultyMessage | undefined {
  const match = /UNH\+([^'+:?]{1,14})\+([^'+?]{1,70})/.exec(content.toString('latin1'));
  return match ? { reference: match[1]!, type: match[2]!.split(':') } : undefined;
}

/** Our id of one of Uzbekistan's interchanges in the inbound log: its control reference, in a namespace of its own. */
function interchangeId(reference: string): string {
  return `UNB:${reference}`;
}

/** A refusal with the envelope our syntax report needs: the interchange, and the fault as CONTRL codes it. */
function refusal(code: string, reason: string, reference: string, sender: string, fault: SyntaxFault, messageType = 'interchange'): GatewayError {
  const replyContext: Record<string, string> = { interchange: reference, syntaxError: fault.code };
  if (fault.serviceSegment) replyContext.serviceSegment = fault.serviceSegment;
  if (fault.message !== undefined) replyContext.message = fault.message;
  if (fault.messageType) replyContext.messageType = fault.messageType.join(':');
  if (fault.segment) Object.assign(replyContext, { segmentPosition: String(fault.segment.position), segmentTag: fault.segment.tag });
  return new GatewayError(code as 'GW_ERR_INBOUND_UNREADABLE', reason, { envelope: { messageType, messageId: interchangeId(reference), sender, replyContext } });
}

/** A refusal of an interchange whose syntax is sound but whose content the agreement does not take (answered by CONTRL 7 and CUSRES 27). */
function contentRefusal(reason: string, reference: string, sender: string, messageType: string): GatewayError {
  return new GatewayError('GW_ERR_INBOUND_UNREADABLE', reason, { envelope: { messageType, messageId: interchangeId(reference), sender, replyContext: { interchange: reference } } });
}

/** Our syntax fault recorded in a refusal's reply context, if it has one. */
export function faultOf(replyContext: Readonly<Record<string, string>> | undefined): SyntaxFault | undefined {
  if (!replyContext?.syntaxError) return undefined;
  const { syntaxError: code, serviceSegment, message, messageType, segmentPosition, segmentTag } = replyContext;
  return {
    code,
    ...(serviceSegment ? { serviceSegment } : {}),
    ...(message !== undefined ? { message } : {}),
    ...(messageType ? { messageType: messageType.split(':') } : {}),
    ...(segmentPosition && segmentTag ? { segment: { position: Number(segmentPosition), tag: segmentTag } } : {}),
  };
}

/** A segment as the inbound mapping reads it: `tag`, and elements `e1`, `e2` … of components `c1`, `c2` … (empty ones left out). */
function segmentTree(segment: EdifactSegment): XmlContent {
  const tree: XmlContent = { tag: segment.tag };
  segment.elements.forEach((components, e) => {
    const element: XmlContent = {};
    components.forEach((value, c) => {
      if (value !== '') element[`c${c + 1}`] = value;
    });
    if (Object.keys(element).length > 0) tree[`e${e + 1}`] = element;
  });
  return tree;
}

/**
 * A CUSDEC as the inbound mapping reads it: the interchange's references, the heading segments (before
 * UNS+D), and each goods item (segment group 30, from its CST to the next) as `item`.
 */
function cusdecTree(interchange: EdifactInterchange, message: EdifactMessage): XmlContent {
  const detail = message.segments.findIndex((s) => s.tag === 'UNS');
  const summary = message.segments.findIndex((s, i) => i > detail && s.tag === 'UNS');
  const heading = message.segments.slice(0, detail < 0 ? undefined : detail);
  const items: EdifactSegment[][] = [];
  for (const segment of detail < 0 ? [] : message.segments.slice(detail + 1, summary < 0 ? undefined : summary)) {
    if (segment.tag === 'CST' || items.length === 0) items.push([]);
    items.at(-1)!.push(segment);
  }
  return {
    CUSDEC: {
      interchange: { reference: interchange.controlReference, sender: interchange.sender[0] ?? '', recipient: interchange.recipient[0] ?? '' },
      message: { reference: message.reference },
      header: heading.map(segmentTree),
      item: items.map((segments) => ({ segment: segments.map(segmentTree) })),
    },
  };
}

/** The character set of the agreement (the instance's option `syntax`, default UNOC). */
export function agreedSyntax(context: Pick<PartnerContext, 'options'>): AgreedSyntax {
  const syntax = context.options.syntax;
  return syntax === 'UNOW' || syntax === 'UNOY' ? syntax : 'UNOC';
}

/** Which of the profile's messages a UNH S009 is, or undefined. */
function typeOf(message: EdifactMessage): keyof typeof MESSAGE_TYPES | undefined {
  return (Object.keys(MESSAGE_TYPES) as Array<keyof typeof MESSAGE_TYPES>).find((name) => MESSAGE_TYPES[name].every((c, i) => message.type[i] === c));
}

/**
 * Reads one of Uzbekistan's interchanges: parsed with its UNB/UNZ and UNH/UNT counts and references
 * checked, in the agreed character set, from Uzbekistan (UNB sender its AS2 name) to us (recipient ours), one message of the profile
 * checked against its segment table. A CUSDEC is a document for CAIS (its id: the interchange control
 * reference, so a reference used again with other content is a conflict); a CONTRL and a CUSRES
 * acknowledge the CUSDEC of ours whose interchange they name.
 * @throws GatewayError with the envelope our CONTRL needs (the interchange and the syntax fault)
 */
export function readInterchange(document: InboundAs2Document, context: PartnerContext): { envelope: InboundEnvelope; document: XmlContent } {
  const sender = context.participants.partner ?? '';
  const claimed = claimedReference(document.content);
  let interchange: EdifactInterchange;
  try {
    interchange = parseEdifact(document.content);
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    // What the bytes claim to be decides the answer: a syntax report is never answered with one.
    const message = claimedMessage(document.content);
    const claimedType = message?.type[0] === 'CONTRL' ? EDIFACT_TYPES.contrl : message?.type[0] === 'CUSRES' ? EDIFACT_TYPES.cusres : 'interchange';
    throw refusal(err.code, err.message, claimed, sender, syntaxErrorOf(err, message), claimedType);
  }
  const reference = interchange.controlReference;
  const agreed = agreedSyntax(context);
  if (interchange.syntax !== agreed) throw refusal('GW_ERR_INBOUND_UNREADABLE', `the interchange is in ${interchange.syntax}; the agreement says ${agreed}`, reference, sender, { code: SYNTAX_ERRORS.syntaxNotSupported, serviceSegment: 'UNB' });
  const [from = '', to = ''] = [interchange.sender[0], interchange.recipient[0]];
  if (from !== context.participants.as2To) throw refusal('GW_ERR_INBOUND_SENDER_MISMATCH', `the interchange is from "${from}", not "${context.participants.as2To}"`, reference, sender, { code: SYNTAX_ERRORS.unknownSender, serviceSegment: 'UNB' });
  if (to !== context.participants.as2From) throw refusal('GW_ERR_INBOUND_UNREADABLE', `the interchange is addressed to "${to}", not to us ("${context.participants.as2From}")`, reference, sender, { code: SYNTAX_ERRORS.recipientNotActual, serviceSegment: 'UNB' });
  const [message, ...more] = interchange.messages;
  if (!message || more.length > 0) throw refusal('GW_ERR_INBOUND_UNREADABLE', `the agreement has one message per interchange; this one has ${interchange.messages.length}`, reference, sender, { code: SYNTAX_ERRORS.unspecified, serviceSegment: 'UNZ' });
  const type = typeOf(message);
  if (!type) throw refusal('GW_ERR_INBOUND_UNREADABLE', `message type ${message.type.join(':')} is not one of the agreement (${Object.values(MESSAGE_TYPES).map((t) => t.join(':')).join(', ')})`, reference, sender, { code: SYNTAX_ERRORS.messageNotSupported, serviceSegment: 'UNH', message: message.reference, messageType: message.type });
  try {
    checkGrammar([message], [GRAMMARS[type]]);
  } catch (err) {
    if (err instanceof GatewayError) throw refusal(err.code, err.message, reference, sender, syntaxErrorOf(err, message), EDIFACT_TYPES[type]);
    throw err;
  }
  const base = { messageId: interchangeId(reference), sender, replyContext: { interchange: reference, message: message.reference } };
  if (type === 'cusdec') {
    // 1225: 9 original, 4 change and 5 replace (an amendment); the agreement has no other.
    const function1225 = message.segments.find((s) => s.tag === 'BGM')?.elements[2]?.[0] ?? '';
    if (!['9', '4', '5'].includes(function1225)) throw contentRefusal(`the CUSDEC's message function (BGM 1225) is "${function1225}", not 9 (original), 4 (change) or 5 (replace)`, reference, sender, EDIFACT_TYPES.cusdec);
    return { envelope: { ...base, messageType: EDIFACT_TYPES.cusdec }, document: cusdecTree(interchange, message) };
  }
  if (type === 'contrl') {
    const report = readContrl(message.segments);
    if (report.verdict === 'unknown') throw contentRefusal(`the CONTRL's action code (UCI 0083) "${report.action}" is not one the agreement knows`, reference, sender, EDIFACT_TYPES.contrl);
    // Action 5 (UNB/UNZ accepted) and 8 (interchange received) only say the interchange arrived: the syntax verdict is still awaited.
    const stage = report.verdict === 'received' ? ('received' as const) : ('accepted' as const);
    const acknowledges = { stage, rejected: report.verdict === 'rejected', ...(report.codes.length > 0 ? { code: report.codes.join(',') } : {}), text: report.text || `CONTRL: action ${report.action}` };
    return { envelope: { ...base, messageType: EDIFACT_TYPES.contrl, answers: { key: INTERCHANGE_KEY, value: report.interchange }, acknowledges }, document: {} };
  }
  const function1225 = message.segments.find((s) => s.tag === 'BGM')?.elements[2]?.[0] ?? '';
  if (function1225 !== RESPONSE.accepted && function1225 !== RESPONSE.notAccepted) throw contentRefusal(`the CUSRES message function (BGM 1225) is "${function1225}", not ${RESPONSE.accepted} or ${RESPONSE.notAccepted}`, reference, sender, EDIFACT_TYPES.cusres);
  const response = readCusres(message.segments);
  const text = response.accepted ? `CUSRES ${response.responseId}: accepted` : `CUSRES ${response.responseId}: ${response.errors.map((e) => `${e.code} ${e.description}`).join('; ')}`;
  const acknowledges = { stage: 'answered' as const, rejected: !response.accepted, ...(response.errors.length > 0 ? { code: response.errors.map((e) => e.code).join(',') } : {}), text };
  return { envelope: { ...base, messageType: EDIFACT_TYPES.cusres, answers: { key: INTERCHANGE_KEY, value: response.answers }, acknowledges }, document: {} };
}
