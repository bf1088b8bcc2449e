// CONTRL (syntax report) and CUSRES (customs response) interchanges of our bilateral MIG with Uzbekistan: written for either side, and read back.
import { createHash } from 'node:crypto';
import { GatewayError, renderEdifact, shippedEdifactGrammar, type EdifactInterchange, type EdifactSegment } from '../../src/partners/kit.js';
import type { SyntaxFault } from './syntax-errors.js';

/** Segment tables every interchange of the profile is checked against, both ways. */
export const GRAMMARS = {
  cusdec: shippedEdifactGrammar('CUSDEC-D96B'),
  cusres: shippedEdifactGrammar('CUSRES-D96B'),
  contrl: shippedEdifactGrammar('CONTRL-D3'),
};

/** UNH S009 of the profile's messages (association ZZZ01 for our MIG of CUSDEC and CUSRES). */
export const MESSAGE_TYPES = {
  cusdec: ['CUSDEC', 'D', '96B', 'UN', 'ZZZ01'],
  cusres: ['CUSRES', 'D', '96B', 'UN', 'ZZZ01'],
  contrl: ['CONTRL', 'D', '3', 'UN'],
};

/** Action codes (0083) of CONTRL we write: 7 this level acknowledged (and the next unless rejected), 4 this level and all lower levels rejected. */
export const ACTION = { acknowledged: '7', rejected: '4' } as const;

/**
 * What each action code (0083, UNSL D.96B) a CONTRL may carry says of the interchange: 1 acknowledged, 2
 * acknowledged with errors reported, 7 acknowledged unless a lower level is rejected: accepted; 3 one or
 * more rejected at the next lower level (our interchanges hold one message), 4 rejected, 6 UNB/UNZ
 * rejected: rejected; 5 UNB/UNZ accepted and 8 interchange received: only received, the verdict to follow.
 */
const ACTIONS: Readonly<Record<string, 'accepted' | 'rejected' | 'received'>> = { '1': 'accepted', '2': 'accepted', '3': 'rejected', '4': 'rejected', '5': 'received', '6': 'rejected', '7': 'accepted', '8': 'received' };
/** Message function (1225) of a CUSRES: 29 accepted without amendment, 27 not accepted. */
export const RESPONSE = { accepted: '29', notAccepted: '27' } as const;

/** Character sets an agreement may choose (UNB S001): UNOC in syntax version 3, UNOW and UNOY (UTF-8) in version 4. */
export type AgreedSyntax = 'UNOC' | 'UNOW' | 'UNOY';

/** Who writes an interchange to whom: the UNB identifications (our MIG: the AS2 names, qualifier ZZ), in the agreed character set (default UNOC). */
export interface Parties {
  sender: string;
  recipient: string;
  syntax?: AgreedSyntax;
}

/** An interchange control reference (UNB 0020, an..14) derived from a seed: the prefix and 12 hexadecimal digits. */
export function controlReference(prefix: string, seed: string): string {
  return `${prefix}${createHash('sha256').update(seed).digest('hex').slice(0, 12).toUpperCase()}`;
}

/** DTM format 203 (CCYYMMDDHHMM) of a time in UTC, and its HHMM for UNB S004. */
function stamp(at: Date): { time: string; dtm: string } {
  const iso = at.toISOString();
  const dtm = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}`;
  return { time: dtm.slice(8), dtm };
}

function interchange(parties: Parties, reference: string, at: Date, type: string[], segments: EdifactSegment[]): Buffer {
  const { dtm, time } = stamp(at);
  const syntax = parties.syntax ?? 'UNOC';
  const value: EdifactInterchange = {
    syntax,
    syntaxVersion: syntax === 'UNOC' ? '3' : '4',
    sender: [parties.sender, 'ZZ'],
    recipient: [parties.recipient, 'ZZ'],
    // S004 0017: YYMMDD in syntax version 3, CCYYMMDD in version 4.
    preparedAt: { date: syntax === 'UNOC' ? dtm.slice(2, 8) : dtm.slice(0, 8), time },
    controlReference: reference,
    messages: [{ reference: '1', type, segments }],
  };
  return renderEdifact(value);
}

/** What a CONTRL reports about one interchange. */
export interface ControlReport {
  /** The reported interchange: its control reference and its sender and recipient (UNB S002, S003). */
  interchange: string;
  sender: string;
  recipient: string;
  /** Accepted (action 7), or rejected (action 4) with the error. */
  error?: SyntaxFault;
}

/**
 * A CONTRL interchange: UCI with action 7, or 4 with the error (at interchange level with its service
 * segment, or UCM 4 for the message with a UCS naming the segment position).
 */
export function writeContrl(parties: Parties, reference: string, at: Date, report: ControlReport): Buffer {
  const { error } = report;
  const interchangeLevel = error !== undefined && error.message === undefined;
  const uci: EdifactSegment = {
    tag: 'UCI',
    elements: [[report.interchange], [report.sender, 'ZZ'], [report.recipient, 'ZZ'], [error ? ACTION.rejected : ACTION.acknowledged], ...(interchangeLevel ? [[error.code], ...(error.serviceSegment ? [[error.serviceSegment]] : [])] : [])],
  };
  const segments: EdifactSegment[] = [uci];
  if (error?.message !== undefined) {
    segments.push({ tag: 'UCM', elements: [[error.message], error.messageType ?? MESSAGE_TYPES.cusdec, [ACTION.rejected], [error.code], ...(error.serviceSegment ? [[error.serviceSegment]] : [])] });
    if (error.segment) segments.push({ tag: 'UCS', elements: [[String(error.segment.position)], [error.code]] });
  }
  return interchange(parties, reference, at, MESSAGE_TYPES.contrl, segments);
}

/** A CUSRES: the customs authority's answer to a CUSDEC. */
export interface CustomsResponse {
  /** BGM 1004: the response's id (accepted: the registration number). */
  responseId: string;
  accepted: boolean;
  /** The answered CUSDEC's interchange control reference (SG3 RFF ACW, reference number to previous message). */
  answers: string;
  /** Rejection reasons: ERC 9321 (an..8, mutually defined) and FTX AAO text (five components of 70 at most). */
  errors: Array<{ code: string; description: string }>;
}

/** Splits text into components of 70 characters, five at most (FTX C108), cut only at the end of the fifth. */
function textComponents(text: string): string[] {
  const chars = Array.from(text.replace(/[\r\n\t]+/g, ' ')).slice(0, 350);
  const parts: string[] = [];
  for (let i = 0; i < chars.length; i += 70) parts.push(chars.slice(i, i + 70).join(''));
  return parts.length > 0 ? parts : [''];
}

/** A CUSRES interchange: BGM 962 (document response, customs) with 29 or 27, DTM 137, RFF ACW, and per error ERP, ERC and FTX AAO. */
export function writeCusres(parties: Parties, reference: string, at: Date, response: CustomsResponse): Buffer {
  const segments: EdifactSegment[] = [
    { tag: 'BGM', elements: [['962'], [response.responseId], [response.accepted ? RESPONSE.accepted : RESPONSE.notAccepted]] },
    { tag: 'DTM', elements: [['137', stamp(at).dtm, '203']] },
    { tag: 'RFF', elements: [['ACW', response.answers]] },
    ...response.errors.flatMap((e): EdifactSegment[] => [
      { tag: 'ERP', elements: [['1']] },
      { tag: 'ERC', elements: [[e.code.slice(0, 8), '', 'ZZZ']] },
      { tag: 'FTX', elements: [['AAO'], [''], [''], textComponents(e.description)] },
    ]),
  ];
  return interchange(parties, reference, at, MESSAGE_TYPES.cusres, segments);
}

/** The first component of an element of the first segment with this tag, or ''. */
function first(segments: readonly EdifactSegment[], tag: string, element: number, component = 0): string {
  return segments.find((s) => s.tag === tag)?.elements[element]?.[component] ?? '';
}

/**
 * What a CONTRL we received says: the interchange it reports on, its action code (UCI 0083) and verdict
 * (`rejected` too when a UCM rejects the message; `unknown` for an action code UNSL does not list), and its
 * error codes in words.
 */
export function readContrl(segments: readonly EdifactSegment[]): { interchange: string; action: string; verdict: 'accepted' | 'rejected' | 'received' | 'unknown'; codes: string[]; text: string } {
  const uci = segments.find((s) => s.tag === 'UCI');
  if (!uci) throw new GatewayError('GW_ERR_INBOUND_UNREADABLE', 'the CONTRL has no UCI');
  const codes: string[] = [];
  const words: string[] = [];
  const action = uci.elements[3]?.[0] ?? '';
  let verdict: 'accepted' | 'rejected' | 'received' | 'unknown' = ACTIONS[action] ?? 'unknown';
  for (const segment of segments) {
    const code = segment.tag === 'UCI' ? segment.elements[4]?.[0] : segment.tag === 'UCM' ? segment.elements[3]?.[0] : segment.tag === 'UCS' ? segment.elements[1]?.[0] : undefined;
    if (segment.tag === 'UCM' && ACTIONS[segment.elements[2]?.[0] ?? ''] === 'rejected' && verdict !== 'unknown') verdict = 'rejected';
    if (!code) continue;
    if (!codes.includes(code)) codes.push(code);
    if (segment.tag === 'UCI') words.push(`interchange: syntax error ${code}${segment.elements[5]?.[0] ? ` in ${segment.elements[5][0]}` : ''}`);
    if (segment.tag === 'UCM') words.push(`message ${segment.elements[0]?.[0] ?? '?'}: syntax error ${code}`);
    if (segment.tag === 'UCS') words.push(`segment ${segment.elements[0]?.[0] ?? '?'}: syntax error ${code}`);
  }
  return { interchange: uci.elements[0]?.[0] ?? '', action, verdict, codes, text: words.join('; ') };
}

/** What a CUSRES we received says: its id, accepted or not, the interchange it answers, and its errors. */
export function readCusres(segments: readonly EdifactSegment[]): CustomsResponse {
  const errors: CustomsResponse['errors'] = [];
  segments.forEach((segment, i) => {
    const next = segments[i + 1];
    if (segment.tag === 'ERC') errors.push({ code: segment.elements[0]?.[0] ?? '', description: next?.tag === 'FTX' ? (next.elements[3] ?? []).join('') : '' });
  });
  const reference = segments.find((s) => s.tag === 'RFF' && s.elements[0]?.[0] === 'ACW')?.elements[0]?.[1] ?? '';
  return { responseId: first(segments, 'BGM', 1), accepted: first(segments, 'BGM', 2) === RESPONSE.accepted, answers: reference, errors };
}
