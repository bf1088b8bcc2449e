// Missing batches towards China: every delivered batch is noted under its period; once a period is over, its signed manifest goes to China, whose receipt names the batches it does not hold, and those are sent again.
import { GatewayError, parseXml, type AttemptResult, type OutboundMessage, type PartnerRouteDeps } from '../../src/partners/kit.js';
import { batchRoot, manifestOf } from './batch-manifest.js';
import { partnerSigned } from './batch-receipt.js';
import { readPeriodReceipt, renderPeriodManifest, type ListedBatch, type PeriodReceipt } from './period-manifest.js';

/** Partner-record kind of a delivered batch: id its batch id, key its period. */
const SENT_BATCH = 'sent-batch';
/** Partner-record kind of a period's close: id the period (YYYY-MM-DD). */
export const PERIOD = 'period';
const DAY_MS = 86_400_000;
/** Hours after the end of a period (a UTC day) before it is closed, unless the instance's option says otherwise. */
export const DEFAULT_CLOSE_AFTER_HOURS = 24;

/** A delivered batch as noted. */
interface SentBatch extends ListedBatch {
  messageId: string;
}

/**
 * Where the close of a period stands: `open` (batches delivered since the last close), `complete`
 * (China holds every batch listed), `resent` (China lacked some: sent again, the period closes again
 * once they are delivered), `unresolved` (China lacked a batch we could not send again, or refused the
 * manifest: a person looks).
 */
export interface PeriodState {
  period: string;
  state: 'open' | 'complete' | 'resent' | 'unresolved';
  /** Manifests sent for the period so far. */
  closes: number;
  manifestId?: string;
  /** When the last manifest was answered (epoch ms). */
  checkedAt?: number;
  listed?: number;
  missing?: string[];
  /** Why the last close did not end complete: an unreadable or unsigned answer, a refusal, a batch that could not be resent. */
  problem?: string;
}

/** The period's record changed by `change` (created open when absent), written only if nobody wrote it meanwhile; false when someone did. */
async function update(deps: PartnerRouteDeps, period: string, change: (state: PeriodState) => PeriodState, now: number): Promise<boolean> {
  const found = await deps.records.read(PERIOD, period);
  const next = change((found?.value as PeriodState | undefined) ?? { period, state: 'open', closes: 0 });
  return deps.records.swap(PERIOD, period, next.state, next, found?.revision ?? null, now);
}

/**
 * Notes a delivered batch under its period, and opens the period again if it was closed: a batch
 * delivered late, or sent again, is listed by the period's next manifest.
 */
export async function noteDeliveredBatch(message: OutboundMessage, deps: PartnerRouteDeps): Promise<void> {
  if (message.messageType !== 'declaration-batch') return;
  const manifest = manifestOf(batchRoot(parseXml(message.payload)));
  const now = Date.now();
  const noted: SentBatch = { batchId: manifest.batchId, items: manifest.items, digest: manifest.digest, messageId: message.id };
  await deps.records.put(SENT_BATCH, manifest.batchId, manifest.period, noted, now);
  for (let tries = 0; tries < 5; tries++) {
    if (await update(deps, manifest.period, (s) => ({ ...s, state: 'open' }), now)) return;
  }
  throw new GatewayError('GW_ERR_STORE_UNAVAILABLE', `could not reopen period ${manifest.period} after five concurrent writes`);
}

/** The verified period receipt of an answer, or why there is none. */
function receiptOf(result: AttemptResult, deps: PartnerRouteDeps): PeriodReceipt | string {
  if (result.kind === 'error') return `${result.error}: ${result.message}`;
  if (result.status >= 500) return `HTTP ${result.status}`;
  try {
    return readPeriodReceipt(partnerSigned(result.body, deps.context()));
  } catch (err) {
    return `HTTP ${result.status}: the answer is not a period receipt China signed: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/** Sends the batches China lacks again; the ones that cannot be (unknown to us, or gone from the log) are returned. */
async function resendMissing(deps: PartnerRouteDeps, period: string, receipt: PeriodReceipt, sent: ReadonlyMap<string, SentBatch>, now: number): Promise<string[]> {
  const unresolved: string[] = [];
  for (const batchId of receipt.missing) {
    const batch = sent.get(batchId);
    const reason = `China's receipt of period manifest ${receipt.manifestId} (period ${period}) names batch ${batchId} as not held`;
    if (!batch || !(await deps.store.resend(batch.messageId, now, reason, { delivered: true }))) unresolved.push(batchId);
  }
  return unresolved;
}

/** Closes one period: its manifest to China, its receipt judged, the period's state written (unless a delivery reopened it meanwhile). */
async function closePeriod(deps: PartnerRouteDeps, state: PeriodState, revision: number): Promise<void> {
  const { period } = state;
  const context = deps.context();
  const sent = new Map((await deps.records.list(SENT_BATCH, period)).map((r) => [r.id, r.value as SentBatch]));
  const batches = [...sent.values()].sort((a, b) => (a.batchId < b.batchId ? -1 : a.batchId > b.batchId ? 1 : 0));
  const closes = state.closes + 1;
  const manifestId = `${context.participants.reporter}-PM-${period.replaceAll('-', '')}-${closes}`;
  const document = renderPeriodManifest({ manifestId, reporter: context.participants.reporter ?? '', partner: context.participants.partner ?? '', period, batches });
  const result = await deps.send({ method: 'POST', path: '/periods', headers: { 'content-type': 'application/xml; charset=utf-8', 'x-message-id': manifestId }, body: context.sign('xmldsig', document) });
  const now = Date.now();
  const receipt = receiptOf(result, deps);
  const base = { period, closes, manifestId, checkedAt: now, listed: batches.length };
  let next: PeriodState;
  if (typeof receipt === 'string') {
    // No answer China signed: the period stays open and is closed again on a later run.
    next = { ...base, state: 'open', problem: receipt };
  } else if (receipt.status === 'REJECTED') {
    next = { ...base, state: 'unresolved', problem: `China refused the manifest: ${receipt.errors.map((e) => `${e.code} ${e.text}`).join('; ')}` };
  } else if (receipt.status === 'COMPLETE') {
    next = { ...base, state: 'complete', missing: [] };
  } else {
    const unresolved = await resendMissing(deps, period, receipt, sent, now);
    next = { ...base, state: unresolved.length > 0 ? 'unresolved' : 'resent', missing: receipt.missing, ...(unresolved.length > 0 ? { problem: `could not send again: ${unresolved.join(', ')}` } : {}) };
  }
  await deps.records.swap(PERIOD, period, next.state, next, revision, now);
}

/**
 * The scheduled close: every open period whose day ended the instance's `periodCloseAfterHours` ago
 * (default 24) gets its manifest sent, one period at a time, oldest first.
 */
export async function closePeriods(deps: PartnerRouteDeps): Promise<void> {
  const option = deps.context().options.periodCloseAfterHours;
  const hours = option === undefined || option === '' ? DEFAULT_CLOSE_AFTER_HOURS : Number(option);
  if (!Number.isFinite(hours) || hours < 0) throw new GatewayError('GW_ERR_CONFIG_INVALID', `option periodCloseAfterHours of ${deps.partner} must be a number of hours, 0 or more, got "${option}"`);
  const graceMs = hours * 3_600_000;
  const now = Date.now();
  const open = (await deps.records.list(PERIOD, 'open')).map((r) => r.id).sort();
  for (const period of open) {
    if (Date.parse(`${period}T00:00:00Z`) + DAY_MS + graceMs > now) continue;
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
    summary: 'Where the close of each period (registration day) of our batches to the partner stands: open, complete, resent or unresolved, with the batches it lacked',
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
