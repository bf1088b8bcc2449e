// The e2e benchmark's baseline, in its own process: the least a durable signing gateway does — fastify ingest, RSA signature, a synchronous=FULL SQLite insert, a worker POSTing to the partner and recording it.
import { createPrivateKey, randomUUID, sign } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import { Agent, request } from 'undici';

const [keyFile = '', partnerUrl = '', concurrencyText = '8'] = process.argv.slice(2);
const concurrency = Number(concurrencyText);
const key = createPrivateKey(readFileSync(keyFile, 'utf8'));
const db = new Database(join(mkdtempSync(join(tmpdir(), 'gw-bare-spine-')), 'spine.sqlite'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec(`CREATE TABLE messages (id TEXT PRIMARY KEY, record_id TEXT NOT NULL UNIQUE, document BLOB NOT NULL, signature BLOB NOT NULL,
  status TEXT NOT NULL, created_at INTEGER NOT NULL, delivered_at INTEGER);
  CREATE INDEX pending ON messages (created_at) WHERE status = 'pending';`);
const insert = db.prepare('INSERT INTO messages (id, record_id, document, signature, status, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (record_id) DO NOTHING');
const pending = db.prepare<[number], { id: string; document: Buffer; signature: Buffer }>(`SELECT id, document, signature FROM messages WHERE status = 'pending' ORDER BY created_at LIMIT ?`);
const delivered = db.prepare(`UPDATE messages SET status = 'delivered', delivered_at = ? WHERE id = ?`);
const agent = new Agent({ connections: concurrency });

/** The gateway's durability policy: an accepted record waits for the disk, a delivery record does not (WAL: it survives a crash). */
let synchronous = 'FULL';
function durability(level: 'FULL' | 'NORMAL'): void {
  if (synchronous === level) return;
  db.pragma(`synchronous = ${level}`);
  synchronous = level;
}

const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
app.post('/records', async (req, reply) => {
  const document = Buffer.from(JSON.stringify(req.body));
  const signature = sign('sha256', document, key);
  const id = randomUUID();
  durability('FULL');
  insert.run(id, (req.body as { recordId: string }).recordId, document, signature, 'pending', Date.now());
  wake();
  return reply.code(202).send({ id });
});

let running = 0;
const inFlight = new Set<string>();
/** Keeps up to `concurrency` deliveries going while pending messages remain. */
function wake(): void {
  if (running >= concurrency) return;
  for (const row of pending.all(concurrency * 4)) {
    if (running >= concurrency) return;
    if (inFlight.has(row.id)) continue;
    inFlight.add(row.id);
    running += 1;
    void deliver(row).finally(() => {
      running -= 1;
      inFlight.delete(row.id);
      wake();
    });
  }
}

async function deliver(row: { id: string; document: Buffer; signature: Buffer }): Promise<void> {
  const res = await request(partnerUrl, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json', 'x-message-id': row.id, 'x-signature': row.signature.toString('base64') }, body: row.document });
  await res.body.dump();
  if (res.statusCode === 202 || res.statusCode === 200) {
    durability('NORMAL');
    delivered.run(Date.now(), row.id);
  }
}

const url = await app.listen({ host: '127.0.0.1', port: 0 });
console.log(`bare spine ready: ${url}`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
