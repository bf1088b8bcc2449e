// The WSRQ pull made durable: IRU marks requests exchanged when it returns them, so each answer is kept before it is read, an odd record is quarantined, and an answer is done with only once its requests are saved.
import { childText, GatewayError, type PartnerRouteDeps } from '../../src/partners/kit.js';
import { fetchReconciliationAnswer, readReconciliationAnswer, WSRQ_SEALED_FIELDS, type OddRequestRecord, type ReconciliationRequest } from './reconciliation-messages.js';
import { IRU_NS, openIruText, sealedFieldsOf } from './rts-classic-call.js';

/** Adapter records holding every WSRQ answer as it came (key: its status). */
export const PULL_KIND = 'reconciliation-pull';
/** Adapter records holding RequestRecords that could not be read as requests (key: the carnet number, when there is one). */
export const QUARANTINE_KIND = 'reconciliation-quarantine';
/** Adapter record keeping the run of 1200 answers to WSRQ (reconciliation-schedule.ts); any answer IRU gives resets it. */
export const PULL_HEALTH = { kind: 'reconciliation-schedule', id: 'wsrq' } as const;

/** What the deps of a pull must offer. */
type PullDeps = Pick<PartnerRouteDeps, 'send' | 'context' | 'records'>;

/** One WSRQ answer as kept: the sealed fields first, then the opened text, then what was read from it. */
export interface StoredPull {
  pullId: string;
  receivedAt: string;
  /**
   * `received` kept, its requests not all saved yet (read again on the next pull, e.g. after a crash);
   * `unreadable` it does not open or read (tried again on each pull: a retired key may open it);
   * `taken` its requests are saved as reconciliation cases.
   */
  status: 'received' | 'unreadable' | 'taken';
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

/** What reading a kept answer gave. */
export type ReadPull = { ok: true; requests: ReconciliationRequest[]; quarantined: number } | { ok: false; problem: string };

async function keep(deps: PullDeps, pull: StoredPull): Promise<void> {
  await deps.records.put(PULL_KIND, pull.pullId, pull.status, pull, Date.now());
}

/**
 * Calls WSRQ and keeps IRU's answer, sealed, before anything else is done with it. An answer naming
 * another Sender_MessageID is kept too, with that noted: IRU has stamped its requests all the same.
 * Any answer resets the schedule's count of 1200s.
 * @throws GatewayError only when the WSRQ call itself fails (IRU then has handed nothing out).
 */
export async function fetchAndKeep(deps: PullDeps, now: Date): Promise<StoredPull> {
  const { messageId: pullId, answer } = await fetchReconciliationAnswer(deps, now);
  const echoed = childText(answer, IRU_NS, 'Sender_MessageID')?.trim();
  const problems = echoed && echoed !== pullId ? [`the answer names Sender_MessageID "${echoed}", not "${pullId}"`] : [];
  const pull: StoredPull = { pullId, receivedAt: now.toISOString(), status: 'received', sealed: sealedFieldsOf(answer, WSRQ_SEALED_FIELDS), problems, requestIds: [], quarantined: 0 };
  await keep(deps, pull);
  if (await deps.records.get(PULL_HEALTH.kind, PULL_HEALTH.id)) await deps.records.put(PULL_HEALTH.kind, PULL_HEALTH.id, '', { unclassified: 0 }, Date.now());
  return pull;
}

/** Kept answers not taken yet, oldest first: earlier ones a crash interrupted, and unreadable ones. */
export async function untakenPulls(deps: PullDeps): Promise<StoredPull[]> {
  const found = [...(await deps.records.list(PULL_KIND, 'received')), ...(await deps.records.list(PULL_KIND, 'unreadable'))].map((r) => r.value as StoredPull);
  return found.sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
}

/**
 * Opens and reads a kept answer record by record: its text is kept, each record that is not a readable
 * request goes to quarantine, and the requests are returned for saving; an answer that does not open
 * or read is marked `unreadable`, kept sealed.
 */
export async function readKept(deps: PullDeps, pull: StoredPull): Promise<ReadPull> {
  let read;
  try {
    pull.document ??= openIruText(pull.sealed, deps.context());
    read = readReconciliationAnswer(pull.document);
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    const problem = err.message;
    await keep(deps, { ...pull, status: 'unreadable', problems: [...pull.problems.filter((p) => p !== problem), problem] });
    return { ok: false, problem };
  }
  for (const odd of read.odd) {
    const quarantined: QuarantinedRecord = { ...odd, pullId: pull.pullId, receivedAt: pull.receivedAt };
    await deps.records.put(QUARANTINE_KIND, `${pull.pullId}#${odd.position}`, (odd.attributes.TNO ?? '').toUpperCase(), quarantined, Date.now());
  }
  await keep(deps, { ...pull, status: 'received', problems: [...new Set([...pull.problems, ...read.problems])], requestIds: read.requests.map((r) => r.requestId), quarantined: read.odd.length });
  return { ok: true, requests: read.requests, quarantined: read.odd.length };
}

/** Marks a kept answer done with: every request read from it is saved as a case. */
export async function markTaken(deps: PullDeps, pullId: string): Promise<void> {
  const pull = (await deps.records.get(PULL_KIND, pullId)) as StoredPull | undefined;
  if (pull) await keep(deps, { ...pull, status: 'taken' });
}
