// The `as2` transport (RFC 4130): the document as an S/MIME-signed entity POSTed with AS2 headers, and the synchronous MDN read and checked.
import type { X509Certificate } from 'node:crypto';
import { buildMimeEntity, formatHeaderText, formatParameterized } from '../codec/mime-entity.js';
import { GatewayError } from '../errors.js';
import type { As2Request } from '../partners/partner-definition.js';
import type { SigningCapability } from '../security/key-capabilities.js';
import { encryptSmime } from '../security/smime-enveloped.js';
import { computeMic, signSmime } from '../security/smime-signed.js';
import { as2MessageId, formatAs2Name, readAs2Mdn } from './as2-mdn.js';
import { defineTransport, type TransportChannel } from './transport.js';

/** Asks for a synchronous MDN signed with S/MIME over SHA-256 (RFC 4130 §7.3). */
const RECEIPT_OPTIONS = 'signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=optional, sha-256';
/** Characters our message id may have to stand left of the `@` in an RFC 5322 msg-id. */
const MESSAGE_ID_LEFT = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$/;

function requestOf(request: unknown): As2Request {
  const r = request as Partial<As2Request>;
  if (!Buffer.isBuffer(r.content) || typeof r.contentType !== 'string' || typeof r.messageId !== 'string' || !MESSAGE_ID_LEFT.test(r.messageId)) {
    throw new GatewayError('GW_ERR_ADAPTER_INVALID', 'the as2 transport got a request it cannot send: it needs a content Buffer, a contentType and a messageId of RFC 5322 atom characters');
  }
  return r as As2Request;
}

function participantsOf(channel: TransportChannel): { as2From: string; as2To: string } {
  const { as2From, as2To } = channel.participants;
  if (!as2From || !as2To) {
    const missing = Object.entries({ as2From, as2To }).filter(([, code]) => !code).map(([name]) => name);
    throw new GatewayError('GW_ERR_CONFIG_INVALID', `partner ${channel.partner}: the as2 transport needs the participant codes ${missing.join(' and ')}`, { partner: channel.partner });
  }
  return { as2From, as2To };
}

/** The document as the entity that is signed: its type, binary transfer, offered as an attachment under its file name. */
function documentEntity(request: As2Request): Buffer {
  const disposition = formatParameterized('attachment', request.fileName === undefined ? {} : { filename: request.fileName });
  return buildMimeEntity(
    [
      ['Content-Type', request.contentType],
      ['Content-Transfer-Encoding', 'binary'],
      ['Content-Disposition', disposition],
    ],
    request.content,
  );
}

/** An AS2 message ready to POST: its headers and body, the Message-ID it goes under, and the MIC its MDN must return. */
export interface As2Outgoing {
  headers: Record<string, string>;
  body: Buffer;
  messageId: string;
  mic: string;
}

/**
 * Builds an AS2 message: the document as an entity signed as S/MIME with the signer's key (and, given a
 * certificate, that signed entity encrypted for it: `application/pkcs7-mime; smime-type=enveloped-data`),
 * AS2-Version 1.2 headers, and a request for a synchronous MDN signed over SHA-256 (its MIC is the signed
 * entity's, encrypted or not).
 * @throws GatewayError GW_ERR_ADAPTER_INVALID for a request it cannot send, GW_ERR_CONFIG_INVALID for AS2 names it cannot write
 */
export function buildAs2Message(request: As2Request, names: { as2From: string; as2To: string }, signer: SigningCapability, encryptFor?: X509Certificate): As2Outgoing {
  const message = requestOf(request);
  const entity = documentEntity(message);
  const signed = encryptFor ? encryptSmime(signSmime(entity, signer), encryptFor) : signSmime(entity, signer);
  const messageId = as2MessageId(message.messageId, names.as2From);
  const headers = {
    'AS2-Version': '1.2',
    'AS2-From': formatAs2Name(names.as2From),
    'AS2-To': formatAs2Name(names.as2To),
    'Message-ID': messageId,
    Subject: formatHeaderText(message.subject ?? `AS2 message ${message.messageId}`),
    Date: new Date().toUTCString(),
    'MIME-Version': '1.0',
    'Content-Type': signed.contentType,
    'Disposition-Notification-To': formatAs2Name(names.as2From),
    'Disposition-Notification-Options': RECEIPT_OPTIONS,
  };
  return { headers, body: signed.body, messageId, mic: computeMic(entity) };
}

/**
 * Signs the document with our key for the partner, POSTs it with AS2-Version 1.2 headers and a signed-MDN
 * request, and returns the HTTP answer with `receipt` when it is an MDN (signature, Original-Message-ID,
 * disposition and MIC checked). Network trouble comes back as the HTTP client reports it.
 */
export const as2Transport = defineTransport({
  name: 'as2',
  description: 'AS2 (RFC 4130): S/MIME-signed document over HTTP(S), synchronous signed MDN verified against the pinned certificates',
  participants: ['as2From', 'as2To'],
  async send(request, channel) {
    const as2 = request as As2Request;
    const recipient = as2.encrypt ? channel.partnerCertificates[0] : undefined;
    if (as2.encrypt && !recipient) throw new GatewayError('GW_ERR_KEY_UNAVAILABLE', `partner ${channel.partner}: no pinned certificate to encrypt the AS2 message for`);
    const outgoing = buildAs2Message(as2, participantsOf(channel), channel.identity, recipient);
    const result = await channel.http.send(channel.url, { method: 'POST', path: '', headers: outgoing.headers, body: outgoing.body }, channel.timeoutMs, channel.maxResponseBytes);
    if (result.kind !== 'response') return result;
    const receipt = readAs2Mdn(result.headers, result.body, { messageId: outgoing.messageId, mic: outgoing.mic, trusted: channel.partnerCertificates });
    return receipt === undefined ? result : { ...result, receipt };
  },
});
