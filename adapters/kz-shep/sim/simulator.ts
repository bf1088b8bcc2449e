// The e-government gateway (ШЭП) and one agency behind it: SyncChannel (temporary files, permit look-ups) and AsyncChannel (documents delivered on the gateway's own timers, states asked for).
import { randomUUID } from 'node:crypto';
import {
  childElement,
  childElements,
  childText,
  defineSimulator,
  parseXml,
  renderXmlString,
  SOAP11_NS,
  startSimulatorServer,
  verifyWsSecurity,
  type HandledRequest,
  type InjectedFault,
  type SimulatorContext,
  type SimulatorRequest,
  type XmlContent,
} from '../../../src/partners/kit.js';
import { soap11 } from '../channel-messages.js';
import type { ErrorInfo } from '../error-info.js';
import { ASYNC_NS, SYNC_NS } from '../namespaces.js';
import { AsyncDeliveries, DELIVERY_OUTCOMES, type AsyncDelivery, type DeliveryOutcome } from './async-deliveries.js';
import { errorFault, type FaultOperation } from '../channel-faults.js';
import { asyncAcceptance, messageStatusAnswer, syncAnswer } from './channel-answers.js';
import { pushAnswer, pushState, signedByGateway, type PushRecord } from './gateway-pushes.js';
import { checkPermit, uploadFile, type SeededPermit, type StoredFile } from './sync-services.js';

/** Paths of the two channels below the simulator's root (the gateway's service URLs `sync` and `default`). */
export const CHANNEL_PATHS = { sync: '/SyncChannel', default: '/AsyncChannel' } as const;

/** What tests read and steer: the async deliveries, the stored files, the permit registry. */
export interface ShepSimState {
  deliveries: AsyncDeliveries;
  files: Map<string, StoredFile>;
  permits: Map<string, SeededPermit>;
  /** Errors the agency answers the next calls that reach it with, look-ups or documents (the gateway wraps each in its 2017). */
  agencyFaults: ErrorInfo[];
  /** Errors of the gateway itself for the next documents sent (sendMessage), whatever status questions come between. */
  gatewayFaults: ErrorInfo[];
  /** What the simulator pushed to the gateway (states and answers), with the gateway's answers. */
  pushes: PushRecord[];
}

interface Call {
  operation: FaultOperation;
  /** The request element's content. */
  request: XmlContent;
}

const fault = (operation: FaultOperation, code: string, message: string, sub?: ErrorInfo): SimResponse => ({
  status: 500,
  headers: { 'content-type': 'text/xml; charset=utf-8' },
  body: errorFault(operation, { errorCode: code, errorMessage: message, errorDate: new Date().toISOString(), ...(sub ? { subError: sub } : {}) }),
});

type SimResponse = HandledRequest['response'];

const ok = (body: XmlContent): SimResponse => ({ status: 200, headers: { 'content-type': 'text/xml; charset=utf-8' }, body: soap11(body) });

/** The operation of a signed Body, by its wrapper element. */
function callOf(body: XmlContent): Call | undefined {
  for (const [namespace, operation] of [
    [SYNC_NS, 'SendMessage'],
    [ASYNC_NS, 'sendMessage'],
    [ASYNC_NS, 'getMessageStatus'],
  ] as const) {
    const wrapper = childElement(body, namespace, operation);
    const request = wrapper && childElement(wrapper, '', 'request');
    if (request) return { operation, request };
  }
  return undefined;
}

/** The sender check of the gateway's registry: the instance's sender id, and its password when one is configured. */
function senderProblem(info: XmlContent | undefined, options: Readonly<Record<string, string>>): { code: string; message: string } | undefined {
  const sender = info && childElement(info, '', 'sender');
  const id = sender && childText(sender, '', 'senderId');
  if (!id || id !== options.senderId) return { code: '2007', message: 'sender not found in the registry' };
  if (options.password && childText(sender, '', 'password') !== options.password) return { code: '1002', message: 'authentication failure' };
  return undefined;
}

function dataOf(request: XmlContent, holder: string): XmlContent | undefined {
  const outer = childElement(request, '', holder);
  return outer && childElement(outer, '', 'data');
}

export default defineSimulator({
  async start(context: SimulatorContext) {
    const state: ShepSimState = { deliveries: new AsyncDeliveries(), files: new Map(), permits: new Map(), agencyFaults: [], gatewayFaults: [], pushes: [] };
    const pushing = new Set<Promise<void>>();
    /** A state change is pushed to the gateway (a lost notification is not), then an answered REQUEST gets the agency's RESPONSE. */
    const changed = (delivery: AsyncDelivery): void => {
      const run = (async () => {
        await pushState(context, delivery, state.pushes);
        if (delivery.outcome === 'answered' && delivery.messageType === 'REQUEST') await pushAnswer(context, delivery, state.pushes);
      })().catch(() => undefined);
      pushing.add(run);
      void run.finally(() => pushing.delete(run));
    };
    const [gatewayCertificate] = context.gatewayCertificates;

    function sync(call: Call): SimResponse {
      const info = childElement(call.request, '', 'requestInfo');
      const problem = senderProblem(info, context.options);
      if (problem) return fault(call.operation, problem.code, problem.message);
      const serviceId = (info && childText(info, '', 'serviceId')) ?? '';
      const data = dataOf(call.request, 'requestData');
      if (!data) return fault(call.operation, '2005', 'the message failed XSD validation: no requestData/data');
      const answerTo = (outcome: { data: XmlContent } | { invalid: string }): SimResponse =>
        'invalid' in outcome
          ? fault(call.operation, '2017', 'the receiver answered with an error', { errorCode: 'AG-400', errorMessage: outcome.invalid, errorDate: new Date().toISOString() })
          : ok(syncAnswer({ messageId: randomUUID(), ...(info && childText(info, '', 'messageId') ? { correlationId: childText(info, '', 'messageId') as string } : {}), responseDate: new Date(), status: { code: 'SCSS001', message: 'Message has been processed successfully' }, data: outcome.data }));
      if (serviceId === (context.options.tempFilesServiceId || 'EDS_TEMP_FILES')) return answerTo(uploadFile(data, state.files));
      if (serviceId && serviceId === context.options.syncServiceId) {
        const agencyFault = state.agencyFaults.shift();
        if (agencyFault) return fault(call.operation, '2017', 'the receiver answered with an error', agencyFault);
        return answerTo(checkPermit(data, state.permits, new Date().toISOString().slice(0, 10)));
      }
      return fault(call.operation, '2016', `no service ${serviceId} in the registry`);
    }

    function send(call: Call): { response: SimResponse; delivery?: AsyncDelivery } {
      const info = childElement(call.request, '', 'messageInfo');
      const problem = senderProblem(info, context.options);
      if (problem) return { response: fault(call.operation, problem.code, problem.message) };
      const text = (name: string): string => (info && childText(info, '', name)?.trim()) ?? '';
      const messageType = text('messageType');
      const correlationId = text('correlationId');
      if (messageType !== 'REQUEST' && !correlationId) return { response: fault(call.operation, '1035', 'CorrelationID field must be populated.') };
      if (text('serviceId') !== context.options.serviceId) return { response: fault(call.operation, '2016', `no service ${text('serviceId')} in the registry`) };
      const data = dataOf(call.request, 'messageData');
      if (!data) return { response: fault(call.operation, '2005', 'the message failed XSD validation: no messageData/data') };
      const gatewayFault = state.gatewayFaults.shift();
      if (gatewayFault) return { response: fault(call.operation, gatewayFault.errorCode, gatewayFault.errorMessage) };
      const agencyFault = state.agencyFaults.shift();
      if (agencyFault) return { response: fault(call.operation, '2017', 'the receiver answered with an error', agencyFault) };
      const attachments = childElement(data, '', 'attachments');
      const unknown = (attachments ? childElements(attachments, '', 'fileIdentifier') : []).map((e) => String(e['#text'] ?? '').trim()).filter((id) => !state.files.has(id));
      if (unknown.length > 0) return { response: fault(call.operation, '2017', 'the receiver answered with an error', { errorCode: 'AG-404', errorMessage: `unknown file ${unknown.join(', ')}`, errorDate: new Date().toISOString() }) };
      const property = (info ? childElements(info, '', 'properties') : []).find((p) => childText(p, '', 'key') === 'gatewayMessageId');
      const delivery = state.deliveries.take(
        { serviceId: text('serviceId'), messageType, ...(correlationId ? { correlationId } : {}), senderMessageId: (property && childText(property, '', 'value')) ?? '', data: renderXmlString({ data }) },
        changed,
      );
      return { response: ok(asyncAcceptance({ messageId: delivery.messageId, correlationId: delivery.correlationId, responseDate: new Date() })), delivery };
    }

    function status(call: Call): SimResponse {
      const problem = senderProblem(call.request, context.options);
      if (problem) return fault(call.operation, problem.code, problem.message);
      const delivery = state.deliveries.messages.get(childText(call.request, '', 'messageId') ?? '');
      if (!delivery) return fault(call.operation, '1033', 'invalid entry for messageId');
      return ok(messageStatusAnswer({ messageState: delivery.state, statusCode: delivery.statusCode, statusMessage: delivery.statusMessage, statusDate: delivery.statusDate, responseDate: new Date() }));
    }

    function handle(request: SimulatorRequest, injected: InjectedFault | undefined): HandledRequest {
      const refused = (problem: string, response: SimResponse): HandledRequest => ({ received: { messageId: '', valid: false, problems: [problem], document: '' }, response });
      let body: XmlContent;
      try {
        if (!gatewayCertificate) throw new Error('no certificate of ours pinned for the gateway');
        const verified = verifyWsSecurity(request.body, gatewayCertificate, new Date(), { version: '1.1', requireTimestamp: false, requiredAddressing: [] });
        body = childElement(parseXml(verified.body), SOAP11_NS, 'Body') ?? {};
      } catch (err) {
        return refused(`2015 ${(err as Error).message}`, fault('SendMessage', '2015', `signature validation failed: ${(err as Error).message}`));
      }
      const call = callOf(body);
      const channel = request.path.replace(/\/+$/, '');
      const expected = call?.operation === 'SendMessage' ? CHANNEL_PATHS.sync : CHANNEL_PATHS.default;
      if (!call || channel !== expected) return refused('2005 not a call of this channel', fault(call?.operation ?? 'SendMessage', '2005', 'the message failed XSD validation: not an operation of this channel'));
      if (injected?.kind === 'partner-error') {
        return { received: { messageId: '', valid: true, problems: [], document: '' }, response: fault(call.operation, injected.code, `simulated error ${injected.code}`) };
      }
      if (call.operation === 'SendMessage') {
        const info = childElement(call.request, '', 'requestInfo');
        return { received: { messageId: (info && childText(info, '', 'messageId')) ?? '', valid: true, problems: [], document: renderXmlString({ request: call.request }) }, response: sync(call) };
      }
      if (call.operation === 'getMessageStatus') return { received: { messageId: childText(call.request, '', 'messageId') ?? '', valid: true, problems: [], document: '' }, response: status(call) };
      const { response, delivery } = send(call);
      return { received: { messageId: delivery?.senderMessageId ?? '', valid: delivery !== undefined, problems: delivery ? [] : ['refused'], document: delivery?.data ?? '' }, response };
    }

    const simulator = await startSimulatorServer(
      {
        partner: context.partner,
        path: '/',
        subpaths: true,
        handle,
        controls: {
          seed: (command) => {
            for (const permit of (command as { permits?: SeededPermit[] }).permits ?? []) state.permits.set(permit.documentNumber, permit);
          },
          delivery: (command) => {
            const { outcomes = [], deliveryMs, lateMs } = command as { outcomes?: DeliveryOutcome[]; deliveryMs?: number; lateMs?: number };
            const wrong = outcomes.filter((o) => !(DELIVERY_OUTCOMES as readonly string[]).includes(o));
            if (wrong.length > 0) throw new Error(`unknown outcome ${wrong.join(', ')} (${DELIVERY_OUTCOMES.join(', ')})`);
            state.deliveries.scriptNext(outcomes);
            if (deliveryMs !== undefined) state.deliveries.timing.deliveryMs = deliveryMs;
            if (lateMs !== undefined) state.deliveries.timing.lateMs = lateMs;
          },
          // A push as written by hand (e.g. unsigned), to see how the gateway refuses it.
          pushRaw: async (command) => {
            const answer = await context.pushToGateway({ contentType: 'text/xml; charset=utf-8', body: Buffer.from((command as { body: string }).body) });
            return { status: answer.status, body: answer.body.toString('utf8'), answerSigned: signedByGateway(context, answer) };
          },
          agencyFault: (command) => {
            const { code, message } = command as { code: string; message: string };
            state.agencyFaults.push({ errorCode: code, errorMessage: message, errorDate: new Date().toISOString() });
          },
          gatewayFault: (command) => {
            const { code, message } = command as { code: string; message: string };
            state.gatewayFaults.push({ errorCode: code, errorMessage: message, errorDate: new Date().toISOString() });
          },
        },
      },
      context.listen,
    );
    const close = simulator.close.bind(simulator);
    return Object.assign(simulator, {
      state,
      serviceUrls: { default: `${simulator.url}${CHANNEL_PATHS.default}`, sync: `${simulator.url}${CHANNEL_PATHS.sync}` },
      close: async () => {
        state.deliveries.stop();
        await Promise.all(pushing);
        await close();
      },
    });
  },
});
