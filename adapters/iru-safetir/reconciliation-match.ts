// What the message log holds for a carnet's reconciliation request, and the rule that decides the answer.
import { childElement, parseXml, type MessageStatus, type MessageStore, type OutboundSummary } from '../../src/partners/kit.js';
import { childrenNamed } from './rts-classic-call.js';
import { terminationAttributesOf, type ReconciliationRequest, type ReplyRecord, type ReplyType, type TerminationAttribute, type TerminationData } from './reconciliation-messages.js';

const UPLOAD_NS = 'http://www.iru.org/SafeTIRUpload';
const PAGE = 200;

/** One termination record the gateway sent (or tried to send) to IRU, as the log holds it. */
export interface LoggedTermination {
  /** The message that carried it. */
  messageId: string;
  /** That message's delivery status. */
  status: MessageStatus;
  /** The record's attributes as sent (UPG left out). */
  record: ReplyRecord;
}

/** What the log holds for one carnet. */
export interface LoggedCarnet {
  /** Terminations in force, oldest first: every record sent, less those a later `UPG="C"` record cancelled. */
  terminations: LoggedTermination[];
  /** SafeTIR uploads for the carnet still being delivered. */
  pending: string[];
}

/** How a request is to be answered. */
export type Decision =
  | { kind: 'reply'; replyType: ReplyType; record: ReplyRecord; reason: string }
  | { kind: 'wait'; reason: string }
  | { kind: 'officer'; reason: string };

/**
 * The attributes compared. COM is not: it is free text. UPG is not termination data. TNO and ICC
 * are compared without case, VPN and PIC as numbers (0 is "not given": IRU always sends PIC, 0 when
 * unknown), everything else as trimmed text (dates are xs:date text on both sides).
 */
const COMPARED: readonly TerminationAttribute[] = ['TNO', 'ICC', 'COF', 'VPN', 'CWR', 'DCL', 'CNL', 'DDI', 'RND', 'PFD', 'TCO', 'RBC', 'PIC'];
/** The mandatory attributes of an upload record: a cancel record repeats them (IRU's UPG rule). */
const MANDATORY: readonly TerminationAttribute[] = ['TNO', 'ICC', 'COF', 'CWR', 'VPN'];

function normalised(name: TerminationAttribute, value: string | undefined): string | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (name === 'TNO' || name === 'ICC') return text.toUpperCase();
  if (name === 'VPN' || name === 'PIC') {
    const n = Number(text);
    // VPN 0 is "page not given", PIC 0 "package count unknown".
    return n === 0 ? undefined : String(n);
  }
  return text;
}

/**
 * True when the logged record agrees with IRU's data on every compared attribute IRU gave. An
 * attribute IRU left out is not compared (data read from a paper volet need not carry all of them).
 */
export function matches(iru: TerminationData, ours: TerminationData): boolean {
  return COMPARED.every((name) => {
    const theirs = normalised(name, iru[name]);
    return theirs === undefined || theirs === normalised(name, ours[name]);
  });
}

function sameMandatory(a: TerminationData, b: TerminationData): boolean {
  return MANDATORY.every((name) => normalised(name, a[name]) === normalised(name, b[name]));
}

/** Index of the last item that passes, or -1 (the compile target predates Array.prototype.findLastIndex). */
function lastIndexWhere<T>(items: readonly T[], test: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (test(items[i] as T)) return i;
  return -1;
}

async function uploadsFor(store: MessageStore, carnetNumber: string): Promise<OutboundSummary[]> {
  const found: OutboundSummary[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.search({ key: carnetNumber, partner: 'iru-safetir', type: 'safetir-upload', direction: 'out' }, PAGE, cursor);
    for (const item of page.items) if (item.direction === 'out') found.push(item);
    cursor = page.nextCursor;
  } while (cursor);
  // The log lists newest first; cancellations apply in the order the records were sent.
  return found.reverse();
}

/**
 * Reads every SafeTIR upload the log holds for this carnet (any partner status but pending) and
 * returns the terminations in force, applying `UPG="C"` cancellations in order.
 */
export async function loggedTerminations(store: MessageStore, carnetNumber: string): Promise<LoggedCarnet> {
  const carnet = carnetNumber.toUpperCase();
  const result: LoggedCarnet = { terminations: [], pending: [] };
  for (const message of await uploadsFor(store, carnet)) {
    if (message.status === 'pending') {
      result.pending.push(message.id);
      continue;
    }
    const payload = await store.payload(message.id);
    if (!payload) continue;
    const root = childElement(parseXml(payload, { expectedNamespace: UPLOAD_NS }), UPLOAD_NS, 'SafeTIR');
    const body = root && childElement(root, UPLOAD_NS, 'Body');
    const list = body && childElement(body, UPLOAD_NS, 'SafeTIRRecords');
    for (const element of list ? childrenNamed(list, 'Record') : []) {
      const data = terminationAttributesOf(element);
      if (data.TNO?.toUpperCase() !== carnet || !data.ICC || !data.COF || !data.CWR || !data.VPN) continue;
      const record: ReplyRecord = { ...data, TNO: data.TNO, ICC: data.ICC, COF: data.COF, CWR: data.CWR, VPN: data.VPN };
      if (element['@UPG'] !== 'C') {
        result.terminations.push({ messageId: message.id, status: message.status, record });
        continue;
      }
      const cancelled = lastIndexWhere(result.terminations, (t) => sameMandatory(t.record, record));
      if (cancelled >= 0) result.terminations.splice(cancelled, 1);
    }
  }
  return result;
}

/**
 * The rule tells IRU only what customs knows, in order:
 * - data source 0: IRU compares the data we transmitted with the volet it got back, so its request
 *   echoes our own data; the log can only agree with itself, and only the ledger or the volet settles
 *   the discrepancy → an officer;
 * - data source 1 (a stamped volet reached IRU without an electronic termination) and the log holds a
 *   termination that {@link matches} IRU's data → reply 1 with the data as we sent it (IRU never got
 *   or never applied our upload);
 * - an upload for the carnet still being delivered → wait;
 * - the log holds nothing for the carnet → an officer, never reply 3 (the termination may predate the
 *   gateway, or have gone on paper or by another channel; 3 starts an inquiry against the holder);
 * - the log holds terminations that differ → an officer.
 */
export function decide(request: ReconciliationRequest, logged: LoggedCarnet): Decision {
  if (request.dataSource === 0) {
    return { kind: 'officer', reason: 'IRU asks about the data we transmitted (data source 0): only the ledger or the returned volet can settle it, not our own log' };
  }
  const match = logged.terminations[lastIndexWhere(logged.terminations, (t) => matches(request.data, t.record))];
  if (match) return { kind: 'reply', replyType: 1, record: match.record, reason: `the log holds the same termination (message ${match.messageId})` };
  if (logged.pending.length > 0) return { kind: 'wait', reason: `a SafeTIR upload for this carnet is still being delivered (${logged.pending.join(', ')}); decided on a later pull` };
  if (logged.terminations.length === 0) {
    return { kind: 'officer', reason: 'the log holds no termination for this carnet: it may predate the gateway or have gone on paper; an officer checks the ledger (reply 3 would start an inquiry)' };
  }
  return { kind: 'officer', reason: `the log holds ${logged.terminations.length} termination(s) for this carnet and none matches IRU's data` };
}
