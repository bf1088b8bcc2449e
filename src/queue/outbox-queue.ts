// The embedded Queue: delivery jobs in their own SQLite file, leased by one polling consumer loop per consume() call.
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import type { DeliveryJob, JobHandler, Queue } from './queue.js';

type Db = Database.Database;

/**
 * WAL with synchronous NORMAL: a commit survives a process crash, and a power cut can lose only the last
 * commits. That is acceptable because the message log (synchronous FULL) is the system of record: a lost job
 * is re-created from it, and a lost completion only means one more delivery attempt with the same message id.
 */
const PRAGMAS = ['journal_mode = WAL', 'synchronous = NORMAL', 'busy_timeout = 5000'] as const;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS queue_jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id TEXT NOT NULL,
    partner TEXT NOT NULL,
    visible_at INTEGER NOT NULL,
    delivery_count INTEGER NOT NULL DEFAULT 0,
    lease_owner TEXT,
    lease_until INTEGER,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS queue_jobs_visible ON queue_jobs (partner, visible_at, id);
  CREATE TABLE IF NOT EXISTS dead_jobs (
    id INTEGER PRIMARY KEY,
    message_id TEXT NOT NULL,
    partner TEXT NOT NULL,
    visible_at INTEGER NOT NULL,
    delivery_count INTEGER NOT NULL,
    lease_owner TEXT,
    lease_until INTEGER,
    created_at INTEGER NOT NULL,
    dead_at INTEGER NOT NULL,
    reason TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS dead_jobs_partner ON dead_jobs (partner, dead_at, id);`;

/** How long a failed job waits before it is visible again, so a failing handler does not spin. */
const RETRY_BACKOFF_MS = 100;

/** Options of {@link openOutboxQueue}. */
export interface OutboxQueueOptions {
  /** SQLite file of the queue (its folder is created when missing); not the message log's file. */
  file: string;
  /** Accepted for symmetry with the AMQP queue and ignored: delays here are exact, not rounded to tiers. */
  delayTiersMs?: readonly number[];
  /** Deliveries a job gets before it moves to dead_jobs; default 10. An expired lease counts as one. */
  deliveryLimit?: number;
  /** How often an idle consumer loop looks for visible jobs, in ms; default 250. Publishing here wakes it at once. */
  pollMs?: number;
  /**
   * How long a leased job stays invisible to others, in ms; default 60 s. A crashed consumer's jobs return after it;
   * a handler still running then may see its job delivered a second time, so handlers should finish well within it.
   */
  leaseMs?: number;
  /** Lease owner id of this queue object; default host:pid:random. */
  owner?: string;
  /** Where database errors met by the consumer loops are reported; they are retried at the next poll. */
  logger?: Logger;
}

interface LeasedJob {
  id: number;
  messageId: string;
  partner: string;
  deliveryCount: number;
}

function prepareStatements(db: Db) {
  return {
    insert: db.prepare<[string, string, number, number]>(
      'INSERT INTO queue_jobs (message_id, partner, visible_at, delivery_count, created_at) VALUES (?, ?, ?, 0, ?)',
    ),
    visible: db.prepare<[{ partner: string; now: number; limit: number }], LeasedJob>(
      `SELECT id, message_id AS messageId, partner, delivery_count AS deliveryCount FROM queue_jobs
       WHERE partner = @partner AND visible_at <= @now AND (lease_until IS NULL OR lease_until <= @now)
       ORDER BY visible_at, id LIMIT @limit`,
    ),
    lease: db.prepare<[string, number, number]>('UPDATE queue_jobs SET lease_owner = ?, lease_until = ?, delivery_count = delivery_count + 1 WHERE id = ?'),
    heldBy: db.prepare<[number, string], { deliveryCount: number }>('SELECT delivery_count AS deliveryCount FROM queue_jobs WHERE id = ? AND lease_owner = ?'),
    remove: db.prepare<[number]>('DELETE FROM queue_jobs WHERE id = ?'),
    release: db.prepare<[number, number]>('UPDATE queue_jobs SET lease_owner = NULL, lease_until = NULL, visible_at = ? WHERE id = ?'),
    bury: db.prepare<[number, string, number]>(
      `INSERT INTO dead_jobs (id, message_id, partner, visible_at, delivery_count, lease_owner, lease_until, created_at, dead_at, reason)
       SELECT id, message_id, partner, visible_at, delivery_count, lease_owner, lease_until, created_at, ?, ? FROM queue_jobs WHERE id = ?`,
    ),
    dead: db.prepare<[string], DeliveryJob>('SELECT message_id AS messageId, partner FROM dead_jobs WHERE partner = ? ORDER BY dead_at, id'),
  };
}

type Statements = ReturnType<typeof prepareStatements>;

/** The job rows and every change to them, each change one immediate transaction. */
class JobTable {
  private readonly statements: Statements;
  private readonly leaseTx;
  private readonly completeTx;
  private readonly failTx;

  constructor(
    readonly db: Db,
    private readonly owner: string,
    private readonly deliveryLimit: number,
    private readonly leaseMs: number,
  ) {
    this.statements = prepareStatements(db);
    this.leaseTx = db.transaction((partner: string, limit: number, now: number) => this.leaseIn(partner, limit, now));
    this.completeTx = db.transaction((id: number) => {
      if (this.statements.heldBy.get(id, this.owner) !== undefined) this.statements.remove.run(id);
    });
    this.failTx = db.transaction((id: number, reason: string, now: number) => this.failIn(id, reason, now));
  }

  insert(job: DeliveryJob, visibleAt: number, now: number): void {
    this.statements.insert.run(job.messageId, job.partner, visibleAt, now);
  }

  /** Leases up to `limit` visible jobs of `partner`, oldest visible first. */
  lease(partner: string, limit: number, now: number): LeasedJob[] {
    return this.leaseTx.immediate(partner, limit, now);
  }

  /** Removes a job this owner still holds (a job whose lease expired and was taken over stays). */
  complete(id: number): void {
    this.completeTx.immediate(id);
  }

  /** Makes a held job visible again after a short backoff, or buries it once it has had its deliveries. */
  fail(id: number, reason: string, now: number): void {
    this.failTx.immediate(id, reason, now);
  }

  deadLetters(partner: string): DeliveryJob[] {
    return this.statements.dead.all(partner);
  }

  private leaseIn(partner: string, limit: number, now: number): LeasedJob[] {
    const leased: LeasedJob[] = [];
    for (const job of this.statements.visible.all({ partner, now, limit })) {
      if (job.deliveryCount >= this.deliveryLimit) {
        this.buryIn(job.id, 'delivery limit reached: the last lease expired unfinished', now);
        continue;
      }
      this.statements.lease.run(this.owner, now + this.leaseMs, job.id);
      leased.push({ ...job, deliveryCount: job.deliveryCount + 1 });
    }
    return leased;
  }

  private failIn(id: number, reason: string, now: number): void {
    const held = this.statements.heldBy.get(id, this.owner);
    if (held === undefined) return;
    if (held.deliveryCount >= this.deliveryLimit) this.buryIn(id, `delivery limit reached: ${reason}`, now);
    else this.statements.release.run(now + RETRY_BACKOFF_MS, id);
  }

  private buryIn(id: number, reason: string, now: number): void {
    this.statements.bury.run(now, reason, id);
    this.statements.remove.run(id);
  }
}

/** What every consumer loop of one queue shares. */
interface LoopContext {
  jobs: JobTable;
  pollMs: number;
  /** Registers a running handler so close() can wait for it. */
  track: (work: Promise<void>) => void;
  logger: Logger | undefined;
}

/** One consume() call: leases visible jobs of its partner while fewer than `concurrency` handlers run. */
class ConsumerLoop {
  private running = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly context: LoopContext,
    private readonly partner: string,
    private readonly concurrency: number,
    private readonly handler: JobHandler,
  ) {}

  /** Looks for jobs now, and again after pollMs while below the concurrency limit (a finishing handler also wakes it). */
  wake(): void {
    if (this.stopped) return;
    const free = this.concurrency - this.running;
    if (free > 0) this.leaseAndRun(free);
    clearTimeout(this.timer);
    this.timer = this.running < this.concurrency && !this.stopped ? setTimeout(() => this.wake(), this.context.pollMs) : undefined;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private leaseAndRun(free: number): void {
    try {
      for (const job of this.context.jobs.lease(this.partner, free, Date.now())) this.context.track(this.run(job));
    } catch (error) {
      this.context.logger?.warn({ err: error, partner: this.partner }, 'outbox queue: leasing failed; retrying at the next poll');
    }
  }

  private async run(job: LeasedJob): Promise<void> {
    this.running += 1;
    try {
      await this.handler({ messageId: job.messageId, partner: job.partner });
      this.settle(job, () => this.context.jobs.complete(job.id));
    } catch (error) {
      this.settle(job, () => this.context.jobs.fail(job.id, error instanceof Error ? error.message : String(error), Date.now()));
    } finally {
      this.running -= 1;
      this.wake();
    }
  }

  /** A write that fails leaves the lease to expire, which brings the job back (at least once). */
  private settle(job: LeasedJob, write: () => void): void {
    try {
      write();
    } catch (error) {
      this.context.logger?.warn({ err: error, messageId: job.messageId, partner: job.partner }, 'outbox queue: settling a job failed; it returns when its lease expires');
    }
  }
}

class OutboxQueue implements Queue {
  private readonly loops = new Map<string, ConsumerLoop[]>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly context: LoopContext;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly jobs: JobTable,
    private readonly file: string,
    pollMs: number,
    logger: Logger | undefined,
  ) {
    this.context = { jobs, pollMs, logger, track: (work) => this.track(work) };
  }

  async publish(job: DeliveryJob, delayMs?: number): Promise<void> {
    this.assertOpen();
    const now = Date.now();
    this.jobs.insert({ messageId: job.messageId, partner: job.partner }, now + Math.max(0, delayMs ?? 0), now);
    if ((delayMs ?? 0) <= 0) for (const loop of this.loops.get(job.partner) ?? []) loop.wake();
  }

  async consume(partner: string, concurrency: number, handler: JobHandler): Promise<void> {
    this.assertOpen();
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`concurrency must be a whole number >= 1, got ${concurrency}`);
    const loop = new ConsumerLoop(this.context, partner, concurrency, handler);
    this.loops.set(partner, [...(this.loops.get(partner) ?? []), loop]);
    loop.wake();
  }

  writable(): boolean {
    return this.closing === undefined;
  }

  async deadLetters(partner: string): Promise<DeliveryJob[]> {
    this.assertOpen();
    return this.jobs.deadLetters(partner);
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    for (const loop of [...this.loops.values()].flat()) loop.stop();
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
    this.jobs.db.close();
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private assertOpen(): void {
    if (this.closing !== undefined) throw new Error(`outbox queue ${this.file} is closed`);
  }
}

function openDatabase(file: string): Db {
  if (file !== ':memory:' && file !== '') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  try {
    for (const pragma of PRAGMAS) db.pragma(pragma);
    db.exec(SCHEMA);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Opens the embedded queue on its own SQLite file (created with its tables when missing). Jobs are leased
 * oldest visible first; a throwing handler makes the job visible again after 100 ms, and after `deliveryLimit`
 * deliveries it moves to dead_jobs. A job whose lease expires (its consumer crashed) is delivered again.
 * @throws Error when the file cannot be opened or its tables created
 */
export function openOutboxQueue(options: OutboxQueueOptions): Queue {
  const deliveryLimit = options.deliveryLimit ?? 10;
  if (!Number.isInteger(deliveryLimit) || deliveryLimit < 1) throw new Error(`delivery limit must be a whole number >= 1, got ${deliveryLimit}`);
  const owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID()}`;
  const jobs = new JobTable(openDatabase(options.file), owner, deliveryLimit, options.leaseMs ?? 60_000);
  return new OutboxQueue(jobs, options.file, options.pollMs ?? 250, options.logger);
}
