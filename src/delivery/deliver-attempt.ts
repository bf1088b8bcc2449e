// One delivery attempt: build the partner's request, send it, let the partner definition judge it, log it, schedule what follows.
import type { Logger } from 'pino';
import type { AttemptResult, Outcome, PartnerDefinition, TransportContext } from '../partners/partner-definition.js';
import type { ClaimedMessage, MessageStore, Transition } from '../store/message-store.js';
import type { HttpSender } from '../transport/http-sender.js';
import { nextRetryDelayMs } from './retry-schedule.js';

/** What an attempt needs from the running gateway. */
export interface AttemptDeps {
  store: MessageStore;
  /** Sends requests to partners. */
  http: HttpSender;
  /** Base URL of the partner's endpoint. */
  partnerUrl(partner: string): string;
  /** Keys and certificates for the partner's transport. */
  transportContext(partner: string): TransportContext;
  /** Multiplier of retry delays. */
  retryDelayScale: number;
  logger: Logger;
  /** Called after every attempt, for metrics. */
  observe?(partner: string, outcome: Outcome['verdict'], durationMs: number, transition: Transition['status']): void;
  now?(): number;
}

/** The outcome of an attempt as the worker needs it. */
export interface AttemptSummary {
  outcome: Outcome;
  transition: Transition;
  /** False when another worker had taken the message over (lease expired); nothing was recorded. */
  recorded: boolean;
}

function decide(outcome: Outcome, partner: PartnerDefinition, attempt: number, now: number, scale: number): Transition {
  const why = outcome.partnerCode ? `${outcome.reason} (partner code ${outcome.partnerCode})` : outcome.reason;
  if (outcome.verdict !== 'retry') return { status: outcome.verdict, reason: why };
  const delay = nextRetryDelayMs(partner.retry, attempt, scale);
  if (delay === undefined) return { status: 'dead-lettered', reason: `all ${partner.retry.maxAttempts} attempts used; last: ${why}` };
  return { status: 'pending', nextAttemptAt: now + delay, reason: `attempt ${attempt} failed (${why}); retry ${attempt + 1} in ${delay} ms` };
}

async function attemptResult(partner: PartnerDefinition, message: ClaimedMessage, attempt: number, deps: AttemptDeps, context: TransportContext): Promise<AttemptResult> {
  const request = partner.transport.buildRequest({ id: message.id, messageType: message.messageType, payload: message.payload, attempt }, context);
  return deps.http.send(deps.partnerUrl(partner.id), request, partner.transport.timeoutMs);
}

/**
 * Runs one attempt of a leased message and records it with its transition in one store
 * transaction. A request that cannot even be built (a key problem) or an answer the definition
 * cannot judge is `needs-human`: a person must look, retrying would not help.
 */
export async function deliverAttempt(partner: PartnerDefinition, message: ClaimedMessage, owner: string, deps: AttemptDeps): Promise<AttemptSummary> {
  const now = deps.now ?? Date.now;
  const attempt = message.attempts + 1;
  const startedAt = now();
  const log = deps.logger.child({ messageId: message.id, partner: partner.id, attempt });
  let result: AttemptResult | undefined;
  let outcome: Outcome;
  try {
    const context = deps.transportContext(partner.id);
    result = await attemptResult(partner, message, attempt, deps, context);
    outcome = partner.classify(result, context);
  } catch (err) {
    outcome = { verdict: 'needs-human', reason: `the attempt could not be made or judged: ${(err as Error).message}` };
  }
  const finishedAt = now();
  const transition = decide(outcome, partner, attempt, finishedAt, deps.retryDelayScale);
  const recorded = await deps.store.completeAttempt(
    message.id,
    owner,
    {
      number: attempt,
      startedAt,
      durationMs: Math.round(result?.durationMs ?? finishedAt - startedAt),
      outcome: outcome.verdict,
      httpStatus: result?.kind === 'response' ? result.status : null,
      partnerCode: outcome.partnerCode ?? null,
      error: outcome.verdict === 'delivered' ? null : outcome.reason,
    },
    transition,
    finishedAt,
  );
  deps.observe?.(partner.id, outcome.verdict, result?.durationMs ?? finishedAt - startedAt, transition.status);
  const level = transition.status === 'delivered' || transition.status === 'pending' ? 'info' : 'warn';
  log[recorded ? level : 'warn']({ verdict: outcome.verdict, status: transition.status, partnerCode: outcome.partnerCode, recorded }, transition.reason);
  return { outcome, transition, recorded };
}
