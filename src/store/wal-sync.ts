// Makes a SQLite write-ahead log durable off the event loop: an fsync of the `-wal` file on libuv's thread pool, one shared by every commit made before it began.
import { promises as fs } from 'node:fs';
import { dirname } from 'node:path';

/** A sync in progress: the commits it covers (those numbered up to `covers`) and its end. */
interface Running {
  covers: number;
  done: Promise<void>;
}

/**
 * Syncs one database's `-wal` file. A commit made at `synchronous = NORMAL` has written its frames to
 * the file but not waited for the disk; an fsync of the file begun after that commit makes it as
 * durable as a commit at FULL. Commits are numbered by the connection (`committed()` is the number of
 * the latest); a sync covers every commit numbered up to the latest when it began. A caller waits for
 * the first sync that covers its commit: the running one when it began after the commit, else the next
 * to begin, which every such caller shares; at most two syncs are in hand.
 */
export class WalSync {
  private file: Promise<fs.FileHandle> | undefined;
  /** The commits the last completed sync covered. */
  private synced = 0;
  private running: Running | undefined;
  private waiting: Promise<void> | undefined;
  /**
   * The first failed sync's error. Linux reports a failed write-back to one fsync and then forgets it,
   * so no later sync can vouch for the commits before it: every sync fails from then on, until restart.
   */
  private failure: Error | undefined;

  constructor(
    /** The database file; its log is this path with `-wal` added. */
    private readonly database: string,
    /** The number of the connection's latest commit. */
    private readonly committed: () => number,
  ) {}

  /**
   * Resolves once the commits numbered up to `upTo` are on the disk (at once when they are); rejects when
   * the disk refuses it, and for good once it has. `Infinity` asks for a sync begun after the call,
   * which covers what other connections committed before it too.
   */
  sync(upTo: number): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (upTo <= this.synced) return Promise.resolve();
    const running = this.running;
    if (running && upTo <= running.covers) return running.done;
    if (this.waiting) return this.waiting;
    if (!running) return this.begin();
    const after = (): Promise<void> => {
      this.waiting = undefined;
      return this.begin();
    };
    this.waiting = running.done.then(after, after);
    return this.waiting;
  }

  /** Whether the commit numbered `number` is on the disk. */
  covers(number: number): boolean {
    return this.failure === undefined && number <= this.synced;
  }

  /** Closes the log file's handle; idempotent. */
  async close(): Promise<void> {
    const file = this.file;
    this.file = undefined;
    await (await file?.catch(() => undefined))?.close();
  }

  private begin(): Promise<void> {
    const running: Running = { covers: this.committed(), done: Promise.resolve() };
    running.done = this.fsync()
      .then(
        () => {
          if (!this.failure) this.synced = Math.max(this.synced, running.covers);
        },
        (error: Error) => {
          this.failure ??= error;
          throw this.failure;
        },
      )
      .finally(() => {
        if (this.running === running) this.running = undefined;
      });
    this.running = running;
    return running.done;
  }

  private async fsync(): Promise<void> {
    this.file ??= this.open();
    let handle;
    try {
      handle = await this.file;
    } catch (error) {
      this.file = undefined; // opened again at the next sync
      throw error;
    }
    await handle.sync();
  }

  /**
   * Opens the log file, and syncs its folder so that the file's name is durable too. The handle is
   * kept: SQLite removes or replaces the log file only when the last connection to the database
   * closes or leaves WAL mode, and the connection this sync serves is open until it closes.
   */
  private async open(): Promise<fs.FileHandle> {
    const path = `${this.database}-wal`;
    const handle = await fs.open(path, 'r');
    try {
      await syncFolder(dirname(path));
    } catch (error) {
      await handle.close();
      throw error;
    }
    return handle;
  }
}

async function syncFolder(folder: string): Promise<void> {
  const handle = await fs.open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
