// Re-verifies a logged document's own signature on demand, for auditors: enveloped XMLDSig (root, SOAP header or WS-Security) or CMS SignedData.
import type { X509Certificate } from 'node:crypto';
import { GatewayError } from '../errors.js';
import { verifyCmsSignedData } from '../security/cms-signed-data.js';
import { createXmlVerifier, type SignatureLocation } from '../security/xml-verifier.js';

/** What a re-verification found. */
export interface SignatureRecheck {
  /**
   * `valid`: a signature of one of the certificates covers the document; `invalid`: a signature is there
   * and fails; `unsigned`: the document carries none of its own; `unverifiable`: no certificate to check with.
   */
  result: 'valid' | 'invalid' | 'unsigned' | 'unverifiable';
  /** The kind of signature looked at: `xmldsig (root)`, `xmldsig (soap-header)`, `xmldsig (ws-security)`, `cms`. */
  kind: string | null;
  /** The reason, in words (the GW_ERR_* code first when it failed). */
  detail: string;
}

const PLACEMENTS: readonly SignatureLocation[] = ['root', 'soap-header', 'ws-security'];

/** Fixed name the verifier's key lookup is asked for: the certificates given are the only ones trusted. */
const SUBJECT = 'recheck';

function rejection(err: unknown): string {
  return err instanceof GatewayError ? `${err.code}: ${err.message.replace(/^GW_ERR_\w+: /, '')}` : String(err);
}

/**
 * Verifies `bytes` again with `certificates` only (ours for the partner, for what we sent; the partner's
 * pinned ones, for what it sent). XML is valid when a signature at one of the placements the gateway
 * uses verifies, else its failure is reported (a broken signature before a misplaced one); DER
 * (leading SEQUENCE) as CMS SignedData; anything else is reported unsigned in itself (an AS2
 * interchange is signed by its MIME envelope, which the log does not keep as the payload).
 */
export function recheckSignature(bytes: Buffer, certificates: readonly X509Certificate[]): SignatureRecheck {
  if (certificates.length === 0) return { result: 'unverifiable', kind: null, detail: 'no certificate is configured for this partner and direction: nothing to check the signature with' };
  if (bytes[0] === 0x30) {
    try {
      const { signer } = verifyCmsSignedData(bytes, certificates);
      return { result: 'valid', kind: 'cms', detail: `signed by ${signer.subject.replaceAll('\n', ', ')}` };
    } catch (err) {
      return { result: 'invalid', kind: 'cms', detail: rejection(err) };
    }
  }
  if (!bytes.subarray(0, 256).toString('utf8').trimStart().startsWith('<')) return { result: 'unsigned', kind: null, detail: 'not an XML or CMS document: it carries no signature of its own' };
  const verifier = createXmlVerifier(() => certificates.map((c) => c.publicKey), undefined, () => 'root', () => certificates);
  // A signature found where one placement looks fails that placement's check; the others fail on policy (not where they look).
  let failure: SignatureRecheck | undefined;
  for (const placement of PLACEMENTS) {
    try {
      const signed = verifier.verify(bytes, SUBJECT, placement);
      return { result: 'valid', kind: `xmldsig (${placement})`, detail: `signature method ${signed.signatureMethod}` };
    } catch (err) {
      if (err instanceof GatewayError && err.code === 'GW_ERR_SIGNATURE_MISSING') continue;
      const found: SignatureRecheck = { result: 'invalid', kind: `xmldsig (${placement})`, detail: rejection(err) };
      if (failure === undefined || (err instanceof GatewayError && err.code === 'GW_ERR_SIGNATURE_INVALID')) failure = found;
    }
  }
  if (failure) return failure;
  return { result: 'unsigned', kind: null, detail: 'no XML signature at the root, in a SOAP header or in WS-Security' };
}
