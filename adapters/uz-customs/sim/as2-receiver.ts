// Uzbekistan's AS2 system as the edifact profile meets it: opens each AS2 message with our pinned certificate, reads the CUSDEC interchange against its segment table, keeps it, and answers a signed MDN at once.
import { buildAs2Mdn, checkGrammar, GatewayError, openAs2Message, parseEdifact, shippedEdifactGrammar, type As2Disposition, type As2Message, type HandledRequest, type InjectedFault, type SimulatorContext, type SimulatorRequest } from '../../../src/partners/kit.js';

const CUSDEC = shippedEdifactGrammar('CUSDEC-D96B');

/** What the AS2 side keeps and what it is told to get wrong. */
export interface As2SimState {
  /** Interchanges taken, by control reference (UNB 0020): the first UNH reference and its type. */
  interchanges: Map<string, { message: string; type: string }>;
  /** Problems found reading the interchanges (the MDN still reports the transfer; EDIFACT errors are CONTRL's). */
  problems: string[];
  /** Answer the next MDN with a MIC of other bytes. */
  badMicNext: number;
  /** Answer the next MDN unsigned. */
  unsignedMdnNext: number;
}

/** The disposition a fault's code stands for: its type and modifier as written (`processed`, `processed/warning`, `failed/failure` …). */
function dispositionOf(code: string): As2Disposition {
  const [type = '', modifier] = code.split('/');
  return modifier === undefined ? { type } : { type, modifier, description: `simulated ${code}` };
}

/** The AS2 handler: a request with AS2-Version goes here. */
export function as2Receiver(context: Pick<SimulatorContext, 'gatewayCertificates' | 'identity'>, state: As2SimState): (request: SimulatorRequest, fault: InjectedFault | undefined) => HandledRequest {
  return (request, fault) => {
    let message: As2Message;
    try {
      message = openAs2Message(request.headers, request.body, context.gatewayCertificates);
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      // Nobody we trust sent it: a signed MDN without a MIC says so.
      const mdn = buildAs2Mdn({ originalMessageId: String(request.headers['message-id'] ?? '<unknown>'), as2From: 'UZCUSTOMS', as2To: 'KZCUSTOMS', disposition: { kind: 'error', description: 'authentication-failed' }, signer: context.identity });
      return { received: { messageId: '', valid: false, problems: [err.message], document: '' }, response: { status: 200, headers: mdn.headers, body: mdn.body } };
    }
    const problems: string[] = [];
    try {
      const interchange = parseEdifact(message.content);
      checkGrammar(interchange.messages, [CUSDEC]);
      const first = interchange.messages[0];
      state.interchanges.set(interchange.controlReference, { message: first?.reference ?? '', type: first?.type.join(':') ?? '' });
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      problems.push(err.message);
      state.problems.push(err.message);
    }
    const badMic = state.badMicNext > 0;
    if (badMic) state.badMicNext--;
    const unsigned = state.unsignedMdnNext > 0;
    if (unsigned) state.unsignedMdnNext--;
    const mdn = buildAs2Mdn({
      originalMessageId: message.messageId,
      as2From: message.as2To,
      as2To: message.as2From,
      mic: badMic ? `${Buffer.alloc(32, 7).toString('base64')}, sha-256` : message.mic,
      disposition: fault?.kind === 'partner-error' ? dispositionOf(String(fault.code)) : 'processed',
      ...(unsigned ? {} : { signer: context.identity }),
    });
    return {
      received: { messageId: message.messageId, valid: problems.length === 0, problems, document: message.content.toString('latin1') },
      response: { status: 200, headers: mdn.headers, body: mdn.body },
    };
  };
}
