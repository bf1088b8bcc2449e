// AS2 messages and their MDNs (RFC 4130 §6–7, RFC 8098): open a signed AS2 message, build an MDN, read the MDN that answered ours.
import { randomUUID, type X509Certificate } from 'node:crypto';
import {
  buildMimeEntity,
  buildMultipart,
  decodeBody,
  formatParameterized,
  headerValue,
  parseHeaderFields,
  parseMimeEntity,
  parseParameterized,
  splitMultipart,
  type MimeHeader,
} from '../codec/mime-entity.js';
import { GatewayError } from '../errors.js';
import { verifyCmsSignedData } from '../security/cms-signed-data.js';
import type { SigningCapability } from '../security/key-capabilities.js';
import type { RecipientKey } from '../security/cms-enveloped-data.js';
import { decryptSmime, isEnvelopedType } from '../security/smime-enveloped.js';
import { computeMic, readSmimeParts, signSmime, verifySmime } from '../security/smime-signed.js';
import type { As2Receipt } from './as2-receipt.js';

/** HTTP headers as Node and undici hand them over (names in any case, repeated fields as arrays). */
export type HttpHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/** A verified inbound AS2 message. */
export interface As2Message {
  /** The document, its transfer encoding undone. */
  content: Buffer;
  /** The document's Content-Type as sent (`text/plain` when the entity names none, per RFC 2045). */
  contentType: string;
  /** The file name its Content-Disposition offers. */
  fileName?: string;
  /** AS2-From and AS2-To, unquoted. */
  as2From: string;
  as2To: string;
  /** Message-ID, angle brackets included: the Original-Message-ID of its MDN. */
  messageId: string;
  /** The MIC of the signed entity, for the MDN's Received-Content-MIC. */
  mic: string;
  /** The pinned certificate whose key signed it. */
  signer: X509Certificate;
  /** True when it came encrypted (S/MIME enveloped data). */
  encrypted: boolean;
  /** True when Disposition-Notification-Options asks for a receipt signed with pkcs7-signature. */
  signedReceiptRequested: boolean;
}

/**
 * What a receiver reports: processed, processed with an error or a warning, or failed; each modifier with
 * its description; or any disposition type and modifier as written (what a partner sends that RFC 4130
 * does not name, e.g. in a simulator).
 */
export type As2Disposition = 'processed' | { kind: 'error' | 'warning' | 'failure'; description: string } | { type: string; modifier?: string; description?: string };

/** What {@link buildAs2Mdn} needs. */
export interface As2MdnOptions {
  /** Message-ID of the message answered, angle brackets included. */
  originalMessageId: string;
  /** The MDN's sender: the receiver of the original message. */
  as2From: string;
  /** The MDN's recipient: the sender of the original message. */
  as2To: string;
  /** Received-Content-MIC from {@link openAs2Message}; left out when the message could not be opened. */
  mic?: string;
  disposition: As2Disposition;
  /** Words for people in the MDN's text part (e.g. why the message was refused); a line of its own after the disposition. */
  explanation?: string;
  /** Signs the MDN (multipart/signed around the report) when given. */
  signer?: SigningCapability;
}

/** An MDN ready to be the HTTP answer: its headers (AS2 and Content-Type) and body. */
export interface As2Mdn {
  headers: Record<string, string>;
  body: Buffer;
}

/** What the MDN answering our message must match. */
export interface As2MdnExpectation {
  /** Our Message-ID, angle brackets included. */
  messageId: string;
  /** The MIC of the entity we signed ({@link computeMic}). */
  mic: string;
  /** The partner's pinned certificates. */
  trusted: readonly X509Certificate[];
}

/** AS2-text of RFC 4130 §6.2: printable ASCII except space, double quote and backslash. */
const AS2_ATOMIC_NAME = /^[!#-[\]-~]{1,128}$/;
const AS2_QUOTED_NAME = /^[ -~]{1,128}$/;
const MDN_MODE = 'automatic-action/MDN-sent-automatically';

function malformed(reason: string): GatewayError {
  return new GatewayError('GW_ERR_MIME_MALFORMED', reason);
}

function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function httpHeader(headers: HttpHeaders, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted && value !== undefined) return typeof value === 'string' ? value : value.join(', ');
  }
  return undefined;
}

/** The media type of a Content-Type value, lower-cased, parameters ignored. */
function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/**
 * An AS2 identifier as AS2-From / AS2-To carry it (RFC 4130 §6.2): as it is when atomic, else quoted with
 * `"` and `\` escaped.
 * @throws GatewayError GW_ERR_CONFIG_INVALID unless it is 1 to 128 printable ASCII characters.
 */
export function formatAs2Name(name: string): string {
  if (AS2_ATOMIC_NAME.test(name)) return name;
  if (AS2_QUOTED_NAME.test(name)) return `"${name.replace(/["\\]/g, '\\$&')}"`;
  throw new GatewayError('GW_ERR_CONFIG_INVALID', `AS2 name ${JSON.stringify(name)} must be 1 to 128 printable ASCII characters`);
}

/** The AS2 identifier an AS2-From / AS2-To value carries, unquoted. */
export function parseAs2Name(value: string): string {
  const text = value.trim();
  return text.length >= 2 && text.startsWith('"') && text.endsWith('"') ? text.slice(1, -1).replace(/\\(["\\])/g, '$1') : text;
}

/** `<id@as2From>` as an RFC 5322 msg-id: characters of the AS2 name that a msg-id cannot carry become `_`. */
export function as2MessageId(id: string, as2From: string): string {
  return `<${id}@${as2From.replace(/[^A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]/g, '_')}>`;
}

/**
 * Decrypts an encrypted AS2 body with our keys and verifies the signed entity inside. Every way it can fail
 * (not for our keys, a key or content that does not decrypt, no signed entity inside, a signature that does
 * not verify) is one error with one text, so what the sender learns from our answer is not a padding oracle.
 * @throws GatewayError GW_ERR_DECRYPTION_FAILED
 */
function openEncrypted(der: Buffer, keys: readonly RecipientKey[], trusted: readonly X509Certificate[]): { entity: Buffer; signer: X509Certificate } {
  try {
    const inner = decryptSmime(der, keys);
    return verifySmime(inner.contentType, inner.body, trusted);
  } catch (err) {
    throw new GatewayError('GW_ERR_DECRYPTION_FAILED', 'the encrypted AS2 message could not be opened with our keys and verified', {}, { cause: err });
  }
}

/**
 * Opens an inbound AS2 message: checks its AS2 headers, decrypts it with our keys when it is S/MIME
 * enveloped data, verifies the S/MIME signature with the sender's pinned certificates (look the sender up
 * by AS2-From first), and only then reads the signed entity.
 * @throws GatewayError GW_ERR_MIME_MALFORMED for missing AS2 headers or broken MIME, GW_ERR_DECRYPTION_FAILED
 *   when it is encrypted and does not open with `keys` or verify (one text for every cause),
 *   GW_ERR_SIGNATURE_MISSING when it is not signed,
 *   GW_ERR_SIGNATURE_POLICY / GW_ERR_SIGNATURE_INVALID when the signature is refused.
 */
export function openAs2Message(headers: HttpHeaders, body: Buffer, trusted: readonly X509Certificate[], keys: readonly RecipientKey[] = []): As2Message {
  const required = (name: string): string => {
    const value = httpHeader(headers, name);
    if (!value) throw malformed(`the AS2 message has no ${name} header`);
    return value;
  };
  const as2From = parseAs2Name(required('AS2-From'));
  const as2To = parseAs2Name(required('AS2-To'));
  const messageId = required('Message-ID').trim();
  const contentType = required('Content-Type');
  const encrypted = isEnvelopedType(contentType);
  // Some AS2 software sends the encrypted DER base64-encoded and says so in an HTTP header.
  const der = encrypted && /^\s*base64\s*$/i.test(httpHeader(headers, 'Content-Transfer-Encoding') ?? '') ? Buffer.from(body.toString('latin1'), 'base64') : body;
  const { entity, signer } = encrypted ? openEncrypted(der, keys, trusted) : verifySmime(contentType, body, trusted);
  const document = parseMimeEntity(entity);
  const disposition = headerValue(document.headers, 'content-disposition');
  const fileName = disposition === undefined ? undefined : parseParameterized(disposition).params.filename;
  const options = httpHeader(headers, 'disposition-notification-options') ?? '';
  return {
    content: decodeBody(document),
    contentType: headerValue(document.headers, 'content-type') ?? 'text/plain',
    ...(fileName === undefined ? {} : { fileName }),
    as2From,
    as2To,
    messageId,
    mic: computeMic(entity),
    signer,
    encrypted,
    signedReceiptRequested: /signed-receipt-protocol\s*=\s*(required|optional)\s*,\s*pkcs7-signature/i.test(options),
  };
}

function dispositionField(disposition: As2Disposition): string {
  if (disposition === 'processed') return `${MDN_MODE}; processed`;
  if ('type' in disposition) return `${MDN_MODE}; ${disposition.type}${disposition.modifier ? `/${disposition.modifier}: ${disposition.description ?? ''}` : ''}`;
  const modifier = disposition.kind === 'failure' ? 'failed/Failure' : `processed/${disposition.kind}`;
  return `${MDN_MODE}; ${modifier}: ${disposition.description}`;
}

/**
 * Builds a synchronous MDN (RFC 4130 §7.4, RFC 8098): a multipart/report with a text part and a
 * message/disposition-notification part, signed as multipart/signed when a signer is given.
 * @throws GatewayError GW_ERR_CONFIG_INVALID for an AS2 name that cannot be written, GW_ERR_MIME_MALFORMED for
 *   control characters in a field.
 */
export function buildAs2Mdn(options: As2MdnOptions): As2Mdn {
  const disposition = dispositionField(options.disposition);
  const fields: Array<[string, string]> = [
    ['Reporting-UA', 'customs-gateway'],
    ['Original-Recipient', `rfc822; ${options.as2From}`],
    ['Final-Recipient', `rfc822; ${options.as2From}`],
    ['Original-Message-ID', options.originalMessageId],
    ...(options.mic === undefined ? [] : [['Received-Content-MIC', options.mic] as [string, string]]),
    ['Disposition', disposition],
  ];
  const text = buildMimeEntity(
    [['Content-Type', 'text/plain; charset=utf-8'], ['Content-Transfer-Encoding', '8bit']],
    Buffer.from(`The AS2 message ${options.originalMessageId} sent to ${options.as2From} was received.\r\nDisposition: ${disposition}\r\n${options.explanation === undefined ? '' : `${options.explanation.replace(/[\r\n]+/g, ' ')}\r\n`}`, 'utf8'),
  );
  const notification = buildMimeEntity([['Content-Type', 'message/disposition-notification'], ['Content-Transfer-Encoding', '7bit']], buildMimeEntity(fields, Buffer.alloc(0)));
  const report = buildMultipart([text, notification]);
  const reportType = formatParameterized('multipart/report', { 'report-type': 'disposition-notification', boundary: report.boundary });
  const payload = options.signer ? signSmime(buildMimeEntity([['Content-Type', reportType]], report.body), options.signer) : { contentType: reportType, body: report.body };
  return {
    headers: {
      'AS2-Version': '1.2',
      'AS2-From': formatAs2Name(options.as2From),
      'AS2-To': formatAs2Name(options.as2To),
      'Message-ID': as2MessageId(randomUUID(), options.as2From),
      Date: new Date().toUTCString(),
      'MIME-Version': '1.0',
      'Content-Type': payload.contentType,
    },
    body: payload.body,
  };
}

/** The fields of a message/disposition-notification body: per-message and per-recipient groups, blank lines between. */
function notificationFields(bytes: Buffer): MimeHeader[] {
  const text = bytes.toString('utf8').replace(/\r?\n/g, '\r\n');
  return text
    .split(/(?:\r\n){2,}/)
    .map((group) => group.replace(/^(?:\r\n)+|(?:\r\n)+$/g, ''))
    .filter((group) => group !== '')
    .flatMap((group) => parseHeaderFields(group));
}

/** `processed`, `processed/error: description`, `failed/Failure: description` … after the action mode. */
function parseDisposition(field: string): Pick<As2Receipt, 'dispositionType' | 'modifier'> {
  const semicolon = field.indexOf(';');
  const match = /^([a-z-]+)(?:\s*\/\s*([a-z-]+)\s*(?::\s*([\s\S]*))?)?$/i.exec(field.slice(semicolon + 1).trim());
  if (semicolon < 0 || !match) return { dispositionType: '' };
  const [, type = '', kind, description] = match;
  return { dispositionType: type.toLowerCase(), ...(kind === undefined ? {} : { modifier: { kind: kind.toLowerCase(), description: (description ?? '').trim() } }) };
}

function micMatches(received: string, ours: string): boolean {
  const split = (mic: string): [string, string] => {
    const comma = mic.lastIndexOf(',');
    return comma < 0 ? ['', ''] : [mic.slice(0, comma).trim(), mic.slice(comma + 1).trim().toLowerCase()];
  };
  const [value, algorithm] = split(received);
  return value !== '' && value === split(ours)[0] && (algorithm === 'sha-256' || algorithm === 'sha256');
}

/** The multipart/report inside a multipart/signed MDN; its signature checked and the outcome written to the receipt. */
function signedReport(contentType: string, body: Buffer, trusted: readonly X509Certificate[], receipt: As2Receipt): { contentType: string; body: Buffer } {
  const { entity, signature } = readSmimeParts(contentType, body);
  try {
    verifyCmsSignedData(signature, trusted, entity);
    receipt.verified = true;
  } catch (err) {
    receipt.problems.push(`the MDN signature does not verify with a pinned certificate (${reasonOf(err)})`);
  }
  const report = parseMimeEntity(entity);
  return { contentType: headerValue(report.headers, 'content-type') ?? '', body: report.body };
}

/** Reads the disposition notification of a multipart/report into the receipt, checked against what we sent. */
function readReport(report: { contentType: string; body: Buffer }, expected: As2MdnExpectation, receipt: As2Receipt): void {
  const { value, params } = parseParameterized(report.contentType);
  if (value !== 'multipart/report' || params['report-type']?.toLowerCase() !== 'disposition-notification') {
    throw malformed(`${value || 'an untyped entity'} is not a multipart/report of a disposition notification`);
  }
  const part = splitMultipart(report.contentType, report.body)
    .map((bytes) => parseMimeEntity(bytes))
    .find((entity) => mediaType(headerValue(entity.headers, 'content-type')) === 'message/disposition-notification');
  if (!part) throw malformed('the report holds no message/disposition-notification part');
  const fields = notificationFields(decodeBody(part));
  receipt.originalMessageId = headerValue(fields, 'original-message-id');
  receipt.disposition = headerValue(fields, 'disposition') ?? '';
  receipt.receivedMic = headerValue(fields, 'received-content-mic');
  Object.assign(receipt, parseDisposition(receipt.disposition));
  receipt.micMatches = receipt.receivedMic !== undefined && micMatches(receipt.receivedMic, expected.mic);
  if (receipt.dispositionType === '') receipt.problems.push(`the Disposition ${JSON.stringify(receipt.disposition)} cannot be read`);
  if (receipt.originalMessageId !== expected.messageId) receipt.problems.push(`the MDN answers ${receipt.originalMessageId ?? 'no Original-Message-ID'}, not ${expected.messageId}`);
  const claimsSuccess = receipt.dispositionType === 'processed' && (receipt.modifier === undefined || receipt.modifier.kind === 'warning');
  if (claimsSuccess && !receipt.micMatches) {
    receipt.problems.push(receipt.receivedMic === undefined ? 'the MDN reports processed without a Received-Content-MIC' : `the Received-Content-MIC is not the MIC of what was sent (${expected.mic})`);
  }
}

/**
 * Reads the synchronous MDN that answered an AS2 message: multipart/signed around a multipart/report (its
 * signature verified with the partner's pinned certificates) or an unsigned multipart/report. Never throws: what
 * makes the receipt doubtful is listed in `problems`.
 * @returns the receipt, or undefined when the answer is no MDN (another media type)
 */
export function readAs2Mdn(headers: HttpHeaders, body: Buffer, expected: As2MdnExpectation): As2Receipt | undefined {
  const contentType = httpHeader(headers, 'content-type') ?? '';
  const type = mediaType(contentType);
  if (type !== 'multipart/signed' && type !== 'multipart/report') return undefined;
  const receipt: As2Receipt = { signed: type === 'multipart/signed', verified: false, disposition: '', dispositionType: '', micMatches: false, problems: [] };
  try {
    if (!receipt.signed) receipt.problems.push('the MDN is not signed, though a signed receipt was requested');
    readReport(receipt.signed ? signedReport(contentType, body, expected.trusted, receipt) : { contentType, body }, expected, receipt);
  } catch (err) {
    receipt.problems.push(`the MDN cannot be read (${reasonOf(err)})`);
  }
  return receipt;
}
