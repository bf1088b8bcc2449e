// The inbound store's commit worker: a thread with its own connection that commits groups of pushes, so the disk flush never blocks the server's thread.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { configure } from './sqlite-connection.js';
import { asBuffer } from '../worker-module.js';
import { InboundWrites, type GroupItem } from './sqlite-inbound-writes.js';

/** What the store sends: a group to commit, numbered. */
export interface CommitRequest {
  id: number;
  group: GroupItem[];
}

const { file, autocheckpoint } = workerData as { file: string; autocheckpoint: boolean };
const db = new Database(file);
configure(db, file, { autocheckpoint });
const writes = new InboundWrites(db);
const port = parentPort;

port?.on('message', ({ id, group }: CommitRequest) => {
  // Buffers arrive as Uint8Array views: make them Buffers again for SQLite.
  for (const { message } of group) {
    message.payload = asBuffer(message.payload);
    message.receipt.body = asBuffer(message.receipt.body);
  }
  let reply;
  try {
    reply = { id, outcomes: writes.acceptGroup(group) };
  } catch (error) {
    reply = { id, failure: (error as Error).message };
  }
  port.postMessage(reply);
});
