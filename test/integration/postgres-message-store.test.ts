// The PostgreSQL message store on the real server: the message log, outbox and acknowledgement conformance suites, each test on a schema of its own.
import { afterAll, afterEach } from 'vitest';
import { PostgresMessageStore } from '../../src/store/postgres-message-store.js';
import { PostgresSession } from '../../src/store/postgres-session.js';
import { acknowledgementConformance } from '../conformance/acknowledgement.conformance.js';
import { messageLogConformance } from '../conformance/message-log.conformance.js';
import { outboxConformance } from '../conformance/outbox.conformance.js';
import { freshSchema, skipWithoutPostgres, type TestSchema } from '../support/postgres.js';

const skip = await skipWithoutPostgres('PostgreSQL message store');

if (!skip) {
  let schema: TestSchema | undefined;
  const open = async (): Promise<PostgresMessageStore> => {
    schema ??= await freshSchema();
    return new PostgresMessageStore(new PostgresSession(schema.pool()));
  };
  // One schema for the file, emptied after each test (the acknowledgement suite leaves its stores open: reset ends their pools).
  afterEach(async () => schema?.reset());
  afterAll(async () => schema?.drop());
  messageLogConformance('PostgreSQL', open);
  outboxConformance('PostgreSQL', open);
  acknowledgementConformance('PostgreSQL', open);
}
