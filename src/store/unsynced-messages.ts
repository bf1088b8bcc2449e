// The messages whose latest durable write (accept, resend, acknowledgement) may not be on the disk yet: whatever sends them out waits for it.
import type { SqliteConnection } from './sqlite-connection.js';

/**
 * Message ids with the number {@link SqliteConnection.durable} gave their latest durable write, kept
 * until the log is synced past it. Readers see a write as soon as it commits, a moment before it is
 * synced; a message taken for delivery or handed to the broker in that moment waits for its own write's
 * sync (joining the one already on its way), and for a fresh sync when another connection committed
 * since the last one, so nothing a power cut could take back reaches a partner. A message written
 * longer ago than a sync takes is not held at all.
 */
export class UnsyncedMessages {
  /** In the order of their write numbers (a message written again moves to the end). */
  private readonly writes = new Map<string, number>();

  constructor(private readonly connection: SqliteConnection) {}

  /** Notes that the durable write numbered `number` wrote these messages. */
  note(ids: Iterable<string>, number: number): void {
    for (const id of ids) {
      this.writes.delete(id);
      this.writes.set(id, number);
    }
  }

  /**
   * Resolves once the latest durable writes of these messages are on the disk; at once when they are.
   * @throws GatewayError GW_ERR_STORE_UNAVAILABLE when the disk refuses the sync
   */
  async settle(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    this.forgetSynced();
    let upTo = 0;
    for (const id of ids) upTo = Math.max(upTo, this.writes.get(id) ?? 0);
    // Another process on the file (or this one's commit worker) may have written them: its writes too.
    await Promise.all([upTo > 0 ? this.connection.synced(upTo) : undefined, this.connection.othersSynced()]);
  }

  private forgetSynced(): void {
    for (const [id, number] of this.writes) {
      if (!this.connection.isSynced(number)) return;
      this.writes.delete(id);
    }
  }
}
