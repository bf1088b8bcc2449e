// The compiled form of one mapping file: the contract the pipeline uses to route and map records.
import type { DocumentTree } from '../codec/document-tree.js';
import type { CaisRecord } from '../records/record-types.js';

/** A mapping file compiled once at load. */
export interface Mapping {
  /** Mapping id from the file. */
  readonly id: string;
  /** Mapping version from the file. */
  readonly version: number;
  /** SHA-256 (hex) of the mapping file's bytes: which exact file produced a message. */
  readonly sha256: string;
  /** Path of the mapping file. */
  readonly source: string;
  /** CAIS record type this mapping reads. */
  readonly recordType: string;
  /** Partner and message type produced. */
  readonly target: { readonly partner: string; readonly message: string };
  /** True when the record has the mapping's type and its `when` condition holds. */
  applies(record: CaisRecord): Promise<boolean>;
  /** Builds the partner document; `now` (default: the current time) is what `$now()` returns. */
  apply(record: CaisRecord, now?: Date): Promise<DocumentTree>;
  /** Business keys the message log indexes, with values as text; keys that select nothing are left out. */
  businessKeys(record: CaisRecord): Promise<Record<string, string>>;
}
