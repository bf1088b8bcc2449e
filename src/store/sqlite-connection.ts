// One SQLite connection shared by the stores of a database file: opening and migrating it, its durability level, and consistent reads.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { GatewayError } from '../errors.js';
import { registerAuditHash } from './sqlite-audit.js';
import { applyMigrations } from './sqlite-migrations.js';
import { CHECKPOINT_DEFAULTS, WalCheckpointer, type CheckpointSettings } from './wal-checkpointer.js';
import { WalSync } from './wal-sync.js';

type Db = Database.Database;

/** Connection settings applied at open, in this order. */
const PRAGMAS = ['journal_mode = WAL', 'synchronous = FULL', 'busy_timeout = 5000', 'foreign_keys = ON'] as const;

/**
 * A migrated connection. Stores sharing it switch durability through {@link durability}, so the
 * level they believe in is the level SQLite uses, and make writes durable through {@link durable}.
 */
export class SqliteConnection {
  private synchronous: 'FULL' | 'NORMAL' = 'FULL';
  /** The write-ahead log's syncs; none for a database without a log file (in memory). */
  private readonly wal: WalSync | undefined;
  /** How many writes were made through {@link durable}: the number of the latest. */
  private durableWrites = 0;
  /** The data version (other connections' commits) when the last sync for {@link othersSynced} began. */
  private othersVersion: number | undefined;
  private readonly checkpointer: WalCheckpointer | undefined;

  /**
   * @param options.checkpointWorker checkpoint the log from a worker thread (settings, or true for
   *   {@link CHECKPOINT_DEFAULTS}) rather than after this connection's commits: for a long-lived server
   */
  constructor(
    readonly db: Db,
    /** The database file, named in errors. */
    readonly file: string,
    options: { checkpointWorker?: boolean | CheckpointSettings } = {},
  ) {
    const logged = db.pragma('journal_mode', { simple: true }) === 'wal';
    this.wal = logged ? new WalSync(file, () => this.durableWrites) : undefined;
    const { checkpointWorker } = options;
    if (logged && checkpointWorker) {
      this.checkpointer = new WalCheckpointer(db, file, checkpointWorker === true ? CHECKPOINT_DEFAULTS : checkpointWorker);
      this.checkpointer.start();
    }
  }

  /** True when a worker checkpoints the log: other connections to the file should not checkpoint either. */
  get checkpointsElsewhere(): boolean {
    return this.checkpointer !== undefined;
  }

  /**
   * FULL makes a commit wait for the disk (durable against power loss); NORMAL, in WAL mode, survives
   * a process crash and becomes durable with the next FULL commit.
   */
  durability(level: 'FULL' | 'NORMAL'): void {
    if (this.synchronous === level) return;
    this.db.pragma(`synchronous = ${level}`);
    this.synchronous = level;
  }

  /**
   * Runs `write` (a transaction) and resolves once it is durable against power loss, as a commit at
   * FULL would be, without the event loop waiting for the disk: the commit is made at NORMAL, and the
   * log file is then synced on libuv's thread pool, one sync shared by the commits made meanwhile.
   * @param committed told the number this write got (for {@link synced}) and its result, once it committed
   * @throws GatewayError GW_ERR_STORE_UNAVAILABLE when the disk refuses the sync: the write is committed
   *   and seen by readers, but its durability is unknown, so the caller must not report it durable
   */
  async durable<T>(write: () => T, committed?: (number: number, result: T) => void): Promise<T> {
    if (this.wal === undefined) {
      this.durability('FULL');
      return write();
    }
    this.durability('NORMAL');
    const result = write();
    const number = (this.durableWrites += 1);
    committed?.(number, result);
    await this.synced(number);
    return result;
  }

  /**
   * Resolves once everything other connections to the file committed before the call is on the disk:
   * at once when none has committed since the last such sync began (`PRAGMA data_version`, which
   * changes with their commits only), else after a sync begun now. Another process's writes may be
   * visible here before they are synced, as this connection's own are.
   * @throws GatewayError GW_ERR_STORE_UNAVAILABLE when the disk refuses the sync
   */
  async othersSynced(): Promise<void> {
    if (this.wal === undefined) return;
    const version = this.db.pragma('data_version', { simple: true }) as number;
    if (version === this.othersVersion) return;
    await this.synced(Number.POSITIVE_INFINITY);
    this.othersVersion = version;
  }

  /** Whether the write numbered `number` by {@link durable} is on the disk (always, without a log file). */
  isSynced(number: number): boolean {
    return this.wal === undefined || this.wal.covers(number);
  }

  /**
   * Resolves once the writes made through {@link durable} numbered up to `upTo` are on the disk; at once
   * when they are. Readers see a durable write as soon as it commits, a moment before it is synced:
   * what acts on what it read outside the log waits for this first.
   * @throws GatewayError GW_ERR_STORE_UNAVAILABLE when the disk refuses the sync
   */
  async synced(upTo: number): Promise<void> {
    if (this.wal === undefined) return;
    try {
      await this.wal.sync(upTo);
    } catch (error) {
      throw new GatewayError(
        'GW_ERR_STORE_UNAVAILABLE',
        `the log ${this.file} could not be synced to disk: ${(error as Error).message}; nothing is reported durable until the gateway restarts`,
        { file: this.file },
        { cause: error },
      );
    }
  }

  /** Runs reads in one transaction so they see a single committed state. */
  snapshot<T>(read: () => T): T {
    return this.db.transaction(read).deferred();
  }

  /** Closes the connection; idempotent. */
  async close(): Promise<void> {
    // The worker first, so the connection's close can checkpoint what is left and remove the log file.
    await this.checkpointer?.close();
    if (this.db.open) this.db.close();
    await this.wal?.close();
  }
}

function connect(file: string): Db {
  if (file !== ':memory:' && file !== '') mkdirSync(dirname(file), { recursive: true });
  return new Database(file);
}

/**
 * Applies the store's connection settings (WAL, synchronous FULL, a 5 s busy timeout, foreign keys, the audit chain's hash) to
 * a connection of an existing, migrated database, such as a commit worker's own.
 * @param options.autocheckpoint false when a checkpoint worker checkpoints the file (see {@link WalCheckpointer})
 * @throws GatewayError GW_ERR_CONFIG_INVALID when SQLite refuses one
 */
export function configure(db: Db, file: string, options: { autocheckpoint?: boolean } = {}): void {
  try {
    for (const pragma of PRAGMAS) db.pragma(pragma);
    if (options.autocheckpoint === false) db.pragma('wal_autocheckpoint = 0');
    registerAuditHash(db);
  } catch (error) {
    throw new GatewayError('GW_ERR_CONFIG_INVALID', `cannot open message store ${file}: ${(error as Error).message}`, { file }, { cause: error });
  }
}

/**
 * Opens (creating it and its folder when missing) and migrates a SQLite message database with the store's settings:
 * WAL journal, synchronous FULL, a 5 s busy timeout and foreign keys on.
 * @param file database path, or `:memory:`
 * @throws GatewayError GW_ERR_CONFIG_INVALID when the file cannot be opened or migrated, or its schema is newer than this code
 */
export function openSqliteDatabase(file: string): Db {
  let db: Db;
  try {
    db = connect(file);
  } catch (error) {
    throw new GatewayError('GW_ERR_CONFIG_INVALID', `cannot open message store ${file}: ${(error as Error).message}`, { file }, { cause: error });
  }
  try {
    configure(db, file);
    applyMigrations(db, file);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
