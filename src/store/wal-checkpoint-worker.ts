// The checkpoint worker: a thread with its own connection that copies the write-ahead log into the database on a timer, so the server's thread never does.
import { workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { configure } from './sqlite-connection.js';
import type { CheckpointSettings } from './wal-checkpointer.js';

const { file, intervalMs, restartFrames } = workerData as CheckpointSettings & { file: string };
const db = new Database(file);
configure(db, file, { autocheckpoint: false });
// A RESTART holds writers off while it waits: give up soon and try again next round rather than stall them.
db.pragma('busy_timeout = 100');

/**
 * One round: a PASSIVE checkpoint copies what it can while writers go on; once the log holds
 * `restartFrames` or more, a RESTART (little left to copy by then) makes the next writer start the log
 * file over, which under steady writes a PASSIVE checkpoint alone never lets happen.
 */
function round(): void {
  const [passive] = db.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number }>;
  if ((passive?.log ?? 0) >= restartFrames) db.pragma('wal_checkpoint(RESTART)');
}

setInterval(round, intervalMs);
