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
  type SimulatorRequest,
} from '../../../src/partners/kit.js';
import { envelopeParts } from '../iis-envelope.js';
import { parseAddress, readHeaders } from '../iis-headers.js';
import { shippedProcesses, type MessageRoute } from '../process-table.js';
import { writeTechnologicalError, type TechnologicalErrorSpec } from '../technological-errors.js';
import { changeBehaviour, DEFAULT_BEHAVIOUR, type AnswerBehaviour, type Withholdable } from './answer-behaviour.js';
import { memberAnswer, type MemberAnswer, type TakenMessage } from './member-answers.js';
import { defaultDataModelDir, structureCheck } from './structure-check.js';

const GATEWAY = 'gateway';
const CSDO = 'urn:EEC:M:SimpleDataObjects:v0.4.14';
const CCDO = 'urn:EEC:M:ComplexDataObjects:v0.4.14';

/** What the member made of one request. */
interface Judgement {
  messageId: string;
  problems: string[];
  /** A technological error to answer with instead of taking the message. */
  fault?: TechnologicalErrorSpec;
  taken?: TakenMessage;
  /** Structure problems: the message is taken, then refused with a «Ошибка» signal (Common:DataError). */
  structureProblems: string[];
  document: string;
}

/** One answer the member pushed to the gateway, and the gateway's HTTP status. */
interface Pushed {
  kind: MemberAnswer['kind'];
  relatesTo: string;
  status: number;
}

function faulted(messageId: string, document: string, fault: TechnologicalErrorSpec): Judgement {
  return { messageId, problems: [`${fault.code}: ${fault.reasonEn}`], fault, structureProblems: [], document };
}

/** The Body's one element as text, from the canonical envelope the signature covers. */
function bodyDocument(canonical: string): string {
  const match = /<([A-Za-z_][\w.-]*:)?Body(?:\s[^>]*)?>([\s\S]*)<\/\1?Body>/.exec(canonical);
  return match?.[2] ?? '';
}

export function startEaeuMemberSimulator(context: SimulatorContext): Promise<PartnerSimulator> {
  const table = shippedProcesses();
  const gatewayKeys = context.gatewayCertificates.map((c) => c.publicKey);
  const verifier = createXmlVerifier((partner) => (partner === GATEWAY ? gatewayKeys : []), undefined, () => 'soap-header');
  const dataModelDir = context.options.eecDataModelDir || defaultDataModelDir(context.schemasDir);
  const checker = structureCheck(context.schemasDir, dataModelDir);
  const member = context.participants.member ?? '';
  const us = context.participants.us ?? '';
  let behaviour: AnswerBehaviour = { ...DEFAULT_BEHAVIOUR };
  const taken = new Map<string, { message: TakenMessage; sent: MemberAnswer[] }>();
  const timers = new Set<NodeJS.Timeout>();
  const pushed: Pushed[] = [];

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
    const structureProblems = root ? ('check' in checker ? checker.check(route.structure, Buffer.from(document, 'utf8')) : []) : [`the Body holds no ${route.structure.root} of ${route.structure.namespace}`];
    const edocHeader = root && childElement(root, CCDO, 'EDocHeader');
    const edocId = edocHeader && childText(edocHeader, CSDO, 'EDocId')?.trim();
    return {
      messageId: headers.messageId,
      problems: structureProblems.map((p) => `Common:DataError: ${p}`),
      taken: { version, headers, route, edocId },
      structureProblems,
      document: canonical,
    };
  }

  async function push(message: TakenMessage, answer: MemberAnswer): Promise<void> {
    const body = memberAnswer(table, message, answer, context.identity);
    const answered = await context.pushToGateway({ contentType: message.version === '1.2' ? 'application/soap+xml' : 'text/xml', body });
    pushed.push({ kind: answer.kind, relatesTo: message.headers.messageId, status: answered.status });
  }

  function later(ms: number, send: () => Promise<void>): void {
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
    const received = { messageId: judgement.messageId, valid: !judgement.fault && judgement.structureProblems.length === 0, problems: judgement.problems, document: judgement.document };
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
        answerLater(record, judgement.structureProblems);
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
        structure: () => ('check' in checker ? { checked: true, dataModelDir } : { checked: false, why: checker.missing }),
      },
    },
    context.listen,
  ).then((server) => ({
    ...server,
    async close() {
      for (const timer of timers) clearTimeout(timer);
      if ('close' in checker) checker.close();
      await server.close();
    },
  }));
}

export default defineSimulator({ start: startEaeuMemberSimulator });
