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
  private file: { handle: fs.FileHandle; ino: number } | undefined;
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
    await file?.handle.close();
  }

  private begin(): Promise<void> {
    const run = this.fsync().finally(() => {
      if (this.running === run) this.running = undefined;
    });
    this.running = run;
    return run;
  }

  private async fsync(): Promise<void> {
    const handle = await this.handle();
    await handle.sync();
  }

  /**
   * The log's handle, opened at first use (its folder synced then, so the file's name is durable too).
   * SQLite keeps the log file while a connection is open; should it have been replaced all the same,
   * the handle follows the file now at the path.
   */
  private async handle(): Promise<fs.FileHandle> {
    const path = `${this.database}-wal`;
    const now = (await fs.stat(path)).ino;
    if (this.file?.ino === now) return this.file.handle;
    const handle = await fs.open(path, 'r');
    const opened = (await handle.stat()).ino;
    await this.close();
    this.file = { handle, ino: opened };
    await syncFolder(dirname(path));
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
