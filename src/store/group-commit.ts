// Group commit: the writes of concurrent callers made in one transaction per turn of the event loop, each caller answered once its own are committed.
import type { MessageLog } from './message-log.js';
import type { AcceptResult, NewMessage, SourceRecord } from './message-store.js';

/** How a group is committed: all members in one transaction, or one member on its own. */
export interface GroupWrites<T, R> {
  /** Commits every member in one transaction; one result per member, in order. */
  joint(members: readonly T[]): Promise<R[]>;
  /** Commits one member in a transaction of its own. */
  alone(member: T): Promise<R>;
}

interface Waiting<T, R> {
  member: T;
  resolve(result: R): void;
  reject(error: unknown): void;
}

/**
 * Joins the writes of concurrent callers: each call waits for the next turn of the event loop, when
 * every call made meanwhile is committed in one transaction, so a commit's cost (its wait for the
 * disk, its pages) is shared rather than paid per call. Results and durability are those of a call
 * on its own: a call resolves only after the transaction holding its write committed. When a joint
 * transaction fails, each call is committed on its own, so one call's failure is not another's.
 */
export class GroupCommit<T, R> {
  private waiting: Array<Waiting<T, R>> = [];
  private scheduled = false;

  constructor(private readonly writes: GroupWrites<T, R>) {}

  /** Commits `member` with the group of the current turn. */
  submit(member: T): Promise<R> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ member, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => void this.commit());
    });
  }

  private async commit(): Promise<void> {
    const group = this.waiting;
    this.waiting = [];
    this.scheduled = false;
    if (group.length === 1) return this.alone(group[0]!);
    let results: R[];
    try {
      results = await this.writes.joint(group.map((w) => w.member));
    } catch {
      for (const waiting of group) await this.alone(waiting);
      return;
    }
    group.forEach((waiting, i) => waiting.resolve(results[i]!));
  }

  private async alone(waiting: Waiting<T, R>): Promise<void> {
    try {
      waiting.resolve(await this.writes.alone(waiting.member));
    } catch (error) {
      waiting.reject(error);
    }
  }
}

type Items = ReadonlyArray<{ record: SourceRecord; messages: NewMessage[] }>;

/** The accepts of concurrent requests in one `acceptBatch` transaction (one durable commit) per turn. */
export class AcceptGroup {
  private readonly group: GroupCommit<{ items: Items; now: number }, AcceptResult[]>;

  constructor(log: Pick<MessageLog, 'acceptBatch'>) {
    this.group = new GroupCommit({
      joint: async (members) => {
        // The group's time is its latest call's: no record is stored as accepted before its request came.
        const results = await log.acceptBatch(members.flatMap((m) => m.items), Math.max(...members.map((m) => m.now)));
        let at = 0;
        return members.map((m) => results.slice(at, (at += m.items.length)));
      },
      alone: (m) => log.acceptBatch(m.items, m.now),
    });
  }

  /** {@link MessageLog.acceptBatch}, in the group of the current turn. */
  acceptBatch(items: Items, now: number): Promise<AcceptResult[]> {
    return this.group.submit({ items, now });
  }
}
