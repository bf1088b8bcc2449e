// Missing batches towards China: once a period is over, the signed manifest of the batches the log holds as delivered goes to China, whose receipt names the batches it does not hold, and those are sent again.
import { GatewayError, parseXml, type AttemptResult, type MessageSummary, type OutboundMessage, type PartnerRouteDeps } from '../../src/partners/kit.js';
import { batchRoot, manifestOf } from './batch-manifest.js';
import { partnerSigned } from './batch-receipt.js';
import { readPeriodReceipt, renderPeriodManifest, type ListedBatch, type PeriodReceipt } from './period-manifest.js';

/** Partner-record kind of a period's close: id the period (YYYY-MM-DD), key its state. */
export const PERIOD = 'period';
const DAY_MS = 86_400_000;
/** Hours after the end of a period before it is closed, unless the instance's option says otherwise. */
export const DEFAULT_CLOSE_AFTER_HOURS = 24;
/** Message type of our batches. */
const DECLARATION_BATCH = 'declaration-batch';

/** A delivered batch as the manifest lists it, with our message that carried it. */
interface SentBatch extends ListedBatch {
  messageId: string;
}

/**
 * Where the close of a period stands: `open` (batches delivered since the last close, or a close that
 * got no answer China signed), `complete` (China holds every batch listed), `resent` (China lacked
 * some: they are being sent again, and the period closes again once they are delivered), `unresolved`
 * (a batch China lacked could not be sent again or ended undelivered, or China refused the manifest:
 * a person looks).
 */
export interface PeriodState {
  period: string;
  state: 'open' | 'complete' | 'resent' | 'unresolved';
  /** Manifest numbers taken so far (a number is taken before its manifest is sent, so none is used twice). */
  closes: number;
  manifestId?: string;
  /** When the last manifest was answered (epoch ms). */
  checkedAt?: number;
  listed?: number;
  missing?: string[];
  /** Our messages sent again for the batches China lacked. */
  resending?: string[];
  /** Why the period is not complete: an unreadable or unsigned answer, a refusal, a batch not delivered again. */
  problem?: string;
}

/** The period's record changed by `change` (created open when absent), written only if nobody wrote it meanwhile; false when someone did. */
async function update(deps: PartnerRouteDeps, period: string, change: (state: PeriodState) => PeriodState, now: number): Promise<boolean> {
  const found = await deps.records.read(PERIOD, period);
  const next = change((found?.value as PeriodState | undefined) ?? { period, state: 'open', closes: 0 });
  return deps.records.swap(PERIOD, period, next.state, next, found?.revision ?? null, now);
}

/**
 * Opens a delivered batch's period (again, if it was closed): the period's next manifest lists the
 * batch. Called after the delivery is logged; a crash in between leaves the batch in the log, and the
 * period's next close lists it from there.
 */
export async function noteDeliveredBatch(message: OutboundMessage, deps: PartnerRouteDeps): Promise<void> {
  if (message.messageType !== DECLARATION_BATCH) return;
  const { period } = manifestOf(batchRoot(parseXml(message.payload)));
  for (let tries = 0; tries < 5; tries++) {
    if (await update(deps, period, (s) => ({ ...s, state: 'open' }), Date.now())) return;
  }
  throw new GatewayError('GW_ERR_STORE_UNAVAILABLE', `could not open period ${period} again after five concurrent writes`);
}

/** Our messages of a period's batches in the log (business key `period`), with their status. */
async function batchMessages(deps: PartnerRouteDeps, period: string): Promise<MessageSummary[]> {
  const found: MessageSummary[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.store.search({ key: period, partner: deps.partner, type: DECLARATION_BATCH, direction: 'out' }, 500, cursor);
    found.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return found;
}

/** The batches of a period the log holds as delivered, read from the payloads we sent, by batch id. */
async function deliveredBatches(deps: PartnerRouteDeps, period: string): Promise<SentBatch[]> {
  const sent = new Map<string, SentBatch>();
  for (const message of await batchMessages(deps, period)) {
    if (message.status !== 'delivered') continue;
    const payload = await deps.store.payload(message.id);
    if (!payload) continue;
    const manifest = manifestOf(batchRoot(parseXml(payload)));
    // The key matched the period's date, not necessarily as the batch's period (another key could hold the same text).
    if (manifest.period !== period) continue;
    sent.set(manifest.batchId, { batchId: manifest.batchId, items: manifest.items, digest: manifest.digest, messageId: message.id });
  }
  return [...sent.values()].sort((a, b) => (a.batchId < b.batchId ? -1 : a.batchId > b.batchId ? 1 : 0));
}

/** China's verified receipt of the manifest we sent, or why there is none. */
function receiptOf(result: AttemptResult, deps: PartnerRouteDeps, sent: { manifestId: string; period: string }): PeriodReceipt | string {
  if (result.kind === 'error') return `${result.error}: ${result.message}`;
  if (result.status >= 500) return `HTTP ${result.status}`;
  let receipt: PeriodReceipt;
  try {
    receipt = readPeriodReceipt(partnerSigned(result.body, deps.context()));
  } catch (err) {
    return `HTTP ${result.status}: the answer is not a period receipt China signed: ${err instanceof Error ? err.message : String(err)}`;
  }
  // A refusal may not know what it refused; any other answer must be about this manifest.
  if (receipt.status !== 'REJECTED' && (receipt.manifestId !== sent.manifestId || receipt.period !== sent.period)) {
    return `China's receipt is about manifest ${receipt.manifestId} of ${receipt.period ?? '(no period)'}, not ${sent.manifestId} of ${sent.period}`;
  }
  return receipt;
}

/** Sends the batches China lacks again: the messages now on their way, and the batches that cannot be (unknown to us, or neither delivered nor pending). */
async function resendMissing(deps: PartnerRouteDeps, receipt: PeriodReceipt, sent: readonly SentBatch[], now: number): Promise<{ resending: string[]; unresolved: string[] }> {
  const byId = new Map(sent.map((b) => [b.batchId, b]));
  const resending: string[] = [];
  const unresolved: string[] = [];
  for (const batchId of receipt.missing) {
    const batch = byId.get(batchId);
    const reason = `China's receipt of period manifest ${receipt.manifestId} (period ${receipt.period}) names batch ${batchId} as not held`;
    // A message already pending again (a resend of an earlier close) is on its way too.
    if (batch && ((await deps.store.resend(batch.messageId, now, reason, { delivered: true })) || (await deps.store.get(batch.messageId))?.status === 'pending')) resending.push(batch.messageId);
    else unresolved.push(batchId);
  }
  return { resending, unresolved };
}

/** The state after China's answer (or its absence). */
async function judged(deps: PartnerRouteDeps, base: PeriodState, receipt: PeriodReceipt | string, sent: readonly SentBatch[], now: number): Promise<PeriodState> {
  // No answer China signed about this manifest: the period stays open and is closed again on a later run.
  if (typeof receipt === 'string') return { ...base, state: 'open', problem: receipt };
  if (receipt.status === 'REJECTED') return { ...base, state: 'unresolved', problem: `China refused the manifest: ${receipt.errors.map((e) => `${e.code} ${e.text}`).join('; ')}` };
  if (receipt.status === 'COMPLETE') return { ...base, state: 'complete', missing: [] };
  const { resending, unresolved } = await resendMissing(deps, receipt, sent, now);
  if (unresolved.length > 0) return { ...base, state: 'unresolved', missing: receipt.missing, resending, problem: `could not send again: ${unresolved.join(', ')}` };
  return { ...base, state: 'resent', missing: receipt.missing, resending };
}

/**
 * Closes one period: takes the next manifest number (so no number is sent twice), sends the manifest
 * of the batches the log holds as delivered, and writes the judged state unless a delivery opened the
 * period meanwhile (the next run closes it again, with a new number).
 */
async function closePeriod(deps: PartnerRouteDeps, state: PeriodState, revision: number): Promise<void> {
  const { period } = state;
  const context = deps.context();
  const closes = state.closes + 1;
  const manifestId = `${context.participants.reporter}-PM-${period.replaceAll('-', '')}-${closes}`;
  if (!(await deps.records.swap(PERIOD, period, state.state, { ...state, closes }, revision, Date.now()))) return;
  const sent = await deliveredBatches(deps, period);
  const document = renderPeriodManifest({ manifestId, reporter: context.participants.reporter ?? '', partner: context.participants.partner ?? '', period, batches: sent });
  const result = await deps.send({ method: 'POST', path: '/periods', headers: { 'content-type': 'application/xml; charset=utf-8', 'x-message-id': manifestId }, body: context.sign('xmldsig', document) });
  const now = Date.now();
  const next = await judged(deps, { period, state: 'open', closes, manifestId, checkedAt: now, listed: sent.length }, receiptOf(result, deps, { manifestId, period }), sent, now);
  await deps.records.swap(PERIOD, period, next.state, next, revision + 1, now);
}

/** A period whose batches sent again did not all arrive: one of them ended failed, dead-lettered or needing a person. */
async function checkResent(deps: PartnerRouteDeps, period: string): Promise<void> {
  const found = await deps.records.read(PERIOD, period);
  const state = found?.value as PeriodState | undefined;
  if (!found || state?.state !== 'resent') return;
  const ended: string[] = [];
  for (const id of state.resending ?? []) {
    const status = (await deps.store.get(id))?.status;
    if (status !== 'pending' && status !== 'delivered') ended.push(`${id} (${status ?? 'gone'})`);
  }
  if (ended.length > 0) await deps.records.swap(PERIOD, period, 'unresolved', { ...state, state: 'unresolved', problem: `sent again but not delivered: ${ended.join(', ')}` }, found.revision, Date.now());
}

/**
 * The scheduled close: every open period whose date ended the instance's `periodCloseAfterHours` ago
 * (default 24, counted from the end of the date in UTC) gets its manifest, oldest first; a period whose
 * resent batches ended undelivered becomes unresolved.
 */
export async function closePeriods(deps: PartnerRouteDeps): Promise<void> {
  const option = deps.context().options.periodCloseAfterHours;
  const hours = option === undefined || option === '' ? DEFAULT_CLOSE_AFTER_HOURS : Number(option);
  if (!Number.isFinite(hours) || hours < 0) throw new GatewayError('GW_ERR_CONFIG_INVALID', `option periodCloseAfterHours of ${deps.partner} must be a number of hours, 0 or more, got "${option}"`);
  const now = Date.now();
  for (const r of await deps.records.list(PERIOD, 'resent')) await checkResent(deps, r.id);
  const open = (await deps.records.list(PERIOD, 'open')).map((r) => r.id).sort();
  for (const period of open) {
    if (Date.parse(`${period}T00:00:00Z`) + DAY_MS + hours * 3_600_000 > now) continue;
    const found = await deps.records.read(PERIOD, period);
    if (!found || (found.value as PeriodState).state !== 'open') continue;
    await closePeriod(deps, found.value as PeriodState, found.revision);
  }
}

/** Registers `GET /v1/mirror/<partner>/periods` (auditor, admin): the close of every period towards the partner, newest first. */
export function registerPeriodRoutes(deps: PartnerRouteDeps): void {
  deps.route({
    method: 'GET',
    path: `/v1/mirror/${deps.partner}/periods`,
    roles: ['auditor', 'admin'],
    summary: 'Where the close of each period (registration date) of our batches to the partner stands: open, complete, resent or unresolved, with the batches it lacked',
    schema: {
      querystring: { type: 'object', additionalProperties: false, properties: { state: { type: 'string', enum: ['open', 'complete', 'resent', 'unresolved'] } } },
      response: { 200: { type: 'object', properties: { items: { type: 'array', items: { type: 'object', additionalProperties: true } } } } },
    },
    async handler(request) {
      const state = typeof request.query.state === 'string' ? request.query.state : undefined;
      const items = (await deps.records.list(PERIOD, state)).map((r) => r.value as PeriodState).sort((a, b) => (a.period < b.period ? 1 : a.period > b.period ? -1 : 0));
      return { status: 200, body: { items } };
    },
  });
}
