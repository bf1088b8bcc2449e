// Acknowledgements on PostgreSQL: recorded, advancing or failing their message, and acted on when overdue; each step inside the caller's transaction, its message row locked.
import type { Acknowledgement, AcknowledgementPlan, AcknowledgementStage } from '../partners/partner-definition.js';
import { awaitedOf, effectOf, finalStage, nextStage, overdueOutcome, rank, reachedBy, receivedDetail, refusalReason, resendOutcome, settledRepeatReason, type PlanStage, type WatchRow } from './acknowledgement-rules.js';
import type { AcknowledgeResult, AcknowledgementRecord, AwaitedAcknowledgement, IncomingAcknowledgement, MessageStatus, OverdueAcknowledgement } from './message-store.js';
import { recordDiagnostic } from './postgres-diagnostics.js';
import { REOPEN_MESSAGE_SQL } from './message-reopen.js';
import { numbered, type Sql } from './postgres-session.js';

const REOPEN = numbered(REOPEN_MESSAGE_SQL);

const ACK_COLUMNS = 'partner_message_id AS "partnerMessageId", stage, rejected, code, text, effect, received_at AS "receivedAt"';
const WATCH_COLUMNS = 'stages, repeats_allowed AS "repeatsAllowed", repeats, awaiting, due_at AS "dueAt"';

/** The message an acknowledgement concerns, its row locked until the transaction ends (so attempts and pushes for it take turns). */
async function lockMessage(sql: Sql, id: string): Promise<{ status: MessageStatus; partner: string; leaseUntil: number | null } | undefined> {
  const { rows } = await sql.query<{ status: MessageStatus; partner: string; leaseUntil: number | null }>(
    'SELECT status, partner, lease_until AS "leaseUntil" FROM messages WHERE id = $1 FOR UPDATE',
    [id],
  );
  return rows[0];
}

async function watchOf(sql: Sql, id: string): Promise<WatchRow | undefined> {
  return (await sql.query<WatchRow>(`SELECT ${WATCH_COLUMNS} FROM acknowledgement_watch WHERE message_id = $1`, [id])).rows[0];
}

async function setAwaiting(sql: Sql, id: string, stage: PlanStage | undefined, now: number): Promise<void> {
  await sql.query('UPDATE acknowledgement_watch SET awaiting = $1, due_at = $2, updated_at = $3 WHERE message_id = $4', [stage?.stage ?? null, stage ? now + stage.withinMs : null, now, id]);
}

async function change(sql: Sql, id: string, now: number, from: MessageStatus, to: MessageStatus, reason: string): Promise<void> {
  await sql.query('INSERT INTO status_changes (message_id, at, from_status, to_status, reason) VALUES ($1, $2, $3, $4, $5)', [id, now, from, to, reason]);
}

async function setStatus(sql: Sql, id: string, status: MessageStatus, now: number): Promise<void> {
  await sql.query('UPDATE messages SET status = $1, next_attempt_at = NULL, updated_at = $2 WHERE id = $3', [status, now, id]);
}

/** What the acknowledgements of the message's current send cycle reached. */
async function reached(sql: Sql, id: string): Promise<ReturnType<typeof reachedBy<AcknowledgementRecord>>> {
  const { rows } = await sql.query<AcknowledgementRecord>(
    `SELECT ${ACK_COLUMNS} FROM acknowledgements WHERE message_id = $1
       AND received_at >= COALESCE((SELECT cycle_since FROM acknowledgement_watch WHERE message_id = $1), 0)
     ORDER BY received_at, id`,
    [id],
  );
  return reachedBy(rows);
}

/**
 * A delivered message starts (or restarts) waiting per its plan, from the stages already
 * acknowledged; returns the refusal that ends it instead, when one came meanwhile.
 */
export async function startWatch(sql: Sql, id: string, plan: AcknowledgementPlan, now: number): Promise<{ failed: string } | undefined> {
  const { rank: got, refusal } = await reached(sql, id);
  const next = refusal ? undefined : nextStage(plan.stages, got);
  await sql.query(
    `INSERT INTO acknowledgement_watch (message_id, stages, repeats_allowed, awaiting, due_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (message_id) DO UPDATE SET stages = EXCLUDED.stages, repeats_allowed = EXCLUDED.repeats_allowed,
       awaiting = EXCLUDED.awaiting, due_at = EXCLUDED.due_at, updated_at = EXCLUDED.updated_at`,
    [id, JSON.stringify(plan.stages), plan.repeats, next?.stage ?? null, next ? now + next.withinMs : null, now],
  );
  return refusal ? { failed: refusalReason(refusal) } : undefined;
}

/** A resend by a person starts a new send cycle: earlier acknowledgements and repeats no longer count. */
export async function restartWatch(sql: Sql, id: string, now: number): Promise<void> {
  await sql.query('UPDATE acknowledgement_watch SET repeats = 0, awaiting = NULL, due_at = NULL, cycle_since = $1, updated_at = $1 WHERE message_id = $2', [now, id]);
}

/** A queued repeat (the message pending, nobody sending it) is settled when the partner answers or refuses meanwhile. */
async function settleQueuedRepeat(sql: Sql, id: string, ack: Acknowledgement, effect: AcknowledgementRecord['effect'], final: AcknowledgementStage, leaseUntil: number | null, now: number): Promise<void> {
  if (leaseUntil !== null && leaseUntil > now) return;
  if (effect !== 'failed' && rank(ack.stage) < rank(final)) return;
  const to: MessageStatus = effect === 'failed' ? 'failed' : 'delivered';
  const settled = await sql.query("UPDATE messages SET status = $1, next_attempt_at = NULL, job_state = 'published', updated_at = $2 WHERE id = $3 AND status = 'pending'", [to, now, id]);
  if (settled.rowCount === 0) return;
  await setAwaiting(sql, id, undefined, now);
  await change(sql, id, now, 'pending', to, settledRepeatReason(ack, effect));
}

/** What an earlier push of the same partner message id answers a new one: its receipt again (same bytes) or a conflict; undefined when there was none. */
async function priorPush(sql: Sql, incoming: IncomingAcknowledgement): Promise<AcknowledgeResult | undefined> {
  const { rows } = await sql.query<{ identity: string; status: number; headers: string; body: Buffer }>(
    `SELECT COALESCE(identity_sha256, payload_sha256) AS identity, receipt_status AS status, receipt_headers AS headers, receipt_body AS body
     FROM acknowledgements WHERE partner = $1 AND partner_message_id = $2`,
    [incoming.partner, incoming.partnerMessageId],
  );
  const prior = rows[0];
  if (prior === undefined) return undefined;
  if (prior.identity !== (incoming.identitySha256 ?? incoming.payloadSha256)) return { state: 'conflict' };
  return { state: 'duplicate', receipt: { status: prior.status, headers: JSON.parse(prior.headers) as Record<string, string>, body: prior.body } };
}

/** Records a pushed acknowledgement and moves its message on (see AcknowledgementStore.acknowledge). */
export async function acknowledge(sql: Sql, incoming: IncomingAcknowledgement, now: number): Promise<AcknowledgeResult> {
  const { acknowledgement: ack, messageId } = incoming;
  const message = await lockMessage(sql, messageId);
  const prior = await priorPush(sql, incoming);
  if (prior) return prior;
  const status = message?.status;
  const watch = await watchOf(sql, messageId);
  const final = finalStage(watch);
  const effect = effectOf(ack, await reached(sql, messageId), status, final);
  // The same partner message id pushed at once for another of our messages (whose row lock this one does not wait for): the unique key decides.
  const inserted = await sql.query(
    `INSERT INTO acknowledgements (message_id, partner, partner_message_id, stage, rejected, code, text, effect, payload, payload_sha256,
       receipt_status, receipt_headers, receipt_body, client_cert, signer_cert, received_at, identity_sha256)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
     ON CONFLICT (partner, partner_message_id) DO NOTHING`,
    [
      messageId,
      incoming.partner,
      incoming.partnerMessageId,
      ack.stage,
      ack.rejected === true,
      ack.code ?? null,
      ack.text ?? null,
      effect,
      incoming.payload,
      incoming.payloadSha256,
      incoming.receipt.status,
      JSON.stringify(incoming.receipt.headers),
      incoming.receipt.body,
      incoming.clientCertificate,
      incoming.signerCertificate,
      now,
      incoming.identitySha256 ?? null,
    ],
  );
  if (inserted.rowCount === 0) return (await priorPush(sql, incoming)) ?? { state: 'conflict' };
  await recordDiagnostic(sql, { at: now, kind: 'received', partner: incoming.partner, messageId, inboundId: null, detail: receivedDetail(ack, incoming.partnerMessageId) });
  // A request for the message again while it is pending (a repeat queued or in flight) is honoured already.
  if (status === 'pending' && (effect === 'advanced' || effect === 'failed')) await settleQueuedRepeat(sql, messageId, ack, effect, final, message?.leaseUntil ?? null, now);
  // A message still pending (its delivery in flight, or a repeat queued) takes the acknowledgement into account when it is delivered.
  if (status !== 'delivered' || effect === 'late') return { state: 'recorded', effect };
  if (effect === 'failed') {
    await setAwaiting(sql, messageId, undefined, now);
    await setStatus(sql, messageId, 'failed', now);
    await change(sql, messageId, now, 'delivered', 'failed', refusalReason(ack));
    return { state: 'recorded', effect };
  }
  if (effect === 'resent') {
    await sendAgain(sql, messageId, resendOutcome(watch, ack), now);
    return { state: 'recorded', effect };
  }
  if (watch) await setAwaiting(sql, messageId, nextStage(JSON.parse(watch.stages) as PlanStage[], rank(ack.stage)), now);
  return { state: 'recorded', effect };
}

/** Overdue waits, oldest first. */
export async function overdueAcknowledgements(sql: Sql, now: number, limit: number): Promise<OverdueAcknowledgement[]> {
  const { rows } = await sql.query<{ messageId: string; partner: string } & WatchRow>(
    `SELECT w.message_id AS "messageId", m.partner, w.stages, w.repeats_allowed AS "repeatsAllowed", w.repeats, w.awaiting, w.due_at AS "dueAt"
     FROM acknowledgement_watch w JOIN messages m ON m.id = w.message_id
     WHERE w.due_at IS NOT NULL AND w.due_at <= $1 ORDER BY w.due_at LIMIT $2`,
    [now, limit],
  );
  return rows.flatMap(({ messageId, partner, ...watch }) => {
    const awaited = awaitedOf(watch);
    return awaited ? [{ messageId, partner, awaited }] : [];
  });
}

/** Sends an overdue message again while repeats remain, else hands it to a person; false when it is not overdue (any more). */
export async function repeatOverdue(sql: Sql, id: string, now: number): Promise<boolean> {
  const message = await lockMessage(sql, id);
  const watch = await watchOf(sql, id);
  const awaited = watch && awaitedOf(watch);
  if (!watch || !awaited || awaited.dueAt > now || message?.status !== 'delivered') return false;
  const outcome = overdueOutcome(watch, awaited);
  await recordDiagnostic(sql, { at: now, kind: 'delivery-timeout', partner: message.partner, messageId: id, inboundId: null, detail: outcome.late });
  await sendAgain(sql, id, outcome, now);
  return true;
}

/** A delivered message goes out again as a repeat of its plan, or to a person when none may follow. */
async function sendAgain(sql: Sql, id: string, outcome: { repeat: boolean; reason: string }, now: number): Promise<void> {
  if (outcome.repeat) {
    await sql.query('UPDATE acknowledgement_watch SET repeats = repeats + 1, awaiting = NULL, due_at = NULL, updated_at = $1 WHERE message_id = $2', [now, id]);
    await sql.query(REOPEN, [now, now, id]);
    await change(sql, id, now, 'delivered', 'pending', outcome.reason);
  } else {
    await setAwaiting(sql, id, undefined, now);
    await setStatus(sql, id, 'needs-human', now);
    await change(sql, id, now, 'delivered', 'needs-human', outcome.reason);
  }
}

/** What the message detail shows: its acknowledgements and what it awaits. */
export async function acknowledgementsOf(sql: Sql, id: string): Promise<{ acknowledgements: AcknowledgementRecord[]; awaiting: AwaitedAcknowledgement | null }> {
  const { rows } = await sql.query<AcknowledgementRecord>(`SELECT ${ACK_COLUMNS} FROM acknowledgements WHERE message_id = $1 ORDER BY received_at, id`, [id]);
  const watch = await watchOf(sql, id);
  return { acknowledgements: rows, awaiting: (watch && awaitedOf(watch)) ?? null };
}
