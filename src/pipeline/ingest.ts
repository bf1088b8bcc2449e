// Accepting CAIS records: translate each, then log the record and its documents durably in one transaction.
import { randomUUID } from 'node:crypto';
import { GatewayError } from '../errors.js';
import { AcceptGroup } from '../store/group-commit.js';
import type { MessageStore, NewMessage, SourceRecord } from '../store/message-store.js';
import type { TranslatedDocument, TranslationProblem, Translator } from './translator.js';

/** What happened to one record of a batch. */
export type IngestOutcome =
  | { index: number; recordId: string; status: 'accepted' | 'duplicate'; messages: Array<{ id: string; partner: string; messageType: string }> }
  | { index: number; recordId?: string; status: 'rejected'; violations: TranslationProblem[] };

/** Records in, durable messages out. */
export interface Ingest {
  /**
   * Translates each record, then stores every valid one with its documents in one transaction. A
   * record is all-or-nothing: every document it produces is stored with it, or (when invalid)
   * nothing is. Returns only after what was accepted is committed.
   * @throws GatewayError GW_ERR_OUTBOX_FULL while the queue cannot take work and the outbox is at its bound.
   */
  accept(values: readonly unknown[], acceptedBy?: string): Promise<IngestOutcome[]>;
}

/** What the ingest step works with. */
export interface IngestDeps {
  translator: Translator;
  store: MessageStore;
  /** Told when new messages wait for delivery, with the partners they go to. */
  accepted: (partners: ReadonlySet<string>) => void;
  /**
   * Accepted messages not yet handed to the broker, at most; beyond it records are refused for now.
   * Unset without a broker: there the outbox is the queue, bounded by the disk like a broker's queue.
   */
  maxOutbox?: number;
  /** Sees every outcome (metrics). */
  observe?: (status: IngestOutcome['status']) => void;
  now?: () => number;
}

/** A record as its unique keys are held: type, id and version. */
type Holder = { recordType: string; recordId: string; recordVersion: number };

/**
 * The problems of a translated record whose documents would reuse a unique business key value (their
 * message type's `uniqueKeys`) that another record's message to the same partner holds, in the log or
 * earlier in the same request (`taken`, which it adds its own to); none when the holder is this record
 * itself (a repeat).
 */
async function reusedKeys(store: MessageStore, record: { type: string; recordId: string; version: number }, documents: readonly TranslatedDocument[], taken: Map<string, Holder>): Promise<TranslationProblem[]> {
  const problems: TranslationProblem[] = [];
  const self = (h: Holder): boolean => h.recordType === record.type && h.recordId === record.recordId && h.recordVersion === record.version;
  for (const d of documents) {
    for (const name of d.uniqueKeys ?? []) {
      const value = d.businessKeys[name];
      if (value === undefined) continue;
      const slot = JSON.stringify([d.partner, name, value]);
      const earlier = taken.get(slot);
      const other = earlier && !self(earlier) ? earlier : (await store.keyHolders(d.partner, name, value, 2)).find((h) => !self(h));
      if (other) problems.push({ code: 'GW_ERR_KEY_NOT_UNIQUE', pointer: `/businessKeys/${name}`, message: `${name} ${value} is already carried by a message of ${other.recordType} ${other.recordId} version ${other.recordVersion}`, target: `${d.partner}/${d.message}` });
      else taken.set(slot, { recordType: record.type, recordId: record.recordId, recordVersion: record.version });
    }
  }
  return problems;
}

/** Creates the ingest step. */
export function createIngest({ translator, store, accepted, maxOutbox, observe = () => undefined, now = Date.now }: IngestDeps): Ingest {
  // Concurrent requests share one durable commit; each is answered once its own records are durable.
  const group = new AcceptGroup(store);
  return {
    async accept(values, acceptedBy) {
      const waiting = maxOutbox === undefined ? 0 : await store.unpublishedCount();
      if (maxOutbox !== undefined && waiting >= maxOutbox) {
        throw new GatewayError('GW_ERR_OUTBOX_FULL', `${waiting} accepted messages wait for the queue (limit ${maxOutbox}); nothing of this request was accepted`);
      }
      const out: IngestOutcome[] = new Array(values.length);
      const taken = new Map<string, Holder>();
      const batch: Array<{ index: number; record: SourceRecord; messages: NewMessage[] }> = [];
      for (const [index, value] of values.entries()) {
        const result = await translator.translate(value);
        if (!result.ok) {
          out[index] = { index, ...(result.recordId ? { recordId: result.recordId } : {}), status: 'rejected', violations: result.problems };
          continue;
        }
        const { record } = result;
        const reused = result.documents.some((d) => d.uniqueKeys) ? await reusedKeys(store, record, result.documents, taken) : [];
        if (reused.length > 0) {
          out[index] = { index, recordId: record.recordId, status: 'rejected', violations: reused };
          continue;
        }
        const messages: NewMessage[] = result.documents.map((d) => ({
          id: randomUUID(),
          partner: d.partner,
          messageType: d.message,
          mapping: d.mapping,
          businessKeys: d.businessKeys,
          payload: d.bytes,
          payloadSha256: d.sha256,
          extension: d.extension,
        }));
        batch.push({ index, record: { type: record.type, recordId: record.recordId, version: record.version, json: JSON.stringify(record), ...(acceptedBy === undefined ? {} : { acceptedBy }) }, messages });
      }
      const stored = batch.length > 0 ? await group.acceptBatch(batch, now()) : [];
      stored.forEach((result, i) => {
        const { index, record } = batch[i]!;
        out[index] = { index, recordId: record.recordId, status: result.created ? 'accepted' : 'duplicate', messages: result.messages };
      });
      const partners = new Set(stored.flatMap((r) => (r.created ? r.messages.map((m) => m.partner) : [])));
      if (partners.size > 0) accepted(partners);
      for (const o of out) observe(o.status);
      return out;
    },
  };
}
