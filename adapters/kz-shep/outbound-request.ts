// One attempt of a logged document: its files uploaded to the temporary file service first, then the signed AsyncChannel sendMessage naming them.
import { childElement, type CustomTransportRequest, type OutboundMessage, type PartnerContext, type XmlContent } from '../../src/partners/kit.js';
import { asyncSendMessage, syncSendMessage } from './channel-messages.js';
import { documentFiles, type DocumentFile } from './esedo-document.js';
import { shepErrors } from './errors.js';
import { readLogged, type LoggedMessage } from './logged-message.js';
import { ESEDO_NS, XSI_NS } from './namespaces.js';
import { senderOf, signedEnvelope } from './sender.js';

/** Registry name of the adapter's transport. */
export const SHEP_TRANSPORT = 'kz-shep';

/** Namespace of the temporary file service's request and answer (our reading of `TempStorageRequest`; its schema is not public). */
export const TEMP_FILES_NS = 'urn:kz:customs:gateway:kz-shep:temp-files:1';

/** What the adapter's transport carries out for one attempt. */
export interface ShepSendRequest extends CustomTransportRequest {
  transport: typeof SHEP_TRANSPORT;
  /** The SyncChannel URL the uploads go to. */
  uploadUrl: string;
  /** One signed SendMessage per file to upload, in order. */
  uploads: readonly Buffer[];
  /** The signed sendMessage, once the uploads gave their file identifiers (in the same order). */
  envelope(fileIdentifiers: readonly string[]): Buffer;
}

/** The Body of an upload of one file to the temporary file service (SyncChannel SendMessage, service `tempFilesServiceId`). */
export function uploadBody(file: DocumentFile, messageId: string, context: PartnerContext, now: Date): XmlContent {
  return syncSendMessage({
    messageId,
    serviceId: context.options.tempFilesServiceId || 'EDS_TEMP_FILES',
    messageDate: now,
    sender: senderOf(context),
    data: { 'tmp:TempStorageRequest': { '@xmlns:tmp': TEMP_FILES_NS, action: 'UPLOAD', fileName: file.name, mimeType: file.mediaType, content: file.bytes.toString('base64') } },
  });
}

/** Whether the document travels as a typed `data` (xsi:type, the document model's own fields as its children) rather than as a child element. */
function typed(logged: LoggedMessage): boolean {
  return childElement({ [logged.rootName]: logged.root }, ESEDO_NS, 'docOutgoing') !== undefined;
}

/** `data` for the logged document, its files replaced by the identifiers the uploads gave; and the namespace its xsi:type names, if typed. */
export function dataOf(logged: LoggedMessage, fileIdentifiers: readonly string[]): { data: XmlContent; contextNamespaces?: Record<string, string> } {
  if (!typed(logged)) return { data: { [logged.rootName]: logged.root } };
  const prefix = logged.rootName.includes(':') ? logged.rootName.slice(0, logged.rootName.indexOf(':')) : '';
  if (!prefix) throw shepErrors.error('GW_ERR_SHEP_DOCUMENT_INVALID', 'docOutgoing must be written with a namespace prefix (its fields are unqualified)');
  const data: XmlContent = { '@xmlns:xsi': XSI_NS, '@xsi:type': `${prefix}:docOutgoing` };
  for (const [name, value] of Object.entries(logged.root)) {
    if (name.startsWith('@xmlns')) continue;
    if (name !== 'attachments') data[name] = value;
    else if (fileIdentifiers.length > 0) data[name] = { fileIdentifier: [...fileIdentifiers] };
  }
  // The prefix is used only inside the xsi:type value, which canonical XML does not see: it is declared on the Envelope.
  return { data, contextNamespaces: { [prefix]: ESEDO_NS } };
}

/**
 * Builds an attempt: the uploads of the document's files and the sendMessage that follows them, each
 * signed for this call with the instance's credentials (which never reach the log).
 */
export function buildShepRequest(message: OutboundMessage, context: PartnerContext, now = new Date()): ShepSendRequest {
  const logged = readLogged(message.payload);
  const sender = senderOf(context);
  const files = typed(logged) ? documentFiles(logged.root) : [];
  return {
    transport: SHEP_TRANSPORT,
    uploadUrl: context.url('sync'),
    uploads: files.map((file, index) => signedEnvelope(uploadBody(file, `${message.id}-file-${index + 1}-attempt-${message.attempt}`, context, now), context)),
    envelope: (fileIdentifiers) => {
      const { data, contextNamespaces } = dataOf(logged, fileIdentifiers);
      const body = asyncSendMessage({
        serviceId: logged.serviceId,
        messageType: logged.messageType,
        ...(logged.correlationId === undefined ? {} : { correlationId: logged.correlationId }),
        messageDate: now,
        sender,
        properties: [{ key: 'gatewayMessageId', value: message.id }],
        data,
      });
      return signedEnvelope(body, context, contextNamespaces);
    },
  };
}
