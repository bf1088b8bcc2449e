// The console's pages over the message log: search, a key's story, a message with its trail, its payload, evidence exports, dead letters and resends.
import type { X509Certificate } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendZip, type EvidenceExporter } from '../api/evidence-routes.js';
import { CONTENT_TYPES, found } from '../api/message-routes.js';
import { filterOf, type LogQuery } from '../api/message-views.js';
import { EVIDENCE_CAP } from '../audit/evidence-export.js';
import { recheckSignature } from '../audit/signature-recheck.js';
import { GatewayError } from '../errors.js';
import type { InboundDetail, InboundStore } from '../store/inbound-store.js';
import type { InboundSummary, MessageDetail, MessageStore, MessageSummary } from '../store/message-store.js';
import { contextOf, need, sendHtml, UUID } from './console-routes.js';
import type { Languages } from './i18n.js';
import { confirmPage } from './pages/confirm-page.js';
import { deadLettersPage } from './pages/dead-letters-page.js';
import { messagePage, RESENDABLE } from './pages/message-page.js';
import { payloadPage } from './pages/payload-page.js';
import { searchPage, type SearchFields } from './pages/search-page.js';
import { storyPage, type StoryEvent } from './pages/story-page.js';

/** What the log pages read and call. */
export interface ConsoleLogParts {
  store: MessageStore;
  inbound: InboundStore;
  languages: Languages;
  exporter: EvidenceExporter;
  /** The certificates a logged document of `partner` must be signed by (see ApiParts). */
  signers(partner: string, direction: 'in' | 'out'): readonly X509Certificate[];
  /** Partner instance ids, for the search form. */
  partners: readonly string[];
  /** Tell the delivery loop that messages became due (a resend). */
  wake(): void;
}

/** Messages one page lists; the story and dead letters read this many at most. */
const PAGE_SIZE = 50;
const STORY_LIMIT = 200;
const TRAIL_LIMIT = 1_000;

const FIELDS = ['key', 'partner', 'status', 'direction', 'type', 'from', 'to'] as const;
const STATUS = /^[a-z-]+$/;

/** The search fields of a query string or form, checked as the API checks them (a field given twice is refused). */
function fieldsOf(source: Record<string, unknown>): SearchFields {
  const fields: SearchFields = {};
  for (const name of FIELDS) {
    const given = source[name];
    if (given !== undefined && typeof given !== 'string') throw new GatewayError('GW_ERR_REQUEST_INVALID', `${name} is given more than once`);
    const value = given?.trim();
    if (value) fields[name] = value.slice(0, 255);
  }
  if (fields.direction && !['in', 'out'].includes(fields.direction)) throw new GatewayError('GW_ERR_REQUEST_INVALID', 'direction is in or out');
  if (fields.status && !STATUS.test(fields.status)) throw new GatewayError('GW_ERR_REQUEST_INVALID', 'unknown status');
  for (const time of ['from', 'to'] as const) {
    if (fields[time] && Number.isNaN(Date.parse(`${fields[time]}Z`))) throw new GatewayError('GW_ERR_REQUEST_INVALID', `${time} is not a time`);
  }
  return fields;
}

/** The log query of search fields (the form's local times are read as UTC). */
function queryOf(fields: SearchFields, limit: number): LogQuery {
  const { from, to, status, direction, ...rest } = fields;
  return {
    ...rest,
    ...(status ? { status: status as LogQuery['status'] } : {}),
    ...(direction ? { direction: direction as 'in' | 'out' } : {}),
    ...(from ? { from: new Date(`${from}Z`).toISOString() } : {}),
    ...(to ? { to: new Date(`${to}Z`).toISOString() } : {}),
    limit,
  };
}

function idOf(request: FastifyRequest): string {
  const { id } = request.params as { id: string };
  if (!UUID.test(id)) throw new GatewayError('GW_ERR_NOT_FOUND', `no message ${id}`);
  return id;
}

/** An inbound message as listings summarise it. */
function inboundSummary(m: InboundDetail): InboundSummary {
  return {
    direction: 'in',
    id: m.id,
    partner: m.partner,
    messageType: m.messageType,
    status: m.status,
    recordType: m.record.type,
    recordId: m.record.recordId,
    recordVersion: m.record.version,
    attempts: m.handover.attempts,
    createdAt: m.receivedAt,
    updatedAt: m.updatedAt,
    nextAttemptAt: m.handover.nextAttemptAt,
    businessKeys: m.businessKeys,
  };
}

/** The messages of a key's story: those holding the key, and the partner documents answering them (a reply need not repeat the key). */
async function storyMessages(store: MessageStore, inbound: InboundStore, key: string): Promise<MessageSummary[]> {
  const holding = (await store.search({ key }, STORY_LIMIT)).items;
  const seen = new Set(holding.map((m) => m.id));
  const answers: MessageSummary[] = [];
  for (const m of holding.filter((h) => h.direction === 'out')) {
    for (const a of await inbound.answersTo(m.id)) {
      if (seen.has(a.id)) continue;
      seen.add(a.id);
      const detail = await inbound.getInbound(a.id);
      if (detail) answers.push(inboundSummary(detail));
    }
  }
  return [...holding, ...answers];
}

async function storyEvents(store: MessageStore, messages: readonly MessageSummary[]): Promise<StoryEvent[]> {
  const events: StoryEvent[] = [];
  const records = new Set<string>();
  for (const m of messages) {
    for (const event of await store.audit.auditTrail(`message:${m.id}`, TRAIL_LIMIT)) events.push({ event, message: m });
    if (m.direction === 'out') records.add(`record:${m.recordType}/${m.recordId}/${m.recordVersion}`);
  }
  for (const subject of records) for (const event of await store.audit.auditTrail(subject, TRAIL_LIMIT)) events.push({ event });
  return events.sort((a, b) => a.event.at - b.event.at || a.event.seq - b.event.seq);
}

async function held(store: MessageStore, status: string): Promise<MessageDetail[]> {
  const page = await store.search({ status: status as MessageDetail['status'], direction: 'out' }, EVIDENCE_CAP + 1);
  const details: MessageDetail[] = [];
  for (const m of page.items) {
    const detail = await store.get(m.id);
    if (detail) details.push(detail);
  }
  return details;
}

function heldStatus(source: Record<string, string | undefined>): string {
  const status = source.status ?? 'dead-lettered';
  if (!RESENDABLE.includes(status)) throw new GatewayError('GW_ERR_REQUEST_INVALID', `status is one of ${RESENDABLE.join(', ')}`);
  return status;
}

/** Registers the log pages on the console's plugin. */
export function registerConsoleLogRoutes(ui: FastifyInstance, parts: ConsoleLogParts): void {
  const { store, inbound, languages } = parts;
  const ctx = (request: FastifyRequest, reply: FastifyReply) => contextOf(request, reply, languages);

  ui.get('/ui/messages', async (request, reply) => {
    need(request, 'metadata');
    const query = request.query as Record<string, string | undefined>;
    const fields = fieldsOf(query);
    const found = await store.search(filterOf(queryOf(fields, PAGE_SIZE)), PAGE_SIZE, query.cursor);
    return sendHtml(reply, searchPage(ctx(request, reply), fields, found.items, found.nextCursor, parts.partners));
  });

  ui.get('/ui/story', async (request, reply) => {
    need(request, 'metadata');
    const key = fieldsOf(request.query as Record<string, string>).key;
    if (!key) return reply.redirect('/ui/messages', 303);
    const messages = await storyMessages(store, inbound, key);
    return sendHtml(reply, storyPage(ctx(request, reply), key, messages, await storyEvents(store, messages)));
  });

  ui.get('/ui/messages/:id', async (request, reply) => {
    const session = need(request, 'metadata');
    const id = idOf(request);
    const outbound = await store.get(id);
    const received = outbound ? undefined : await found(inbound.getInbound(id), id);
    const view = outbound ? { outbound, answers: await inbound.answersTo(id) } : { inbound: received! };
    let recheck;
    if ((request.query as { verify?: string }).verify === '1') {
      const partner = (outbound ?? received)!.partner;
      const bytes = await found(outbound ? store.payload(id) : inbound.inboundPayload(id), id);
      recheck = recheckSignature(bytes, parts.signers(partner, outbound ? 'out' : 'in'));
      await store.audit.appendAudit([{ at: Date.now(), actor: session.principal.actor, action: 'signature.verified', subject: `message:${id}`, detail: `${recheck.result}: ${recheck.detail} (console)` }]);
    }
    const events = await store.audit.auditTrail(`message:${id}`, TRAIL_LIMIT);
    return sendHtml(reply, messagePage(ctx(request, reply), view, events, recheck));
  });

  ui.get('/ui/messages/:id/payload', async (request, reply) => {
    const session = need(request, 'metadata', 'content');
    const id = idOf(request);
    const outbound = await store.get(id);
    const received = outbound ? undefined : await found(inbound.getInbound(id), id);
    const bytes = await found(outbound ? store.payload(id) : inbound.inboundPayload(id), id);
    const extension = outbound?.extension ?? 'xml';
    const asked = (request.query as { view?: unknown }).view ?? 'pretty';
    if (asked !== 'pretty' && asked !== 'raw' && asked !== 'download') throw new GatewayError('GW_ERR_REQUEST_INVALID', 'view is pretty, raw or download');
    const view = asked;
    await store.audit.appendAudit([{ at: Date.now(), actor: session.principal.actor, action: 'payload.viewed', subject: `message:${id}`, detail: `${bytes.length} bytes in the console (${view})` }]);
    if (view === 'download') {
      return reply.header('content-type', CONTENT_TYPES[extension] ?? 'application/octet-stream').header('content-disposition', `attachment; filename="${id}.${extension}"`).send(bytes);
    }
    return sendHtml(reply, payloadPage(ctx(request, reply), id, bytes, extension, (outbound ?? received)!.payloadSha256, view === 'raw' ? 'raw' : 'pretty'));
  });

  ui.post('/ui/messages/:id/evidence', async (request, reply) => {
    const session = need(request, 'export', 'content');
    const id = idOf(request);
    if (!(await parts.exporter.matchesOne(id))) throw new GatewayError('GW_ERR_NOT_FOUND', `no message ${id}`);
    return sendZip(reply, await parts.exporter.export([id], session.principal.actor, `message ${id} (console)`));
  });

  ui.get('/ui/export', async (request, reply) => {
    need(request, 'export', 'content');
    const fields = fieldsOf(request.query as Record<string, string>);
    const ids = await parts.exporter.matching(queryOf(fields, EVIDENCE_CAP + 1));
    return sendHtml(reply, confirmPage(ctx(request, reply), 'export', { ...fields }, Math.min(ids.length, EVIDENCE_CAP), EVIDENCE_CAP, ids.length > EVIDENCE_CAP));
  });

  ui.post('/ui/export', async (request, reply) => {
    const session = need(request, 'export', 'content');
    const form = request.body as Record<string, string>;
    const fields = fieldsOf(form);
    const ids = await parts.exporter.matching(queryOf(fields, EVIDENCE_CAP + 1));
    if (ids.length > EVIDENCE_CAP) throw new GatewayError('GW_ERR_EXPORT_TOO_LARGE', `the search finds more than ${EVIDENCE_CAP} messages; narrow it`);
    if (String(ids.length) !== form.confirmCount) throw new GatewayError('GW_ERR_COUNT_UNCONFIRMED', `the search now finds ${ids.length} messages, not the ${form.confirmCount} confirmed; ask again`);
    return sendZip(reply, await parts.exporter.export(ids, session.principal.actor, `search ${JSON.stringify(fields)} (console)`));
  });

  ui.get('/ui/dead-letters', async (request, reply) => {
    need(request, 'metadata');
    const status = heldStatus(request.query as Record<string, string>);
    return sendHtml(reply, deadLettersPage(ctx(request, reply), (await held(store, status)).slice(0, EVIDENCE_CAP), status));
  });

  ui.post('/ui/messages/:id/resend', async (request, reply) => {
    const session = need(request, 'resend');
    const id = idOf(request);
    const detail = await found(store.get(id), id);
    if (!(await store.resend(id, Date.now(), `resent by ${session.principal.actor} (console)`))) {
      throw new GatewayError('GW_ERR_STATE_CONFLICT', `message ${id} is ${detail.status}; only failed, dead-lettered or needs-human messages can be resent`);
    }
    await store.audit.appendAudit([{ at: Date.now(), actor: session.principal.actor, action: 'resend.requested', subject: `message:${id}`, detail: `was ${detail.status} (console)` }]);
    parts.wake();
    return reply.redirect(`/ui/messages/${id}`, 303);
  });

  ui.get('/ui/dead-letters/resend', async (request, reply) => {
    need(request, 'resend');
    const status = heldStatus(request.query as Record<string, string>);
    const count = (await store.search({ status: status as MessageDetail['status'], direction: 'out' }, EVIDENCE_CAP + 1)).items.length;
    return sendHtml(reply, confirmPage(ctx(request, reply), 'resend', { status }, Math.min(count, EVIDENCE_CAP), EVIDENCE_CAP, count > EVIDENCE_CAP));
  });

  ui.post('/ui/dead-letters/resend', async (request, reply) => {
    const session = need(request, 'resend');
    const form = request.body as Record<string, string>;
    const status = heldStatus(form);
    const ids = (await store.search({ status: status as MessageDetail['status'], direction: 'out' }, EVIDENCE_CAP + 1)).items.map((m) => m.id);
    if (String(ids.length) !== form.confirmCount) throw new GatewayError('GW_ERR_COUNT_UNCONFIRMED', `${ids.length} messages are ${status} now, not the ${form.confirmCount} confirmed; ask again`);
    let resent = 0;
    for (const id of ids) {
      if (await store.resend(id, Date.now(), `resent by ${session.principal.actor} (console, bulk)`)) {
        resent += 1;
        await store.audit.appendAudit([{ at: Date.now(), actor: session.principal.actor, action: 'resend.requested', subject: `message:${id}`, detail: `was ${status} (console, bulk of ${ids.length})` }]);
      }
    }
    parts.wake();
    return reply.redirect(`/ui/dead-letters?status=${status}&resent=${resent}`, 303);
  });
}
