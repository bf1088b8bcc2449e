// Uzbekistan's AS2 system as the edifact profile meets it: opens each AS2 message with our pinned certificate and answers a signed MDN at once; reads our CUSDECs against their segment table and, on its own timers, pushes its CONTRL and then its CUSRES; keeps our CONTRL and CUSRES about its own CUSDECs.
import { createHash } from 'node:crypto';
import { buildAs2Mdn, checkGrammar, GatewayError, openAs2Message, parseEdifact, type As2Disposition, type As2Message, type EdifactInterchange, type HandledRequest, type InjectedFault, type SimulatorContext, type SimulatorRequest } from '../../../src/partners/kit.js';
import { controlReference, GRAMMARS, readContrl, readCusres, writeContrl, writeCusres, type Parties } from '../edifact-acknowledgements.js';
import { claimedReference } from '../edifact-inbound.js';
import { SYNTAX_ERRORS, syntaxErrorOf, type SyntaxFault } from '../syntax-errors.js';
import type { As2Pusher } from './as2-pusher.js';

/** Uzbekistan's AS2 name and ours, as its system knows them. */
export const UZ_PARTIES: Parties = { sender: 'UZCUSTOMS', recipient: 'KZCUSTOMS' };

/** What the AS2 side keeps and what it is told to get wrong. */
export interface As2SimState {
  /** Our CUSDEC interchanges taken, by control reference (UNB 0020): the first UNH reference, its type, the digest of the interchange, and whether it came encrypted. */
  interchanges: Map<string, { message: string; type: string; digest: string; encrypted: boolean }>;
  /** Problems found reading our interchanges (the MDN still reports the transfer; EDIFACT errors are CONTRL's). */
  problems: string[];
  /** Our CONTRL and CUSRES about Uzbekistan's own CUSDECs, as read: by the interchange they answer. */
  reports: Array<{ type: 'contrl' | 'cusres'; answers: string; accepted: boolean; codes: string[]; text: string; syntax: string }>;
  /** What Uzbekistan pushed us after an MDN (CONTRL, CUSRES), with the MDN's disposition or the HTTP status. */
  pushed: Array<{ type: 'contrl' | 'cusres'; answers: string; outcome: string }>;
  /** Answer the next MDN with a MIC of other bytes. */
  badMicNext: number;
  /** Answer the next MDN unsigned. */
  unsignedMdnNext: number;
  /** Reject the next CUSDEC's CONTRL (action 4, syntax error 13 at its BGM). */
  contrlRejectNext: number;
  /** Answer the next CUSDEC's CUSRES 27 (not accepted). */
  cusresRejectNext: number;
  /** Report the next CUSDEC's interchange reference as a duplicate (CONTRL 4, syntax error 26), as after Uzbekistan kept one of ours the gateway lost. */
  duplicateNext: number;
  /** Send no CONTRL or CUSRES for the next CUSDEC (only its MDN). */
  silentNext: number;
  /** How long after the MDN the CONTRL comes, and the CUSRES after the CONTRL. */
  timing: { contrlMs: number; cusresMs: number };
}

/** A fresh AS2 state: answers after 100 ms and 200 ms more. */
export function as2SimState(): As2SimState {
  return { interchanges: new Map(), problems: [], reports: [], pushed: [], badMicNext: 0, unsignedMdnNext: 0, contrlRejectNext: 0, cusresRejectNext: 0, duplicateNext: 0, silentNext: 0, timing: { contrlMs: 100, cusresMs: 200 } };
}

/** The disposition a fault's code stands for: its type and modifier as written (`processed`, `processed/warning`, `failed/failure` …). */
function dispositionOf(code: string): As2Disposition {
  const [type = '', modifier] = code.split('/');
  return modifier === undefined ? { type } : { type, modifier, description: `simulated ${code}` };
}

function take(state: As2SimState, fault: 'badMicNext' | 'unsignedMdnNext' | 'contrlRejectNext' | 'cusresRejectNext' | 'duplicateNext' | 'silentNext'): boolean {
  if (state[fault] <= 0) return false;
  state[fault]--;
  return true;
}

/** The AS2 handler: a request with AS2-Version goes here. */
export function as2Receiver(context: Pick<SimulatorContext, 'gatewayCertificates' | 'identity'>, state: As2SimState, pusher: As2Pusher): (request: SimulatorRequest, fault: InjectedFault | undefined) => HandledRequest {
  let serial = 0;

  /** What Uzbekistan's customs makes of one of our CUSDECs, CONTRL first and then, if the syntax passed, CUSRES; each on its own timer. */
  function answerLater(interchange: EdifactInterchange | undefined, reference: string, syntax: SyntaxFault | undefined): void {
    if (take(state, 'silentNext')) return;
    const duplicate = take(state, 'duplicateNext') ? { code: SYNTAX_ERRORS.duplicate, serviceSegment: 'UNB' } : undefined;
    const fault = syntax ?? duplicate ?? (take(state, 'contrlRejectNext') ? { code: SYNTAX_ERRORS.missing, message: interchange?.messages[0]?.reference ?? '1', segment: { position: 2, tag: 'BGM' } } : undefined);
    const cusresRejected = take(state, 'cusresRejectNext');
    const now = new Date();
    // Uzbekistan answers in the character set of the interchange it answers.
    const parties: Parties = { ...UZ_PARTIES, syntax: interchange?.syntax === 'UNOW' || interchange?.syntax === 'UNOY' ? interchange.syntax : 'UNOC' };
    const contrl = writeContrl(parties, controlReference('UZ', `${reference}:contrl:${++serial}`), now, { interchange: reference, sender: UZ_PARTIES.recipient, recipient: UZ_PARTIES.sender, ...(fault ? { error: fault } : {}) });
    setTimeout(() => {
      void pusher.push('contrl', reference, contrl);
      if (fault) return;
      const responseId = `UZ${now.toISOString().slice(0, 10).replace(/-/g, '')}${String(++serial).padStart(6, '0')}`;
      const cusres = writeCusres(parties, controlReference('UZ', `${reference}:cusres:${serial}`), new Date(), {
        responseId,
        accepted: !cusresRejected,
        answers: reference,
        errors: cusresRejected ? [{ code: 'UZ-DATA', description: 'simulated rejection: the consignee is not registered with the State Customs Committee' }] : [],
      });
      setTimeout(() => void pusher.push('cusres', reference, cusres), state.timing.cusresMs);
    }, state.timing.contrlMs);
  }

  /** Reads one of our interchanges: a CUSDEC (kept; answered later), or a CONTRL / CUSRES about one of Uzbekistan's (kept in `reports`). */
  function read(message: As2Message): string[] {
    const digest = createHash('sha256').update(message.content).digest('hex');
    let interchange: EdifactInterchange;
    try {
      interchange = parseEdifact(message.content);
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      const reference = claimedReference(message.content);
      if (reference) answerLater(undefined, reference, syntaxErrorOf(err));
      return [err.message];
    }
    const [first] = interchange.messages;
    const type = first?.type[0];
    if (type === 'CONTRL' || type === 'CUSRES') {
      checkGrammar(interchange.messages, [GRAMMARS.contrl, GRAMMARS.cusres]);
      const segments = first!.segments;
      if (type === 'CONTRL') {
        const report = readContrl(segments);
        state.reports.push({ type: 'contrl', answers: report.interchange, accepted: report.verdict === 'accepted', codes: report.codes, text: report.text, syntax: interchange.syntax });
      } else {
        const response = readCusres(segments);
        state.reports.push({ type: 'cusres', answers: response.answers, accepted: response.accepted, codes: response.errors.map((e) => e.code), text: response.errors.map((e) => e.description).join('; '), syntax: interchange.syntax });
      }
      return [];
    }
    const reference = interchange.controlReference;
    const known = state.interchanges.get(reference);
    // The same reference again with other content is a duplicate (CONTRL 26); with the same bytes, a repeat of the same interchange.
    if (known && known.digest !== digest) {
      answerLater(interchange, reference, { code: SYNTAX_ERRORS.duplicate, serviceSegment: 'UNB' });
      return [`interchange reference ${reference} was used before for another interchange`];
    }
    try {
      checkGrammar(interchange.messages, [GRAMMARS.cusdec]);
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      answerLater(interchange, reference, syntaxErrorOf(err, first));
      return [err.message];
    }
    state.interchanges.set(reference, { message: first?.reference ?? '', type: first?.type.join(':') ?? '', digest, encrypted: message.encrypted });
    answerLater(interchange, reference, undefined);
    return [];
  }

  return (request, fault) => {
    let message: As2Message;
    try {
      message = openAs2Message(request.headers, request.body, context.gatewayCertificates, [context.identity]);
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      // Nobody we trust sent it: a signed MDN without a MIC says so.
      const mdn = buildAs2Mdn({ originalMessageId: String(request.headers['message-id'] ?? '<unknown>'), as2From: UZ_PARTIES.sender, as2To: UZ_PARTIES.recipient, disposition: { kind: 'error', description: 'authentication-failed' }, signer: context.identity });
      return { received: { messageId: '', valid: false, problems: [err.message], document: '' }, response: { status: 200, headers: mdn.headers, body: mdn.body } };
    }
    const mdnFault = fault?.kind === 'partner-error' ? dispositionOf(String(fault.code)) : undefined;
    // A message its MDN does not take is not read further.
    const problems = mdnFault ? [] : read(message);
    state.problems.push(...problems);
    const badMic = take(state, 'badMicNext');
    const unsigned = take(state, 'unsignedMdnNext');
    const mdn = buildAs2Mdn({
      originalMessageId: message.messageId,
      as2From: message.as2To,
      as2To: message.as2From,
      mic: badMic ? `${Buffer.alloc(32, 7).toString('base64')}, sha-256` : message.mic,
      disposition: mdnFault ?? 'processed',
      ...(unsigned ? {} : { signer: context.identity }),
    });
    return {
      received: { messageId: message.messageId, valid: problems.length === 0, problems, document: message.content.toString('latin1') },
      response: { status: 200, headers: mdn.headers, body: mdn.body },
    };
  };
}
