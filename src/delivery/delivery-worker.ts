// The delivery loop: claims due messages per partner within its concurrency and circuit breaker, runs attempts, drains on close.
import type { Logger } from 'pino';
import type { PartnerRegistry } from '../partners/partner-registry.js';
import type { ClaimedMessage, MessageStore } from '../store/message-store.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { deliverAttempt, type AttemptDeps } from './deliver-attempt.js';

/** Settings of the loop. */
export interface WorkerOptions {
  /** Identifies this process's leases (host, pid, random). */
  owner: string;
  /** How long a claim lasts; a crashed worker's messages return after it. */
  leaseMs: number;
  /** Longest sleep between looks at the store when nothing wakes the loop. */
  pollMs: number;
}

/** Delivers pending messages until closed. */
export class DeliveryWorker {
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private readonly inflight = new Map<string, Set<Promise<void>>>();
  private readonly breakers = new Map<string, CircuitBreaker>();

  constructor(
    private readonly store: MessageStore,
    private readonly partners: PartnerRegistry,
    private readonly deps: AttemptDeps,
    private readonly options: WorkerOptions,
    private readonly logger: Logger,
  ) {}

  /** Starts the loop; messages pending from before a restart are picked up at once. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Makes the loop look at the store now (new messages were accepted). */
  wake(): void {
    this.wakeUp?.();
  }

  /** Stops claiming, waits for attempts in flight to be recorded; idempotent. */
  async close(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    await Promise.all([...this.inflight.values()].flatMap((set) => [...set]));
  }

  /** Attempts in flight now, for metrics. */
  inFlight(): number {
    let n = 0;
    for (const set of this.inflight.values()) n += set.size;
    return n;
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

  private async run(): Promise<void> {
    while (this.running) {
      let started = 0;
      try {
        const now = Date.now();
        for (const partner of await this.store.partnersWithDue(now)) started += await this.startFor(partner, now);
      } catch (err) {
        this.logger.error({ err }, 'delivery loop could not read the message log; retrying');
      }
      if (started === 0 && this.running) await this.sleep(await this.sleepMs());
    }
  }

  private async sleepMs(): Promise<number> {
    try {
      const next = await this.store.nextDueAt();
      const wait = next === null ? this.options.pollMs : next - Date.now();
      return Math.min(this.options.pollMs, Math.max(wait > 0 ? wait : this.options.pollMs, 5));
    } catch {
      return this.options.pollMs;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wakeUp = undefined;
        resolve();
      }, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
    });
  }

  private async startFor(partnerId: string, now: number): Promise<number> {
    const partner = this.partners.get(partnerId);
    const running = this.inflight.get(partnerId) ?? new Set<Promise<void>>();
    this.inflight.set(partnerId, running);
    const free = partner.transport.concurrency - running.size;
    const breaker = this.breaker(partnerId);
    if (free <= 0 || !breaker.allows(now)) return 0;
    const trial = breaker.state(now) === 'half-open';
    const claimed = await this.store.claimDue(partnerId, now, trial ? 1 : free, this.options.leaseMs, this.options.owner);
    if (claimed.length === 0 && trial) breaker.releaseTrial();
    for (const message of claimed) {
      const task = this.attempt(partnerId, message).finally(() => {
        running.delete(task);
        this.wake();
      });
      running.add(task);
    }
    return claimed.length;
  }

  private async attempt(partnerId: string, message: ClaimedMessage): Promise<void> {
    const breaker = this.breaker(partnerId);
    try {
      const { outcome } = await deliverAttempt(this.partners.get(partnerId), message, this.options.owner, this.deps);
      if (outcome.verdict === 'retry') breaker.recordFailure(Date.now());
      else breaker.recordSuccess();
    } catch (err) {
      breaker.recordFailure(Date.now());
      this.logger.error({ err, messageId: message.id, partner: partnerId }, 'attempt could not be recorded; the lease will expire and the message will be retried');
    }
  }
}
