// SafeTIR reconciliation: pulls IRU's requests (WSRQ) on a schedule, answers from the message log (WSRE) or holds them for an officer; its API routes.
import { randomUUID } from 'node:crypto';
import { GatewayError, type PartnerRouteDeps } from '../../src/partners/kit.js';
import { iruErrors } from './errors.js';
import { decide, loggedTerminations, type LoggedTermination } from './reconciliation-match.js';
import { fetchAndKeep, markTaken, PULL_KIND, QUARANTINE_KIND, readKept, untakenPulls, type QuarantinedRecord, type StoredPull } from './reconciliation-pull.js';
import {
  sendReconciliationReplies,
  TERMINATION_ATTRIBUTES,
  type ReconciliationRequest,
  type ReplyRecord,
  type ReplyType,
  type TerminationData,
} from './reconciliation-messages.js';

/** The kind of the adapter records holding the requests, keyed by carnet number. */
const KIND = 'reconciliation';

/**
 * Where a request stands: `open` received and not answered yet (an upload for the carnet is still
 * being delivered, or the reply could not be sent: decided again on the next pull); `answered-auto`
 * the gateway replied from the log; `needs-officer` only a person can answer it (IRU asks about our
 * own transmitted data, the log holds nothing or something else for the carnet, or IRU sent a reminder
 * after our reply); `answered` an officer replied.
 */
export type ReconciliationStatus = 'open' | 'answered-auto' | 'needs-officer' | 'answered';
const STATUSES: readonly ReconciliationStatus[] = ['open', 'answered-auto', 'needs-officer', 'answered'];

/** A reply sent to IRU. */
export interface SentReply {
  replyType: ReplyType;
  record: ReplyRecord;
  by: 'gateway' | 'officer';
  /** The WSRE call's Sender_MessageID. */
  senderMessageId: string;
  sentAt: string;
}

/** One reconciliation request as the gateway keeps it: IRU's request, what the log held, the reply. */
export interface ReconciliationCase extends Omit<ReconciliationRequest, 'data'> {
  carnetNumber: string;
  /** IRU's version of the termination. */
  iru: TerminationData;
  status: ReconciliationStatus;
  /** Why it has this status, in words. */
  reason: string;
  /** The terminations the log held for the carnet when the gateway decided (ours, beside IRU's, for an officer). */
  logged?: LoggedTermination[];
  reply?: SentReply;
  /** The last failure to send a reply. */
  lastError?: string;
  /** Replies sent before IRU reminded us again (it did not apply them), oldest first. */
  earlierReplies?: SentReply[];
  /** Who is answering it right now (a gateway instance) and until when (epoch ms): see `exclusively`. */
  claim?: { owner: string; until: number };
  receivedAt: string;
  updatedAt: string;
}

/** What one pull did, by request id. */
export interface PullSummary {
  /** The WSRQ answer as kept (GET /v1/safetir/reconciliation/quarantine lists one that could not be read). */
  pullId: string;
  /** New requests stored. */
  received: string[];
  /** Answered requests IRU reminded us of again: reopened for an officer. */
  reopened: string[];
  answered: string[];
  needsOfficer: string[];
  /** Still open after this pull. */
  open: string[];
  /** Records of the answer that are not readable requests, kept in quarantine. */
  quarantined: number;
  /** Why the answer could not be opened or read, when it could not (it is kept). */
  unreadable?: string;
}

/** How long a claim on a request holds when its holder dies before releasing it (a WSRE call times out after 10 s). */
const CLAIM_MS = 60_000;

function busy(requestId: string): GatewayError {
  return iruErrors.error('GW_ERR_RECONCILIATION_ANSWERED', `request ${requestId} is being answered right now`);
}

/** True while someone (this instance or another on the same log) holds a live claim on the case. */
function claimed(value: ReconciliationCase, now = Date.now()): boolean {
  return value.claim !== undefined && value.claim.until > now;
}

/** What the holder of a claim has: the case as it claimed it, and saving it while the claim is still its own. */
interface Held {
  /** The stored case as it was when claimed (without the claim). */
  readonly value: ReconciliationCase;
  /**
   * Stores the case by compare-and-set on the revision the claim last saw, the claim kept.
   * @throws GatewayError GW_ERR_RECONCILIATION_ANSWERED when the claim was lost (it lapsed and another took the request).
   */
  save(value: ReconciliationCase): Promise<ReconciliationCase>;
}

/**
 * Runs `work` holding a claim on a stored request, taken by compare-and-set on its record, so that a
 * pull and an officer, of this gateway or of another instance on the same log, never reply twice.
 * Every save under the claim is a compare-and-set too, so a holder whose claim lapsed (it died, or
 * stalled past {@link CLAIM_MS}) cannot overwrite what the next holder did; each claim has its own
 * token, so no holder releases another's.
 * @throws GatewayError GW_ERR_RECONCILIATION_ANSWERED when another holds it; GW_ERR_RECONCILIATION_NOT_FOUND when there is no such request.
 */
async function exclusively<T>(deps: Pick<PartnerRouteDeps, 'records'>, requestId: string, work: (held: Held) => Promise<T>): Promise<T> {
  const current = await deps.records.read(KIND, requestId);
  if (!current) throw iruErrors.error('GW_ERR_RECONCILIATION_NOT_FOUND', `no reconciliation request ${requestId}`);
  const value = current.value as ReconciliationCase;
  if (claimed(value)) throw busy(requestId);
  const claim = { owner: randomUUID(), until: Date.now() + CLAIM_MS };
  let revision = current.revision;
  if (!(await deps.records.swap(KIND, requestId, value.carnetNumber, { ...value, claim }, revision, Date.now()))) throw busy(requestId);
  revision += 1;
  const held: Held = {
    value,
    async save(next) {
      const now = Date.now();
      const { claim: _theirs, ...rest } = next;
      const saved = { ...rest, updatedAt: new Date(now).toISOString() };
      if (!(await deps.records.swap(KIND, requestId, saved.carnetNumber, { ...saved, claim }, revision, now))) throw busy(requestId);
      revision += 1;
      return saved;
    },
  };
  try {
    return await work(held);
  } finally {
    // Released by compare-and-set too; a release that fails leaves the claim to lapse, never hides work's own error.
    try {
      const after = await deps.records.read(KIND, requestId);
      const stored = after?.value as ReconciliationCase | undefined;
      if (after && stored?.claim?.owner === claim.owner) {
        const { claim: _released, ...rest } = stored;
        await deps.records.swap(KIND, requestId, rest.carnetNumber, rest, after.revision, Date.now());
      }
    } catch {
      // The claim lapses after CLAIM_MS.
    }
  }
}

/** What `work` gave, or 'busy' when the request was claimed by someone else first. */
async function unlessBusy<T>(work: Promise<T>): Promise<T | 'busy'> {
  return work.catch((err: unknown) => {
    if (err instanceof GatewayError && err.code === 'GW_ERR_RECONCILIATION_ANSWERED') return 'busy' as const;
    throw err;
  });
}

async function find(deps: Pick<PartnerRouteDeps, 'records'>, requestId: string): Promise<ReconciliationCase | undefined> {
  return (await deps.records.get(KIND, requestId)) as ReconciliationCase | undefined;
}

/**
 * A reminder for a request we answered: IRU did not apply our reply (WSRE is queued at IRU and checked
 * later, unreported, like WSST), so the request goes back to an officer with the reply kept.
 */
function reopened(known: ReconciliationCase, reminder: ReconciliationRequest): ReconciliationCase {
  const { reply, ...rest } = known;
  const reason = `IRU sent reminder ${reminder.reminderNum} after our reply of ${reply?.sentAt ?? '?'} (type ${reply?.replyType ?? '?'}): IRU has not applied it`;
  return { ...rest, reminderNum: reminder.reminderNum, status: 'needs-officer', reason, earlierReplies: [...(known.earlierReplies ?? []), ...(reply ? [reply] : [])] };
}

function caseOf(request: ReconciliationRequest, now: Date): ReconciliationCase {
  const { data, ...rest } = request;
  const at = now.toISOString();
  return { ...rest, carnetNumber: data.TNO, iru: data, status: 'open', reason: 'received from IRU, not decided yet', receivedAt: at, updatedAt: at };
}

/** Decides one open request against the log and, when the rule allows, answers it. Returns its new status. */
async function settle(deps: PartnerRouteDeps, requestId: string): Promise<ReconciliationStatus | undefined> {
  return exclusively(deps, requestId, async (held) => {
    const open = held.value;
    if (open.status !== 'open') return open.status;
    const logged = await loggedTerminations(deps.store, open.carnetNumber);
    const decision = decide({ ...open, data: open.iru }, logged);
    if (decision.kind === 'wait') return (await held.save({ ...open, reason: decision.reason })).status;
    if (decision.kind === 'officer') return (await held.save({ ...open, status: 'needs-officer', reason: decision.reason, logged: logged.terminations })).status;
    const replies = [{ requestId: open.requestId, replyType: decision.replyType, record: decision.record }];
    try {
      const senderMessageId = await sendReconciliationReplies(deps, replies);
      const reply: SentReply = { replyType: decision.replyType, record: decision.record, by: 'gateway', senderMessageId, sentAt: new Date().toISOString() };
      const { lastError: _sent, ...rest } = open;
      return (await held.save({ ...rest, status: 'answered-auto', reason: decision.reason, logged: logged.terminations, reply })).status;
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      return (await held.save({ ...open, reason: `${decision.reason}; the reply could not be sent, tried again on the next pull`, lastError: err.message })).status;
    }
  });
}

/**
 * Takes one request IRU returned: a new one is stored `open`; a reminder for one we answered reopens
 * it for an officer; otherwise only the reminder count changes. Runs under the request's lock, on the
 * stored copy as it is now, so an officer's reply saved meanwhile is never overwritten; a request an
 * officer is answering right now is left to them (their reply answers the reminder too).
 */
async function take(deps: PartnerRouteDeps, request: ReconciliationRequest, now: Date): Promise<'received' | 'reopened' | 'known' | 'busy'> {
  const stored = await find(deps, request.requestId);
  if (!stored) {
    const fresh = caseOf(request, now);
    // Created by compare-and-set: another instance that stored it first keeps its copy.
    return (await deps.records.swap(KIND, fresh.requestId, fresh.carnetNumber, fresh, null, now.getTime())) ? 'received' : 'known';
  }
  if (claimed(stored)) return 'busy';
  const update = exclusively(deps, request.requestId, async (held): Promise<'reopened' | 'known'> => {
    const known = held.value;
    if (request.reminderNum > known.reminderNum && known.reply && (known.status === 'answered' || known.status === 'answered-auto')) {
      await held.save(reopened(known, request));
      return 'reopened';
    }
    if (request.reminderNum > known.reminderNum) await held.save({ ...known, reminderNum: request.reminderNum });
    return 'known';
  });
  // Claimed by an officer or another instance between the look and the claim: left to them, the pull goes on.
  return unlessBusy(update);
}

/**
 * The schedule's work, also run by `POST /v1/safetir/reconciliation/pull`: pulls all new requests
 * (WSRQ QueryType 1), keeping IRU's answer before reading it (reconciliation-pull.ts); takes the
 * requests of every kept answer not yet taken (this one, one a crash interrupted, one that did not
 * open before), marking each answer taken once its requests are saved; then decides every open request
 * (see `decide` in reconciliation-match.ts).
 * @throws GatewayError when the WSRQ call fails (the answers kept earlier are taken first all the same).
 */
export async function pullReconciliation(deps: PartnerRouteDeps, now = new Date()): Promise<PullSummary> {
  const summary: PullSummary = { pullId: '', received: [], reopened: [], answered: [], needsOfficer: [], open: [], quarantined: 0 };
  const takeAll = async (pulls: readonly StoredPull[]): Promise<void> => {
    for (const pull of pulls) {
      const read = await readKept(deps, pull);
      if (pull.pullId === summary.pullId) {
        if (read.ok) summary.quarantined = read.quarantined;
        else summary.unreadable = read.problem;
      }
      if (!read.ok) continue;
      for (const request of read.requests) {
        const outcome = await take(deps, request, now);
        if (outcome === 'received') summary.received.push(request.requestId);
        if (outcome === 'reopened') summary.reopened.push(request.requestId);
      }
      await markTaken(deps, pull.pullId);
    }
  };
  await takeAll(await untakenPulls(deps));
  const fresh = await fetchAndKeep(deps, now);
  summary.pullId = fresh.pullId;
  await takeAll([fresh]);
  for (const { id, value } of await deps.records.list(KIND)) {
    // One being answered right now (by an officer, or by another instance) is left to its holder.
    if ((value as ReconciliationCase).status !== 'open' || claimed(value as ReconciliationCase)) continue;
    const status = await unlessBusy(settle(deps, id));
    if (status === 'answered-auto') summary.answered.push(id);
    else if (status === 'needs-officer') summary.needsOfficer.push(id);
    else if (status === 'open') summary.open.push(id);
  }
  return summary;
}

/** An officer's reply as the API takes it. */
export interface OfficerReply {
  replyType: ReplyType;
  /** Required for types 1 and 2; for type 3 IRU's identification of the termination is echoed when absent. */
  record?: ReplyRecord;
}

function replyInvalid(reason: string): GatewayError {
  return iruErrors.error('GW_ERR_RECONCILIATION_REPLY_INVALID', reason);
}

/**
 * Sends an officer's reply to an `open` or `needs-officer` request and marks it `answered`.
 * @throws GatewayError GW_ERR_RECONCILIATION_NOT_FOUND, GW_ERR_RECONCILIATION_ANSWERED (already
 *   answered, or being answered), GW_ERR_RECONCILIATION_REPLY_INVALID (no record for type 1 or 2, or
 *   one about another carnet), or an error of the WSRE call (the request then keeps its status).
 */
export async function answerByOfficer(deps: PartnerRouteDeps, requestId: string, answer: OfficerReply): Promise<ReconciliationCase> {
  return exclusively(deps, requestId, async (held) => {
    const stored = held.value;
    if (stored.status === 'answered' || stored.status === 'answered-auto') {
      throw iruErrors.error('GW_ERR_RECONCILIATION_ANSWERED', `request ${requestId} was answered (${stored.status}, reply type ${stored.reply?.replyType ?? '?'})`);
    }
    const { TNO, ICC, COF } = stored.iru;
    const record = answer.record ?? (answer.replyType === 3 ? { TNO, ICC, COF, CWR: stored.iru.CWR ?? 'OK', VPN: stored.iru.VPN ?? '0' } : undefined);
    if (!record) throw replyInvalid(`reply type ${answer.replyType} needs the termination record`);
    if (record.TNO.toUpperCase() !== stored.carnetNumber) throw replyInvalid(`the record is about carnet ${record.TNO}, the request about ${stored.carnetNumber}`);
    let senderMessageId: string;
    try {
      senderMessageId = await sendReconciliationReplies(deps, [{ requestId, replyType: answer.replyType, record }]);
    } catch (err) {
      if (err instanceof GatewayError) await held.save({ ...stored, lastError: err.message });
      throw err;
    }
    const { lastError: _sent, ...rest } = stored;
    const reply: SentReply = { replyType: answer.replyType, record, by: 'officer', senderMessageId, sentAt: new Date().toISOString() };
    return held.save({ ...rest, status: 'answered', reason: 'answered by an officer', reply });
  });
}

const text = (maxLength: number): object => ({ type: 'string', minLength: 1, maxLength });
const date = { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' };
/** Attribute text as IRU writes it; numbers are accepted for VPN and PIC and kept as text. */
const terminationProperties: Record<(typeof TERMINATION_ATTRIBUTES)[number], object> = {
  TNO: { type: 'string', pattern: '^[A-Za-z]{2}[0-9]{1,10}$' },
  ICC: text(3),
  DCL: date,
  CNL: text(255),
  COF: text(255),
  DDI: date,
  RND: text(255),
  PFD: { type: 'string', enum: ['FD', 'PD'] },
  TCO: { type: 'string', enum: ['LOAD', 'EXIT'] },
  CWR: { type: 'string', enum: ['OK', 'R'] },
  VPN: { type: 'string', enum: ['0', '2', '4', '6', '8', '10', '12', '14', '16', '18', '20'] },
  COM: { type: 'string', maxLength: 126 },
  RBC: { type: 'string', enum: ['CR', 'CNR', 'VR', 'VNR'] },
  PIC: { type: 'string', pattern: '^[0-9]{1,9}$' },
};
const terminationSchema = { type: 'object', properties: terminationProperties };
const loggedSchema = { type: 'object', properties: { messageId: { type: 'string' }, status: { type: 'string' }, record: terminationSchema } };
const replySchema = {
  type: 'object',
  properties: {
    replyType: { type: 'integer', enum: [1, 2, 3] },
    record: terminationSchema,
    by: { type: 'string', enum: ['gateway', 'officer'] },
    senderMessageId: { type: 'string' },
    sentAt: { type: 'string' },
  },
};
const caseSchema = {
  type: 'object',
  properties: {
    requestId: { type: 'string' },
    carnetNumber: { type: 'string' },
    requestDate: { type: 'string' },
    reminderNum: { type: 'integer' },
    dataSource: { type: 'integer', enum: [0, 1], description: '0 = SafeTIR transmission data, 1 = TIR carnet data' },
    remark: { type: 'string' },
    iru: terminationSchema,
    status: { type: 'string', enum: STATUSES },
    reason: { type: 'string' },
    logged: { type: 'array', items: loggedSchema },
    reply: replySchema,
    earlierReplies: { type: 'array', items: replySchema, description: 'replies IRU reminded us of again (not applied at IRU)' },
    lastError: { type: 'string' },
    receivedAt: { type: 'string' },
    updatedAt: { type: 'string' },
  },
};
const requestIdParams = { type: 'object', required: ['requestId'], properties: { requestId: { type: 'string', minLength: 1, maxLength: 14 } } };

/**
 * Registers the reconciliation routes: list and read (auditor, admin), an officer's reply and an
 * immediate pull (admin).
 */
export function registerReconciliationRoutes(deps: PartnerRouteDeps): void {
  deps.route({
    method: 'GET',
    path: '/v1/safetir/reconciliation',
    roles: ['auditor', 'admin'],
    summary: "IRU's reconciliation requests, newest first, optionally of one status",
    schema: {
      querystring: { type: 'object', additionalProperties: false, properties: { status: { type: 'string', enum: STATUSES } } },
      response: { 200: { type: 'object', properties: { items: { type: 'array', items: caseSchema } } } },
    },
    async handler(request) {
      const status = request.query.status;
      const items = (await deps.records.list(KIND)).map((r) => r.value as ReconciliationCase).filter((c) => status === undefined || c.status === status);
      return { status: 200, body: { items } };
    },
  });
  deps.route({
    method: 'GET',
    path: '/v1/safetir/reconciliation/quarantine',
    roles: ['auditor', 'admin'],
    summary: 'What IRU returned that could not be read: RequestRecords that are not readable requests, and WSRQ answers that did not open',
    schema: {
      response: {
        200: {
          type: 'object',
          properties: {
            records: { type: 'array', items: { type: 'object', additionalProperties: true } },
            unreadablePulls: { type: 'array', items: { type: 'object', additionalProperties: true } },
          },
        },
      },
    },
    async handler() {
      const records = (await deps.records.list(QUARANTINE_KIND)).map((r) => r.value as QuarantinedRecord);
      const unreadablePulls = (await deps.records.list(PULL_KIND, 'unreadable')).map((r) => r.value as StoredPull);
      return { status: 200, body: { records, unreadablePulls } };
    },
  });
  deps.route({
    method: 'GET',
    path: '/v1/safetir/reconciliation/:requestId',
    roles: ['auditor', 'admin'],
    summary: 'One reconciliation request: IRU data, the logged terminations, the reply',
    schema: { params: requestIdParams, response: { 200: caseSchema } },
    async handler(request) {
      const requestId = request.params.requestId ?? '';
      const found = await find(deps, requestId);
      if (!found) throw iruErrors.error('GW_ERR_RECONCILIATION_NOT_FOUND', `no reconciliation request ${requestId}`);
      return { status: 200, body: found };
    },
  });
  deps.route({
    method: 'POST',
    path: '/v1/safetir/reconciliation/:requestId/reply',
    roles: ['admin'],
    summary: 'An officer answers a reconciliation request (WSRE); 409 when it was answered',
    schema: {
      params: requestIdParams,
      body: {
        type: 'object',
        required: ['replyType'],
        additionalProperties: false,
        properties: {
          replyType: {
            type: 'integer',
            enum: [1, 2, 3],
            description:
              '1 the data in the reply is correct according to customs (a correction is type 1 with the corrected data); 2 delete: IRU deletes the original record, it cannot be corrected; 3 customs have no information on this termination (IRU opens an inquiry)',
          },
          record: { ...terminationSchema, additionalProperties: false, required: ['TNO', 'ICC', 'COF', 'CWR', 'VPN'] },
        },
      },
      response: { 200: caseSchema },
    },
    async handler(request) {
      return { status: 200, body: await answerByOfficer(deps, request.params.requestId ?? '', request.body as OfficerReply) };
    },
  });
  deps.route({
    method: 'POST',
    path: '/v1/safetir/reconciliation/pull',
    roles: ['admin'],
    summary: 'Pull new reconciliation requests from IRU now and decide the open ones (the schedule does it every 5 minutes)',
    schema: {
      response: {
        200: {
          type: 'object',
          properties: {
            pullId: { type: 'string' },
            ...Object.fromEntries(['received', 'reopened', 'answered', 'needsOfficer', 'open'].map((k) => [k, { type: 'array', items: { type: 'string' } }])),
            quarantined: { type: 'integer' },
            unreadable: { type: 'string' },
          },
        },
      },
    },
    async handler() {
      return { status: 200, body: await pullReconciliation(deps) };
    },
  });
}
