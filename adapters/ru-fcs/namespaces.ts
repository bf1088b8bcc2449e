// The namespaces of the FTS exchange: the EAEU-style routing envelope and the bilateral documents inside it.

/** The envelope root, Header and Body. */
export const ENVELOPE_NS = 'http://www.w3.org/2001/06/soap-envelope';
/** `roi:RoutingInf`: envelope id, the envelope answered, sender, receiver, preparation time. */
export const ROUTING_NS = 'urn:customs.ru:Envelope:RoutingInf:1.0';
/** `aai:ApplicationInf`: the sending software and the kind of message. */
export const APPLICATION_NS = 'urn:customs.ru:Envelope:ApplicationInf:1.0';
/** `edh:EDHeader`: message type, process id, sending and receiving customs offices. */
export const HEADER_NS = 'urn:customs.ru:Envelope:EDHeader:2.0';
/** The bilateral TransitNotification in the envelope's Body. */
export const NOTIFICATION_NS = 'urn:customs.kz:Exchange:TransitNotification:1.0';
/** The bilateral Receipt that answers a notification, in both directions. */
export const RECEIPT_NS = 'urn:customs.kz:Exchange:Receipt:1.0';
