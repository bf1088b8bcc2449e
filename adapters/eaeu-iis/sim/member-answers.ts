// The member gateway's answers to one of our messages: signals and the R.006 answer, each a reply envelope signed with the member's key.
import { randomUUID } from 'node:crypto';
import { createXmlSigner, type SignaturePlacement, type SigningCapability } from '../../../src/partners/kit.js';
import type { ProcessTable } from '../process-table.js';
import { replyEnvelope, type ReceivedMessage, type Reply } from '../reply-envelope.js';

/** Builds and signs (with the member's key) the envelope of one answer. */
export function memberAnswer(table: ProcessTable, taken: ReceivedMessage, answer: Reply, key: SigningCapability, placement: SignaturePlacement, now = new Date()): Buffer {
  return createXmlSigner(key, placement).sign(replyEnvelope(table, taken, answer, `urn:uuid:${randomUUID()}`, now));
}
