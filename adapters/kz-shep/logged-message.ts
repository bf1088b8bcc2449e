// The document as the log keeps it: the mapped document inside a wrapper naming the service, the async message type and the correlation id; never a credential.
import { childElement, GatewayError, parseXml, type DocumentToWrap, type PartnerInstance, type XmlContent } from '../../src/partners/kit.js';
import { ASYNC_MESSAGE_TYPES, type AsyncMessageType } from './channel-messages.js';
import { shepErrors } from './errors.js';

/** Namespace of the wrapper (ours: the gateway's, not the e-government gateway's). */
export const LOGGED_NS = 'urn:kz:customs:gateway:kz-shep:1';

/** What the wrapper says about the document it holds. */
export interface LoggedMessage {
  serviceId: string;
  messageType: AsyncMessageType;
  correlationId?: string;
  /** Name of the document's root element as rendered (with its prefix). */
  rootName: string;
  /** The document's root element content, with the declarations in scope. */
  root: XmlContent;
}

function refuse(reason: string): GatewayError {
  return shepErrors.error('GW_ERR_SHEP_DOCUMENT_INVALID', reason);
}

const escapeAttribute = (value: string): string => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

/**
 * Wraps a rendered document for the log: the service id of the instance (option `serviceId`), the
 * async message type (the mapping's business key `shepMessageType`, else the option `messageType`),
 * and the correlation id (business key `correlationId`) that every type but REQUEST must carry.
 * @throws GatewayError GW_ERR_SHEP_NOT_CONFIGURED without a service id; GW_ERR_SHEP_DOCUMENT_INVALID
 *   for an unknown message type, or a correlation id missing (or given to a REQUEST).
 */
export function wrapForLog(message: DocumentToWrap, instance: PartnerInstance): Buffer {
  const serviceId = instance.options.serviceId?.trim();
  if (!serviceId) throw shepErrors.error('GW_ERR_SHEP_NOT_CONFIGURED', `partner ${instance.partner} has no option serviceId: it takes no async documents`);
  const type = message.businessKeys.shepMessageType ?? instance.options.messageType ?? 'REQUEST';
  if (!(ASYNC_MESSAGE_TYPES as readonly string[]).includes(type)) throw refuse(`message type "${type}" is none of ${ASYNC_MESSAGE_TYPES.join(', ')}`);
  const correlationId = message.businessKeys.correlationId?.trim();
  if (type === 'REQUEST' && correlationId) throw refuse('a REQUEST opens a chain: its correlation id is the gateway\'s to assign, the mapping must not give one');
  if (type !== 'REQUEST' && !correlationId) throw refuse(`a ${type} continues a chain: the mapping must give its correlation id (business key correlationId)`);
  const attributes = [`serviceId="${escapeAttribute(serviceId)}"`, `messageType="${type}"`, ...(correlationId ? [`correlationId="${escapeAttribute(correlationId)}"`] : [])];
  const document = message.document.toString('utf8').replace(/^\s*<\?xml[^>]*\?>\s*/, '');
  return Buffer.from(`<shep:message xmlns:shep="${LOGGED_NS}" ${attributes.join(' ')}>${document}</shep:message>`, 'utf8');
}

/**
 * Reads a logged message back.
 * @throws GatewayError GW_ERR_SHEP_DOCUMENT_INVALID when it is not one wrapper holding one document.
 */
export function readLogged(payload: Buffer): LoggedMessage {
  const wrapper = childElement(parseXml(payload), LOGGED_NS, 'message');
  if (!wrapper) throw refuse('the logged document is not a kz-shep message wrapper');
  const elements = Object.keys(wrapper).filter((k) => !k.startsWith('@') && k !== '#text');
  const [rootName] = elements;
  const root = rootName === undefined ? undefined : wrapper[rootName];
  if (elements.length !== 1 || rootName === undefined || typeof root !== 'object' || Array.isArray(root)) throw refuse('the wrapper must hold exactly one document');
  const declarations = Object.fromEntries(Object.entries(wrapper).filter(([k]) => k.startsWith('@xmlns') && k !== '@xmlns:shep'));
  const correlationId = wrapper['@correlationId'];
  return {
    serviceId: String(wrapper['@serviceId'] ?? ''),
    messageType: String(wrapper['@messageType']) as AsyncMessageType,
    ...(correlationId === undefined ? {} : { correlationId: String(correlationId) }),
    rootName,
    root: { ...declarations, ...root },
  };
}
