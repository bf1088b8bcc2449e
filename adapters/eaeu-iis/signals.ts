// Signals of the integrated system (Decision 5 §112-121, Appendix 5): «Получено», «Принято в обработку» and the signal-exception «Ошибка», written and read.
import { childElement, childElements, childText, type Acknowledgement, type XmlContent } from '../../src/partners/kit.js';
import { eaeuErrors } from './errors.js';
import { SIGNAL_NS } from './namespaces.js';

/** The reserved message codes a signal's Action carries in place of a message code. */
export const SIGNAL_CODES = { received: 'P.MSG.RCV', accepted: 'P.MSG.PRS', error: 'P.MSG.ERR' } as const;

/** A signal kind. */
export type SignalKind = keyof typeof SIGNAL_CODES;

/** What people call each signal, for reasons and logs. */
export const SIGNAL_NAMES: Readonly<Record<SignalKind, string>> = {
  received: 'signal «Получено» (P.MSG.RCV)',
  accepted: 'signal «Принято в обработку» (P.MSG.PRS)',
  error: 'signal «Ошибка» (P.MSG.ERR)',
};

const ROOTS: Readonly<Record<SignalKind, string>> = { received: 'DeliveryReceipt', accepted: 'ProcessingReceipt', error: 'ValidationError' };

/** One error of a signal-exception: `Common:DataError` (structure), `Common:UnexpectedMessage`, `Common:FatalError`, or a failed rule's code. */
export interface SignalError {
  code: string;
  description: string;
}

/** The signal kind of a message code, or undefined when the code is no signal's. */
export function signalKindOf(messageCode: string): SignalKind | undefined {
  return (Object.keys(SIGNAL_CODES) as SignalKind[]).find((kind) => SIGNAL_CODES[kind] === messageCode);
}

/** The Body content of a signal. */
export function writeSignal(kind: SignalKind, signalId: string, at: Date, errors: readonly SignalError[] = []): XmlContent {
  const content: XmlContent = { '@xmlns:sgn': SIGNAL_NS, 'sgn:SignalId': signalId, 'sgn:DateTime': at.toISOString() };
  if (kind === 'error') content['sgn:Error'] = errors.map((e) => ({ 'sgn:Code': e.code, 'sgn:Description': e.description }));
  return { [`sgn:${ROOTS[kind]}`]: content };
}

/**
 * Reads a signal's Body as the acknowledgement it is: «Получено» is `received`, «Принято в обработку»
 * `accepted`, «Ошибка» a refusal at the `received` stage with its first error's code and every description.
 * @throws GatewayError GW_ERR_EAEU_HEADER when the Body is not the signal its Action names
 */
export function readSignal(kind: SignalKind, body: XmlContent): Acknowledgement {
  const signal = childElement(body, SIGNAL_NS, ROOTS[kind]);
  if (!signal || !childText(signal, SIGNAL_NS, 'SignalId')?.trim()) throw eaeuErrors.error('GW_ERR_EAEU_HEADER', `the Body of a ${SIGNAL_NAMES[kind]} holds no sgn:${ROOTS[kind]} with a SignalId`);
  if (kind !== 'error') return { stage: kind };
  const errors = childElements(signal, SIGNAL_NS, 'Error').map((e) => ({ code: childText(e, SIGNAL_NS, 'Code')?.trim() ?? '', description: childText(e, SIGNAL_NS, 'Description')?.trim() ?? '' }));
  return { stage: 'received', rejected: true, code: errors[0]?.code || 'Common:FatalError', text: errors.map((e) => `${e.code}: ${e.description}`).join('; ') };
}
