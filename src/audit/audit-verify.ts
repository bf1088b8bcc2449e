// Recomputes the audit trail's hash chain and checks its signed checkpoints: names the first event changed, removed, or cut off.
import type { X509Certificate } from 'node:crypto';
import type { AuditCheckpoint, AuditStore } from '../store/audit-store.js';
import { checkpointSigned } from './audit-checkpoint.js';
import { auditHash, GENESIS_HASH } from './audit-hash.js';

/** One thing wrong with the trail, at the first event it concerns. */
export interface AuditProblem {
  seq: number;
  problem: string;
}

/** What `gateway audit verify` found. */
export interface AuditVerification {
  ok: boolean;
  /** Events read. */
  events: number;
  /** The last event read. */
  last: { seq: number; hash: string };
  /** Checkpoints checked: the store's, and those published outside it that it no longer holds. */
  checkpoints: number;
  /** Every problem, the first broken or missing event first. */
  problems: AuditProblem[];
}

const PAGE = 5_000;

const identity = (c: AuditCheckpoint): string => `${c.seq}|${c.hash}|${c.at}|${c.signature}`;

/**
 * Reads the whole trail in order and checks that positions are consecutive, each event chains to the
 * previous one, and each hash is that of its content; then that every checkpoint is signed by
 * `certificate` and matches the event at its position (a checkpoint beyond the last event means the
 * newest events were cut off), and that the store's head row, read first, agrees. Checkpoints
 * `published` outside the store count too: one the store no longer holds is a problem of its own, and
 * still names the events cut off with it.
 */
export async function verifyAuditTrail(store: AuditStore, certificate: X509Certificate, published: readonly AuditCheckpoint[] = []): Promise<AuditVerification> {
  const problems: AuditProblem[] = [];
  // The head first: events a running gateway appends while the trail is read lie beyond it and are left for the next run.
  const head = await store.auditHead();
  const stored = await store.auditCheckpoints();
  const held = new Set(stored.map(identity));
  const gone = published.filter((c) => !held.has(identity(c)));
  for (const c of gone) problems.push({ seq: c.seq, problem: `the checkpoint of event ${c.seq} signed at ${new Date(c.at).toISOString()}, published outside the database, is gone from it` });
  const checkpoints = [...stored, ...gone];
  const wanted = new Set(checkpoints.map((c) => c.seq));
  const hashAt = new Map<number, string>();
  let last = { seq: 0, hash: GENESIS_HASH };
  let events = 0;
  for (;;) {
    const page = await store.auditEvents(last.seq, PAGE);
    const upToHead = page.filter((e) => e.seq <= head.seq);
    for (const e of upToHead) {
      if (e.seq !== last.seq + 1) problems.push({ seq: last.seq + 1, problem: `events ${last.seq + 1}${e.seq - 1 > last.seq + 1 ? `–${e.seq - 1}` : ''} are missing (the next event is ${e.seq})` });
      else if (e.prevHash !== last.hash) problems.push({ seq: last.seq, problem: `event ${e.seq} does not chain to event ${last.seq}: event ${last.seq} was altered and rehashed, or event ${e.seq}'s link was altered` });
      if (auditHash(e.prevHash, e.seq, e.at, e.actor, e.action, e.subject, e.detail) !== e.hash) problems.push({ seq: e.seq, problem: `event ${e.seq} was altered: its content does not give its hash` });
      if (wanted.has(e.seq)) hashAt.set(e.seq, e.hash);
      last = { seq: e.seq, hash: e.hash };
      events += 1;
    }
    if (page.length < PAGE || upToHead.length < page.length) break;
  }
  for (const c of checkpoints) {
    const signedAt = new Date(c.at).toISOString();
    if (!checkpointSigned(c, certificate)) problems.push({ seq: c.seq, problem: `the checkpoint of event ${c.seq} (${signedAt}) is not signed by the gateway certificate` });
    else if (c.seq > last.seq) problems.push({ seq: last.seq + 1, problem: `events ${last.seq + 1}–${c.seq} are missing: the checkpoint signed at ${signedAt} covers ${c.seq} events, the trail ends at ${last.seq}` });
    else if (hashAt.get(c.seq) !== c.hash) problems.push({ seq: c.seq, problem: `event ${c.seq} is not the one the checkpoint signed at ${signedAt} covers` });
  }
  if (head.seq > last.seq) problems.push({ seq: last.seq + 1, problem: `events ${last.seq + 1}–${head.seq} are missing: the trail's head says ${head.seq} events were written` });
  else if (head.seq !== last.seq || head.hash !== last.hash) problems.push({ seq: head.seq, problem: `the trail's head (event ${head.seq}) is not its last event (${last.seq})` });
  problems.sort((a, b) => a.seq - b.seq);
  return { ok: problems.length === 0, events, last, checkpoints: checkpoints.length, problems };
}
