// The partner-records role of the store: adapters' own JSON records by kind and id, with compare-and-set for state several gateway instances share.

/** One adapter record as listed. */
export interface PartnerRecordRow {
  id: string;
  key: string;
  value: unknown;
  updatedAt: number;
}

/** One adapter record with its revision, for {@link PartnerRecordStore.swapPartnerRecord}. */
export interface RevisedPartnerRecord {
  value: unknown;
  /** Starts at 1 and grows by one with every write. */
  revision: number;
}

/**
 * Adapters' own records (e.g. a partner's reconciliation requests), per partner, kind and id, indexed by one
 * key value. Writes are durable when they return. Every implementation passes
 * test/conformance/partner-records.conformance.ts.
 */
export interface PartnerRecordStore {
  /** Stores (insert or replace) one of an adapter's own records; its revision grows by one. */
  putPartnerRecord(partner: string, kind: string, id: string, key: string, value: unknown, now: number): Promise<void>;
  /** One adapter record, or undefined. */
  getPartnerRecord(partner: string, kind: string, id: string): Promise<unknown | undefined>;
  /** One adapter record with its revision, or undefined. */
  readPartnerRecord(partner: string, kind: string, id: string): Promise<RevisedPartnerRecord | undefined>;
  /**
   * Compare-and-set: writes the record only when its revision is still `expectedRevision` (null: only
   * when there is no such record yet), atomically against every other writer, other processes
   * included. True when written.
   */
  swapPartnerRecord(partner: string, kind: string, id: string, key: string, value: unknown, expectedRevision: number | null, now: number): Promise<boolean>;
  /** An adapter's records of a kind, optionally only those whose key equals `key`, newest first. */
  listPartnerRecords(partner: string, kind: string, key?: string): Promise<PartnerRecordRow[]>;
}
