// The message-log role of the store: CAIS records and the messages made from them, accepted idempotently and durably, then read, searched and counted.
import type { AcceptResult, MessageDetail, MessageFilter, MessageSummary, NewMessage, Page, SourceRecord, StoreStats } from './message-store.js';

/** A record's JSON as the log keeps it, with its position in the log. */
export interface LoggedRecord {
  row: number;
  json: string;
}

/**
 * The message log: every record accepted and the partner messages made from it, with their
 * history. Every implementation passes test/conformance/message-log.conformance.ts.
 */
export interface MessageLog {
  /**
   * Stores a record and its messages atomically (status pending, due at `now`, unpublished). Idempotent on
   * (type, recordId, version): a repeat stores nothing and returns the first time's message ids.
   */
  accept(record: SourceRecord, messages: NewMessage[], now: number): Promise<AcceptResult>;
  /**
   * {@link accept} for several records in one transaction (one durable commit for a whole API
   * batch): all are stored, or, on any error, none. Results are in input order.
   */
  acceptBatch(items: ReadonlyArray<{ record: SourceRecord; messages: NewMessage[] }>, now: number): Promise<AcceptResult[]>;
  /** Full detail of one message, or undefined. */
  get(id: string): Promise<MessageDetail | undefined>;
  /** The exact payload bytes, or undefined. */
  payload(id: string): Promise<Buffer | undefined>;
  /** Newest first; `cursor` continues a previous page. */
  search(filter: MessageFilter, limit: number, cursor?: string): Promise<Page<MessageSummary>>;
  /** Counts for metrics; cheap enough to call on every scrape. */
  stats(now: number): Promise<StoreStats>;
  /**
   * The payload logged for the latest earlier version of a record towards one partner message type
   * (the highest version below `version`), or undefined when none was logged.
   */
  previousPayload(recordType: string, recordId: string, version: number, partner: string, messageType: string): Promise<Buffer | undefined>;
  /**
   * The records whose messages to a partner carry a business key of this name with this value (each
   * record once, at most `limit`): to keep a key unique across records.
   */
  keyHolders(partner: string, name: string, value: string, limit: number): Promise<Array<{ recordType: string; recordId: string; recordVersion: number }>>;
  /**
   * Accepted records of one type, every version, in acceptance order after `afterRow` (0 from the
   * start): pages for exports such as trade statistics; `row` continues the next page.
   */
  recordsOfType(type: string, afterRow: number, limit: number): Promise<LoggedRecord[]>;
  /** The newest records of a type, newest first, at most `limit` (a mapping's dry run replays them). */
  latestRecordsOfType(type: string, limit: number): Promise<LoggedRecord[]>;
  /** Throws when the store cannot be reached. */
  ping(): Promise<void>;
}
