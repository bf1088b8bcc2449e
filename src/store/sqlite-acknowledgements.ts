// Acknowledgements partners push for our messages, and the one each delivered message awaits: recorded, advanced, and acted on when overdue.
import type Database from 'better-sqlite3';
import type { Acknowledgement, AcknowledgementPlan, AcknowledgementStage } from '../partners/partner-definition.js';
import { awaitedOf, effectOf, finalStage, nextStage, overdueOutcome, rank, reachedBy, receivedDetail, refusalReason, resendOutcome, settledRepeatReason, type PlanStage, type WatchRow } from './acknowledgement-rules.js';
import type { AcknowledgeResult, AcknowledgementRecord, AwaitedAcknowledgement, IncomingAcknowledgement, MessageStatus, OverdueAcknowledgement } from './message-store.js';
import type { DiagnosticLog } from './sqlite-diagnostics.js';
import { REOPEN_MESSAGE_SQL } from './message-reopen.js';

type Db = Database.Database;

interface AckRow extends Omit<AcknowledgementRecord, 'rejected'> {
  rejected: number;
}

/** The acknowledgement tables on one connection; every method runs inside the caller's transaction. */
export class AcknowledgementLog {
  private readonly s;

  constructor(
    db: Db,
    private readonly diagnostics: DiagnosticLog,
  ) {
    this.s = {
      byPartnerMessage: db.prepare<[string, string], { identity: string; status: number; headers: string; body: Buffer }>(
        `SELECT COALESCE(identity_sha256, payload_sha256) AS identity, receipt_status AS status, receipt_headers AS headers, receipt_body AS body
         FROM acknowledgements WHERE partner = ? AND partner_message_id = ?`,
      ),
      ofMessage: db.prepare<[string], AckRow>(
        `SELECT partner_message_id AS partnerMessageId, stage, rejected, code, text, effect, received_at AS receivedAt
         FROM acknowledgements WHERE message_id = ? ORDER BY received_at, id`,
      ),
      ofCycle: db.prepare<[string, string], AckRow>(
        `SELECT partner_message_id AS partnerMessageId, stage, rejected, code, text, effect, received_at AS receivedAt
         FROM acknowledgements WHERE message_id = ?
           AND received_at >= COALESCE((SELECT cycle_since FROM acknowledgement_watch WHERE message_id = ?), 0)
         ORDER BY received_at, id`,
      ),
      restart: db.prepare<[number, number, string]>('UPDATE acknowledgement_watch SET repeats = 0, awaiting = NULL, due_at = NULL, cycle_since = ?, updated_at = ? WHERE message_id = ?'),
      settle: db.prepare<[MessageStatus, number, string]>(
        "UPDATE messages SET status = ?, next_attempt_at = NULL, job_state = 'published', updated_at = ? WHERE id = ? AND status = 'pending'",
      ),
      insert: db.prepare<[Record<string, string | number | Buffer | null>]>(
        `INSERT INTO acknowledgements (message_id, partner, partner_message_id, stage, rejected, code, text, effect, payload, payload_sha256,
           identity_sha256, receipt_status, receipt_headers, receipt_body, client_cert, signer_cert, received_at)
         VALUES (@messageId, @partner, @partnerMessageId, @stage, @rejected, @code, @text, @effect, @payload, @payloadSha256,
           @identitySha256, @receiptStatus, @receiptHeaders, @receiptBody, @clientCertificate, @signerCertificate, @now)`,
      ),
      watch: db.prepare<[string], WatchRow>(
        'SELECT stages, repeats_allowed AS repeatsAllowed, repeats, awaiting, due_at AS dueAt FROM acknowledgement_watch WHERE message_id = ?',
      ),
      startWatch: db.prepare<[string, string, number, string | null, number | null, number]>(
        `INSERT INTO acknowledgement_watch (message_id, stages, repeats_allowed, awaiting, due_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (message_id) DO UPDATE SET stages = excluded.stages, repeats_allowed = excluded.repeats_allowed,
           awaiting = excluded.awaiting, due_at = excluded.due_at, updated_at = excluded.updated_at`,
      ),
      setAwaiting: db.prepare<[string | null, number | null, number, string]>('UPDATE acknowledgement_watch SET awaiting = ?, due_at = ?, updated_at = ? WHERE message_id = ?'),
      countRepeat: db.prepare<[number, string]>('UPDATE acknowledgement_watch SET repeats = repeats + 1, awaiting = NULL, due_at = NULL, updated_at = ? WHERE message_id = ?'),
      overdue: db.prepare<[number, number], { messageId: string; partner: string } & WatchRow>(
        `SELECT w.message_id AS messageId, m.partner, w.stages, w.repeats_allowed AS repeatsAllowed, w.repeats, w.awaiting, w.due_at AS dueAt
         FROM acknowledgement_watch w JOIN messages m ON m.id = w.message_id
         WHERE w.due_at IS NOT NULL AND w.due_at <= ? ORDER BY w.due_at LIMIT ?`,
      ),
      message: db.prepare<[string], { status: MessageStatus; partner: string; leaseUntil: number | null }>(
        'SELECT status, partner, lease_until AS leaseUntil FROM messages WHERE id = ?',
      ),
      setStatus: db.prepare<[MessageStatus, number, string]>('UPDATE messages SET status = ?, next_attempt_at = NULL, updated_at = ? WHERE id = ?'),
      reopen: db.prepare<[number, number, string]>(REOPEN_MESSAGE_SQL),
      change: db.prepare<[string, number, MessageStatus, MessageStatus, string]>(
        'INSERT INTO status_changes (message_id, at, from_status, to_status, reason) VALUES (?, ?, ?, ?, ?)',
      ),
    };
  }

  /** The highest stage acknowledged in the current send cycle (-1: none), and the refusal among them, if any. */
  private reached(messageId: string): { rank: number; refusal: AckRow | undefined } {
    return reachedBy(this.s.ofCycle.all(messageId, messageId));
  }

  /**
   * A delivered message starts (or, after a repeat, restarts) waiting per its plan, from the stages
   * already acknowledged (a partner's signal may overtake our record of the delivery). Returns the
   * refusal that ends it instead, when one came meanwhile.
   */
  start(messageId: string, plan: AcknowledgementPlan, now: number): { failed: string } | undefined {
    const { rank: reached, refusal } = this.reached(messageId);
    const next = refusal ? undefined : nextStage(plan.stages, reached);
    this.s.startWatch.run(messageId, JSON.stringify(plan.stages), plan.repeats, next?.stage ?? null, next ? now + next.withinMs : null, now);
    return refusal ? { failed: refusalReason(refusal) } : undefined;
  }

  /** Records a pushed acknowledgement and moves its message on (see MessageStore.acknowledge). */
  acknowledge(incoming: IncomingAcknowledgement, now: number): AcknowledgeResult {
    const prior = this.s.byPartnerMessage.get(incoming.partner, incoming.partnerMessageId);
    if (prior) {
      if (prior.identity !== (incoming.identitySha256 ?? incoming.payloadSha256)) return { state: 'conflict' };
      return { state: 'duplicate', receipt: { status: prior.status, headers: JSON.parse(prior.headers) as Record<string, string>, body: prior.body } };
    }
    const { acknowledgement: ack, messageId } = incoming;
    const status = this.s.message.get(messageId)?.status;
    const reached = this.reached(messageId);
    const watch = this.s.watch.get(messageId);
    const final = finalStage(watch);
    this.diagnostics.record({ at: now, kind: 'received', partner: incoming.partner, messageId, inboundId: null, detail: receivedDetail(ack, incoming.partnerMessageId) });
    const effect = effectOf(ack, reached, status, final);
    this.s.insert.run({
      messageId,
      partner: incoming.partner,
      partnerMessageId: incoming.partnerMessageId,
      stage: ack.stage,
      rejected: ack.rejected ? 1 : 0,
      code: ack.code ?? null,
      text: ack.text ?? null,
      effect,
      payload: incoming.payload,
      payloadSha256: incoming.payloadSha256,
      identitySha256: incoming.identitySha256 ?? null,
      receiptStatus: incoming.receipt.status,
      receiptHeaders: JSON.stringify(incoming.receipt.headers),
      receiptBody: incoming.receipt.body,
      clientCertificate: incoming.clientCertificate,
      signerCertificate: incoming.signerCertificate,
      now,
    });
    // A request for the message again while it is pending (a repeat queued or in flight) is honoured already.
    if (status === 'pending' && (effect === 'advanced' || effect === 'failed')) this.settleQueuedRepeat(messageId, ack, effect, final, now);
    // A message still pending (its delivery in flight, or a repeat queued) takes the acknowledgement into account when it is delivered.
    if (status !== 'delivered' || effect === 'late') return { state: 'recorded', effect };
    if (effect === 'failed') {
      this.s.setAwaiting.run(null, null, now, messageId);
      this.s.setStatus.run('failed', now, messageId);
      this.s.change.run(messageId, now, 'delivered', 'failed', refusalReason(ack));
      return { state: 'recorded', effect };
    }
    if (effect === 'resent') {
      this.sendAgain(messageId, resendOutcome(watch, ack), now);
      return { state: 'recorded', effect };
    }
    if (watch) {
      const next = nextStage(JSON.parse(watch.stages) as PlanStage[], rank(ack.stage));
      this.s.setAwaiting.run(next?.stage ?? null, next ? now + next.withinMs : null, now, messageId);
    }
    return { state: 'recorded', effect };
  }

  /**
   * A repeat is queued (the message pending, nobody sending it) and the partner completes the plan (its
   * final stage) or refuses meanwhile: the transaction is settled and the repeat dropped. A message in flight is left to its
   * attempt, whose record takes the acknowledgement into account.
   */
  private settleQueuedRepeat(messageId: string, ack: Acknowledgement, effect: AcknowledgementRecord['effect'], final: AcknowledgementStage, now: number): void {
    const leaseUntil = this.s.message.get(messageId)?.leaseUntil;
    if (leaseUntil !== null && leaseUntil !== undefined && leaseUntil > now) return;
    if (effect === 'failed') {
      if (this.s.settle.run('failed', now, messageId).changes === 0) return;
      this.s.setAwaiting.run(null, null, now, messageId);
      this.s.change.run(messageId, now, 'pending', 'failed', settledRepeatReason(ack, effect));
    } else if (rank(ack.stage) >= rank(final)) {
      if (this.s.settle.run('delivered', now, messageId).changes === 0) return;
      this.s.setAwaiting.run(null, null, now, messageId);
      this.s.change.run(messageId, now, 'pending', 'delivered', settledRepeatReason(ack, effect));
    }
  }

  /** A resend by a person starts a new send cycle: earlier acknowledgements and repeats no longer count. */
  restart(messageId: string, now: number): void {
    this.s.restart.run(now, now, messageId);
  }

  /** Overdue waits, oldest first. */
  overdue(now: number, limit: number): OverdueAcknowledgement[] {
    return this.s.overdue.all(now, limit).flatMap(({ messageId, partner, ...watch }) => {
      const awaited = awaitedOf(watch);
      return awaited ? [{ messageId, partner, awaited }] : [];
    });
  }

  /** Sends an overdue message again while repeats remain, else hands it to a person; false when it is not overdue (any more). */
  repeatOverdue(messageId: string, now: number): boolean {
    const watch = this.s.watch.get(messageId);
    const awaited = watch && awaitedOf(watch);
    const message = this.s.message.get(messageId);
    if (!awaited || awaited.dueAt > now || message?.status !== 'delivered') return false;
    const outcome = overdueOutcome(watch, awaited);
    this.diagnostics.record({ at: now, kind: 'delivery-timeout', partner: message.partner, messageId, inboundId: null, detail: outcome.late });
    this.sendAgain(messageId, outcome, now);
    return true;
  }

  /** A delivered message goes out again as a repeat of its plan, or to a person when none may follow. */
  private sendAgain(messageId: string, outcome: { repeat: boolean; reason: string }, now: number): void {
    if (outcome.repeat) {
      this.s.countRepeat.run(now, messageId);
      this.s.reopen.run(now, now, messageId);
      this.s.change.run(messageId, now, 'delivered', 'pending', outcome.reason);
    } else {
      this.s.setAwaiting.run(null, null, now, messageId);
      this.s.setStatus.run('needs-human', now, messageId);
      this.s.change.run(messageId, now, 'delivered', 'needs-human', outcome.reason);
    }
  }

  /** What the message detail shows: its acknowledgements and what it awaits. */
  detailOf(messageId: string): { acknowledgements: AcknowledgementRecord[]; awaiting: AwaitedAcknowledgement | null } {
    const watch = this.s.watch.get(messageId);
    return {
      acknowledgements: this.s.ofMessage.all(messageId).map((row) => ({ ...row, rejected: row.rejected === 1 })),
      awaiting: (watch && awaitedOf(watch)) ?? null,
    };
  }
}

