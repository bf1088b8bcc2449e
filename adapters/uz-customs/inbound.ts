// Uzbekistan's pushes to us: its WCO DECs in CMS SignedData (answered by our WCO RES in CMS) and, on the edifact profile, its interchanges over AS2 (answered by our MDN, then CONTRL and CUSRES).
import { createHash } from 'node:crypto';
import { childElement, childText, GatewayError, parseXml, type InboundEnvelope, type InboundOutcome, type InboundSpec, type XmlContent } from '../../src/partners/kit.js';
import { EDIFACT_TYPES, readInterchange } from './edifact-inbound.js';
import { repliesToCusdec, repliesToRefused } from './edifact-replies.js';
import { validationCode } from './codes.js';
import { renderResponse, WCO, wcoDateTime } from './wco-response.js';

/** Inbound message type: a DEC of Uzbekistan's. */
export const DEC = 'dec';

/**
 * Reads a DEC (the CMS's content): its id is its FunctionalReferenceID and function (an amendment's with a
 * digest of the document, so each amendment is its own message), its sender the MetaData's responsible country.
 * @throws GatewayError GW_ERR_INBOUND_UNREADABLE when it is not a DEC in a MetaData, has no reference or one
 *   over 35 characters, or a function other than 9 and 13
 */
export function readDec(content: Buffer): { envelope: InboundEnvelope; document: XmlContent } {
  const document = parseXml(content);
  const meta = childElement(document, WCO.metaData, 'MetaData');
  const declaration = meta && childElement(meta, WCO.dec, 'Declaration');
  const reference = (declaration && childText(declaration, WCO.dec, 'FunctionalReferenceID')?.trim()) ?? '';
  const refuse = (why: string, envelope: Record<string, string> = { messageType: DEC }): never => {
    throw new GatewayError('GW_ERR_INBOUND_UNREADABLE', `Uzbekistan's DEC: ${why}`, { envelope });
  };
  if (!declaration || !reference) refuse('not a WCO DEC in a DocumentMetaData MetaData with a FunctionalReferenceID');
  if (reference.length > 35) refuse(`FunctionalReferenceID has ${reference.length} characters, the WCO schema allows 35`);
  const functionCode = childText(declaration!, WCO.dec, 'FunctionCode')?.trim() ?? '';
  if (functionCode !== '9' && functionCode !== '13') refuse(`FunctionCode "${functionCode}" is not 9 (original) or 13 (amendment)`, { messageType: DEC, messageId: reference });
  // An original is one message per reference (another with other content is a conflict); each amendment is its own.
  const messageId = functionCode === '9' ? `${reference}:9` : `${reference}:13:${createHash('sha256').update(content).digest('hex').slice(0, 16)}`;
  return {
    envelope: { messageType: DEC, messageId, sender: childText(meta!, WCO.metaData, 'ResponsibleCountryCode')?.trim() ?? '', replyContext: { reference } },
    document,
  };
}

/** Our RES: 01 accepted with our inbound id as registration, or 03 rejected with a validation code and the refusal's GW_ERR_* code and reason. */
function response(outcome: InboundOutcome, us: string): Buffer {
  // The DEC's reference as read (an..35 in the RES too), else what a refusal could name of it.
  const named = outcome.envelope?.replyContext?.reference ?? outcome.envelope?.messageId?.split(':')[0] ?? '';
  const reference = named && named.length <= 35 ? named : 'unknown';
  const issuedAt = wcoDateTime(outcome.receivedAt);
  // Unique per answer: the push's digest and the time it came (a push refused busy and then taken gets two RES ids).
  const responseId = `${us}-RES-${outcome.payloadDigest.toString('hex').slice(0, 16)}-${outcome.receivedAt.getTime().toString(36)}`;
  const description = Array.from(outcome.accepted ? '' : `${outcome.code}: ${outcome.reason}`).slice(0, 512).join('');
  return outcome.accepted
    ? renderResponse({ functionCode: '01', responseId, issuedAt, declarationReference: reference, registrationId: outcome.id, errors: [] }, us)
    : renderResponse({ functionCode: '03', responseId, issuedAt, declarationReference: reference, errors: [{ code: validationCode(outcome.code), description }] }, us);
}

/**
 * Uzbekistan's pushes: DECs in CMS (no XML-signed documents), each answered by our RES in CMS signed with our
 * key for Uzbekistan; and on the edifact profile, EDIFACT interchanges over AS2 answered by our MDN: its
 * CUSDECs (then our CONTRL and CUSRES), and its CONTRL and CUSRES about our CUSDECs.
 */
export const uzInbound: InboundSpec = {
  messages: {
    [DEC]: { description: "Uzbekistan's advance cargo or transit information, a WCO DEC (mapped to an advance.declaration record for CAIS)" },
    [EDIFACT_TYPES.cusdec]: { description: "Uzbekistan's advance cargo information as a CUSDEC over AS2, profile edifact (mapped to an advance.declaration record; answered by our MDN, CONTRL and CUSRES)" },
    [EDIFACT_TYPES.contrl]: { description: "Uzbekistan's syntax report (CONTRL) on one of our CUSDEC interchanges: recorded on it, accepted or rejected with its syntax error codes" },
    [EDIFACT_TYPES.cusres]: { description: "Uzbekistan's customs response (CUSRES) to one of our CUSDECs: recorded on it, accepted (29) or not (27) with its error codes" },
  },
  // Only CMS: the WCO MetaData has no place for an XMLDSig signature.
  mediaTypes: [],
  maxBytes: 4 * 1024 * 1024,
  senderParticipant: 'partner',
  read: () => {
    throw new GatewayError('GW_ERR_INBOUND_UNREADABLE', 'Uzbekistan pushes its DECs in CMS SignedData (application/pkcs7-mime)');
  },
  cms: { mediaTypes: ['application/pkcs7-mime'], read: (content) => readDec(content) },
  as2: {
    profiles: ['edifact'],
    // Where the agreement says our messages go encrypted (option as2Encrypt), Uzbekistan's must come encrypted too.
    requiresEncryption: (context) => context.options.as2Encrypt === 'yes',
    read: (document, _request, context) => readInterchange(document, context),
  },
  replies: repliesToCusdec,
  refusalReplies: repliesToRefused,
  receiptSigning: 'cms',
  receipt: (outcome, context) => ({ contentType: 'application/pkcs7-mime; smime-type=signed-data', body: response(outcome, context.participants.reporter ?? 'KZ') }),
};
