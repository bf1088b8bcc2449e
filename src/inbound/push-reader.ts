// Reading a push: strict verification, the adapter's envelope and the sender check, then the inbound mapping to a validated CAIS record.
import type { X509Certificate } from 'node:crypto';
import type { XmlContent } from '../codec/document-tree.js';
import { GatewayError } from '../errors.js';
import type { InboundEnvelope, InboundRequest } from '../partners/partner-definition.js';
import type { CaisRecord } from '../records/record-types.js';
import type { RecordValidator } from '../records/record-validator.js';
import { verifyCmsSignedData } from '../security/cms-signed-data.js';
import type { Verifier } from '../security/xml-verifier.js';
import { checkAs2Names, isAs2Push, openAs2Push, type As2Facts } from './as2-push.js';
import { fingerprintOf, type InboundDirectory, type InboundPartner } from './inbound-directory.js';
import { reasonOf, Refusal } from './refusal.js';

/** An inbound mapping as reading uses it (mapping files with `direction: in`). */
export interface InboundMappingUse {
  readonly id: string;
  readonly version: number;
  readonly sha256: string;
  /** The candidate record, not yet validated. */
  apply(document: XmlContent, now?: Date): Promise<unknown>;
  businessKeys(record: CaisRecord): Promise<Record<string, string>>;
}

/** A push to read: its partner (from the path), its bytes and request, and when it arrived (epoch ms). */
export interface PushToRead {
  partner: string;
  body: Buffer;
  request: InboundRequest;
  receivedAt: number;
}

/** A partial envelope an adapter attached to its refusal: plain text fields only, and a reply context of text values. */
function isEnvelope(value: unknown): value is Partial<InboundEnvelope> {
  const isText = (v: unknown): boolean => typeof v === 'string';
  return typeof value === 'object' && value !== null && Object.entries(value).every(([key, v]) => isText(v) || (key === 'replyContext' && typeof v === 'object' && v !== null && Object.values(v).every(isText)));
}

/**
 * What reading found: the envelope, the signer and the record, or why the push is refused (plain data: it
 * may cross threads); with what the MDN needs when the push is an AS2 message that could be opened.
 */
export type PushReading = (
  | {
      ok: true;
      /** An acknowledgement of one of our messages (`envelope.acknowledges`): nothing to map. */
      kind: 'acknowledgement';
      envelope: InboundEnvelope;
      /** SHA-256 fingerprint of the pinned certificate whose key verified the signature. */
      signer: string;
    }
  | {
      ok: true;
      kind: 'document';
      envelope: InboundEnvelope;
      /** SHA-256 fingerprint of the pinned certificate whose key verified the signature. */
      signer: string;
      mapping: { id: string; version: number; sha256: string };
      /** The validated record: its type, id and version, and the record as JSON text (what is logged and handed to CAIS). */
      record: { type: string; recordId: string; version: number; json: string };
      businessKeys: Record<string, string>;
    }
  | {
      ok: false;
      code: string;
      reason: string;
      /** What was read of the envelope before the refusal. */
      envelope?: Partial<InboundEnvelope>;
      /** `mapping`: the envelope was read (so the push may repeat an accepted one); `document`: it was not. */
      stage: 'document' | 'mapping';
      /** An unexpected failure's own message, for the log only (never for the partner). */
      internal?: string;
    }
) & { as2?: As2Facts };

/** Reads pushes; never throws: every failure is a refusal. */
export interface PushReader {
  read(push: PushToRead): Promise<PushReading>;
  /** Stops the threads it runs, if any; idempotent. */
  close(): Promise<void>;
}

/** What reading needs. */
export interface PushReaderParts {
  directory: InboundDirectory;
  verifier: Verifier;
  mappings: { routeInbound(partner: string, message: string, document: XmlContent): Promise<InboundMappingUse | undefined> };
  records: RecordValidator;
}

/** A push's media type, lower case, without parameters. */
export function mediaTypeOf(request: InboundRequest): string {
  return (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** Reads on the calling thread. */
export function createPushReader({ directory, verifier, mappings, records }: PushReaderParts): PushReader {
  /** The signing partner when the document does not verify with the addressed partner's keys (its signature where the addressed partner's sits). */
  function signedByAnother(body: Buffer, partner: InboundPartner): string | undefined {
    for (const other of directory.configured) {
      if (other === partner.id) continue;
      try {
        verifier.verify(body, other, partner.placement);
        return other;
      } catch {
        // not this one either
      }
    }
    return undefined;
  }

  /** Verifies with the addressed partner's pinned keys; only the signed content is read afterwards. */
  function verified(partner: InboundPartner, body: Buffer): { document: XmlContent; signer: string } {
    let signed;
    try {
      signed = verifier.read(body, partner.id);
    } catch (err) {
      if (err instanceof GatewayError && err.code === 'GW_ERR_SIGNATURE_INVALID') {
        const other = signedByAnother(body, partner);
        if (other) throw new Refusal('GW_ERR_INBOUND_SIGNER_MISMATCH', `the document is signed with a key pinned for partner ${other}, not ${partner.id}`);
      }
      throw err;
    }
    const signer = partner.signingKeys.find((k) => k.key === signed.key)?.fingerprint ?? '';
    return { document: signed.content, signer };
  }

  /** The adapter's reading of verified content: its envelope checked (type, sender), its document tree, and the signing certificate's fingerprint. */
  function readVerified(partner: InboundPartner, signer: X509Certificate, read: () => { envelope: InboundEnvelope; document: XmlContent }): { document: XmlContent; signer: string; envelope: InboundEnvelope } {
    let content: { envelope: InboundEnvelope; document: XmlContent } | undefined;
    const envelope = envelopeOf(partner, () => (content = read()).envelope);
    return { document: content!.document, signer: fingerprintOf(signer), envelope };
  }

  /** A push in CMS SignedData (the adapter's `cms` media types): verified with the addressed partner's pinned certificates, its content read by the adapter. */
  function verifiedCms(partner: InboundPartner, cms: NonNullable<InboundPartner['spec']['cms']>, body: Buffer, request: InboundRequest): { document: XmlContent; signer: string; envelope: InboundEnvelope } {
    const { content, signer } = verifyCmsSignedData(body, directory.signingCertificates(partner.id));
    return readVerified(partner, signer, () => cms.read(content, request, partner.context));
  }

  /** A push as an AS2 message (the adapter's `as2`): its S/MIME signature verified with the addressed partner's pinned certificates, its AS2 names checked, its document read by the adapter. */
  function verifiedAs2(partner: InboundPartner, as2: NonNullable<InboundPartner['spec']['as2']>, body: Buffer, request: InboundRequest, opened: (facts: As2Facts) => void): { document: XmlContent; signer: string; envelope: InboundEnvelope } {
    const { document: signed, facts, signer, encrypted } = openAs2Push(request, body, directory.signingCertificates(partner.id), [partner.context.identity, ...partner.context.retiredIdentities]);
    opened(facts);
    checkAs2Names(facts, partner.context);
    if (!encrypted && as2.requiresEncryption?.(partner.context)) throw new Refusal('GW_ERR_INBOUND_NOT_ENCRYPTED', `partner ${partner.id}'s agreement requires its AS2 messages encrypted; this one came signed only`);
    return readVerified(partner, signer, () => as2.read(signed, request, partner.context));
  }

  function envelopeOf(partner: InboundPartner, readEnvelope: () => InboundEnvelope): InboundEnvelope {
    let envelope: InboundEnvelope;
    try {
      envelope = readEnvelope();
    } catch (err) {
      // What the adapter read before it refused (detail `envelope`) goes with the refusal, so its receipt can name the document.
      if (err instanceof GatewayError) throw isEnvelope(err.detail.envelope) ? new Refusal(err.code, reasonOf(err), err.detail.envelope) : err;
      throw new Refusal('GW_ERR_INBOUND_UNREADABLE', `the envelope could not be read: ${(err as Error).message}`);
    }
    if (!Object.hasOwn(partner.spec.messages, envelope.messageType)) {
      throw new Refusal('GW_ERR_INBOUND_MESSAGE_UNKNOWN', `partner ${partner.id} pushes no "${envelope.messageType}" (known: ${Object.keys(partner.spec.messages).join(', ')})`, envelope);
    }
    if (envelope.sender !== partner.sender) {
      throw new Refusal('GW_ERR_INBOUND_SENDER_MISMATCH', `the document declares sender "${envelope.sender}", not "${partner.sender}" (partner ${partner.id})`, envelope);
    }
    return envelope;
  }

  async function recordOf(partner: InboundPartner, envelope: InboundEnvelope, document: XmlContent, receivedAt: Date) {
    const mapping = await mappings.routeInbound(partner.id, envelope.messageType, document);
    if (!mapping) throw new Refusal('GW_ERR_INBOUND_UNMAPPED', `no inbound mapping of ${partner.id} ${envelope.messageType} applies to the document`, envelope);
    const candidate = await mapping.apply(document, receivedAt);
    const checked = records.validate(candidate);
    if (!checked.ok) {
      const violations = checked.violations.map((v) => `${v.pointer || '/'} ${v.message}`).join('; ');
      throw new Refusal('GW_ERR_INBOUND_RECORD_INVALID', `mapping ${mapping.id} made a record that is not valid: ${violations}`, envelope);
    }
    const { record } = checked;
    return {
      mapping: { id: mapping.id, version: mapping.version, sha256: mapping.sha256 },
      record: { type: record.type, recordId: record.recordId, version: record.version, json: JSON.stringify(record) },
      businessKeys: await mapping.businessKeys(record),
    };
  }

  const refusal = (err: unknown, stage: 'document' | 'mapping', envelope?: Partial<InboundEnvelope>): PushReading => {
    if (err instanceof Refusal) return { ok: false, code: err.code, reason: err.reason, stage, ...(err.envelope ? { envelope: err.envelope } : {}) };
    if (err instanceof GatewayError) return { ok: false, code: err.code, reason: reasonOf(err), stage, ...(envelope ? { envelope } : {}) };
    return { ok: false, code: 'GW_ERR_INTERNAL', reason: 'the push could not be processed', stage, internal: (err as Error).message, ...(envelope ? { envelope } : {}) };
  };

  return {
    async read({ partner: id, body, request, receivedAt }) {
      const partner = directory.get(id);
      if (!partner) return { ok: false, code: 'GW_ERR_PARTNER_UNKNOWN', reason: `no partner "${id}" pushes to this gateway`, stage: 'document' };
      let document: XmlContent;
      let signer: string;
      let envelope: InboundEnvelope;
      let as2: As2Facts | undefined;
      const withAs2 = (reading: PushReading): PushReading => (as2 ? { ...reading, as2 } : reading);
      try {
        const cms = partner.spec.cms;
        const spec = partner.spec;
        if (isAs2Push(spec, request)) {
          ({ document, signer, envelope } = verifiedAs2(partner, spec.as2, body, request, (facts) => (as2 = facts)));
        } else if (cms?.mediaTypes.includes(mediaTypeOf(request))) {
          ({ document, signer, envelope } = verifiedCms(partner, cms, body, request));
        } else {
          ({ document, signer } = verified(partner, body));
          const signed = document;
          envelope = envelopeOf(partner, () => partner.spec.read(signed, request, partner.context));
        }
      } catch (err) {
        return withAs2(refusal(err, 'document'));
      }
      if (envelope.acknowledges) return withAs2({ ok: true, kind: 'acknowledgement', envelope, signer });
      try {
        return withAs2({ ok: true, kind: 'document', envelope, signer, ...(await recordOf(partner, envelope, document, new Date(receivedAt))) });
      } catch (err) {
        return withAs2(refusal(err, 'mapping', envelope));
      }
    },
    close: async () => undefined,
  };
}
