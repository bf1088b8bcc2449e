// Messages a person must look at: failed, dead-lettered or held for a human, each with its reason, resent one by one or all at once.
import type { MessageDetail } from '../../store/message-store.js';
import { html } from '../html.js';
import { csrfField, may, page, when, type PageContext } from '../console-page.js';

/** The dead-letter page: one row per message with the reason of its last status change. */
export function deadLettersPage(ctx: PageContext, messages: readonly MessageDetail[], status: string): string {
  const { t } = ctx;
  const resend = may(ctx, 'resend');
  const rows = messages.map((m) => {
    const reason = m.history.at(-1)?.reason ?? '';
    return html`<tr data-message="${m.id}"><td>${when(m.updatedAt)}</td><td>${m.partner}</td><td>${m.messageType}</td><td><span class="status status-${m.status}">${t(`status.${m.status}`)}</span></td>
<td>${m.recordType} ${m.recordId}</td><td class="reason">${reason}</td><td><a href="/ui/messages/${m.id}">${t('search.open')}</a>
${resend ? html`<form method="post" action="/ui/messages/${m.id}/resend" class="inline">${csrfField(ctx)}<button type="submit">${t('deadLetters.resend')}</button></form>` : ''}</td></tr>`;
  });
  const tabs = ['failed', 'dead-lettered', 'needs-human'].map((s) => (s === status ? html`<strong>${t(`status.${s}`)}</strong> ` : html`<a href="/ui/dead-letters?status=${s}">${t(`status.${s}`)}</a> `));
  const body = html`<p class="tabs">${tabs}</p>
${messages.length === 0 ? html`<p class="empty">${t('search.none')}</p>` : html`<table><thead><tr><th>${t('col.updated')}</th><th>${t('col.partner')}</th><th>${t('col.type')}</th><th>${t('col.status')}</th><th>${t('col.record')}</th><th>${t('col.reason')}</th><th></th></tr></thead><tbody>${rows}</tbody></table>`}
${resend && messages.length > 0 ? html`<p><a class="button" href="/ui/dead-letters/resend?status=${status}">${t('deadLetters.resendAll')}</a></p>` : ''}`;
  return page(ctx, t('deadLetters.title'), body);
}
