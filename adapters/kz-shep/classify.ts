// Judges an attempt: the gateway's acceptance of sendMessage delivers (the delivery state follows), an ErrorInfo fault is judged by its codes.
import { parseSoapEnvelope, type AttemptResult, type Outcome, type PartnerContext, type SoapMessage } from '../../src/partners/kit.js';
import { readAsyncAcceptance, readFaultErrorInfo } from './channel-messages.js';
import { describeErrorChain } from './error-info.js';
import { SHEP_CORRELATION_ID_KEY, SHEP_MESSAGE_ID_KEY } from './delivery-state.js';
import { judgeError } from './error-table.js';

function soapOf(body: Buffer): SoapMessage | undefined {
  try {
    return parseSoapEnvelope(body, '1.1');
  } catch {
    return undefined;
  }
}

/** The verdict on one attempt (uploads and sendMessage): see the README's codes table. */
export function classifyAttempt(result: AttemptResult, context: PartnerContext): Outcome {
  if (result.kind === 'error') return { verdict: 'retry', reason: `${result.error}: ${result.message}` };
  const { status } = result;
  const message = soapOf(result.body);
  const error = message && readFaultErrorInfo(message.body);
  if (error) {
    const judged = judgeError(error, context);
    const origin = `${judged.origin.raisedBy === 'agency' ? 'the agency' : 'the e-government gateway'} (${judged.origin.type})`;
    const known = judged.known ? '' : '; no code of it is in the tables';
    return { verdict: judged.verdict, partnerCode: judged.code, reason: `ErrorInfo from ${origin}: ${describeErrorChain(error)}${known}` };
  }
  if (status === 200 && message) {
    try {
      const accepted = readAsyncAcceptance(message.body);
      return {
        verdict: 'delivered',
        reason: `the e-government gateway took the message as ${accepted.messageId} (correlation ${accepted.correlationId})`,
        // Stored with the attempt, in its transaction: a state pushed or polled right after names the message by them.
        businessKeys: { [SHEP_MESSAGE_ID_KEY]: accepted.messageId, [SHEP_CORRELATION_ID_KEY]: accepted.correlationId },
      };
    } catch (err) {
      return { verdict: 'needs-human', reason: `HTTP 200 without a sendMessage acceptance: ${(err as Error).message}` };
    }
  }
  if (status >= 500 || status === 408 || status === 429) return { verdict: 'retry', reason: `HTTP ${status}${message?.fault ? ` (SOAP fault ${message.fault.code}: ${message.fault.message})` : ''}` };
  return { verdict: 'needs-human', reason: `HTTP ${status} without an ErrorInfo` };
}
