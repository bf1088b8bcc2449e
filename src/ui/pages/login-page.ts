// The console's sign-in page: a token field, the login form's CSRF token, and the reason of a refused attempt.
import { html } from '../html.js';
import { page, type PageContext } from '../console-page.js';

/** The sign-in form; `loginCsrf` is also in the login cookie (double submit). */
export function loginPage(ctx: PageContext, loginCsrf: string, refused?: string): string {
  const { t } = ctx;
  return page(
    ctx,
    t('login.title'),
    html`${refused ? html`<p class="error" role="alert">${refused}</p>` : ''}
<form method="post" action="/ui/login" class="login">
  <input type="hidden" name="csrf" value="${loginCsrf}">
  <label>${t('login.token')} <input type="password" name="token" autocomplete="off" required autofocus></label>
  <button type="submit">${t('login.submit')}</button>
</form><p class="hint">${t('login.hint')}</p>`,
  );
}
