// The compiled form of one inbound mapping file: the contract the gateway uses to turn a partner's document into a CAIS record.
import type { XmlContent } from '../codec/document-tree.js';
import type { CaisRecord } from '../records/record-types.js';

/** An inbound mapping file (`direction: in`) compiled once at load. */
export interface InboundMapping {
  /** Mapping id from the file. */
  readonly id: string;
  /** Mapping version from the file. */
  readonly version: number;
  /** SHA-256 (hex) of the mapping file's bytes: which exact file produced a record. */
  readonly sha256: string;
  /** Path of the mapping file. */
  readonly source: string;
  /** Partner instance whose pushed documents this mapping reads. */
  readonly partner: string;
  /** The partner's inbound message type (its adapter's `inbound.messages`). */
  readonly message: string;
  /** CAIS record type produced. */
  readonly recordType: string;
  /**
   * True when the document holds the mapping's `root` element (exactly one) and its `when` condition
   * holds. `document` is the parsed document as `parseXml` gives it; the mapping renames it by namespace itself.
   */
  applies(document: XmlContent): Promise<boolean>;
  /**
   * Builds the candidate record, not yet validated; `now` (default: the current time) is what `$now()` returns.
   * @throws GatewayError GW_ERR_NO_ROUTE when the root element is missing, GW_ERR_MAPPING_EXPRESSION or
   *   GW_ERR_MAPPING_CODE_UNKNOWN when an expression fails on this document.
   */
  apply(document: XmlContent, now?: Date): Promise<unknown>;
  /** Business keys the log indexes, evaluated over the produced record; keys that select nothing are left out. */
  businessKeys(record: CaisRecord): Promise<Record<string, string>>;
  /** The names of the business keys the file declares. */
  readonly keyNames: readonly string[];
}
