// Checkpoints a SQLite write-ahead log from a worker thread, so copying the log into the database (and the fsyncs that brings) never holds the server's thread.
import type { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { MODULE_EXT, startModuleWorker } from '../worker-module.js';

/** How often the worker checkpoints, and how long the log may grow before it is started over. */
export interface CheckpointSettings {
  /** Time between checkpoints, in ms. */
  intervalMs: number;
  /** Frames in the log from which a checkpoint also makes the next writer start the log file over. */
  restartFrames: number;
}

/** Half a second between checkpoints; the log started over from 4,096 frames (16 MiB of 4 KiB pages). */
export const CHECKPOINT_DEFAULTS: CheckpointSettings = { intervalMs: 500, restartFrames: 4096 };

/** SQLite's own default: a connection checkpoints after a commit that leaves 1,000 frames or more in the log. */
const SQLITE_AUTOCHECKPOINT = 1000;

/**
 * Takes checkpointing off a connection: its commits no longer checkpoint (`wal_autocheckpoint = 0`),
 * a worker thread on a connection of its own does, every {@link CheckpointSettings.intervalMs}. Should the
 * worker fail, the connection checkpoints after its commits again, as SQLite does by default, and a
 * process warning says why: the log never grows without bound.
 */
export class WalCheckpointer {
  private worker: Worker | undefined;
  private closing = false;

  constructor(
    private readonly db: Database.Database,
    private readonly file: string,
    private readonly settings: CheckpointSettings = CHECKPOINT_DEFAULTS,
  ) {}

  /** Starts the worker and turns the connection's own checkpoints off. */
  start(): void {
    this.db.pragma('wal_autocheckpoint = 0');
    const worker = startModuleWorker(new URL(`./wal-checkpoint-worker${MODULE_EXT}`, import.meta.url), { workerData: { file: this.file, ...this.settings } });
    worker.on('error', (error) => this.fallBack(error.message));
    worker.on('exit', (code) => this.fallBack(`it stopped (${code})`));
    worker.unref();
    this.worker = worker;
  }

  /** Stops the worker; idempotent. The connection's last close checkpoints what is left. */
  async close(): Promise<void> {
    this.closing = true;
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private fallBack(reason: string): void {
    if (this.closing || this.worker === undefined) return;
    this.worker = undefined;
    if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT}`);
    process.emitWarning(`the checkpoint worker of ${this.file} failed (${reason}); its commits checkpoint the log themselves from now on`, { code: 'GW_WAL_CHECKPOINTER' });
  }
}
