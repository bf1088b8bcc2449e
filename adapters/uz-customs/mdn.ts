// The edifact profile's transport answer: the AS2 MDN Uzbekistan's AS2 system returns at once for each interchange, judged by its signature, MIC and disposition.
import type { AcknowledgementCode, AttemptResult, Outcome } from '../../src/partners/kit.js';

/** MDN dispositions (RFC 4130 §7.4.3 type and modifier) and their verdicts. */
export const MDN_CODES: Readonly<Record<string, AcknowledgementCode>> = {
  processed: { meaning: "Uzbekistan's AS2 system took the interchange: signed MDN, our MIC, no modifier", verdict: 'delivered' },
  'processed/warning': { meaning: 'taken, with a warning in the MDN (the interchange stands)', verdict: 'delivered' },
  'processed/error': { meaning: 'not taken: an error such as authentication-failed, integrity-check-failed or decryption-failed (keys or bytes: a person looks)', verdict: 'needs-human' },
  'failed/failure': { meaning: 'the receiving AS2 system failed on the request (e.g. unsupported format or MIC algorithm)', verdict: 'failed' },
};

/**
 * Judges an AS2 attempt by its MDN: none, unsigned, not signed by Uzbekistan's pinned key, or for
 * another message is for a person; a wrong MIC (Uzbekistan signed for other bytes than ours) is sent
 * again, never taken as delivery; else the disposition's verdict (table above). HTTP 408, 429, 5xx
 * and no answer are retried.
 */
export function classifyMdn(result: AttemptResult): Outcome {
  if (result.kind === 'error') return { verdict: 'retry', reason: `${result.error}: ${result.message}` };
  if (result.status >= 500 || result.status === 408 || result.status === 429) return { verdict: 'retry', reason: `HTTP ${result.status}` };
  const mdn = result.receipt;
  if (!mdn) return { verdict: 'needs-human', reason: `HTTP ${result.status} without an MDN` };
  if (!mdn.signed || !mdn.verified) return { verdict: 'needs-human', reason: `the MDN is ${mdn.signed ? 'not signed by Uzbekistan\'s pinned key' : 'unsigned'}${mdn.problems.length > 0 ? `: ${mdn.problems.join('; ')}` : ''}` };
  // Disposition tokens are case-insensitive (RFC 8098): judged lower-case, reported as written.
  const code = mdn.modifier ? `${mdn.dispositionType}/${mdn.modifier.kind}` : mdn.dispositionType;
  const written = mdn.disposition.split(';')[1]?.split(':')[0]?.trim() || code;
  const claimsSuccess = code === 'processed' || code === 'processed/warning';
  // A MIC in another algorithm than the SHA-256 we asked for cannot be compared: a person looks; a SHA-256 MIC of other bytes means Uzbekistan got other bytes: send again.
  if (claimsSuccess && mdn.receivedMic !== undefined && !/,\s*sha-256\s*$/i.test(mdn.receivedMic)) return { verdict: 'needs-human', partnerCode: code, reason: `the MDN's MIC ${mdn.receivedMic} is not SHA-256` };
  if (!mdn.micMatches && claimsSuccess) return { verdict: 'retry', partnerCode: code, reason: `the MDN's MIC ${mdn.receivedMic ?? '(none)'} is not the one of what we sent: not a delivery` };
  // Whatever it says, an MDN for another message or one that cannot be read is not about ours.
  if (mdn.problems.length > 0) return { verdict: 'needs-human', partnerCode: code, reason: `the MDN is doubtful: ${mdn.problems.join('; ')}` };
  const known = MDN_CODES[code];
  return { verdict: known?.verdict ?? 'needs-human', partnerCode: known ? code : written, reason: `MDN ${mdn.disposition}` };
}
