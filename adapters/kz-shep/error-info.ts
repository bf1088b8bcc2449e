// The e-government gateway's ErrorInfo fault detail, read whole (nested sub-errors included) and written by the simulator.
import { childElement, childText, type XmlContent } from '../../src/partners/kit.js';

/** One ErrorInfo (common/v10/types/ErrorInfo.xsd), with its nested sub-error. */
export interface ErrorInfo {
  errorCode: string;
  errorMessage: string;
  errorData?: string;
  errorDate: string;
  subError?: ErrorInfo;
  sessionId?: string;
}

/** Reads an ErrorInfo from the element that carries its fields (unqualified children); undefined when it has no errorCode. */
export function readErrorInfo(element: XmlContent): ErrorInfo | undefined {
  const text = (name: string): string | undefined => childText(element, '', name)?.trim();
  const errorCode = text('errorCode');
  if (!errorCode) return undefined;
  const sub = childElement(element, '', 'subError');
  const subError = sub ? readErrorInfo(sub) : undefined;
  const [errorData, sessionId] = [text('errorData'), text('sessionId')];
  return {
    errorCode,
    errorMessage: text('errorMessage') ?? '',
    errorDate: text('errorDate') ?? '',
    ...(errorData ? { errorData } : {}),
    ...(subError ? { subError } : {}),
    ...(sessionId ? { sessionId } : {}),
  };
}

/** The ErrorInfo fields as element content, in the schema's order. */
export function errorInfoContent(error: ErrorInfo): XmlContent {
  return {
    errorCode: error.errorCode,
    errorMessage: error.errorMessage,
    ...(error.errorData === undefined ? {} : { errorData: error.errorData }),
    errorDate: error.errorDate,
    ...(error.subError ? { subError: errorInfoContent(error.subError) } : {}),
    ...(error.sessionId === undefined ? {} : { sessionId: error.sessionId }),
  };
}

/** The chain from the outermost error (the gateway's) to the innermost (what the receiving agency reported). */
export function errorChain(error: ErrorInfo): ErrorInfo[] {
  const chain: ErrorInfo[] = [];
  for (let e: ErrorInfo | undefined = error; e; e = e.subError) chain.push(e);
  return chain;
}

/** The whole chain in words, outermost first: `E1 (message) ← E2 (message)`. */
export function describeErrorChain(error: ErrorInfo): string {
  return errorChain(error)
    .map((e) => `${e.errorCode} (${e.errorMessage}${e.errorData ? `; ${e.errorData}` : ''})`)
    .join(' ← ');
}
