// The console's search: the log by business key, partner, status, direction, message type and time window, newest first.
import type { MessageSummary } from '../../store/message-store.js';
import { html } from '../html.js';
import { may, page, when, type PageContext } from '../console-page.js';

/** The search form's fields as the query string gives them. */
export interface SearchFields {
  key?: string;
  partner?: string;
  status?: string;
  direction?: string;
  type?: string;
  from?: string;
  to?: string;
}

const STATUSES = ['pending', 'delivered', 'failed', 'dead-lettered', 'needs-human', 'accepted', 'handed-over'];

function option(value: string, current: string | undefined, label: string) {
  return html`<option value="${value}"${value === (current ?? '') ? html` selected` : ''}>${label}</option>`;
}

/** The query string of a search (for "next page", export and story links). */
function searchQuery(fields: SearchFields, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...fields, ...extra })) if (v) params.set(k, v);
  return params.toString();
}

/** The search page: form, results and links to each message, the key's story, the next page and a bulk export. */
export function searchPage(ctx: PageContext, fields: SearchFields, items: readonly MessageSummary[], nextCursor: string | undefined, partners: readonly string[]): string {
  const { t } = ctx;
  const rows = items.map(
    (m) => html`<tr data-message="${m.id}">
  <td>${when(m.createdAt)}</td><td>${t(`direction.${m.direction}`)}</td><td>${m.partner}</td><td>${m.messageType}</td>
  <td><span class="status status-${m.status}">${t(`status.${m.status}`)}</span></td>
  <td>${m.recordType} ${m.recordId} v${m.recordVersion}</td>
  <td>${Object.entries(m.businessKeys).map(([k, v]) => html`<a class="key" href="/ui/story?key=${encodeURIComponent(v)}" title="${k}">${v}</a> `)}</td>
  <td><a href="/ui/messages/${m.id}">${t('search.open')}</a></td></tr>`,
  );
  const body = html`<form method="get" action="/ui/messages" class="search">
  <label>${t('search.key')} <input name="key" value="${fields.key ?? ''}" placeholder="${t('search.keyHint')}"></label>
  <label>${t('search.partner')} <select name="partner">${option('', fields.partner, t('search.any'))}${partners.map((p) => option(p, fields.partner, p))}</select></label>
  <label>${t('search.status')} <select name="status">${option('', fields.status, t('search.any'))}${STATUSES.map((s) => option(s, fields.status, t(`status.${s}`)))}</select></label>
  <label>${t('search.direction')} <select name="direction">${option('', fields.direction, t('search.any'))}${option('out', fields.direction, t('direction.out'))}${option('in', fields.direction, t('direction.in'))}</select></label>
  <label>${t('search.type')} <input name="type" value="${fields.type ?? ''}"></label>
  <label>${t('search.from')} <input name="from" type="datetime-local" value="${fields.from ?? ''}"></label>
  <label>${t('search.to')} <input name="to" type="datetime-local" value="${fields.to ?? ''}"></label>
  <button type="submit">${t('search.submit')}</button>
</form>
${fields.key ? html`<p><a class="story-link" href="/ui/story?key=${encodeURIComponent(fields.key)}">${t('search.story', { key: fields.key })}</a></p>` : ''}
${items.length === 0 ? html`<p class="empty">${t('search.none')}</p>` : html`<table class="results"><thead><tr><th>${t('col.created')}</th><th>${t('col.direction')}</th><th>${t('col.partner')}</th><th>${t('col.type')}</th><th>${t('col.status')}</th><th>${t('col.record')}</th><th>${t('col.keys')}</th><th></th></tr></thead><tbody>${rows}</tbody></table>`}
<p class="pager">${nextCursor ? html`<a href="/ui/messages?${searchQuery(fields, { cursor: nextCursor })}">${t('search.next')}</a>` : ''}
${may(ctx, 'export') && may(ctx, 'content') && items.length > 0 ? html` <a class="button" href="/ui/export?${searchQuery(fields)}">${t('export.bulk')}</a>` : ''}</p>`;
  return page(ctx, t('search.title'), body);
}
