// A business key's story as one timeline: the CAIS record, the documents made for each partner, their attempts, acknowledgements and replies, and who looked.
import type { AuditEvent } from '../../audit/audit-hash.js';
import type { MessageSummary } from '../../store/message-store.js';
import { html } from '../html.js';
import { page, when, type PageContext } from '../console-page.js';

/** One line of the timeline: an audit event and the message it concerns, if any. */
export interface StoryEvent {
  event: AuditEvent;
  message?: MessageSummary;
}

/** The story page: the messages holding the key, then every event concerning them and their records, oldest first. */
export function storyPage(ctx: PageContext, key: string, messages: readonly MessageSummary[], events: readonly StoryEvent[]): string {
  const { t } = ctx;
  const documents = messages.map(
    (m) => html`<li><a href="/ui/messages/${m.id}">${t(`direction.${m.direction}`)} · ${m.partner} · ${m.messageType}</a> <span class="status status-${m.status}">${t(`status.${m.status}`)}</span> <small>${m.recordType} ${m.recordId} v${m.recordVersion}</small></li>`,
  );
  const lines = events.map(
    ({ event, message }) => html`<li class="event action-${event.action.replace(/\W/g, '-')}"><time>${when(event.at)}</time> <strong>${t(`action.${event.action}`)}</strong>
  ${message ? html`<a href="/ui/messages/${message.id}">${message.partner} · ${message.messageType}</a>` : html`<span>${event.subject}</span>`}
  <span class="actor">${event.actor}</span> <span class="detail">${event.detail}</span></li>`,
  );
  const body = html`<section><h3>${t('story.documents', { count: messages.length })}</h3><ul class="documents">${documents}</ul></section>
<section><h3>${t('story.timeline')}</h3>${events.length === 0 ? html`<p class="empty">${t('search.none')}</p>` : html`<ol class="timeline">${lines}</ol>`}</section>`;
  return page(ctx, t('story.title', { key }), body);
}
