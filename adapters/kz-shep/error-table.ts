// What an ErrorInfo fault means for the message: each code's verdict from the adapter's default table and the agency's own, innermost error first.
import type { AcknowledgementCode, PartnerContext, Verdict } from '../../src/partners/kit.js';
import { errorChain, type ErrorInfo } from './error-info.js';

/** Who raised an error and of what kind, as integrators of the e-government gateway split them. */
export interface ErrorOrigin {
  raisedBy: 'gateway' | 'agency';
  type: 'fatal' | 'business';
}

/**
 * The default table: the error codes integrators of the e-government gateway publish for its
 * gateway-side failures (an integrator's ESB catalogue, `kz.esb.enums.EsbError`; the gateway's own list
 * is not public). Each agency instance adds its codes with the option `errorVerdicts`.
 */
export const DEFAULT_ERROR_CODES: Readonly<Record<string, AcknowledgementCode & ErrorOrigin>> = {
  '1000': { meaning: 'internal system error of the gateway', verdict: 'retry', raisedBy: 'gateway', type: 'fatal' },
  '1002': { meaning: 'authentication failure (sender id or password)', verdict: 'needs-human', raisedBy: 'gateway', type: 'fatal' },
  '1033': { meaning: 'invalid correlation id', verdict: 'failed', raisedBy: 'gateway', type: 'business' },
  '1035': { meaning: 'correlation id must be filled (a message after a REQUEST)', verdict: 'failed', raisedBy: 'gateway', type: 'business' },
  '2003': { meaning: 'service currently unavailable', verdict: 'retry', raisedBy: 'gateway', type: 'fatal' },
  '2005': { meaning: 'the message failed XSD validation', verdict: 'failed', raisedBy: 'gateway', type: 'business' },
  '2007': { meaning: 'sender not found in the gateway registry', verdict: 'needs-human', raisedBy: 'gateway', type: 'fatal' },
  '2009': { meaning: 'error sending the request on to the receiver', verdict: 'retry', raisedBy: 'gateway', type: 'fatal' },
  '2015': { meaning: 'signature validation failed', verdict: 'needs-human', raisedBy: 'gateway', type: 'fatal' },
  '2017': { meaning: 'the receiver answered with an error (its own code, when it gave one, is the nested sub-error)', verdict: 'needs-human', raisedBy: 'gateway', type: 'business' },
  '2020': { meaning: 'timeout waiting for the receiver', verdict: 'retry', raisedBy: 'gateway', type: 'fatal' },
  '2022': { meaning: 'certificate expired', verdict: 'needs-human', raisedBy: 'gateway', type: 'fatal' },
};

const VERDICTS: readonly Verdict[] = ['delivered', 'retry', 'failed', 'needs-human'];

const parsed = new Map<string, Readonly<Record<string, Verdict>>>();

/**
 * The agency's own codes from the option `errorVerdicts` (`CODE=verdict,CODE=verdict`); read once per value.
 * @throws Error naming the entry that is not `CODE=verdict` with a known verdict (a configuration mistake).
 */
export function agencyVerdicts(option: string | undefined): Readonly<Record<string, Verdict>> {
  const text = option?.trim() ?? '';
  let table = parsed.get(text);
  if (table) return table;
  const entries: Array<[string, Verdict]> = [];
  for (const entry of text.split(',').map((e) => e.trim()).filter(Boolean)) {
    const [code, verdict] = entry.split('=').map((s) => s.trim());
    if (!code || !VERDICTS.includes(verdict as Verdict)) throw new Error(`option errorVerdicts: "${entry}" is not CODE=verdict (${VERDICTS.join(', ')})`);
    entries.push([code, verdict as Verdict]);
  }
  table = Object.fromEntries(entries);
  parsed.set(text, table);
  return table;
}

/** How an ErrorInfo chain is judged: the code that decided, its verdict, and who raised it. */
export interface ErrorJudgement {
  code: string;
  verdict: Verdict;
  origin: ErrorOrigin;
  /** False when no code of the chain is in either table: a person must look. */
  known: boolean;
}

/**
 * Judges an ErrorInfo: the innermost error whose code the agency's table or the default table knows
 * decides (the agency's own words win over the gateway's wrapper); the agency's table wins over the
 * default one. Nested errors are the agency's (the gateway wraps what the receiver reported), the
 * outermost the gateway's. No known code: needs-human, with the outermost code.
 */
export function judgeError(error: ErrorInfo, context: Pick<PartnerContext, 'options'>): ErrorJudgement {
  const agency = agencyVerdicts(context.options.errorVerdicts);
  const chain = errorChain(error);
  for (let depth = chain.length - 1; depth >= 0; depth--) {
    const { errorCode: code } = chain[depth] as ErrorInfo;
    const configured = agency[code];
    const known = DEFAULT_ERROR_CODES[code];
    const raisedBy = depth === 0 ? 'gateway' : 'agency';
    if (configured) return { code, verdict: configured, origin: { raisedBy, type: configured === 'retry' ? 'fatal' : 'business' }, known: true };
    if (known) return { code, verdict: known.verdict, origin: { raisedBy: depth === 0 ? known.raisedBy : 'agency', type: known.type }, known: true };
  }
  return { code: error.errorCode, verdict: 'needs-human', origin: { raisedBy: chain.length > 1 ? 'agency' : 'gateway', type: 'business' }, known: false };
}
