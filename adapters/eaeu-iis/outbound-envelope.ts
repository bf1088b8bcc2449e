// Our application messages to a member's gateway: the header block from the process table, the participants and the mapping's business keys.
import type { DocumentToWrap, PartnerInstance, SoapVersion } from '../../src/partners/kit.js';
import { eaeuErrors } from './errors.js';
import { addressOf, uuidUrn, type IisHeaders } from './iis-headers.js';
import { wrapDocument } from './iis-envelope.js';
import type { ProcessTable } from './process-table.js';

/** The carnet numbers the EEC model carries: `casdo:TIRSeriesId` (two capital letters) and `casdo:TIRId` (eight digits). */
const EEC_CARNET = /^[A-Z]{2}\d{8}$/;

/** The SOAP version of an instance (option `soapVersion`, 1.2 by default as Decision 5 §19 says). */
export function soapVersionOf(instance: PartnerInstance): SoapVersion {
  return instance.options.soapVersion === '1.1' ? '1.1' : '1.2';
}

/** Business keys an outbound mapping of this adapter must give, and what each becomes. */
export const ENVELOPE_KEYS = {
  messageId: 'UUID of wsa:MessageID (urn:uuid:…); the same for every repeat of the message',
  procedureId: 'int:ProcedureID: the procedure instance, RFC 4122 UUIDs joined by "/"',
  conversationId: 'UUID of int:ConversationID (urn:uuid:…): the transaction instance',
} as const;

function key(message: DocumentToWrap, name: keyof typeof ENVELOPE_KEYS): string {
  const value = message.businessKeys[name];
  if (!value) throw eaeuErrors.error('GW_ERR_EAEU_HEADER', `the mapping of ${message.messageType} gives no business key ${name} (${ENVELOPE_KEYS[name]})`);
  return value;
}

/**
 * Wraps a rendered P.* message for a member: To the member's gateway, ReplyTo ours, the Action of the
 * message's process, procedure and transaction, the mapping's MessageID, ProcedureID and
 * ConversationID. A TIR carnet the EEC model cannot carry (business key `carnetNumber` not two letters
 * and eight digits) refuses the record for this partner.
 * @throws GatewayError GW_ERR_EAEU_CARNET_UNSUPPORTED, GW_ERR_EAEU_HEADER, GW_ERR_EAEU_PROCESS_UNKNOWN
 */
export function wrapOutbound(table: ProcessTable, message: DocumentToWrap, instance: PartnerInstance): Buffer {
  const carnet = message.businessKeys.carnetNumber;
  if (carnet !== undefined && !EEC_CARNET.test(carnet)) {
    throw eaeuErrors.error(
      'GW_ERR_EAEU_CARNET_UNSUPPORTED',
      `TIR carnet ${carnet} cannot be sent to ${instance.partner}: the EEC model carries a series of two letters and an 8-digit number (casdo:TIRSeriesId, casdo:TIRId), this one has ${carnet.length - 2} digits`,
      { carnetNumber: carnet, partner: instance.partner },
    );
  }
  const route = table.route(message.messageType);
  const { process, participant } = route;
  const headers: IisHeaders = {
    messageId: uuidUrn(key(message, 'messageId')),
    to: addressOf({ segment: instance.participants.member ?? '', process, participant }),
    replyTo: addressOf({ segment: instance.participants.us ?? '', process, participant }),
    action: { process, version: route.version, procedure: route.procedure, transaction: route.transaction.code, message: route.message },
    procedureId: key(message, 'procedureId'),
    conversationId: uuidUrn(key(message, 'conversationId')),
  };
  return wrapDocument(soapVersionOf(instance), headers, message.document);
}
