// A member's integration gateway (Russia, Kyrgyzstan …): checks our envelope, signature, headers and document, answers 202 or a technological error, then signals and answers on its own timers.
import {
  childElement,
  childText,
  createXmlVerifier,
  defineSimulator,
  GatewayError,
  parseXml,
  startSimulatorServer,
  type HandledRequest,
  type InjectedFault,
  type PartnerSimulator,
  type SimulatorContext,
  type SignaturePlacement,
  type SimulatorRequest,
  type SoapVersion,
} from '../../../src/partners/kit.js';
import { envelopeParts } from '../iis-envelope.js';
import { parseAddress, readHeaders } from '../iis-headers.js';
import { CCDO_NS as CCDO, CSDO_NS as CSDO } from '../namespaces.js';
import { shippedProcesses, type MessageRoute } from '../process-table.js';
import type { ReceivedMessage as TakenMessage, Reply as MemberAnswer } from '../reply-envelope.js';
import { signalKindOf } from '../signals.js';
import { writeTechnologicalError, type TechnologicalErrorSpec } from '../technological-errors.js';
import { changeBehaviour, DEFAULT_BEHAVIOUR, type AnswerBehaviour, type Withholdable } from './answer-behaviour.js';
import { memberAnswer } from './member-answers.js';
import { MEMBER_EVENTS } from './member-document.js';
import { memberPush, type OmittableHeader } from './member-push.js';
import { defaultDataModelDir, structureCheck } from './structure-check.js';

const GATEWAY = 'gateway';

/** Where the member signs and expects our signatures: in the Header (the integrated system's profile) or, on an instance signing plain `xmldsig`, as the Envelope's last child. */
function placementOf(signing: string | undefined): SignaturePlacement {
  if (signing === undefined || signing === 'iis-xmldsig') return 'soap-header';
  if (signing === 'xmldsig') return 'root';
  throw new Error(`the member simulator signs iis-xmldsig or xmldsig, not ${signing}`);
}

/** What the member made of one request. */
interface Judgement {
  messageId: string;
  problems: string[];
  /** A technological error to answer with instead of taking the message. */
  fault?: TechnologicalErrorSpec;
  taken?: TakenMessage;
  /** Structure problems, known after the 202: the message is taken, then refused with a «Ошибка» signal (Common:DataError). */
  structureProblems: () => Promise<string[]>;
  document: string;
}

/** One answer the member pushed to the gateway, and the gateway's HTTP status. */
interface Pushed {
  kind: MemberAnswer['kind'];
  relatesTo: string;
  status: number;
}

function faulted(messageId: string, document: string, fault: TechnologicalErrorSpec): Judgement {
  return { messageId, problems: [`${fault.code}: ${fault.reasonEn}`], fault, structureProblems: NONE, document };
}

/** No structure problems (nothing to check). */
const NONE = (): Promise<string[]> => Promise.resolve([]);

/** The Body's one element as text, from the canonical envelope the signature covers. */
function bodyDocument(canonical: string): string {
  const match = /<([A-Za-z_][\w.-]*:)?Body(?:\s[^>]*)?>([\s\S]*)<\/\1?Body>/.exec(canonical);
  return match?.[2] ?? '';
}

export function startEaeuMemberSimulator(context: SimulatorContext): Promise<PartnerSimulator> {
  const table = shippedProcesses();
  const gatewayKeys = context.gatewayCertificates.map((c) => c.publicKey);
  const placement = placementOf(context.signing);
  const verifier = createXmlVerifier((partner) => (partner === GATEWAY ? gatewayKeys : []), undefined, () => placement);
  const dataModelDir = context.options.eecDataModelDir || defaultDataModelDir(context.schemasDir);
  const checker = structureCheck(context.schemasDir, dataModelDir);
  const member = context.participants.member ?? '';
  const us = context.participants.us ?? '';
  const version: SoapVersion = context.options.soapVersion === '1.1' ? '1.1' : '1.2';
  let behaviour: AnswerBehaviour = { ...DEFAULT_BEHAVIOUR };
  const taken = new Map<string, { message: TakenMessage; sent: MemberAnswer[] }>();
  const timers = new Set<NodeJS.Timeout>();
  const pushed: Pushed[] = [];
  /** MessageIDs of the member's own messages pushed to the gateway, and the replies the gateway sent for them. */
  const pushedIds = new Set<string>();
  const replies: Array<{ relatesTo: string; code: string }> = [];
  let closed = false;
  let lastPush: { messageId: string; body: Buffer } | undefined;

  /** `POST /_sim/push`: the member sends its own P.CP.01.MSG.010 (or, with `again`, the last one's bytes once more). */
  async function pushOwn(command: unknown): Promise<{ messageId: string; status: number; body: string }> {
    const c = (typeof command === 'object' && command !== null ? command : {}) as { event?: string; carnet?: string; transitDeclarationNumber?: string; again?: boolean; omit?: string };
    if (c.omit !== undefined && c.omit !== 'ConversationID' && c.omit !== 'ProcedureID') throw new Error('omit must be ConversationID or ProcedureID (a header error)');
    if (c.event !== undefined && !(c.event in MEMBER_EVENTS)) throw new Error(`event must be one of ${Object.keys(MEMBER_EVENTS).join(', ')}`);
    if (c.carnet !== undefined && !/^[A-Z]{2}\d{8}$/.test(c.carnet)) throw new Error('carnet must be two letters and eight digits');
    if (c.transitDeclarationNumber !== undefined && !/^\d{8}\/\d{6}\/\d{7}$/.test(c.transitDeclarationNumber)) throw new Error('transitDeclarationNumber must be office/DDMMYY/number (8/6/7 digits)');
    let push = c.again ? lastPush : undefined;
    if (!push) {
      push = memberPush(table, context.identity, {
        member,
        us,
        version,
        placement,
        ...(c.event ? { event: c.event as keyof typeof MEMBER_EVENTS } : {}),
        ...(c.carnet ? { carnet: c.carnet } : {}),
        ...(c.transitDeclarationNumber ? { transitDeclarationNumber: c.transitDeclarationNumber } : {}),
        ...(c.omit ? { omit: c.omit as OmittableHeader } : {}),
      });
      lastPush = push;
    }
    pushedIds.add(push.messageId);
    const answered = await context.pushToGateway({ contentType: version === '1.2' ? 'application/soap+xml' : 'text/xml', body: push.body });
    return { messageId: push.messageId, status: answered.status, body: answered.body.toString('utf8') };
  }

  function judge(request: SimulatorRequest): Judgement {
    let canonical: string;
    try {
      canonical = verifier.verify(request.body, GATEWAY).xml;
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      return faulted('', '', { code: 'int:DataError', reasonRu: 'Подпись не прошла проверку', reasonEn: `the signature does not verify with the gateway certificate: ${err.message}` });
    }
    const { version, header, body } = envelopeParts(parseXml(canonical));
    let headers;
    try {
      headers = readHeaders(header, false);
    } catch (err) {
      return faulted('', canonical, { code: 'int:InvalidHeader', reasonRu: 'Ошибка заголовков', reasonEn: (err as Error).message });
    }
    const relates = { relatesTo: headers.messageId };
    const to = parseAddress(headers.to);
    if (to.segment !== member) return faulted(headers.messageId, canonical, { code: 'wsa:DestinationUnreachable', reasonRu: 'Адресат неизвестен', reasonEn: `wsa:To names segment ${to.segment}, this is ${member}`, ...relates });
    if (parseAddress(headers.replyTo).segment !== us) return faulted(headers.messageId, canonical, { code: 'wsa:InvalidAddressingHeader', reasonRu: 'Неверный адрес ответа', reasonEn: `wsa:ReplyTo is not a ${us} address`, ...relates });
    if (signalKindOf(headers.action.message) || table.answers().some((a) => a.message === headers.action.message)) {
      // Our reply to a message the member pushed: a signal or the answer, relating to it.
      const known = headers.relatesTo !== undefined && pushedIds.has(headers.relatesTo);
      if (known) replies.push({ relatesTo: headers.relatesTo ?? '', code: headers.action.message });
      return { messageId: headers.messageId, problems: known ? [] : [`Common:UnexpectedMessage: ${headers.action.message} relates to no message of ours`], structureProblems: NONE, document: canonical };
    }
    let route: MessageRoute;
    try {
      route = table.route(headers.action.message);
    } catch {
      return faulted(headers.messageId, canonical, { code: 'wsa:ActionNotSupported', reasonRu: 'Действие не поддерживается', reasonEn: `no message ${headers.action.message}`, ...relates });
    }
    const { action } = headers;
    if (action.process !== route.process || action.version !== route.version || action.procedure !== route.procedure || action.transaction !== route.transaction.code) {
      return faulted(headers.messageId, canonical, { code: 'wsa:ActionNotSupported', reasonRu: 'Действие не поддерживается', reasonEn: `Action does not match ${route.message} of ${route.process} ${route.version}`, ...relates });
    }
    const document = bodyDocument(canonical);
    const root = childElement(body, route.structure.namespace, route.structure.root);
    const missing = `the Body holds no ${route.structure.root} of ${route.structure.namespace}`;
    const structureProblems = !root ? () => Promise.resolve([missing]) : 'check' in checker ? () => checker.check(route.structure, Buffer.from(document, 'utf8')) : NONE;
    const edocHeader = root && childElement(root, CCDO, 'EDocHeader');
    const edocId = edocHeader && childText(edocHeader, CSDO, 'EDocId')?.trim();
    return {
      messageId: headers.messageId,
      problems: [],
      taken: { version, headers, route, edocId },
      structureProblems,
      document: canonical,
    };
  }

  async function push(message: TakenMessage, answer: MemberAnswer): Promise<void> {
    const body = memberAnswer(table, message, answer, context.identity, placement);
    const answered = await context.pushToGateway({ contentType: message.version === '1.2' ? 'application/soap+xml' : 'text/xml', body });
    pushed.push({ kind: answer.kind, relatesTo: message.headers.messageId, status: answered.status });
  }

  function later(ms: number, send: () => Promise<void>): void {
    if (closed) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      send().catch(() => undefined); // the gateway unreachable: the member's push is lost, as a real one's would be
    }, ms);
    timers.add(timer);
  }

  /** Schedules what the member sends for a message it took: the signals and the answer, or one «Ошибка» signal. */
  function answerLater(record: { message: TakenMessage; sent: MemberAnswer[] }, structureProblems: string[]): void {
    const send = (answer: MemberAnswer) => async () => {
      record.sent.push(answer);
      await push(record.message, answer);
    };
    if (structureProblems.length > 0) {
      later(behaviour.receivedAfterMs, send({ kind: 'error', errors: structureProblems.slice(0, 10).map((description) => ({ code: 'Common:DataError', description })) }));
      return;
    }
    const withheld = (what: Withholdable): boolean => behaviour.withhold.includes(what);
    if (!withheld('received')) later(behaviour.receivedAfterMs, send({ kind: 'received' }));
    if (!withheld('accepted')) later(behaviour.acceptedAfterMs, send({ kind: 'accepted' }));
    if (!withheld('answer')) {
      const answer: MemberAnswer = { kind: 'answer', resultCode: behaviour.resultCode, text: 'обработано' };
      later(behaviour.answerAfterMs, send(answer));
      if (behaviour.duplicateAnswer) later(behaviour.answerAfterMs + 5, send(answer));
    }
  }

  function handle(request: SimulatorRequest, fault: InjectedFault | undefined): HandledRequest {
    const judgement = judge(request);
    const injected: TechnologicalErrorSpec | undefined =
      fault?.kind === 'partner-error' ? { code: fault.code, receiver: fault.code === 'int:InternalError' || fault.code === 'wsa:EndpointUnavailable', reasonRu: 'Смоделированная ошибка', reasonEn: 'injected by the simulator', relatesTo: judgement.messageId } : undefined;
    const error = injected ?? judgement.fault;
    const received = { messageId: judgement.messageId, valid: !judgement.fault, problems: judgement.problems, document: judgement.document };
    if (error) {
      const body = writeTechnologicalError(judgement.taken?.version ?? '1.2', error);
      return { received, response: { status: error.receiver ? 500 : 400, headers: { 'content-type': 'application/soap+xml' }, body } };
    }
    const message = judgement.taken;
    if (message) {
      const known = taken.get(message.headers.messageId);
      // A repeat: what was sent for the message goes out again; what is still due stays due.
      if (known) for (const answer of known.sent) later(0, async () => push(known.message, answer));
      else {
        const record = { message, sent: [] as MemberAnswer[] };
        taken.set(message.headers.messageId, record);
        // The structural control runs after the 202, as a member's does; its verdict decides the signals.
        const checked = judgement.structureProblems().then((problems) => {
          answerLater(record, problems);
          return { valid: problems.length === 0, problems: problems.map((p) => `Common:DataError: ${p}`) };
        });
        return { received, response: { status: 202, headers: {}, body: Buffer.alloc(0) }, later: checked };
      }
    }
    return { received, response: { status: 202, headers: {}, body: Buffer.alloc(0) } };
  }

  return startSimulatorServer(
    {
      partner: context.partner,
      path: '/',
      handle,
      controls: {
        answers: (command) => (behaviour = changeBehaviour(behaviour, command)),
        answered: () => pushed,
        push: pushOwn,
        replies: () => replies,
        structure: () => ('check' in checker ? { checked: true, dataModelDir } : { checked: false, why: checker.missing }),
      },
    },
    context.listen,
  ).then((server) => ({
    ...server,
    async close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      if ('close' in checker) checker.close();
      await server.close();
    },
  }));
}

export default defineSimulator({ start: startEaeuMemberSimulator });
