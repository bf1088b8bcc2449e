// What every store decides the same way about acknowledgements: stage order, the effect of one pushed, what a message awaits, and the words of reasons.
import { ACKNOWLEDGEMENT_STAGES, type Acknowledgement, type AcknowledgementPlan, type AcknowledgementStage } from '../partners/partner-definition.js';
import type { AcknowledgementRecord, AwaitedAcknowledgement, MessageStatus } from './message-store.js';

/** One stage of a message's acknowledgement plan. */
export type PlanStage = AcknowledgementPlan['stages'][number];

/** What a store keeps of the acknowledgement a delivered message waits for. */
export interface WatchRow {
  /** The plan's stages, JSON text. */
  stages: string;
  repeatsAllowed: number;
  repeats: number;
  awaiting: AcknowledgementStage | null;
  dueAt: number | null;
}

/** The stage's place in the order received < accepted < answered. */
export function rank(stage: AcknowledgementStage): number {
  return ACKNOWLEDGEMENT_STAGES.indexOf(stage);
}

/** The first stage of the plan after `reached` (-1: none reached), or undefined when the plan is done. */
export function nextStage(stages: readonly PlanStage[], reached: number): PlanStage | undefined {
  return stages.find((s) => rank(s.stage) > reached);
}

/** What the acknowledgements of the current send cycle reached: the highest stage (-1: none) and the refusal among them, if any. */
export function reachedBy<R extends Pick<AcknowledgementRecord, 'stage' | 'effect'>>(cycle: readonly R[]): { rank: number; refusal: R | undefined } {
  // A request to send the message again reached nothing: the stage it named is awaited anew.
  const reaching = cycle.filter((r) => r.effect !== 'resent');
  return { rank: Math.max(-1, ...reaching.map((r) => rank(r.stage))), refusal: cycle.find((r) => r.effect === 'failed') };
}

/** The stage that completes a message's plan (its last one); `answered` for a message without a plan. */
export function finalStage(watch: Pick<WatchRow, 'stages'> | undefined): AcknowledgementStage {
  const stages = watch ? (JSON.parse(watch.stages) as PlanStage[]) : [];
  return stages.at(-1)?.stage ?? 'answered';
}

/**
 * What a pushed acknowledgement does to a message in `status` whose cycle reached `reached`: after
 * the message ended (refused, given up, handed to a person) or its plan was complete (its `final`
 * stage reached) it only informs (`late`), as does a stage already reached; a refusal `failed`s it; a
 * request for the message again has it `resent`; else it `advanced`s it.
 */
export function effectOf(ack: Acknowledgement, reached: { rank: number; refusal: unknown }, status: MessageStatus | undefined, final: AcknowledgementStage = 'answered'): AcknowledgementRecord['effect'] {
  const ended = reached.refusal !== undefined || reached.rank >= rank(final) || (status !== 'pending' && status !== 'delivered');
  if (ended) return 'late';
  if (ack.rejected) return 'failed';
  if (ack.resend) return 'resent';
  return rank(ack.stage) <= reached.rank ? 'late' : 'advanced';
}

/** The acknowledgement a watch waits for, or undefined when it waits for none. */
export function awaitedOf(watch: WatchRow): AwaitedAcknowledgement | undefined {
  if (watch.awaiting === null || watch.dueAt === null) return undefined;
  const stage = (JSON.parse(watch.stages) as PlanStage[]).find((s) => s.stage === watch.awaiting);
  return { stage: watch.awaiting, name: stage?.name ?? watch.awaiting, dueAt: watch.dueAt, repeats: watch.repeats, repeatsAllowed: watch.repeatsAllowed };
}

/** Why a refusal ended a message, in words. */
export function refusalReason(ack: { stage: AcknowledgementStage; code?: string | null; text?: string | null }): string {
  const what = ack.stage === 'answered' ? 'the partner answered with a refusal' : 'the partner signalled an error';
  return `${what}${ack.code ? ` (${ack.code})` : ''}${ack.text ? `: ${ack.text}` : ''}`;
}

/** The diagnostic detail of a received acknowledgement. */
export function receivedDetail(ack: Acknowledgement, partnerMessageId: string): string {
  return `${ack.stage}${ack.rejected ? ' (refusal)' : ''}${ack.code ? ` ${ack.code}` : ''} as ${partnerMessageId}`;
}

/** What an overdue acknowledgement leads to: the words of its lateness, and the transition with its reason. */
export function overdueOutcome(watch: WatchRow, awaited: AwaitedAcknowledgement): { late: string; repeat: boolean; reason: string } {
  const stage = (JSON.parse(watch.stages) as PlanStage[]).find((s) => s.stage === awaited.stage);
  const late = `no ${awaited.name} within ${Math.round((stage?.withinMs ?? 0) / 100) / 10} s`;
  if (awaited.repeats < awaited.repeatsAllowed) return { late, repeat: true, reason: `${late}: sent again (repeat ${awaited.repeats + 1} of ${awaited.repeatsAllowed})` };
  return { late, repeat: false, reason: `${late} after ${awaited.repeatsAllowed} repeat(s) as the transaction allows: a person must look` };
}

/**
 * What a partner's request for the message again leads to: sent again while the plan's repeats remain
 * (a message delivered without a plan may not be repeated), else a person must look; with the reason.
 */
export function resendOutcome(watch: WatchRow | undefined, ack: Acknowledgement): { repeat: boolean; reason: string } {
  const asked = `the partner asked for the message again${ack.code ? ` (${ack.code})` : ''}${ack.text ? `: ${ack.text}` : ''}`;
  const allowed = watch?.repeatsAllowed ?? 0;
  const repeats = watch?.repeats ?? 0;
  if (repeats < allowed) return { repeat: true, reason: `${asked}; sent again (repeat ${repeats + 1} of ${allowed})` };
  return { repeat: false, reason: `${asked}, after ${repeats} repeat(s) of the ${allowed} the transaction allows: a person must look` };
}

/** The reasons of settling a queued repeat when the partner refused, or completed the plan, meanwhile. */
export function settledRepeatReason(ack: Acknowledgement, effect: AcknowledgementRecord['effect']): string {
  if (effect === 'failed') return `${refusalReason(ack)}; the queued repeat is dropped`;
  const what = ack.stage === 'answered' ? 'answered' : `acknowledged (${ack.stage})`;
  return `${what} while a repeat was queued${ack.code ? ` (${ack.code})` : ''}; the repeat is dropped`;
}
