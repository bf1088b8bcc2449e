// What is wrong with an interchange Uzbekistan sent, as the UN/EDIFACT syntax error code (data element 0085, UNSL D.96B) our CONTRL reports, and where.
import { GatewayError } from '../../src/partners/kit.js';

/** A syntax error as CONTRL reports it: its 0085 code, and the segment (UNH = 1) and tag when it lies inside a message. */
export interface SyntaxFault {
  /** Data element 0085. */
  code: string;
  /** The service segment in error (UNB, UNZ …) at interchange level, or the message's segment position and tag. */
  serviceSegment?: string;
  segment?: { position: number; tag: string };
  /** The message (UNH 0062) it lies in, when it lies in one, and its type (UNH S009) as received. */
  message?: string;
  messageType?: string[];
}

/** Syntax error codes (0085) of the reports we write, with their UNSL names. */
export const SYNTAX_ERRORS = {
  syntaxNotSupported: '2',
  messageNotSupported: '3',
  invalidValue: '12',
  missing: '13',
  notSupportedInThisPosition: '15',
  unspecified: '18',
  invalidCharacters: '21',
  recipientNotActual: '7',
  unknownSender: '23',
  duplicate: '26',
  referencesDoNotMatch: '28',
  controlCountDoesNotMatch: '29',
  tooManyRepetitions: '35',
  tooManyGroupRepetitions: '36',
  serviceSegmentInvalid: '4',
} as const;

/** The 0085 code of a grammar problem by its words (edifact-grammar's reasons): missing, a segment or a group repeated too often, or out of place. */
function grammarCode(reason: string): string {
  if (/is missing/.test(reason)) return SYNTAX_ERRORS.missing;
  if (/more than its maximum/.test(reason)) return /segment group/.test(reason) ? SYNTAX_ERRORS.tooManyGroupRepetitions : SYNTAX_ERRORS.tooManyRepetitions;
  return SYNTAX_ERRORS.notSupportedInThisPosition;
}

/** The message a fault lies in: its reference (UNH 0062) and type (UNH S009) as received. */
export interface FaultyMessage {
  reference: string;
  type: string[];
}

/**
 * The syntax error a refusal of our codec or grammar check stands for: counts and references of UNZ
 * (at interchange level) and of UNT (in the message, when it is known), 28 and 29; characters outside
 * the syntax level (21); grammar problems of a message (13, 35, 36, 15, at the segment); a broken
 * service segment (4); anything else unspecified (18).
 */
export function syntaxErrorOf(err: GatewayError, message?: FaultyMessage): SyntaxFault {
  const tag = typeof err.detail.tag === 'string' ? err.detail.tag : undefined;
  const position = typeof err.detail.segment === 'number' ? err.detail.segment : undefined;
  const within = message ? { message: message.reference, messageType: message.type } : {};
  switch (err.code) {
    case 'GW_ERR_EDIFACT_COUNT':
      return { code: /reference/.test(err.message) ? SYNTAX_ERRORS.referencesDoNotMatch : SYNTAX_ERRORS.controlCountDoesNotMatch, ...(tag ? { serviceSegment: tag } : {}), ...(tag === 'UNT' ? within : {}) };
    case 'GW_ERR_EDIFACT_CHARSET':
      return { code: SYNTAX_ERRORS.invalidCharacters };
    case 'GW_ERR_EDIFACT_GRAMMAR':
      return { code: grammarCode(err.message), ...(position !== undefined && tag ? { segment: { position, tag } } : {}), ...within };
    case 'GW_ERR_EDIFACT_SYNTAX':
      return tag?.startsWith('UN') ? { code: SYNTAX_ERRORS.serviceSegmentInvalid, serviceSegment: tag } : { code: SYNTAX_ERRORS.unspecified };
    default:
      return { code: SYNTAX_ERRORS.unspecified };
  }
}
