// The simulated gateway's sync services: the temporary file service (uploads give file identifiers) and one agency's permit registry answering look-ups.
import { randomUUID } from 'node:crypto';
import { childElement, childElements, childText, type XmlContent } from '../../../src/partners/kit.js';
import { TEMP_FILES_NS } from '../outbound-request.js';
import { PERMIT_CHECK_NS } from '../permit-check.js';

/** A permit, certificate or licence the simulated agency issued (seeded by tests). */
export interface SeededPermit {
  documentKind: 'permit' | 'certificate' | 'licence';
  documentNumber: string;
  /** The agency's own status; VALID is valid if it covers the goods. */
  status: 'VALID' | 'EXPIRED' | 'REVOKED' | 'SUSPENDED';
  holder: string;
  validUntil: string;
  /** HS code prefixes the document covers. */
  covers: string[];
}

/** A file the temporary file service holds. */
export interface StoredFile {
  fileIdentifier: string;
  fileName: string;
  mimeType: string;
  bytes: Buffer;
}

/** What a sync service made of a request: its answer's `data`, or the agency's refusal. */
export type SyncOutcome = { data: XmlContent } | { invalid: string };

/** The temporary file service: stores an upload and names it. */
export function uploadFile(data: XmlContent, files: Map<string, StoredFile>): SyncOutcome {
  const request = childElement(data, TEMP_FILES_NS, 'TempStorageRequest');
  const text = (name: string): string => (request && childText(request, '', name)?.trim()) ?? '';
  if (!request || text('action') !== 'UPLOAD' || !text('fileName') || !text('content')) return { invalid: 'TempStorageRequest needs action UPLOAD, fileName and content' };
  const file: StoredFile = { fileIdentifier: randomUUID(), fileName: text('fileName'), mimeType: text('mimeType') || 'application/octet-stream', bytes: Buffer.from(text('content'), 'base64') };
  files.set(file.fileIdentifier, file);
  return { data: { 'tmp:TempStorageResponse': { '@xmlns:tmp': TEMP_FILES_NS, fileIdentifier: file.fileIdentifier } } };
}

/** The agency's look-up: is the document valid for every HS code asked about. */
export function checkPermit(data: XmlContent, permits: ReadonlyMap<string, SeededPermit>, today: string): SyncOutcome {
  const request = childElement(data, PERMIT_CHECK_NS, 'PermitCheckRequest');
  if (!request) return { invalid: 'no PermitCheckRequest' };
  const number = childText(request, '', 'documentNumber')?.trim() ?? '';
  const kind = childText(request, '', 'documentKind')?.trim() ?? '';
  const hsCodes = childElements(request, '', 'hsCode').map((e) => String(e['#text'] ?? '').trim());
  const permit = permits.get(number);
  const answer = (valid: boolean, status: string, reason?: string): SyncOutcome => ({
    data: {
      'pc:PermitCheckResponse': {
        '@xmlns:pc': PERMIT_CHECK_NS,
        valid: String(valid),
        status,
        ...(permit ? { holder: permit.holder, validUntil: permit.validUntil } : {}),
        ...(reason ? { reason } : {}),
      },
    },
  });
  if (!permit || permit.documentKind !== kind) return answer(false, 'NOT_FOUND', `no ${kind} ${number} in the registry`);
  if (permit.status !== 'VALID') return answer(false, permit.status, `the ${kind} is ${permit.status.toLowerCase()}`);
  if (permit.validUntil < today) return answer(false, 'EXPIRED', `valid until ${permit.validUntil}`);
  const uncovered = hsCodes.filter((code) => !permit.covers.some((prefix) => code.startsWith(prefix)));
  if (uncovered.length > 0) return answer(false, 'GOODS_NOT_COVERED', `does not cover ${uncovered.join(', ')}`);
  return answer(true, 'VALID');
}
