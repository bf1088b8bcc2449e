// Evidence exports: a ZIP of the exact bytes sent and received, the log's account and audit trail of each message, and a manifest of SHA-256 digests the gateway signs.
import { createHash } from 'node:crypto';
import { buildCmsSignedData } from '../security/cms-signed-data.js';
import type { SigningCapability } from '../security/key-capabilities.js';
import type { AuditEvent } from './audit-hash.js';
import { zipArchive, type ZipEntry } from './zip-archive.js';

/** Most messages one export holds. */
export const EVIDENCE_CAP = 200;

/** What the log holds of one message for an export. */
export interface EvidenceMessage {
  id: string;
  /** The log's account of it: status, history, attempts, acknowledgements, lineage … (the API's detail). */
  detail: unknown;
  /** The exact bytes sent (outbound) or received (inbound), with the codec's extension. */
  payload: { bytes: Buffer; extension: string };
  /** The exact bytes of the partner documents that answered it. */
  answers: ReadonlyArray<{ id: string; bytes: Buffer }>;
  /** Its audit trail, the export's own event included. */
  audit: readonly AuditEvent[];
}

/** The manifest: what the archive holds and each file's digest. */
export interface EvidenceManifest {
  format: 'customs-gateway-evidence/1';
  createdAt: string;
  /** Who exported it. */
  actor: string;
  /** Why: the message asked for, or the search made. */
  scope: string;
  messages: string[];
  files: Array<{ path: string; size: number; sha256: string }>;
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

function json(value: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
}

/**
 * Builds the archive: `<id>/payload.<ext>`, `<id>/answers/<answer id>.xml`, `<id>/detail.json`,
 * `<id>/audit.json` per message; `gateway.cert.pem`; `manifest.json` listing every other file with its
 * size and SHA-256; and `manifest.json.p7s`, a detached CMS signature of the manifest by the gateway
 * key (`openssl cms -verify -binary -inform DER -in manifest.json.p7s -content manifest.json -CAfile <ca>`).
 */
export function buildEvidence(messages: readonly EvidenceMessage[], signer: SigningCapability, meta: { actor: string; scope: string; at: Date }): { zip: Buffer; manifest: EvidenceManifest } {
  const entries: ZipEntry[] = [];
  for (const m of messages) {
    entries.push({ path: `${m.id}/payload.${m.payload.extension}`, bytes: m.payload.bytes });
    for (const answer of m.answers) entries.push({ path: `${m.id}/answers/${answer.id}.xml`, bytes: answer.bytes });
    entries.push({ path: `${m.id}/detail.json`, bytes: json(m.detail) });
    entries.push({ path: `${m.id}/audit.json`, bytes: json(m.audit.map((e) => ({ ...e, at: new Date(e.at).toISOString() }))) });
  }
  entries.push({ path: 'gateway.cert.pem', bytes: Buffer.from(signer.certificate.toString(), 'utf8') });
  const manifest: EvidenceManifest = {
    format: 'customs-gateway-evidence/1',
    createdAt: meta.at.toISOString(),
    actor: meta.actor,
    scope: meta.scope,
    messages: messages.map((m) => m.id),
    files: entries.map((e) => ({ path: e.path, size: e.bytes.length, sha256: sha256(e.bytes) })),
  };
  const manifestBytes = json(manifest);
  entries.push({ path: 'manifest.json', bytes: manifestBytes });
  entries.push({ path: 'manifest.json.p7s', bytes: buildCmsSignedData(manifestBytes, signer, { detached: true, signingTime: meta.at }) });
  return { zip: zipArchive(entries, meta.at), manifest };
}
