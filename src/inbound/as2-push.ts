// Pushes that come as AS2 messages (RFC 4130): recognised, opened against the partner's pinned certificates and AS2 names, and answered by our signed MDN.
import { createHash, type X509Certificate } from 'node:crypto';
import type { InboundAs2Document, InboundRequest, InboundSpec, PartnerContext } from '../partners/partner-definition.js';
import type { RecipientKey } from '../security/cms-enveloped-data.js';
import type { StoredReceipt } from '../store/inbound-store.js';
import { buildAs2Mdn, openAs2Message, parseAs2Name } from '../transport/as2-mdn.js';
import { Refusal } from './refusal.js';

/** What the MDN answering an AS2 push needs of it: plain text, so it crosses threads with a reading. */
export interface As2Facts {
  /** The push's Message-ID, angle brackets included. */
  messageId: string;
  /** Its AS2-From and AS2-To as sent. */
  as2From: string;
  as2To: string;
  /** The MIC of its signed entity, once the signature verified. */
  mic?: string;
  /**
   * SHA-256 (hex) of the signed document's Content-Type, a line break and its content, once the signature
   * verified: what identifies the push for repeats (AS2 software signs a resend anew, so its bytes differ
   * while its document does not; the file name offered, often the message id, is left out).
   */
  contentSha256?: string;
}

/** The RFC 4130 §7.4.3 error modifier of a refusal: the signature or the sender's certificate is not the partner's, it came unsigned, or it does not decrypt with our key; any other is `unexpected-processing-error`. */
const MODIFIERS: Readonly<Record<string, string>> = {
  GW_ERR_SIGNATURE_INVALID: 'authentication-failed',
  GW_ERR_SIGNATURE_POLICY: 'authentication-failed',
  GW_ERR_INBOUND_SIGNER_MISMATCH: 'authentication-failed',
  GW_ERR_SIGNATURE_MISSING: 'insufficient-message-security',
  GW_ERR_INBOUND_NOT_ENCRYPTED: 'insufficient-message-security',
  GW_ERR_DECRYPTION_FAILED: 'decryption-failed',
};

/** True when the push is an AS2 message (an `AS2-Version` header) to a partner that pushes AS2. */
export function isAs2Push(spec: InboundSpec, request: InboundRequest): spec is InboundSpec & { as2: NonNullable<InboundSpec['as2']> } {
  return spec.as2 !== undefined && request.headers['as2-version'] !== undefined;
}

/** A Message-ID we echo in an MDN: a msg-id in angle brackets, without spaces, of sane length. */
const MESSAGE_ID = /^<[^<>\s]{1,250}>$/;

/** What the headers of an AS2 push say before anything is verified (for an MDN refusing it); undefined without a well-formed Message-ID. */
export function claimedAs2Facts(request: InboundRequest): As2Facts | undefined {
  const messageId = request.headers['message-id']?.trim();
  if (!messageId || !MESSAGE_ID.test(messageId)) return undefined;
  return { messageId, as2From: parseAs2Name(request.headers['as2-from'] ?? ''), as2To: parseAs2Name(request.headers['as2-to'] ?? '') };
}

/**
 * Opens an AS2 push: decrypted with our keys for the partner when it is encrypted, its signature verified
 * with the partner's pinned certificates; the signed document, what its MDN needs and the certificate that signed.
 * @throws GatewayError from {@link openAs2Message} (broken MIME, not for our keys, unsigned, signature refused)
 */
export function openAs2Push(request: InboundRequest, body: Buffer, trusted: readonly X509Certificate[], keys: readonly RecipientKey[]): { document: InboundAs2Document; facts: As2Facts; signer: X509Certificate; encrypted: boolean } {
  const message = openAs2Message(request.headers, body, trusted, keys);
  return {
    signer: message.signer,
    encrypted: message.encrypted,
    document: { content: message.content, contentType: message.contentType, ...(message.fileName === undefined ? {} : { fileName: message.fileName }) },
    facts: { messageId: message.messageId, as2From: message.as2From, as2To: message.as2To, mic: message.mic, contentSha256: createHash('sha256').update(`${message.contentType}\n`).update(message.content).digest('hex') },
  };
}

/**
 * Checks the AS2 names of a push against the participants: `as2To` is the partner's name, `as2From` ours.
 * @throws Refusal GW_ERR_INBOUND_SENDER_MISMATCH when they are not
 */
export function checkAs2Names(facts: As2Facts, context: PartnerContext): void {
  const { as2From: ours, as2To: theirs } = context.participants;
  if (facts.as2From !== theirs || facts.as2To !== ours) {
    throw new Refusal('GW_ERR_INBOUND_SENDER_MISMATCH', `the AS2 message is from "${facts.as2From}" to "${facts.as2To}"; partner ${context.partner} sends as "${theirs ?? '(no as2To participant)'}" to "${ours ?? '(no as2From participant)'}"`);
  }
}

/**
 * Our signed MDN for an AS2 push: `processed` when it was taken, or when it was refused after it was read
 * and the refusal is `reported` by the adapter's replies (the protocol's own reports, such as a syntax
 * report, say why: the transfer itself succeeded); else `processed/error` with the RFC 4130 modifier of
 * the refusal. The refusal's GW_ERR_* code and reason are in the human-readable part. (A refusal the
 * partner should repeat gets no MDN but its HTTP status, so its AS2 system sends the message again: the
 * caller answers it.)
 */
export function as2Answer(context: PartnerContext, facts: As2Facts, refusal?: { code: string; reason: string; reported?: boolean }): StoredReceipt {
  const modifier = !refusal || refusal.reported ? undefined : (MODIFIERS[refusal.code] ?? 'unexpected-processing-error');
  const mdn = buildAs2Mdn({
    originalMessageId: facts.messageId,
    // We answer as the name the participants give us; a push that named us otherwise is refused, and told so under our own name.
    as2From: context.participants.as2From ?? facts.as2To,
    as2To: context.participants.as2To ?? facts.as2From,
    ...(facts.mic === undefined ? {} : { mic: facts.mic }),
    disposition: modifier === undefined ? 'processed' : { kind: 'error', description: modifier },
    ...(refusal ? { explanation: `${refusal.code}: ${refusal.reason}${refusal.reported ? ' (the replies that follow report it)' : ''}` } : {}),
    signer: context.identity,
  });
  return { status: 200, headers: Object.fromEntries(Object.entries(mdn.headers).map(([name, value]) => [name.toLowerCase(), value])), body: mdn.body };
}
