// One message for auditors: status, mapping, keys, history, attempts, acknowledgements and answers, its audit trail, and what the user may do with it.
import type { AuditEvent } from '../../audit/audit-hash.js';
import type { SignatureRecheck } from '../../audit/signature-recheck.js';
import type { InboundDetail } from '../../store/inbound-store.js';
import type { MessageDetail } from '../../store/message-store.js';
import { html, type Html } from '../html.js';
import { csrfField, may, page, when, type PageContext } from '../console-page.js';

/** Statuses a resend applies to. */
export const RESENDABLE = ['failed', 'dead-lettered', 'needs-human'];

function table(head: readonly string[], rows: readonly Html[]): Html {
  return html`<table><thead><tr>${head.map((h) => html`<th>${h}</th>`)}</tr></thead><tbody>${rows}</tbody></table>`;
}

function trail(ctx: PageContext, events: readonly AuditEvent[]): Html {
  const { t } = ctx;
  return table(
    [t('col.seq'), t('col.time'), t('col.actor'), t('col.action'), t('col.detail')],
    events.map((e) => html`<tr class="audit-event"><td>${e.seq}</td><td>${when(e.at)}</td><td>${e.actor}</td><td>${t(`action.${e.action}`)}</td><td>${e.detail}</td></tr>`),
  );
}

function outboundParts(ctx: PageContext, m: MessageDetail, answers: ReadonlyArray<{ id: string; partner: string; messageType: string; receivedAt: number }>): Html {
  const { t } = ctx;
  return html`<section><h3>${t('message.history')}</h3>${table([t('col.time'), t('col.from'), t('col.to'), t('col.reason')], m.history.map((h) => html`<tr><td>${when(h.at)}</td><td>${h.from ?? ''}</td><td>${h.to}</td><td>${h.reason}</td></tr>`))}</section>
<section><h3>${t('message.attempts')}</h3>${table(
    [t('col.number'), t('col.time'), t('col.duration'), t('col.outcome'), t('col.http'), t('col.partnerCode'), t('col.error')],
    m.attemptLog.map((a) => html`<tr><td>${a.number}</td><td>${when(a.startedAt)}</td><td>${a.durationMs} ms</td><td>${a.outcome}</td><td>${a.httpStatus ?? ''}</td><td>${a.partnerCode ?? ''}</td><td>${a.error ?? ''}</td></tr>`),
  )}</section>
<section><h3>${t('message.acknowledgements')}</h3>${table(
    [t('col.time'), t('col.stage'), t('col.effect'), t('col.partnerCode'), t('col.detail')],
    m.acknowledgements.map((a) => html`<tr><td>${when(a.receivedAt)}</td><td>${a.stage}${a.rejected ? ' ✗' : ''}</td><td>${a.effect}</td><td>${a.code ?? ''}</td><td>${a.text ?? ''}</td></tr>`),
  )}${answers.length ? html`<p>${t('message.answeredBy')} ${answers.map((a) => html`<a href="/ui/messages/${a.id}">${a.partner} · ${a.messageType} (${when(a.receivedAt)})</a> `)}</p>` : ''}</section>`;
}

function inboundParts(ctx: PageContext, m: InboundDetail): Html {
  const { t } = ctx;
  return html`<section><h3>${t('message.history')}</h3>${table([t('col.time'), t('col.to'), t('col.reason')], m.history.map((h) => html`<tr><td>${when(h.at)}</td><td>${h.status}</td><td>${h.reason}</td></tr>`))}</section>`;
}

function actions(ctx: PageContext, id: string, status: string, direction: 'in' | 'out'): Html {
  const { t } = ctx;
  const content = may(ctx, 'content');
  return html`<div class="actions">
${content ? html`<a class="button" id="view-payload" href="/ui/messages/${id}/payload">${t('message.viewPayload')}</a> <a class="button" href="/ui/messages/${id}/payload?view=download">${t('message.download')}</a>` : html`<p class="hint" id="no-content">${t('message.noContentRight')}</p>`}
<a class="button" id="verify-signature" href="/ui/messages/${id}?verify=1">${t('message.verify')}</a>
${content && may(ctx, 'export') ? html`<form method="post" action="/ui/messages/${id}/evidence" class="inline">${csrfField(ctx)}<button type="submit" id="export-evidence">${t('message.export')}</button></form>` : ''}
${direction === 'out' && RESENDABLE.includes(status) && may(ctx, 'resend') ? html`<form method="post" action="/ui/messages/${id}/resend" class="inline" data-confirm="${t('deadLetters.confirmOne')}">${csrfField(ctx)}<button type="submit">${t('deadLetters.resend')}</button></form>` : ''}
</div>`;
}

/** The message page; `recheck` is the signature's verification when the user asked for it. */
export function messagePage(
  ctx: PageContext,
  view: { outbound: MessageDetail; answers: ReadonlyArray<{ id: string; partner: string; messageType: string; receivedAt: number }> } | { inbound: InboundDetail },
  events: readonly AuditEvent[],
  recheck: SignatureRecheck | undefined,
): string {
  const { t } = ctx;
  const m = 'outbound' in view ? view.outbound : view.inbound;
  const direction = 'outbound' in view ? 'out' : 'in';
  const mapping = m.mapping;
  const facts: Array<[string, Html | string]> = [
    [t('col.id'), m.id],
    [t('col.direction'), t(`direction.${direction}`)],
    [t('col.partner'), m.partner],
    [t('col.type'), m.messageType],
    [t('col.status'), html`<span class="status status-${m.status}">${t(`status.${m.status}`)}</span>`],
    [t('col.mapping'), mapping ? `${mapping.id} v${mapping.version} · sha256 ${mapping.sha256}` : ''],
    [t('col.payloadSha256'), m.payloadSha256],
    [t('col.keys'), html`${Object.entries(m.businessKeys).map(([k, v]) => html`<span>${k}: <a class="key" href="/ui/story?key=${encodeURIComponent(v)}">${v}</a></span> `)}`],
  ];
  const verdict = recheck
    ? html`<p class="signature signature-${recheck.result}" role="status" id="signature-result">${t(`signature.${recheck.result}`)}${recheck.kind ? ` (${recheck.kind})` : ''}: ${recheck.detail}</p>`
    : '';
  const body = html`<dl class="facts">${facts.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>
${actions(ctx, m.id, m.status, direction)}${verdict}
${'outbound' in view ? outboundParts(ctx, view.outbound, view.answers) : inboundParts(ctx, view.inbound)}
<section><h3>${t('message.audit')}</h3>${trail(ctx, events)}</section>`;
  return page(ctx, t('message.title', { partner: m.partner, type: m.messageType }), body);
}
