// How the simulated member gateway answers our messages: when each signal and the answer go out, what is withheld, and the result it reports.
import type { SignalKind } from '../signals.js';

/** What can be withheld: a signal, or the answer. */
export type Withholdable = Exclude<SignalKind, 'error'> | 'answer';

/** The member's answering habits; changed with `POST /_sim/answers`. */
export interface AnswerBehaviour {
  /** After taking a message, when «Получено» goes out (ms). */
  receivedAfterMs: number;
  /** When «Принято в обработку» goes out (ms after taking the message). */
  acceptedAfterMs: number;
  /** When the R.006 answer goes out (ms after taking the message). */
  answerAfterMs: number;
  /** Never sent (a lost signal or answer). */
  withhold: Withholdable[];
  /** csdo:ProcessingResultV2Code of the answer (6: processed). */
  resultCode: string;
  /** The answer goes out twice, each with its own MessageID (a member's own repeat). */
  duplicateAnswer: boolean;
}

/** A member that answers quickly and completely. */
export const DEFAULT_BEHAVIOUR: AnswerBehaviour = { receivedAfterMs: 10, acceptedAfterMs: 20, answerAfterMs: 40, withhold: [], resultCode: '6', duplicateAnswer: false };

const WITHHOLDABLE: readonly Withholdable[] = ['received', 'accepted', 'answer'];
const DELAYS = ['receivedAfterMs', 'acceptedAfterMs', 'answerAfterMs'] as const;

/**
 * Applies an `answers` command to the current behaviour: `{ "reset": true }` restores the defaults;
 * otherwise the fields given replace the current ones.
 * @throws Error naming the field (the control answers 400 with it)
 */
export function changeBehaviour(current: AnswerBehaviour, command: unknown): AnswerBehaviour {
  if (typeof command !== 'object' || command === null || Array.isArray(command)) throw new Error('an answers command is a JSON object');
  const c = command as Record<string, unknown>;
  if (c.reset === true) return { ...DEFAULT_BEHAVIOUR };
  const known = new Set<string>([...DELAYS, 'withhold', 'resultCode', 'duplicateAnswer', 'reset']);
  const unknown = Object.keys(c).filter((k) => !known.has(k));
  if (unknown.length > 0) throw new Error(`unknown field(s) ${unknown.join(', ')} (known: ${[...known].join(', ')})`);
  const next = { ...current };
  for (const delay of DELAYS) {
    const value = c[delay];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 600_000) throw new Error(`${delay} must be 0 to 600000 ms`);
    next[delay] = value;
  }
  if (c.withhold !== undefined) {
    if (!Array.isArray(c.withhold) || !c.withhold.every((w) => WITHHOLDABLE.includes(w as Withholdable))) throw new Error(`withhold must be a list of ${WITHHOLDABLE.join(', ')}`);
    next.withhold = [...(c.withhold as Withholdable[])];
  }
  if (c.resultCode !== undefined) {
    if (typeof c.resultCode !== 'string' || !/^[0-9A-Za-z]{1,4}$/.test(c.resultCode)) throw new Error('resultCode must be 1-4 letters or digits');
    next.resultCode = c.resultCode;
  }
  if (c.duplicateAnswer !== undefined) {
    if (typeof c.duplicateAnswer !== 'boolean') throw new Error('duplicateAnswer must be true or false');
    next.duplicateAnswer = c.duplicateAnswer;
  }
  return next;
}
