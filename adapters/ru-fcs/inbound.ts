// FTS pushes transit notifications to us: how the gateway reads their routing envelope and how we answer with a Receipt.
import { childElement, childText, GatewayError, type InboundEnvelope, type InboundSpec, type XmlContent } from '../../src/partners/kit.js';
import { ENVELOPE_NS, NOTIFICATION_NS, ROUTING_NS } from './namespaces.js';
import { writeReceipt } from './receipt.js';

/** The inbound message type: the same bilateral notification we send them, about goods moving towards us. */
const PUSHED_NOTIFICATION = 'transit-notification';

function unreadable(reason: string): GatewayError {
  return new GatewayError('GW_ERR_INBOUND_UNREADABLE', `FTS envelope: ${reason}`);
}

/** Trimmed text of a `roi:` field of the routing header; undefined when absent or empty. */
function routingField(routing: XmlContent, name: string): string | undefined {
  return childText(routing, ROUTING_NS, name)?.trim() || undefined;
}

/**
 * Reads the routing envelope of a verified push: `roi:EnvelopeID` is the message id (FTS's deduplication
 * key), `roi:SenderInformation` the sender, and `roi:InitialEnvelopeID`, when present, the EnvelopeID of
 * one of our notifications that this one answers (our outbound mappings log it as business key `envelopeId`).
 * Prefixes do not matter: elements are found by namespace.
 * @throws GatewayError GW_ERR_INBOUND_UNREADABLE when the envelope lacks its routing header, EnvelopeID,
 *   SenderInformation or a TransitNotification in its Body.
 */
function readEnvelope(document: XmlContent): InboundEnvelope {
  const envelope = childElement(document, ENVELOPE_NS, 'Envelope');
  if (!envelope) throw unreadable(`the root is not an Envelope of ${ENVELOPE_NS}`);
  const header = childElement(envelope, ENVELOPE_NS, 'Header');
  const routing = header && childElement(header, ROUTING_NS, 'RoutingInf');
  if (!routing) throw unreadable('no single RoutingInf in the envelope Header');
  const messageId = routingField(routing, 'EnvelopeID');
  if (!messageId) throw unreadable('RoutingInf has no EnvelopeID');
  const sender = routingField(routing, 'SenderInformation');
  if (!sender) throw unreadable('RoutingInf has no SenderInformation');
  const body = childElement(envelope, ENVELOPE_NS, 'Body');
  if (!body || !childElement(body, NOTIFICATION_NS, 'TransitNotification')) throw unreadable(`the Body holds no TransitNotification of ${NOTIFICATION_NS}`);
  const answered = routingField(routing, 'InitialEnvelopeID');
  return { messageType: PUSHED_NOTIFICATION, messageId, sender, ...(answered ? { answers: { key: 'envelopeId', value: answered } } : {}) };
}

/**
 * FTS's pushes: the bilateral TransitNotification in the routing envelope, XMLDSig-signed by FTS,
 * answered with our bilateral Receipt (the gateway signs it with `xmldsig`, our key for FTS).
 */
export const inbound: InboundSpec = {
  messages: {
    [PUSHED_NOTIFICATION]: { description: 'Transit event (departure, border entry or exit, arrival) of goods whose transit started in Russia, moving towards or through Kazakhstan: advance information' },
  },
  read: readEnvelope,
  receiptSigning: 'xmldsig',
  receipt(outcome) {
    const common = { envelopeId: outcome.envelope?.messageId, receivedAt: outcome.receivedAt.toISOString(), payloadDigest: outcome.payloadDigest.toString('base64') };
    const body = outcome.accepted
      ? writeReceipt({ ...common, receiptId: outcome.id, result: 'ACCEPTED' })
      : writeReceipt({ ...common, result: 'REJECTED', errorCode: outcome.code, errorText: outcome.reason });
    return { contentType: 'application/xml', body };
  },
};
