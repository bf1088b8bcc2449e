// Group commit of accepts: the records of concurrent requests stored in one transaction (one durable commit) per turn of the event loop, each request answered once its own are durable.
import type { MessageLog } from './message-log.js';
import type { AcceptResult, NewMessage, SourceRecord } from './message-store.js';

type Items = ReadonlyArray<{ record: SourceRecord; messages: NewMessage[] }>;

interface Waiting {
  items: Items;
  now: number;
  resolve(results: AcceptResult[]): void;
  reject(error: unknown): void;
}

/**
 * Joins the accepts of concurrent requests: each call waits for the next turn of the event loop,
 * when every call made meanwhile is committed in one `acceptBatch` transaction, so a commit's wait for
 * the disk is shared rather than paid per request. Results and durability are those of a call on its
 * own: a call resolves only after the transaction holding its records committed. When a joint
 * transaction fails, each call is committed on its own, so one call's failure is not another's.
 */
export class GroupCommit {
  private waiting: Waiting[] = [];
  private scheduled = false;

  constructor(private readonly log: Pick<MessageLog, 'acceptBatch'>) {}

  /** {@link MessageLog.acceptBatch}, in the group of the current turn. */
  acceptBatch(items: Items, now: number): Promise<AcceptResult[]> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ items, now, resolve, reject });
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
    let results: AcceptResult[];
    try {
      // The group's time is its latest call's: no record is stored as accepted before its request came.
      results = await this.log.acceptBatch(group.flatMap((w) => w.items), Math.max(...group.map((w) => w.now)));
    } catch {
      for (const member of group) await this.alone(member);
      return;
    }
    let at = 0;
    for (const member of group) {
      member.resolve(results.slice(at, at + member.items.length));
      at += member.items.length;
    }
  }

  private async alone(member: Waiting): Promise<void> {
    try {
      member.resolve(await this.log.acceptBatch(member.items, member.now));
    } catch (error) {
      member.reject(error);
    }
  }
}
