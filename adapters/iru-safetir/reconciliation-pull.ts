// The WSRQ pull made durable: IRU marks requests exchanged when it returns them, so each answer is kept before it is read and an odd record is quarantined, never dropped.
import { GatewayError, type PartnerRouteDeps } from '../../src/partners/kit.js';
import { fetchReconciliationAnswer, readReconciliationAnswer, WSRQ_SEALED_FIELDS, type OddRequestRecord, type ReconciliationRequest } from './reconciliation-messages.js';
import { openIruText, sealedFieldsOf } from './rts-classic-call.js';

/** Adapter records holding every WSRQ answer as it came (key: its status). */
export const PULL_KIND = 'reconciliation-pull';
/** Adapter records holding RequestRecords that could not be read as requests (key: the carnet number, when there is one). */
export const QUARANTINE_KIND = 'reconciliation-quarantine';

/** One WSRQ answer as kept: the sealed fields first, then the opened text, then what was read from it. */
export interface StoredPull {
  pullId: string;
  receivedAt: string;
  /** `received` kept unopened; `read` opened and read; `unreadable` it does not open (kept for a person, e.g. during a key rollover). */
  status: 'received' | 'read' | 'unreadable';
  sealed: { messageTag: string; eSessionKey: string; payload: string };
  /** The opened document, UTF-16 decoded. */
  document?: string;
  /** What is wrong with the answer as a whole. */
  problems: string[];
  /** The requests read from it, by id. */
  requestIds: string[];
  /** How many records went to quarantine. */
  quarantined: number;
}

/** A quarantined RequestRecord, for a person to read (and, if it is a request, to answer with IRU by other means). */
export interface QuarantinedRecord extends OddRequestRecord {
  pullId: string;
  receivedAt: string;
}

/** What one pull brought. */
export interface PulledRequests {
  pullId: string;
  requests: ReconciliationRequest[];
  quarantined: number;
  /** Why the answer could not be opened or read, when it could not. */
  unreadable?: string;
}

/**
 * Pulls IRU's new requests: stores the WSRQ answer's sealed fields before anything else, then the
 * opened text, then reads it record by record, quarantining each record that is not a readable request.
 * An answer that does not open or read stays stored as `unreadable` (nothing IRU returned is lost).
 * @throws GatewayError only when the WSRQ call itself fails (IRU then has handed nothing out).
 */
export async function pullRequests(deps: Pick<PartnerRouteDeps, 'send' | 'context' | 'records'>, now: Date): Promise<PulledRequests> {
  const { messageId: pullId, answer } = await fetchReconciliationAnswer(deps, now);
  const pull: StoredPull = { pullId, receivedAt: now.toISOString(), status: 'received', sealed: sealedFieldsOf(answer, WSRQ_SEALED_FIELDS), problems: [], requestIds: [], quarantined: 0 };
  const keep = (): Promise<void> => deps.records.put(PULL_KIND, pullId, pull.status, pull, Date.now());
  await keep();
  let read;
  try {
    pull.document = openIruText(pull.sealed, deps.context());
    await keep();
    read = readReconciliationAnswer(pull.document);
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    pull.status = 'unreadable';
    pull.problems.push(err.message);
    await keep();
    return { pullId, requests: [], quarantined: 0, unreadable: err.message };
  }
  for (const odd of read.odd) {
    const quarantined: QuarantinedRecord = { ...odd, pullId, receivedAt: pull.receivedAt };
    await deps.records.put(QUARANTINE_KIND, `${pullId}#${odd.position}`, (odd.attributes.TNO ?? '').toUpperCase(), quarantined, Date.now());
  }
  Object.assign(pull, { status: 'read', problems: read.problems, requestIds: read.requests.map((r) => r.requestId), quarantined: read.odd.length });
  await keep();
  return { pullId, requests: read.requests, quarantined: read.odd.length };
}
