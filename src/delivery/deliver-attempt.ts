// One delivery attempt of one message or a batch: build the partner's request, send it, let the partner judge it, log each message, schedule what follows.
import type { Logger } from 'pino';
import type { AcknowledgementPlan, AttemptResult, OutboundMessage, Outcome, PartnerContext, TransportRequest } from '../partners/partner-definition.js';
import type { Partner } from '../partners/partner-registry.js';
import type { PartnerRuntime } from '../partners/partner-runtime.js';
import type { ClaimedMessage, MessageStore, Transition } from '../store/message-store.js';
import { nextRetryDelayMs } from './retry-schedule.js';
import { acrossStoreOutage, type OutageOptions } from '../store/store-outage.js';

/** What an attempt needs from the running gateway. */
export interface AttemptDeps {
  store: MessageStore;
  /** The partners' contexts and transports. */
  runtime: PartnerRuntime;
  /** Multiplier of retry delays. */
  retryDelayScale: number;
  /** Multiplier of the times an acknowledgement plan allows (default the retry scale). */
  transactionTimeScale?: number;
  logger: Logger;
  /** Called after every attempt, for metrics. */
  observe?(partner: string, outcome: Outcome['verdict'], durationMs: number, transition: Transition['status']): void;
  now?(): number;
  /** How long recording an attempt rides out an outage of the log (default: not at all). */
  storeOutage?: Pick<OutageOptions, 'stop' | 'withinMs'>;
  /** Called for each message recorded delivered, with the partner's answer (the partner's `delivered` hook); never throws. */
  afterDelivery?(partner: string, message: OutboundMessage, result: AttemptResult): Promise<void>;
}

/** The outcome of an attempt as the worker needs it. */
export interface AttemptSummary {
  outcome: Outcome;
  transition: Transition;
  /** False when another worker had taken the message over (lease expired); nothing was recorded. */
  recorded: boolean;
}

/** What a partner awaits after taking a message (its plan, timers scaled like retry delays), or undefined. */
function awaitedAfter(partner: Partner, message: ClaimedMessage, context: PartnerContext | undefined, scale: number): AcknowledgementPlan | undefined {
  const plan = context && partner.acknowledgementPlan?.({ messageType: message.messageType }, context);
  if (!plan || plan.stages.length === 0) return undefined;
  return { repeats: plan.repeats, stages: plan.stages.map((s) => ({ ...s, withinMs: Math.max(1, Math.round(s.withinMs * scale)) })) };
}

function decide(outcome: Outcome, partner: Partner, attempt: number, retryBase: number, now: number, scale: number, awaiting?: AcknowledgementPlan): Transition {
  const why = outcome.partnerCode ? `${outcome.reason} (partner code ${outcome.partnerCode})` : outcome.reason;
  if (outcome.verdict === 'delivered') return awaiting ? { status: 'delivered', reason: `${why}; awaiting ${awaiting.stages.map((s) => s.name).join(', then ')}`, awaiting } : { status: 'delivered', reason: why };
  if (outcome.verdict !== 'retry') return { status: outcome.verdict, reason: why };
  const delay = nextRetryDelayMs(partner.retry, attempt - retryBase, scale);
  if (delay === undefined) return { status: 'dead-lettered', reason: `all ${partner.retry.maxAttempts} attempts used; last: ${why}` };
  return { status: 'pending', nextAttemptAt: now + delay, reason: `attempt ${attempt} failed (${why}); retry ${attempt + 1} in ${delay} ms` };
}

/** Whether the instance's profile sends this message type (a spec without `profiles` is every profile's). */
function ofProfile(partner: Partner, messageType: string): boolean {
  const profiles = partner.messages[messageType]?.profiles;
  return profiles === undefined || profiles.includes(partner.profile);
}

/** A claimed message as an adapter sees it for this attempt. */
export function outbound(message: ClaimedMessage): OutboundMessage {
  return { id: message.id, messageType: message.messageType, payload: message.payload, attempt: message.attempts + 1 };
}

/** One request for the messages: the partner's batch request when several travel together (or a batch id is given). */
function buildRequest(partner: Partner, messages: readonly ClaimedMessage[], batchId: string | undefined, context: PartnerContext): TransportRequest {
  const [first] = messages;
  if (batchId === undefined && messages.length === 1 && first) return partner.transport.buildRequest(outbound(first), context);
  const batch = partner.transport.batch;
  if (!batch || batchId === undefined) throw new Error(`partner ${partner.id} does not take several messages in one request`);
  return batch.buildBatchRequest(messages.map(outbound), batchId, context);
}

/**
 * Runs one attempt of leased messages (one, or a batch sharing one request) and records each with
 * its own transition in its own store transaction. A request that cannot even be built (a key
 * problem) or an answer the definition cannot judge is `needs-human`: a person must look, retrying
 * would not help.
 */
export async function deliverAttempt(
  partner: Partner,
  messages: readonly ClaimedMessage[],
  owner: string,
  deps: AttemptDeps,
  batchId?: string,
): Promise<AttemptSummary[]> {
  const now = deps.now ?? Date.now;
  const startedAt = now();
  let result: AttemptResult | undefined;
  let outcome: Outcome;
  let context: PartnerContext | undefined;
  try {
    context = deps.runtime.context(partner.id);
    const foreign = messages.find((m) => !ofProfile(partner, m.messageType));
    // A message made before the instance changed profile would go by the wrong protocol: a person decides.
    if (foreign) throw new Error(`message type ${foreign.messageType} belongs to profile ${(partner.messages[foreign.messageType]?.profiles ?? []).join(', ')}, the instance is on profile ${partner.profile}`);
    result = await deps.runtime.send(partner.id, buildRequest(partner, messages, batchId, context));
    outcome = partner.classify(result, context);
  } catch (err) {
    outcome = { verdict: 'needs-human', reason: `the attempt could not be made or judged: ${(err as Error).message}` };
  }
  const finishedAt = now();
  const durationMs = result?.durationMs ?? finishedAt - startedAt;
  const summaries: AttemptSummary[] = [];
  for (const message of messages) {
    const attempt = message.attempts + 1;
    let transition: Transition;
    try {
      const awaiting = outcome.verdict === 'delivered' ? awaitedAfter(partner, message, context, deps.transactionTimeScale ?? deps.retryDelayScale) : undefined;
      transition = decide(outcome, partner, attempt, message.retryBase, finishedAt, deps.retryDelayScale, awaiting);
    } catch (err) {
      // The partner has the message: sending it again would not help, a person must look at the adapter.
      transition = { status: 'needs-human', reason: `the partner took the message, but what to await from it could not be worked out: ${(err as Error).message}` };
    }
    const record = (): Promise<boolean> => deps.store.completeAttempt(
      message.id,
      owner,
      {
        number: attempt,
        startedAt,
        durationMs: Math.round(durationMs),
        outcome: outcome.verdict,
        httpStatus: result?.kind === 'response' ? result.status : null,
        partnerCode: outcome.partnerCode ?? null,
        error: outcome.verdict === 'delivered' ? null : outcome.reason,
        ...(batchId === undefined ? {} : { batchId }),
        ...(result?.kind === 'error' && result.error === 'timeout' ? { timedOut: true } : {}),
        ...(outcome.businessKeys ? { businessKeys: outcome.businessKeys } : {}),
      },
      transition,
      finishedAt,
    );
    // The partner has the message: losing its record to a short outage of the log would mean sending it again.
    const recorded = await acrossStoreOutage(record, deps.storeOutage ?? { stop: () => true, withinMs: 0 });
    deps.observe?.(partner.id, outcome.verdict, durationMs, transition.status);
    const level = transition.status === 'delivered' || transition.status === 'pending' ? 'info' : 'warn';
    deps.logger[recorded ? level : 'warn'](
      { messageId: message.id, partner: partner.id, attempt, ...(batchId === undefined ? {} : { batchId }), verdict: outcome.verdict, status: transition.status, partnerCode: outcome.partnerCode, recorded },
      transition.reason,
    );
    if (recorded && transition.status === 'delivered' && result && deps.afterDelivery) await deps.afterDelivery(partner.id, outbound(message), result);
    summaries.push({ outcome, transition, recorded });
  }
  return summaries;
}
