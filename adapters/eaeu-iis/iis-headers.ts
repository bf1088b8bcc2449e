// The integrated system's header block (EEC Decision 5 §28-29, §57-60): WS-Addressing 1.0 plus int:ProcedureID and int:ConversationID, written and checked.
import { childElement, childElements, childText, type XmlContent } from '../../src/partners/kit.js';
import { eaeuErrors } from './errors.js';
import { INT_NS, WSA_NS } from './namespaces.js';

/** The parts `wsa:Action` is built from, after the fixed prefix `int://CP/` (the common processes' address space), in this order. */
export interface ActionParts {
  process: string;
  version: string;
  procedure: string;
  transaction: string;
  /** The message code, or a signal's reserved code (`P.MSG.RCV`, `P.MSG.PRS`, `P.MSG.ERR`). */
  message: string;
}

/** The header block of one message. */
export interface IisHeaders {
  /** `wsa:MessageID`: `urn:uuid:` and a UUID; the same on every repeat of the message. */
  messageId: string;
  /** `wsa:To`: the recipient's logical address (`EAEU://<segment>/CP/<process>/<participant>`). */
  to: string;
  /** `wsa:ReplyTo/wsa:Address`: where replies and signals go, the sender's own address. */
  replyTo: string;
  action: ActionParts;
  /** `wsa:RelatesTo`: the MessageID this message replies to; on every reply and signal. */
  relatesTo?: string;
  /** `int:ProcedureID`: RFC 4122 UUIDs joined by "/", the initiator's first. */
  procedureId: string;
  /** `int:ConversationID`: the transaction instance, `urn:uuid:` and a UUID. */
  conversationId: string;
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}';
const UUID_ONLY = new RegExp(`^${UUID}$`);
const PROCEDURE_ID = new RegExp(`^${UUID}(/${UUID})*$`);
const MESSAGE_ID = new RegExp(`^urn:uuid:${UUID}$`);
/** One part of an Action or address: no slash, no space, nothing outside the unreserved characters of a URI path. */
const PART = /^[A-Za-z0-9._-]+$/;
/** A segment of the integrated system: EEC or a member's ISO 3166-1 alpha-2 code. */
const SEGMENT = /^(EEC|[A-Z]{2})$/;
const ACTION_ORDER = ['process', 'version', 'procedure', 'transaction', 'message'] as const;
const ADDRESS = /^EAEU:\/\/(EEC|[A-Z]{2})\/CP\/([A-Za-z0-9._-]+)\/([A-Za-z0-9._-]+)$/;

function headerError(reason: string): Error {
  return eaeuErrors.error('GW_ERR_EAEU_HEADER', reason);
}

/** True for RFC 4122 UUIDs (version 1-5, RFC variant) joined by "/". */
export function isProcedureId(value: string): boolean {
  return PROCEDURE_ID.test(value);
}

/** The ProcedureID of a procedure nested in `parent`: the parent's, then "/" and the nested one's own UUID. */
export function nestedProcedureId(parent: string, child: string): string {
  if (!isProcedureId(parent)) throw headerError(`ProcedureID "${parent}" is not RFC 4122 UUIDs joined by "/"`);
  if (!UUID_ONLY.test(child)) throw headerError(`"${child}" is not an RFC 4122 UUID`);
  return `${parent}/${child}`;
}

/** `urn:uuid:<uuid>` for a UUID (MessageID, RelatesTo, ConversationID). */
export function uuidUrn(uuid: string): string {
  if (!UUID_ONLY.test(uuid)) throw headerError(`"${uuid}" is not an RFC 4122 UUID`);
  return `urn:uuid:${uuid}`;
}

/** A participant of a common process, addressed in the integrated system (Decision 5 §46-50). */
export interface ProcessParticipant {
  /** Member segment (KZ, RU, KG …) or EEC. */
  segment: string;
  process: string;
  /** The participant's code in the process (its actor, e.g. P.CP.01.ACT.001). */
  participant: string;
}

/** `EAEU://<segment>/CP/<process>/<participant>`: a participant's logical address. */
export function addressOf({ segment, process, participant }: ProcessParticipant): string {
  if (!SEGMENT.test(segment)) throw headerError(`segment "${segment}" is not EEC or a two-letter member code`);
  if (!PART.test(process) || !PART.test(participant)) throw headerError(`process "${process}" or participant "${participant}" holds a character an address may not`);
  return `EAEU://${segment}/CP/${process}/${participant}`;
}

/** Reads a logical address back. @throws GatewayError GW_ERR_EAEU_HEADER when it is no common-process participant's address. */
export function parseAddress(address: string): ProcessParticipant {
  const match = ADDRESS.exec(address);
  if (!match) throw headerError(`address "${address}" is not EAEU://<segment>/CP/<process>/<participant>`);
  return { segment: match[1] ?? '', process: match[2] ?? '', participant: match[3] ?? '' };
}

/** `int://CP/` then process, version, procedure, transaction and message, joined by "/" (Decision 5 §59-60). */
export function buildAction(parts: ActionParts): string {
  for (const name of ACTION_ORDER) if (!PART.test(parts[name])) throw headerError(`Action part ${name} "${parts[name]}" holds a character a part may not`);
  return `int://CP/${ACTION_ORDER.map((name) => parts[name]).join('/')}`;
}

/** Reads an Action back into its parts. @throws GatewayError GW_ERR_EAEU_HEADER when it does not follow the grammar. */
export function parseAction(action: string): ActionParts {
  const match = /^int:\/\/CP\/(.*)$/.exec(action);
  const parts = match?.[1]?.split('/') ?? [];
  if (!match || parts.length !== ACTION_ORDER.length || !parts.every((p) => PART.test(p))) {
    throw headerError(`wsa:Action "${action}" is not int://CP/process/version/procedure/transaction/message`);
  }
  const [process, version, procedure, transaction, message] = parts as [string, string, string, string, string];
  return { process, version, procedure, transaction, message };
}

/** The header blocks, each carrying its namespace declaration, in Decision 5's order. */
export function headerBlocks(headers: IisHeaders): XmlContent {
  const ids: Array<[string, string]> = [['MessageID', headers.messageId], ...(headers.relatesTo === undefined ? [] : [['RelatesTo', headers.relatesTo] as [string, string]])];
  for (const [name, value] of ids) if (!MESSAGE_ID.test(value)) throw headerError(`wsa:${name} "${value}" is not urn:uuid: and an RFC 4122 UUID`);
  if (!isProcedureId(headers.procedureId)) throw headerError(`int:ProcedureID "${headers.procedureId}" is not RFC 4122 UUIDs joined by "/"`);
  if (!MESSAGE_ID.test(headers.conversationId)) throw headerError(`int:ConversationID "${headers.conversationId}" is not urn:uuid: and an RFC 4122 UUID`);
  const wsa = (value: XmlContent | string): XmlContent => (typeof value === 'string' ? { '@xmlns:wsa': WSA_NS, '#text': value } : { '@xmlns:wsa': WSA_NS, ...value });
  const int = (value: string): XmlContent => ({ '@xmlns:int': INT_NS, '#text': value });
  return {
    'wsa:MessageID': wsa(headers.messageId),
    'wsa:To': wsa(headers.to),
    'wsa:ReplyTo': wsa({ 'wsa:Address': headers.replyTo }),
    'wsa:Action': wsa(buildAction(headers.action)),
    ...(headers.relatesTo ? { 'wsa:RelatesTo': wsa(headers.relatesTo) } : {}),
    'int:ProcedureID': int(headers.procedureId),
    'int:ConversationID': int(headers.conversationId),
  };
}

function single(header: XmlContent, namespace: string, name: string, required: boolean): string | undefined {
  const found = childElements(header, namespace, name);
  if (found.length > 1) throw headerError(`the header block carries ${name} ${found.length} times`);
  const text = childText(header, namespace, name)?.trim();
  if (required && !text) throw headerError(`the header block has no ${name}`);
  return text || undefined;
}

/**
 * Reads and checks the header block of a received message: MessageID, To, ReplyTo, Action (its grammar),
 * ProcedureID and ConversationID present once and well formed; an application message (`reply` false)
 * carries neither wsa:From nor wsa:FaultTo; a reply or signal carries RelatesTo.
 * @throws GatewayError GW_ERR_EAEU_HEADER naming the first fault found
 */
export function readHeaders(header: XmlContent | undefined, reply: boolean): IisHeaders {
  if (!header) throw headerError('the envelope has no Header');
  for (const forbidden of ['From', 'FaultTo']) {
    if (childElement(header, WSA_NS, forbidden)) throw headerError(`an application message may not carry wsa:${forbidden}`);
  }
  const messageId = single(header, WSA_NS, 'MessageID', true) ?? '';
  if (!MESSAGE_ID.test(messageId)) throw headerError(`wsa:MessageID "${messageId}" is not urn:uuid: and an RFC 4122 UUID`);
  const replyTo = childElement(header, WSA_NS, 'ReplyTo');
  const replyAddress = replyTo ? childText(replyTo, WSA_NS, 'Address')?.trim() : undefined;
  if (!replyAddress) throw headerError('the header block has no wsa:ReplyTo/wsa:Address');
  const relatesTo = single(header, WSA_NS, 'RelatesTo', reply);
  if (relatesTo !== undefined && !MESSAGE_ID.test(relatesTo)) throw headerError(`wsa:RelatesTo "${relatesTo}" is not urn:uuid: and an RFC 4122 UUID`);
  const procedureId = single(header, INT_NS, 'ProcedureID', true) ?? '';
  if (!isProcedureId(procedureId)) throw headerError(`int:ProcedureID "${procedureId}" is not RFC 4122 UUIDs joined by "/"`);
  const conversationId = single(header, INT_NS, 'ConversationID', true) ?? '';
  if (!MESSAGE_ID.test(conversationId)) throw headerError(`int:ConversationID "${conversationId}" is not urn:uuid: and an RFC 4122 UUID`);
  return {
    messageId,
    to: single(header, WSA_NS, 'To', true) ?? '',
    replyTo: replyAddress,
    action: parseAction(single(header, WSA_NS, 'Action', true) ?? ''),
    ...(relatesTo ? { relatesTo } : {}),
    procedureId,
    conversationId,
  };
}
