// An inbound message's detail as every store builds it from its row, keys, history and events.
import { createHash } from 'node:crypto';
import type { DiagnosticEvent } from './diagnostic-events.js';
import type { InboundDetail } from './inbound-store.js';

/** One inbound message as its row reads: the detail's own fields, the rest flat. */
export type InboundDetailRow = Pick<
  InboundDetail,
  'id' | 'partner' | 'partnerMessageId' | 'messageType' | 'status' | 'receivedAt' | 'updatedAt' | 'payloadSha256' | 'answers' | 'clientCertificate' | 'signerCertificate'
> &
  InboundDetail['handover'] & {
    mappingId: string;
    mappingVersion: number;
    mappingSha256: string;
    recordType: string;
    recordId: string;
    recordVersion: number;
    recordJson: string;
    receiptBody: Buffer;
  };

/** The detail of the message in `row`, with its keys (name and value rows), history and diagnostic events. */
export function inboundDetailOf(
  row: InboundDetailRow,
  keys: ReadonlyArray<{ name: string; value: string }>,
  history: InboundDetail['history'],
  events: DiagnosticEvent[],
): InboundDetail {
  const { mappingId, mappingVersion, mappingSha256, recordType, recordId, recordVersion, recordJson, receiptBody, via, attempts, nextAttemptAt, lastError, handedOverAt, ...rest } = row;
  return {
    ...rest,
    direction: 'in',
    mapping: { id: mappingId, version: mappingVersion, sha256: mappingSha256 },
    record: { type: recordType, recordId, version: recordVersion, value: JSON.parse(recordJson) as unknown },
    businessKeys: Object.fromEntries(keys.map(({ name, value }) => [name, value])),
    receiptSha256: createHash('sha256').update(receiptBody).digest('hex'),
    handover: { via, attempts, nextAttemptAt, lastError, handedOverAt },
    history,
    events,
  };
}
