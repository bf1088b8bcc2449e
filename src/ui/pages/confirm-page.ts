// Bulk actions ask first: how many messages a search's export or resend will touch, with a form that confirms that count.
import { html } from '../html.js';
import { csrfField, page, type PageContext } from '../console-page.js';

/** The confirmation of a bulk action over a search: the count, the cap when it is over it, and the form that confirms. */
export function confirmPage(ctx: PageContext, what: 'export' | 'resend', query: Record<string, string>, count: number, cap: number, overCap: boolean): string {
  const { t } = ctx;
  const action = what === 'export' ? '/ui/export' : '/ui/dead-letters/resend';
  const body = overCap
    ? html`<p class="error" role="alert">${t(`${what}.overCap`, { cap })}</p>`
    : html`<p id="confirm-count">${t(`${what}.confirm`, { count })}</p>
<form method="post" action="${action}">${csrfField(ctx)}${Object.entries(query).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}
<input type="hidden" name="confirmCount" value="${count}"><button type="submit" id="confirm">${t(`${what}.go`, { count })}</button></form>`;
  return page(ctx, t(`${what}.title`), body);
}
