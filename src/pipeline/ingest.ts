// Accepting CAIS records: translate each, then log the record and its documents durably in one transaction.
import { randomUUID } from 'node:crypto';
import type { MessageStore, NewMessage, SourceRecord } from '../store/message-store.js';
import type { TranslationProblem, Translator } from './translator.js';

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
   */
  accept(values: readonly unknown[]): Promise<IngestOutcome[]>;
}

/** Creates the ingest step; `accepted` is told when new messages wait for delivery, `observe` sees every outcome. */
export function createIngest(
  translator: Translator,
  store: MessageStore,
  accepted: () => void,
  observe: (status: IngestOutcome['status']) => void = () => undefined,
  now: () => number = Date.now,
): Ingest {
  return {
    async accept(values) {
      const out: IngestOutcome[] = new Array(values.length);
      const batch: Array<{ index: number; record: SourceRecord; messages: NewMessage[] }> = [];
      for (const [index, value] of values.entries()) {
        const result = await translator.translate(value);
        if (!result.ok) {
          out[index] = { index, ...(result.recordId ? { recordId: result.recordId } : {}), status: 'rejected', violations: result.problems };
          continue;
        }
        const { record } = result;
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
        batch.push({ index, record: { type: record.type, recordId: record.recordId, version: record.version, json: JSON.stringify(record) }, messages });
      }
      const stored = batch.length > 0 ? await store.acceptBatch(batch, now()) : [];
      stored.forEach((result, i) => {
        const { index, record } = batch[i]!;
        out[index] = { index, recordId: record.recordId, status: result.created ? 'accepted' : 'duplicate', messages: result.messages };
      });
      if (stored.some((r) => r.created)) accepted();
      for (const o of out) observe(o.status);
      return out;
    },
  };
}
