// The embedded SQLite inbound store: the InboundStore conformance suite on a temporary file (committing on the connection or in a worker thread) and in memory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteDatabase, SqliteConnection } from '../../src/store/sqlite-connection.js';
import { sqliteInboundStore } from '../../src/store/sqlite-inbound-store.js';
import { sqliteMessageStore } from '../../src/store/sqlite-message-store.js';
import { inboundStoreConformance, type InboundStores } from '../conformance/inbound-store.conformance.js';

/** The inbound and message stores on one connection to `file`, as the gateway opens them; closing the message store closes the connection. */
function openStores(file: string, commitWorker = false): InboundStores {
  const connection = new SqliteConnection(openSqliteDatabase(file), file);
  const messages = sqliteMessageStore(connection);
  const inbound = sqliteInboundStore(connection, { commitWorker });
  return {
    inbound,
    messages,
    async close() {
      await inbound.close();
      await messages.close();
    },
  };
}

/** The stores on a file in a fresh temporary folder, removed on close. */
async function onTemporaryFile(commitWorker: boolean): Promise<InboundStores> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-inbound-store-'));
  const stores = openStores(join(dir, 'nested', 'messages.db'), commitWorker);
  return {
    ...stores,
    async close() {
      await stores.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

inboundStoreConformance('SQLite (temporary file)', () => onTemporaryFile(false));
inboundStoreConformance('SQLite (temporary file, commit worker)', () => onTemporaryFile(true));

inboundStoreConformance('SQLite (:memory:)', async () => openStores(':memory:'));
