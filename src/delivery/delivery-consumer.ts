// Runs the delivery attempts per partner: a RabbitMQ job's message claimed from the log, or a message the outbox taker leased; one attempt (alone or in a batch), acknowledged only after it is recorded.
import type { Logger } from 'pino';
import { nameBasedUuid } from '../codec/name-based-uuid.js';
import type { BatchSpec } from '../partners/partner-definition.js';
import type { Partner, PartnerRegistry } from '../partners/partner-registry.js';
import type { DeliveryJob, Queue } from '../queue/queue.js';
import type { ClaimedMessage, MessageStore } from '../store/message-store.js';
import { acrossStoreOutage } from '../store/store-outage.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { deliverAttempt, outbound, type AttemptDeps, type AttemptSummary } from './deliver-attempt.js';
import type { OutboxTaker } from './outbox-taker.js';

/** Where the consumer's work comes from: a broker's jobs (published by the relay, each claimed by id), or the outbox itself. */
export type DeliverySource = { queue: Queue } | { taker: OutboxTaker };

/** Messages waiting to travel together in one request. */
interface OpenBatch {
  messages: ClaimedMessage[];
  /** What the members weigh together, when the partner caps a request's size. */
  weight: number;
  /** Sends the batch now (size reached, wait over, or shutting down). */
  flush(): void;
  /** Settles when every message of the batch has its attempt recorded. */
  done: Promise<void>;
}

/**
 * What a message weighs towards the partner's request-size budget. One the adapter cannot weigh (its
 * payload is not one the partner's protocol carries) weighs the whole budget: it travels alone, and
 * building its request fails and is recorded like any other attempt that cannot be made.
 */
function weightOf(maxBytes: NonNullable<BatchSpec['maxBytes']>, message: ClaimedMessage): number {
  try {
    return maxBytes.weigh(outbound(message));
  } catch {
    return maxBytes.budget;
  }
}

/** Settings of the consumer. */
export interface ConsumerOptions {
  /** Identifies this process's leases. */
  owner: string;
  /** How long a claim on a message lasts; a crashed process's claims expire after it. */
  leaseMs: number;
}

/** Runs attempts for the jobs the queue hands out, or for the messages the outbox taker leases. */
export class DeliveryConsumer {
  private readonly breakers = new Map<string, CircuitBreaker>();
  private readonly inflight = new Set<Promise<void>>();
  private readonly openBatches = new Map<string, OpenBatch>();
  private closing = false;
  /** The attempt's dependencies; recording an attempt rides out an outage of the log for up to a lease. */
  private readonly attemptDeps: AttemptDeps;

  constructor(
    private readonly store: MessageStore,
    private readonly source: DeliverySource,
    private readonly partners: PartnerRegistry,
    private readonly deps: AttemptDeps,
    private readonly options: ConsumerOptions,
    /** Told when an attempt scheduled a retry, so the relay publishes its job (the embedded takers find it when it is due). */
    private readonly retryScheduled: () => void,
    private readonly logger: Logger,
  ) {
    this.attemptDeps = { ...deps, storeOutage: deps.storeOutage ?? { stop: () => this.closing, withinMs: options.leaseMs } };
  }

  /** Starts one consumer per partner, each with the partner's concurrency limit. */
  async start(): Promise<void> {
    for (const partner of this.partners.partners) {
      const { id, transport } = partner;
      if ('queue' in this.source) await this.source.queue.consume(id, transport.concurrency, (job) => this.track(this.handle(job)));
      else {
        const breaker = this.breaker(id);
        this.source.taker.start({ id, concurrency: transport.concurrency, breaker, attempt: (message) => this.track(this.guarded(breaker, () => this.deliverClaimed(message, breaker))) });
      }
    }
  }

  /**
   * Stops waiting on open circuits and sends open batches now. With a queue, the queue's close() then
   * waits for the handlers in flight; with the outbox taker, this stops taking and waits for them.
   */
  async close(): Promise<void> {
    this.closing = true;
    for (const batch of [...this.openBatches.values()]) batch.flush();
    if ('taker' in this.source) await this.source.taker.close();
  }

  /** Attempts in flight now, for metrics. */
  inFlight(): number {
    return this.inflight.size;
  }

  private track(work: Promise<void>): Promise<void> {
    this.inflight.add(work);
    return work.finally(() => this.inflight.delete(work));
  }

  private breaker(partner: string): CircuitBreaker {
    let breaker = this.breakers.get(partner);
    if (!breaker) {
      const policy = this.partners.get(partner).circuitBreaker;
      breaker = new CircuitBreaker({ ...policy, cooldownMs: policy.cooldownMs * this.deps.retryDelayScale });
      this.breakers.set(partner, breaker);
    }
    return breaker;
  }

  /** While a partner's circuit is open its jobs wait here, holding their slots, which pauses consumption. */
  private async passBreaker(breaker: CircuitBreaker): Promise<void> {
    while (!breaker.allows(Date.now())) {
      if (this.closing) throw new Error('shutting down while the partner circuit is open; the job goes back to the queue');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private async handle(job: DeliveryJob): Promise<void> {
    const breaker = this.breaker(job.partner);
    await this.passBreaker(breaker);
    await this.guarded(breaker, () => this.attempt(job, breaker));
  }

  /** Runs an attempt; whatever fails in it (the log, a partner definition), a half-open trial slot must not stay taken. */
  private async guarded(breaker: CircuitBreaker, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (err) {
      breaker.releaseTrial();
      throw err;
    }
  }

  private async attempt(job: DeliveryJob, breaker: CircuitBreaker): Promise<void> {
    // While the log cannot be reached the job waits here, holding its slot (which pauses consumption), instead of bouncing towards the delivery limit.
    const claim = await this.acrossOutage(job, () => this.store.claimById(job.messageId, Date.now(), this.options.leaseMs, this.options.owner));
    if (claim.state !== 'claimed') {
      breaker.releaseTrial();
      if (claim.state === 'leased') {
        // Someone holds it (or held it and crashed): the outbox republishes this job for when the lease ends.
        await this.acrossOutage(job, () => this.store.deferUntil(job.messageId, claim.leaseUntil + 50));
        this.retryScheduled();
      }
      if (claim.state === 'missing') this.logger.warn({ messageId: job.messageId, partner: job.partner }, 'job for a message the log does not hold; dropped');
      return;
    }
    await this.deliverClaimed(claim.message, breaker);
  }

  /** Makes the attempt of a message leased to this process, alone or in the partner's open batch, and records it. */
  private async deliverClaimed(message: ClaimedMessage, breaker: CircuitBreaker): Promise<void> {
    const partner = this.partners.get(message.partner);
    if (partner.transport.batch) return this.joinBatch(partner, partner.transport.batch, message);
    this.settle(breaker, await deliverAttempt(partner, [message], this.options.owner, this.attemptDeps));
  }

  /** Runs a step on the log for `job`, riding out an outage of the log for up to a lease, unless shutting down. */
  private acrossOutage<T>(job: DeliveryJob, step: () => Promise<T>): Promise<T> {
    return acrossStoreOutage(step, {
      stop: () => this.closing,
      withinMs: this.options.leaseMs,
      pausing: (err, pauseMs) => this.logger.warn({ messageId: job.messageId, partner: job.partner, pauseMs, reason: err.message }, 'the message log cannot be reached; the job waits'),
    });
  }

  /** One verdict per request: the breaker counts it once, and the relay is woken for any retry. */
  private settle(breaker: CircuitBreaker, summaries: readonly AttemptSummary[]): void {
    const [first] = summaries;
    if (!first) return;
    if (first.outcome.verdict === 'retry') breaker.recordFailure(Date.now());
    else breaker.recordSuccess();
    if (summaries.some((s) => s.transition.status === 'pending')) this.retryScheduled();
  }

  /** Adds a claimed message to the partner's open batch; resolves when the batch's attempt is recorded. */
  private joinBatch(partner: Partner, spec: BatchSpec, message: ClaimedMessage): Promise<void> {
    const weight = spec.maxBytes ? weightOf(spec.maxBytes, message) : 0;
    let batch = this.openBatches.get(partner.id);
    if (batch && spec.maxBytes && batch.weight + weight > spec.maxBytes.budget) {
      batch.flush();
      batch = undefined;
    }
    batch ??= this.openBatch(partner, spec);
    batch.messages.push(message);
    batch.weight += weight;
    if (batch.messages.length >= spec.maxMessages || (spec.maxBytes && batch.weight >= spec.maxBytes.budget)) batch.flush();
    return batch.done;
  }

  private openBatch(partner: Partner, spec: BatchSpec): OpenBatch {
    let start!: () => void;
    const started = new Promise<void>((resolve) => (start = resolve));
    const batch: OpenBatch = {
      messages: [],
      weight: 0,
      flush: () => {
        if (this.openBatches.get(partner.id) === batch) this.openBatches.delete(partner.id);
        clearTimeout(timer);
        start();
      },
      done: started.then(async () => {
        // Named after its members: the same group retried (an upload in doubt) repeats its id, so the partner can deduplicate it.
        const batchId = batch.messages.length > 1 ? nameBasedUuid(`batch:${batch.messages.map((m) => m.id).sort().join(',')}`) : undefined;
        this.settle(this.breaker(partner.id), await deliverAttempt(partner, batch.messages, this.options.owner, this.attemptDeps, batchId));
      }),
    };
    const timer = setTimeout(batch.flush, this.closing ? 0 : spec.maxWaitMs * this.deps.retryDelayScale);
    this.openBatches.set(partner.id, batch);
    return batch;
  }
}
