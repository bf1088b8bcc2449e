// A member's own P.CP.01.MSG.010 as it pushes it to us: the integrated-system envelope around its transit document, signed with its key.
import { randomUUID } from 'node:crypto';
import { createXmlSigner, renderXml, type SignaturePlacement, type SigningCapability, type SoapVersion } from '../../../src/partners/kit.js';
import { wrapDocument } from '../iis-envelope.js';
import { addressOf, type IisHeaders } from '../iis-headers.js';
import type { ProcessTable } from '../process-table.js';
import { memberTransitDocument, type MemberDocumentOptions } from './member-document.js';

/** Header blocks a member may leave out by mistake (each a header error at our end). */
export type OmittableHeader = 'ConversationID' | 'ProcedureID';

/** How the member writes its push; the document's own options say what it reports. */
export interface MemberPushOptions extends MemberDocumentOptions {
  /** Kazakhstan's participant code (wsa:To). */
  us: string;
  /** SOAP version (default 1.2). */
  version?: SoapVersion;
  /** wsa:MessageID (default a fresh `urn:uuid:`). */
  messageId?: string;
  /** The segment of wsa:ReplyTo, the sender we read (default the member's own). */
  replyFrom?: string;
  /** A header block left out before signing. */
  omit?: OmittableHeader;
  /** Where the signature goes (default `soap-header`, the integrated system's profile). */
  placement?: SignaturePlacement;
}

/** The envelope, unsigned, and its wsa:MessageID. */
export function memberEnvelope(table: ProcessTable, options: MemberPushOptions): { messageId: string; envelope: Buffer } {
  const route = table.route('P.CP.01.MSG.010');
  const messageId = options.messageId ?? `urn:uuid:${randomUUID()}`;
  const address = (segment: string): string => addressOf({ segment, process: route.process, participant: route.participant });
  const headers: IisHeaders = {
    messageId,
    to: address(options.us),
    replyTo: address(options.replyFrom ?? options.member),
    action: { process: route.process, version: route.version, procedure: route.procedure, transaction: route.transaction.code, message: route.message },
    procedureId: randomUUID(),
    conversationId: `urn:uuid:${randomUUID()}`,
  };
  let envelope = wrapDocument(options.version ?? '1.2', headers, renderXml(memberTransitDocument(table, options)));
  if (options.omit) envelope = Buffer.from(envelope.toString('utf8').replace(new RegExp(`<int:${options.omit}[^>]*>[^<]*</int:${options.omit}>`), ''), 'utf8');
  return { messageId, envelope };
}

/** The push as the member sends it: {@link memberEnvelope} signed with the member's key. */
export function memberPush(table: ProcessTable, key: SigningCapability, options: MemberPushOptions): { messageId: string; body: Buffer } {
  const { messageId, envelope } = memberEnvelope(table, options);
  return { messageId, body: createXmlSigner(key, options.placement ?? 'soap-header').sign(envelope) };
}
