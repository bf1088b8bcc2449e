// Our replies to a partner's push as messages of the log: signed with each message type's profile, their source the push itself.
import { createHash, randomUUID } from 'node:crypto';
import { GatewayError } from '../errors.js';
import type { InboundReply, PartnerContext } from '../partners/partner-definition.js';
import type { Setup } from '../setup/load-setup.js';
import type { NewMessage, SourceRecord } from '../store/message-store.js';

/** The record type of a reply's source: the partner's push it answers (record id = our id of the push). */
export const REPLY_SOURCE_TYPE = 'inbound-reply';

/**
 * The source record and the messages of an adapter's replies: each signed with the signing profile of
 * its message type and our key for the partner, all at once and off the event loop where the profile
 * can; accepting them again is a no-op (the source record is idempotent on the push's id), so a
 * repeated push never sends its replies twice.
 * @throws GatewayError GW_ERR_PARTNER_UNKNOWN for a reply of a message type the adapter does not send
 */
export async function replyMessages(setup: Setup, context: PartnerContext, inboundId: string, replies: readonly InboundReply[]): Promise<[SourceRecord, NewMessage[]]> {
  const partner = setup.partners.get(context.partner);
  const messages = await Promise.all(
    replies.map(async (reply): Promise<NewMessage> => {
      const spec = partner.messages[reply.messageType];
      if (!spec) throw new GatewayError('GW_ERR_PARTNER_UNKNOWN', `partner ${partner.id} sends no "${reply.messageType}" (its replies must be among its messages)`);
      const payload = await context.signAsync(spec.signing, reply.document);
      return {
        id: randomUUID(),
        partner: partner.id,
        messageType: reply.messageType,
        mapping: { id: `${partner.adapter}:replies`, version: 1, sha256: '' },
        businessKeys: reply.businessKeys,
        payload,
        payloadSha256: createHash('sha256').update(payload).digest('hex'),
        extension: setup.partners.codecs.get(spec.codec).extension,
        ...(reply.delayMs ? { delayMs: reply.delayMs } : {}),
      };
    }),
  );
  const source: SourceRecord = { type: REPLY_SOURCE_TYPE, recordId: inboundId, version: 1, json: JSON.stringify({ type: REPLY_SOURCE_TYPE, inboundId, partner: partner.id }) };
  return [source, messages];
}
