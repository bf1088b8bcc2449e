// Schema of the SQLite message store as an ordered list of migrations, and the runner that applies them at open.
import { SQLITE_AUDIT_SCHEMA } from './sqlite-audit.js';
import { mappingChangesTableSql } from './mapping-change-store.js';
import type { Database } from 'better-sqlite3';
import { GatewayError } from '../errors.js';
import type { Migration } from './migration.js';


const STATUS_CHECK = `('pending', 'delivered', 'failed', 'dead-lettered', 'needs-human')`;

const INITIAL_SCHEMA = `
CREATE TABLE records (
  id          INTEGER PRIMARY KEY,
  type        TEXT    NOT NULL,
  record_id   TEXT    NOT NULL,
  version     INTEGER NOT NULL,
  json        TEXT    NOT NULL,
  received_at INTEGER NOT NULL,
  UNIQUE (type, record_id, version)
);

CREATE TABLE messages (
  id              TEXT    PRIMARY KEY,
  record_row      INTEGER NOT NULL REFERENCES records (id),
  position        INTEGER NOT NULL,
  partner         TEXT    NOT NULL,
  message_type    TEXT    NOT NULL,
  mapping_id      TEXT    NOT NULL,
  mapping_version INTEGER NOT NULL,
  mapping_sha256  TEXT    NOT NULL,
  payload         BLOB    NOT NULL,
  payload_sha256  TEXT    NOT NULL,
  extension       TEXT    NOT NULL,
  status          TEXT    NOT NULL CHECK (status IN ${STATUS_CHECK}),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER,
  lease_owner     TEXT,
  lease_until     INTEGER,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  UNIQUE (record_row, position)
);
CREATE INDEX messages_due ON messages (partner, status, next_attempt_at);
CREATE INDEX messages_pending_due ON messages (status, next_attempt_at);
CREATE INDEX messages_newest ON messages (created_at DESC, id DESC);
CREATE INDEX messages_partner_newest ON messages (partner, created_at DESC, id DESC);
CREATE INDEX messages_status_newest ON messages (status, created_at DESC, id DESC);
CREATE INDEX messages_type_newest ON messages (message_type, created_at DESC, id DESC);

CREATE TABLE message_keys (
  message_id TEXT NOT NULL REFERENCES messages (id),
  name       TEXT NOT NULL,
  value      TEXT NOT NULL,
  PRIMARY KEY (message_id, name)
);
CREATE INDEX message_keys_value ON message_keys (value);

CREATE TABLE attempts (
  message_id   TEXT    NOT NULL REFERENCES messages (id),
  number       INTEGER NOT NULL,
  started_at   INTEGER NOT NULL,
  duration_ms  INTEGER NOT NULL,
  outcome      TEXT    NOT NULL CHECK (outcome IN ('delivered', 'retry', 'failed', 'needs-human')),
  http_status  INTEGER,
  partner_code TEXT,
  error        TEXT,
  PRIMARY KEY (message_id, number)
);

CREATE TABLE status_changes (
  id          INTEGER PRIMARY KEY,
  message_id  TEXT    NOT NULL REFERENCES messages (id),
  at          INTEGER NOT NULL,
  from_status TEXT CHECK (from_status IN ${STATUS_CHECK}),
  to_status   TEXT    NOT NULL CHECK (to_status IN ${STATUS_CHECK}),
  reason      TEXT    NOT NULL
);
CREATE INDEX status_changes_message ON status_changes (message_id, at, id);
`;

/**
 * The outbox of the delivery queue: where the job for a pending message's next attempt stands. `unpublished`
 * (the default, so pending messages of a v1 database get their job), `publishing` (handed to the relay, not
 * yet confirmed) or `published`. Meaningful only while the message is pending; an end state keeps the last value.
 */
const OUTBOX = `
ALTER TABLE messages ADD COLUMN job_state TEXT NOT NULL DEFAULT 'unpublished'
  CHECK (job_state IN ('unpublished', 'publishing', 'published'));
CREATE INDEX messages_unpublished ON messages (status, updated_at, id) WHERE status = 'pending' AND job_state <> 'published';
`;

const BATCHES_AND_PARTNER_RECORDS = `
ALTER TABLE attempts ADD COLUMN batch_id TEXT;
CREATE INDEX attempts_batch ON attempts (batch_id) WHERE batch_id IS NOT NULL;

CREATE TABLE partner_records (
  partner    TEXT    NOT NULL,
  kind       TEXT    NOT NULL,
  id         TEXT    NOT NULL,
  key        TEXT    NOT NULL,
  value      TEXT    NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (partner, kind, id)
);
CREATE INDEX partner_records_key ON partner_records (partner, kind, key, updated_at DESC);
`;

/**
 * Inbound messages: what partners pushed, with the canonical record it maps to, the receipt sent (so a
 * repeat gets the same bytes), the identity evidence, and the hand-over to CAIS as an outbox
 * (`handover_due` while accepted, leased like deliveries). `seq` is the pull API's cursor. Refusals
 * are logged apart: nothing of a refused push counts as accepted.
 */
const INBOUND = `
CREATE TABLE inbound_messages (
  seq                INTEGER PRIMARY KEY,
  id                 TEXT    NOT NULL UNIQUE,
  partner            TEXT    NOT NULL,
  partner_message_id TEXT    NOT NULL,
  message_type       TEXT    NOT NULL,
  record_type        TEXT    NOT NULL,
  record_id          TEXT    NOT NULL,
  record_version     INTEGER NOT NULL,
  record_json        TEXT    NOT NULL,
  mapping_id         TEXT    NOT NULL,
  mapping_version    INTEGER NOT NULL,
  mapping_sha256     TEXT    NOT NULL,
  payload            BLOB    NOT NULL,
  payload_sha256     TEXT    NOT NULL,
  receipt_status     INTEGER NOT NULL,
  receipt_headers    TEXT    NOT NULL,
  receipt_body       BLOB    NOT NULL,
  answers            TEXT,
  client_cert        TEXT    NOT NULL,
  signer_cert        TEXT    NOT NULL,
  status             TEXT    NOT NULL CHECK (status IN ('accepted', 'handed-over')),
  handover_attempts  INTEGER NOT NULL DEFAULT 0,
  handover_due       INTEGER,
  handover_via       TEXT,
  handover_error     TEXT,
  handed_over_at     INTEGER,
  lease_owner        TEXT,
  lease_until        INTEGER,
  received_at        INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL,
  UNIQUE (partner, partner_message_id)
);
CREATE INDEX inbound_due ON inbound_messages (handover_due, seq) WHERE status = 'accepted';
CREATE INDEX inbound_newest ON inbound_messages (received_at DESC, id DESC);
CREATE INDEX inbound_answers ON inbound_messages (answers) WHERE answers IS NOT NULL;

CREATE TABLE inbound_keys (
  inbound_id TEXT NOT NULL REFERENCES inbound_messages (id),
  name       TEXT NOT NULL,
  value      TEXT NOT NULL,
  PRIMARY KEY (inbound_id, name)
);
CREATE INDEX inbound_keys_value ON inbound_keys (value);

CREATE TABLE inbound_changes (
  id         INTEGER PRIMARY KEY,
  inbound_id TEXT    NOT NULL REFERENCES inbound_messages (id),
  at         INTEGER NOT NULL,
  status     TEXT    NOT NULL,
  reason     TEXT    NOT NULL
);
CREATE INDEX inbound_changes_message ON inbound_changes (inbound_id, at, id);

CREATE TABLE inbound_refusals (
  id             INTEGER PRIMARY KEY,
  partner        TEXT    NOT NULL,
  code           TEXT    NOT NULL,
  reason         TEXT    NOT NULL,
  payload_sha256 TEXT    NOT NULL,
  size           INTEGER NOT NULL,
  client_cert    TEXT,
  received_at    INTEGER NOT NULL
);
CREATE INDEX inbound_refusals_newest ON inbound_refusals (received_at DESC, id DESC);
`;

/** The acknowledgements table as created under `name`, with the effects its CHECK allows (SQL literals). */
function acknowledgementsTable(name: string, effects: string): string {
  return `CREATE TABLE ${name} (
  id                 INTEGER PRIMARY KEY,
  message_id         TEXT    NOT NULL REFERENCES messages (id),
  partner            TEXT    NOT NULL,
  partner_message_id TEXT    NOT NULL,
  stage              TEXT    NOT NULL CHECK (stage IN ('received', 'accepted', 'answered')),
  rejected           INTEGER NOT NULL,
  code               TEXT,
  text               TEXT,
  effect             TEXT    NOT NULL CHECK (effect IN (${effects})),
  payload            BLOB    NOT NULL,
  payload_sha256     TEXT    NOT NULL,
  receipt_status     INTEGER NOT NULL,
  receipt_headers    TEXT    NOT NULL,
  receipt_body       BLOB    NOT NULL,
  client_cert        TEXT    NOT NULL,
  signer_cert        TEXT    NOT NULL,
  received_at        INTEGER NOT NULL,
  UNIQUE (partner, partner_message_id)
);`;
}

const ACKNOWLEDGEMENTS = `
CREATE TABLE acknowledgement_watch (
  message_id      TEXT    PRIMARY KEY REFERENCES messages (id),
  stages          TEXT    NOT NULL,
  repeats_allowed INTEGER NOT NULL,
  repeats         INTEGER NOT NULL DEFAULT 0,
  awaiting        TEXT,
  due_at          INTEGER,
  cycle_since     INTEGER NOT NULL DEFAULT 0,
  updated_at      INTEGER NOT NULL
);
CREATE INDEX acknowledgement_due ON acknowledgement_watch (due_at) WHERE due_at IS NOT NULL;

${acknowledgementsTable('acknowledgements', "'advanced', 'late', 'failed'")}
CREATE INDEX acknowledgements_message ON acknowledgements (message_id, received_at, id);
`;

const DIAGNOSTIC_EVENTS = `
CREATE TABLE diagnostic_events (
  id         INTEGER PRIMARY KEY,
  at         INTEGER NOT NULL,
  kind       TEXT    NOT NULL CHECK (kind IN ('received', 'transformed', 'sent', 'trusted-party-sent', 'trusted-party-received', 'delivery-timeout', 'header-error')),
  partner    TEXT    NOT NULL,
  message_id TEXT,
  inbound_id TEXT,
  detail     TEXT    NOT NULL
);
CREATE INDEX diagnostic_events_newest ON diagnostic_events (at DESC, id DESC);
CREATE INDEX diagnostic_events_message ON diagnostic_events (message_id, at, id) WHERE message_id IS NOT NULL;
CREATE INDEX diagnostic_events_inbound ON diagnostic_events (inbound_id, at, id) WHERE inbound_id IS NOT NULL;
`;

/** An acknowledgement may have its message sent again (`resent`): SQLite changes a CHECK only by rebuilding the table. */
const ACKNOWLEDGEMENT_RESENT = `
${acknowledgementsTable('acknowledgements_v10', "'advanced', 'late', 'failed', 'resent'")}
INSERT INTO acknowledgements_v10 SELECT * FROM acknowledgements;
DROP TABLE acknowledgements;
ALTER TABLE acknowledgements_v10 RENAME TO acknowledgements;
CREATE INDEX acknowledgements_message ON acknowledgements (message_id, received_at, id);
`;

/** An outbound document's bytes apart from its row (migration 14). */
const MESSAGE_PAYLOADS = `
CREATE TABLE message_payloads (
  message_id TEXT PRIMARY KEY REFERENCES messages (id),
  payload    BLOB NOT NULL
);
INSERT INTO message_payloads (message_id, payload) SELECT id, payload FROM messages;
ALTER TABLE messages DROP COLUMN payload;
`;

/**
 * What a push was, what we answered and who sent and signed it (migration 15): the bytes of a received
 * message apart from the row its hand-over leases and records rewrite, as migration 14 did for outbound documents.
 */
const INBOUND_EVIDENCE = `
CREATE TABLE inbound_evidence (
  inbound_id   TEXT PRIMARY KEY REFERENCES inbound_messages (id),
  payload      BLOB NOT NULL,
  receipt_body BLOB NOT NULL,
  client_cert  TEXT NOT NULL,
  signer_cert  TEXT NOT NULL
);
INSERT INTO inbound_evidence (inbound_id, payload, receipt_body, client_cert, signer_cert)
  SELECT id, payload, receipt_body, client_cert, signer_cert FROM inbound_messages;
ALTER TABLE inbound_messages DROP COLUMN payload;
ALTER TABLE inbound_messages DROP COLUMN receipt_body;
ALTER TABLE inbound_messages DROP COLUMN client_cert;
ALTER TABLE inbound_messages DROP COLUMN signer_cert;
`;

/** Every migration the code knows, oldest first. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'message log: records, messages, keys, attempts, status changes', sql: INITIAL_SCHEMA },
  { version: 2, name: 'outbox: job state of pending messages', sql: OUTBOX },
  { version: 3, name: 'batches and partner records', sql: BATCHES_AND_PARTNER_RECORDS },
  { version: 4, name: 'retry budget restarts at a resend', sql: `ALTER TABLE messages ADD COLUMN retry_base INTEGER NOT NULL DEFAULT 0;` },
  { version: 5, name: 'inbound messages, their hand-over to CAIS, and refusals', sql: INBOUND },
  { version: 6, name: 'acknowledgements partners push for our messages, and the ones awaited', sql: ACKNOWLEDGEMENTS },
  { version: 7, name: 'diagnostic events of the exchange (received, transformed, sent, delivery timeout, header error)', sql: DIAGNOSTIC_EVENTS },
  { version: 8, name: 'partner records carry a revision for compare-and-set', sql: `ALTER TABLE partner_records ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;` },
  { version: 9, name: 'a job handed out for publishing names the store instance that handed it out', sql: `ALTER TABLE messages ADD COLUMN publish_owner TEXT;` },
  { version: 10, name: 'an acknowledgement may ask for its message again (effect resent)', sql: ACKNOWLEDGEMENT_RESENT },
  // Rows before it keep payload_sha256 as the digest of their bytes (no release ever wrote another digest there).
  {
    version: 11,
    name: 'a push identified for repeats by a digest of its own (an AS2 push: its signed document)',
    sql: `ALTER TABLE inbound_messages ADD COLUMN identity_sha256 TEXT; ALTER TABLE acknowledgements ADD COLUMN identity_sha256 TEXT;`,
  },
  { version: 12, name: 'the hash-chained audit trail, its head and signed checkpoints', sql: SQLITE_AUDIT_SCHEMA },
  { version: 13, name: 'the versions each mapping file ran, shared by the instances on the log', sql: mappingChangesTableSql('INTEGER') },
  // A row SQLite changes in size is written anew with every overflow page of its blobs: a lease or an attempt record rewrote the document too.
  { version: 14, name: "an outbound document's bytes in a table of their own, out of the row each lease and attempt rewrites", sql: MESSAGE_PAYLOADS },
  { version: 15, name: "a received message's bytes, our receipt and its certificates in a table of their own, out of the row each hand-over rewrites", sql: INBOUND_EVIDENCE },
];


/** The schema version this code writes. */
export const LATEST_SCHEMA_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER PRIMARY KEY,
  name       TEXT    NOT NULL,
  applied_at INTEGER NOT NULL
)`;

function recordedVersion(db: Database): number {
  const row = db.prepare('SELECT MAX(version) AS version FROM schema_migrations').get() as { version: number | null };
  return row.version ?? 0;
}

function refuseNewer(file: string, version: number): never {
  throw new GatewayError(
    'GW_ERR_CONFIG_INVALID',
    `message store ${file} has schema version ${version}, newer than version ${LATEST_SCHEMA_VERSION} this gateway knows; run a newer gateway or point it at another file`,
    { file, schemaVersion: version, knownVersion: LATEST_SCHEMA_VERSION },
  );
}

function applyPending(db: Database, file: string, appliedAt: number): void {
  db.exec(CREATE_MIGRATIONS_TABLE);
  const current = recordedVersion(db);
  if (current > LATEST_SCHEMA_VERSION) refuseNewer(file, current);
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const migration of MIGRATIONS.filter((m) => m.version > current)) {
    db.exec(migration.sql);
    record.run(migration.version, migration.name, appliedAt);
  }
}

/**
 * Brings the database up to {@link LATEST_SCHEMA_VERSION} in one immediate transaction, recording each applied
 * migration in `schema_migrations`; already applied migrations are skipped.
 * @param db an open connection
 * @param file the database file, named in errors
 * @throws GatewayError GW_ERR_CONFIG_INVALID when the file's schema is newer than this code, or a migration fails
 */
export function applyMigrations(db: Database, file: string): void {
  try {
    db.transaction(applyPending).immediate(db, file, Date.now());
  } catch (error) {
    if (error instanceof GatewayError) throw error;
    throw new GatewayError('GW_ERR_CONFIG_INVALID', `cannot migrate message store ${file}: ${(error as Error).message}`, { file }, { cause: error });
  }
}
