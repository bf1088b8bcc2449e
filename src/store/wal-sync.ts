// Makes a SQLite write-ahead log durable off the event loop: an fsync of the `-wal` file on libuv's thread pool, one shared by every commit made before it began.
import { promises as fs } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Syncs one database's `-wal` file. A commit made at `synchronous = NORMAL` has written its frames to
 * the file but not waited for the disk; an fsync of the file begun after that commit makes it as
 * durable as a commit at FULL. Commits share syncs: a call joins the next sync to begin, never one
 * already running (which may have started before the caller's frames were written), so there are at
 * most two syncs in hand, one running and one waiting for it.
 */
export class WalSync {
  private file: Promise<fs.FileHandle> | undefined;
  private running: Promise<void> | undefined;
  private waiting: Promise<void> | undefined;

  constructor(
    /** The database file; its log is this path with `-wal` added. */
    private readonly database: string,
  ) {}

  /** Resolves once everything committed before the call is on the disk; rejects when the disk refuses it. */
  sync(): Promise<void> {
    if (this.waiting) return this.waiting;
    if (!this.running) return this.begin();
    const after = (): Promise<void> => {
      this.waiting = undefined;
      return this.begin();
    };
    this.waiting = this.running.then(after, after);
    return this.waiting;
  }

  /** Closes the log file's handle; idempotent. */
  async close(): Promise<void> {
    const file = this.file;
    this.file = undefined;
    await (await file?.catch(() => undefined))?.close();
  }

  private begin(): Promise<void> {
    const run = this.fsync().finally(() => {
      if (this.running === run) this.running = undefined;
    });
    this.running = run;
    return run;
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
