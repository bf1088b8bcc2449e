// What every console page is drawn with: the request's language, principal and CSRF token, and the common layout.
import type { Principal, Right } from '../api/rights.js';
import { html, type Html } from './html.js';
import type { Translate } from './i18n.js';

/** What a page knows about the request it answers. */
export interface PageContext {
  t: Translate;
  lang: string;
  languages: readonly string[];
  /** Signed in as; undefined on the login page. */
  principal?: Principal;
  csrf?: string;
  /** The path and query of this page, for the language links. */
  path: string;
}

/** Whether the signed-in principal holds `right`. */
export function may(ctx: PageContext, right: Right): boolean {
  return ctx.principal?.rights.has(right) ?? false;
}

function languageLink(ctx: PageContext, code: string): Html {
  const [path, query = ''] = ctx.path.split('?');
  const params = new URLSearchParams(query);
  params.set('lang', code);
  return code === ctx.lang ? html`<strong>${code}</strong>` : html`<a href="${path}?${params.toString()}" hreflang="${code}">${code}</a>`;
}

/** The hidden CSRF field every state-changing form carries. */
export function csrfField(ctx: PageContext): Html {
  return html`<input type="hidden" name="csrf" value="${ctx.csrf ?? ''}">`;
}

/** A whole page: header with navigation, languages and the user, then `body`. */
export function page(ctx: PageContext, title: string, body: Html): string {
  const { t } = ctx;
  const nav = ctx.principal
    ? html`<nav><a href="/ui/messages">${t('nav.search')}</a> <a href="/ui/dead-letters">${t('nav.deadLetters')}</a>${may(ctx, 'mappings') ? html` <a href="/ui/mappings">${t('nav.mappings')}</a>` : ''}
        <span class="who">${t('nav.signedInAs', { actor: ctx.principal.actor })}</span>
        <form method="post" action="/ui/logout" class="inline">${csrfField(ctx)}<button type="submit">${t('nav.signOut')}</button></form></nav>`
    : html``;
  return html`<!doctype html>
<html lang="${ctx.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · ${t('app.name')}</title><link rel="icon" href="/ui/assets/favicon.svg" type="image/svg+xml"><link rel="stylesheet" href="/ui/assets/console.css"><script src="/ui/assets/console.js" defer></script></head>
<body><header><h1><a href="/ui/messages">${t('app.name')}</a></h1>${nav}<div class="langs">${ctx.languages.map((c) => languageLink(ctx, c))}</div></header>
<main><h2>${title}</h2>${body}</main></body></html>`.text;
}

/** A time as the console shows it: ISO 8601, UTC, to the second. */
export function when(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '' : new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}
