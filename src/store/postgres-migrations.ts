// Schema of the PostgreSQL store as an ordered list of migrations (migratePostgres applies them under an advisory lock).
import { POSTGRES_AUDIT_SCHEMA } from './postgres-audit.js';
import { mappingChangesTableSql } from './mapping-change-store.js';
import type { Migration } from './migration.js';

/** Adapters' own records: JSON by partner, kind and id, found by key, with a revision for compare-and-set. */
const PARTNER_RECORDS = `
CREATE TABLE partner_records (
  partner    TEXT   NOT NULL,
  kind       TEXT   NOT NULL,
  id         TEXT   NOT NULL,
  key        TEXT   NOT NULL,
  value      JSONB  NOT NULL,
  updated_at BIGINT NOT NULL,
  revision   BIGINT NOT NULL DEFAULT 1,
  PRIMARY KEY (partner, kind, id)
);
CREATE INDEX partner_records_key ON partner_records (partner, kind, key, updated_at DESC);
`;

const STATUS_CHECK = `('pending', 'delivered', 'failed', 'dead-lettered', 'needs-human')`;

/**
 * The message log and its outbox, as in the SQLite store (sqlite-migrations.ts): records accepted once
 * per (type, record_id, version), their messages with the job state of the delivery queue, business
 * keys, attempts and status changes. Times are epoch milliseconds; versions are BIGINT, as SQLite's integers.
 * `publish_owner` is the store instance that handed the job out, so a late mark by another one changes nothing. Message ids compare bytewise
 * (COLLATE "C") whatever the database's collation, so the search order and its cursors are SQLite's.
 */
const MESSAGE_LOG = `
CREATE TABLE records (
  id          BIGSERIAL PRIMARY KEY,
  type        TEXT    NOT NULL,
  record_id   TEXT    NOT NULL,
  version     BIGINT  NOT NULL,
  json        TEXT    NOT NULL,
  received_at BIGINT  NOT NULL,
  UNIQUE (type, record_id, version)
);

CREATE TABLE messages (
  id              TEXT    COLLATE "C" PRIMARY KEY,
  record_row      BIGINT  NOT NULL REFERENCES records (id),
  position        INTEGER NOT NULL,
  partner         TEXT    NOT NULL,
  message_type    TEXT    NOT NULL,
  mapping_id      TEXT    NOT NULL,
  mapping_version BIGINT  NOT NULL,
  mapping_sha256  TEXT    NOT NULL,
  payload         BYTEA   NOT NULL,
  payload_sha256  TEXT    NOT NULL,
  extension       TEXT    NOT NULL,
  status          TEXT    NOT NULL CHECK (status IN ${STATUS_CHECK}),
  attempts        INTEGER NOT NULL DEFAULT 0,
  retry_base      INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT,
  job_state       TEXT    NOT NULL DEFAULT 'unpublished' CHECK (job_state IN ('unpublished', 'publishing', 'published')),
  publish_owner   TEXT,
  lease_owner     TEXT,
  lease_until     BIGINT,
  created_at      BIGINT  NOT NULL,
  updated_at      BIGINT  NOT NULL,
  UNIQUE (record_row, position)
);
CREATE INDEX messages_pending_due ON messages (next_attempt_at) WHERE status = 'pending';
CREATE INDEX messages_unpublished ON messages (updated_at, id) WHERE status = 'pending' AND job_state <> 'published';
CREATE INDEX messages_newest ON messages (created_at DESC, id DESC);
CREATE INDEX messages_partner_newest ON messages (partner, created_at DESC, id DESC);
CREATE INDEX messages_status_newest ON messages (status, created_at DESC, id DESC);
CREATE INDEX messages_status_partner_newest ON messages (status, partner, created_at DESC, id DESC);
CREATE INDEX messages_type_newest ON messages (message_type, created_at DESC, id DESC);

CREATE TABLE message_keys (
  message_id TEXT COLLATE "C" NOT NULL REFERENCES messages (id),
  name       TEXT NOT NULL,
  value      TEXT NOT NULL,
  PRIMARY KEY (message_id, name)
);
CREATE INDEX message_keys_value ON message_keys (value, message_id);

CREATE TABLE attempts (
  message_id   TEXT COLLATE "C"    NOT NULL REFERENCES messages (id),
  number       INTEGER NOT NULL,
  started_at   BIGINT  NOT NULL,
  duration_ms  INTEGER NOT NULL,
  outcome      TEXT    NOT NULL CHECK (outcome IN ('delivered', 'retry', 'failed', 'needs-human')),
  http_status  INTEGER,
  partner_code TEXT,
  error        TEXT,
  batch_id     TEXT,
  PRIMARY KEY (message_id, number)
);
CREATE INDEX attempts_batch ON attempts (batch_id) WHERE batch_id IS NOT NULL;

CREATE TABLE status_changes (
  id          BIGSERIAL PRIMARY KEY,
  message_id  TEXT COLLATE "C"    NOT NULL REFERENCES messages (id),
  at          BIGINT  NOT NULL,
  from_status TEXT CHECK (from_status IN ${STATUS_CHECK}),
  to_status   TEXT    NOT NULL CHECK (to_status IN ${STATUS_CHECK}),
  reason      TEXT    NOT NULL
);
CREATE INDEX status_changes_message ON status_changes (message_id, at, id);
`;

/** Acknowledgements partners push for our messages, and the one each delivered message awaits. */
const ACKNOWLEDGEMENTS = `
CREATE TABLE acknowledgement_watch (
  message_id      TEXT COLLATE "C"    PRIMARY KEY REFERENCES messages (id),
  stages          TEXT    NOT NULL,
  repeats_allowed INTEGER NOT NULL,
  repeats         INTEGER NOT NULL DEFAULT 0,
  awaiting        TEXT,
  due_at          BIGINT,
  cycle_since     BIGINT  NOT NULL DEFAULT 0,
  updated_at      BIGINT  NOT NULL
);
CREATE INDEX acknowledgement_due ON acknowledgement_watch (due_at) WHERE due_at IS NOT NULL;

CREATE TABLE acknowledgements (
  id                 BIGSERIAL PRIMARY KEY,
  message_id         TEXT COLLATE "C"    NOT NULL REFERENCES messages (id),
  partner            TEXT    NOT NULL,
  partner_message_id TEXT    NOT NULL,
  stage              TEXT    NOT NULL CHECK (stage IN ('received', 'accepted', 'answered')),
  rejected           BOOLEAN NOT NULL,
  code               TEXT,
  text               TEXT,
  effect             TEXT    NOT NULL CHECK (effect IN ('advanced', 'late', 'failed')),
  payload            BYTEA   NOT NULL,
  payload_sha256     TEXT    NOT NULL,
  receipt_status     INTEGER NOT NULL,
  receipt_headers    TEXT    NOT NULL,
  receipt_body       BYTEA   NOT NULL,
  client_cert        TEXT    NOT NULL,
  signer_cert        TEXT    NOT NULL,
  received_at        BIGINT  NOT NULL,
  UNIQUE (partner, partner_message_id)
);
CREATE INDEX acknowledgements_message ON acknowledgements (message_id, received_at, id);
`;

/** Inbound messages, their hand-over to CAIS, and refused pushes (see the SQLite store's migration 5). */
const INBOUND = `
CREATE TABLE inbound_messages (
  seq                BIGSERIAL PRIMARY KEY,
  id                 TEXT    COLLATE "C" NOT NULL UNIQUE,
  partner            TEXT    NOT NULL,
  partner_message_id TEXT    NOT NULL,
  message_type       TEXT    NOT NULL,
  record_type        TEXT    NOT NULL,
  record_id          TEXT    NOT NULL,
  record_version     BIGINT  NOT NULL,
  record_json        TEXT    NOT NULL,
  mapping_id         TEXT    NOT NULL,
  mapping_version    BIGINT  NOT NULL,
  mapping_sha256     TEXT    NOT NULL,
  payload            BYTEA   NOT NULL,
  payload_sha256     TEXT    NOT NULL,
  receipt_status     INTEGER NOT NULL,
  receipt_headers    TEXT    NOT NULL,
  receipt_body       BYTEA   NOT NULL,
  answers            TEXT,
  client_cert        TEXT    NOT NULL,
  signer_cert        TEXT    NOT NULL,
  status             TEXT    NOT NULL CHECK (status IN ('accepted', 'handed-over')),
  handover_attempts  INTEGER NOT NULL DEFAULT 0,
  handover_due       BIGINT,
  handover_via       TEXT,
  handover_error     TEXT,
  handed_over_at     BIGINT,
  lease_owner        TEXT,
  lease_until        BIGINT,
  received_at        BIGINT  NOT NULL,
  updated_at         BIGINT  NOT NULL,
  UNIQUE (partner, partner_message_id)
);
CREATE INDEX inbound_due ON inbound_messages (handover_due, seq) WHERE status = 'accepted';
CREATE INDEX inbound_newest ON inbound_messages (received_at DESC, id DESC);
CREATE INDEX inbound_answers ON inbound_messages (answers) WHERE answers IS NOT NULL;

CREATE TABLE inbound_keys (
  inbound_id TEXT COLLATE "C" NOT NULL REFERENCES inbound_messages (id),
  name       TEXT NOT NULL,
  value      TEXT NOT NULL,
  PRIMARY KEY (inbound_id, name)
);
CREATE INDEX inbound_keys_value ON inbound_keys (value, inbound_id);

CREATE TABLE inbound_changes (
  id         BIGSERIAL PRIMARY KEY,
  inbound_id TEXT COLLATE "C"    NOT NULL REFERENCES inbound_messages (id),
  at         BIGINT  NOT NULL,
  status     TEXT    NOT NULL,
  reason     TEXT    NOT NULL
);
CREATE INDEX inbound_changes_message ON inbound_changes (inbound_id, at, id);

CREATE TABLE inbound_refusals (
  id             BIGSERIAL PRIMARY KEY,
  partner        TEXT    NOT NULL,
  code           TEXT    NOT NULL,
  reason         TEXT    NOT NULL,
  payload_sha256 TEXT    NOT NULL,
  size           INTEGER NOT NULL,
  client_cert    TEXT,
  received_at    BIGINT  NOT NULL
);
CREATE INDEX inbound_refusals_newest ON inbound_refusals (received_at DESC, id DESC);
`;

/** Diagnostic events of the exchange (EEC Decision 5). */
const DIAGNOSTIC_EVENTS = `
CREATE TABLE diagnostic_events (
  id         BIGSERIAL PRIMARY KEY,
  at         BIGINT NOT NULL,
  kind       TEXT   NOT NULL CHECK (kind IN ('received', 'transformed', 'sent', 'trusted-party-sent', 'trusted-party-received', 'delivery-timeout', 'header-error')),
  partner    TEXT   NOT NULL,
  message_id TEXT,
  inbound_id TEXT,
  detail     TEXT   NOT NULL
);
CREATE INDEX diagnostic_events_newest ON diagnostic_events (at DESC, id DESC);
CREATE INDEX diagnostic_events_message ON diagnostic_events (message_id, at, id) WHERE message_id IS NOT NULL;
CREATE INDEX diagnostic_events_inbound ON diagnostic_events (inbound_id, at, id) WHERE inbound_id IS NOT NULL;
`;

/** The embedded queue's take (claimDue) reads one partner's due messages: without it, a partner with a large backlog slows every other partner's takes. */
const PARTNER_DUE = `CREATE INDEX messages_partner_due ON messages (partner, next_attempt_at) WHERE status = 'pending';`;

/** An acknowledgement may have its message sent again (`resent`). */
const ACKNOWLEDGEMENT_RESENT = `ALTER TABLE acknowledgements DROP CONSTRAINT acknowledgements_effect_check,
  ADD CONSTRAINT acknowledgements_effect_check CHECK (effect IN ('advanced', 'late', 'failed', 'resent'));`;

/** The PostgreSQL store's migrations, oldest first. */
export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'partner records with a revision for compare-and-set', sql: PARTNER_RECORDS },
  { version: 2, name: 'message log and outbox: records, messages, keys, attempts, status changes', sql: MESSAGE_LOG },
  { version: 3, name: 'acknowledgements partners push, and the ones awaited', sql: ACKNOWLEDGEMENTS },
  { version: 4, name: 'inbound messages, their hand-over to CAIS, and refusals', sql: INBOUND },
  { version: 5, name: 'diagnostic events of the exchange', sql: DIAGNOSTIC_EVENTS },
  { version: 6, name: "each partner's due messages, for the embedded queue's takes", sql: PARTNER_DUE },
  { version: 7, name: 'an acknowledgement may ask for its message again (effect resent)', sql: ACKNOWLEDGEMENT_RESENT },
  // Rows before it keep payload_sha256 as the digest of their bytes (no release ever wrote another digest there).
  {
    version: 8,
    name: 'a push identified for repeats by a digest of its own (an AS2 push: its signed document)',
    sql: `ALTER TABLE inbound_messages ADD COLUMN identity_sha256 TEXT; ALTER TABLE acknowledgements ADD COLUMN identity_sha256 TEXT;`,
  },
  { version: 9, name: 'the hash-chained audit trail, its head and signed checkpoints', sql: POSTGRES_AUDIT_SCHEMA },
  { version: 10, name: 'the versions each mapping file ran, shared by the instances on the schema', sql: mappingChangesTableSql('BIGINT') },
];
