// The console's HTTP edges without a browser: sign-in behind a TLS proxy, forged origins, throttled guessing, and bad input (a broken mapping upload too) answered as 400 pages.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inboundMessage } from '../conformance/inbound-store.conformance.js';
import { RECORD_FIXTURES, ROOT } from '../support/project.js';
import { AUDITOR_TOKEN, startTestGateway, TEST_TOKEN, type RunningGateway } from '../support/running-gateway.js';

describe('console over HTTP', () => {
  let gw: RunningGateway;
  let host: string;
  beforeAll(async () => {
    gw = await startTestGateway();
    host = new URL(gw.url).host;
  }, 60_000);
  afterAll(async () => gw?.stop(), 60_000);

  /** The login form's CSRF pair: its cookie and its hidden field. */
  async function loginForm(): Promise<{ cookie: string; csrf: string }> {
    const res = await fetch(`${gw.url}/ui/login`);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('gw_login='))!.split(';')[0]!;
    const csrf = /name="csrf" value="([^"]+)"/.exec(await res.text())![1]!;
    return { cookie, csrf };
  }

  function signIn(form: { cookie: string; csrf: string }, token: string, headers: Record<string, string> = {}, path = '/ui/login') {
    return fetch(`${gw.url}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: form.cookie, ...headers },
      body: new URLSearchParams({ csrf: form.csrf, token }),
    });
  }

  async function session(token = AUDITOR_TOKEN): Promise<string> {
    const res = await signIn(await loginForm(), token);
    return res.headers.getSetCookie().find((c) => c.startsWith('gw_session='))!.split(';')[0]!;
  }

  it('signs in behind a TLS-terminating proxy (https Origin, X-Forwarded-Proto) with a Secure cookie, and from a page with ?lang', async () => {
    const res = await signIn(await loginForm(), AUDITOR_TOKEN, { origin: `https://${host}`, 'x-forwarded-proto': 'https' });
    expect(res.status).toBe(303);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('gw_session='))!;
    expect(cookie).toMatch(/; HttpOnly; SameSite=Strict; Secure/);
    expect((await signIn(await loginForm(), AUDITOR_TOKEN, {}, '/ui/login?lang=ru')).status).toBe(303);
  });

  it('refuses a sign-in posted from another site, and one without the login form\'s own cookie', async () => {
    const forged = await signIn(await loginForm(), AUDITOR_TOKEN, { origin: 'https://attacker.example' });
    expect(forged.status).toBe(401);
    expect(forged.headers.getSetCookie().some((c) => c.startsWith('gw_session='))).toBe(false);
    const form = await loginForm();
    const noCookie = await signIn({ ...form, cookie: 'gw_login=other' }, AUDITOR_TOKEN);
    expect(noCookie.status).toBe(401);
  });

  it('answers repeated or invalid parameters with a 400 page, and ignores a cookie that is not percent-encoding', async () => {
    const cookie = await session();
    for (const path of ['/ui/messages?key=a&key=b', '/ui/story?key=a&key=b', '/ui/messages?from=x']) {
      const res = await fetch(`${gw.url}${path}`, { headers: { cookie } });
      expect(res.status, path).toBe(400);
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(await res.text()).toContain('GW_ERR_REQUEST_INVALID');
    }
    const login = await fetch(`${gw.url}/ui/login`, { headers: { cookie: 'other=%E0' } });
    expect(login.status).toBe(200);
    const page = await fetch(`${gw.url}/ui/messages`, { headers: { cookie: `other=%E0; ${cookie}` } });
    expect(page.status).toBe(200);
  });

  it('answers a broken mapping upload with a 400 page naming the problem and its pointer, not a server error', async () => {
    const cookie = await session(TEST_TOKEN);
    const csrf = /name="csrf" value="([^"]+)"/.exec(await (await fetch(`${gw.url}/ui/mappings`, { headers: { cookie } })).text())![1]!;
    const path = 'iru-safetir/safetir-upload.yaml';
    const yaml = readFileSync(join(ROOT, 'mappings', path), 'utf8').replace(/^version: 2$/m, 'version: 9').replace('"@RND": certificate.reference', '"@RND": "certificate.reference &"');
    const res = await fetch(`${gw.url}/ui/mappings/upload`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({ csrf, path, yaml }),
    });
    expect(res.status).toBe(400);
    const page = await res.text();
    expect(page).toContain('GW_ERR_MAPPING_REFUSED');
    expect(page).toContain('<code>GW_ERR_MAPPING_EXPRESSION</code> <code>/document/SafeTIR/Body/SafeTIRRecords/Record/@RND</code>');
    expect(page).not.toContain(gw.env.GATEWAY_DATA_DIR!);
  });

  it("tells a key's story with the partner documents answering its messages, though they do not hold the key", async () => {
    const movement = JSON.parse(readFileSync(join(RECORD_FIXTURES, 'transit.movement.json'), 'utf8')) as Record<string, unknown>;
    const posted = await gw.api('POST', '/v1/cais/records', { ...movement, recordId: `KZ-TM-STORY-${Date.now()}` });
    const outbound = (posted.body.results[0].messages as Array<{ id: string }>)[0]!.id;
    const key = Object.values((await gw.api('GET', `/v1/messages/${outbound}`)).body.businessKeys as Record<string, string>)[0]!;
    const answer = inboundMessage(901, { answers: outbound, businessKeys: { reply: 'R-901' } });
    await gw.gateway.inboundStore.acceptInbound(answer, Date.now());
    const story = await (await fetch(`${gw.url}/ui/story?key=${encodeURIComponent(key)}`, { headers: { cookie: await session() } })).text();
    expect(story).toContain(`/ui/messages/${outbound}`);
    expect(story).toContain(`/ui/messages/${answer.id}`);
    expect(story).toContain('received and accepted');
  });

  it('refuses an address after ten wrong tokens (429) until the window passes, with the limit in the audit trail', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await signIn(await loginForm(), `wrong-token-${i}-0123456789`)).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses[10]).toBe(429);
    expect((await signIn(await loginForm(), AUDITOR_TOKEN)).status).toBe(429);
    const refusals = await gw.gateway.store.audit.auditTrail('gateway', 100);
    const refused = refusals.filter((e) => e.action === 'console.login-refused');
    expect(refused).toHaveLength(10);
    expect(refused.at(-1)?.detail).toContain('refused for 5 minutes');
  });
});
