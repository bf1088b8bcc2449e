// The console in Debian's Chromium: an auditor signs in, finds a carnet, reads its story and payload, verifies the signature, exports evidence that openssl verifies; a reviewer without the content right sees no payload.
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.js';
import { openEvidence } from '../support/evidence-archive.js';
import { RECORD_FIXTURES, ROOT } from '../support/project.js';
import { AUDITOR_TOKEN, REVIEWER_TOKEN, startTestGateway, TEST_TOKEN, type RunningGateway } from '../support/running-gateway.js';

const termination = JSON.parse(readFileSync(join(RECORD_FIXTURES, 'tir.termination.json'), 'utf8')) as Record<string, unknown>;
/** Set to a folder (docs/console) to write the README's screenshots from this run. */
const SCREENSHOTS = process.env.GATEWAY_CONSOLE_SCREENSHOTS;

describe('console in a real browser', () => {
  let gw: RunningGateway;
  let browser: Browser;
  let id: string;
  const carnet = String(termination.carnetNumber);
  const consoleErrors: string[] = [];

  async function signIn(token: string): Promise<Page> {
    const page = await (await browser.newContext({ acceptDownloads: true })).newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    await page.goto(`${gw.url}/ui`);
    expect(new URL(page.url()).pathname).toBe('/ui/login');
    await page.fill('input[name=token]', token);
    await page.click('button[type=submit]');
    await page.waitForURL(/\/ui\/messages$/);
    return page;
  }

  async function shot(page: Page, name: string): Promise<void> {
    if (SCREENSHOTS) await page.screenshot({ path: join(ROOT, SCREENSHOTS, `${name}.png`), fullPage: true });
  }

  beforeAll(async () => {
    const mappings = join(mkdtempSync(join(tmpdir(), 'gw-console-mappings-')), 'mappings');
    cpSync(join(ROOT, 'mappings'), mappings, { recursive: true });
    gw = await startTestGateway({ GATEWAY_MAPPINGS_DIR: mappings });
    const res = await gw.api('POST', '/v1/cais/records', { ...termination, recordId: `KZ-TT-UI-${Date.now()}` });
    expect(res.status).toBe(202);
    id = (res.body.results[0].messages as Array<{ id: string }>)[0]!.id;
    await gw.waitFor(async () => ((await gw.api('GET', `/v1/messages/${id}`)).body.status === 'delivered' ? true : undefined));
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
  }, 60_000);

  it('an auditor finds a carnet, reads its story, opens the payload, verifies the signature and exports evidence openssl verifies; the trail names them', async () => {
    const page = await signIn(AUDITOR_TOKEN);
    await page.fill('input[name=key]', carnet);
    await page.click('form.search button[type=submit]');
    await expect.poll(() => page.locator(`tr[data-message="${id}"]`).count()).toBe(1);
    await shot(page, 'search');

    await page.click('a.story-link');
    const timeline = page.locator('ol.timeline');
    await expect.poll(() => timeline.textContent()).toContain('record accepted');
    const story = await timeline.textContent();
    for (const step of ['document created', 'delivery attempted', 'delivered']) expect(story).toContain(step);
    expect(story!.indexOf('record accepted')).toBeLessThan(story!.indexOf('delivered'));
    expect(await timeline.locator('li', { hasText: 'record accepted' }).locator('.actor').textContent()).toBe('tester');
    await shot(page, 'story');

    await page.click(`a[href="/ui/messages/${id}"]`);
    await page.click('#view-payload');
    const payload = await page.locator('#payload').textContent();
    expect(payload).toContain(carnet.slice(2));
    expect(payload!.split('\n').length).toBeGreaterThan(10);
    await shot(page, 'payload');

    await page.goto(`${gw.url}/ui/messages/${id}`);
    await page.click('#verify-signature');
    await expect.poll(() => page.locator('#signature-result').textContent()).toMatch(/^Signature valid/);

    const download = page.waitForEvent('download');
    await page.click('#export-evidence');
    const file = await (await download).path();
    const { manifest } = openEvidence(readFileSync(file), join(gw.env.GATEWAY_CERTS_DIR!, 'ca.cert.pem'));
    expect(manifest).toMatchObject({ actor: 'auditor-anna', messages: [id] });

    await page.reload();
    const trail = await page.locator('tr.audit-event').allTextContents();
    for (const action of ['payload viewed', 'signature verified', 'evidence exported']) expect(trail.some((row) => row.includes(action) && row.includes('auditor-anna'))).toBe(true);
    await shot(page, 'message');
    expect(consoleErrors).toEqual([]);
  });

  it('a reviewer without the content right sees metadata but no payload: no link in the page, 403 from the payload page', async () => {
    const page = await signIn(REVIEWER_TOKEN);
    await page.goto(`${gw.url}/ui/messages/${id}`);
    expect(await page.locator('#no-content').count()).toBe(1);
    expect(await page.locator('#view-payload').count()).toBe(0);
    expect(await page.locator('pre').count()).toBe(0);
    const refused = await page.goto(`${gw.url}/ui/messages/${id}/payload`);
    expect(refused?.status()).toBe(403);
    expect(await page.locator('.error').textContent()).toContain('GW_ERR_FORBIDDEN');
    expect(await page.locator('#payload').count()).toBe(0);
  });

  it('speaks Russian on request, and refuses a form without its CSRF token', async () => {
    const page = await signIn(TEST_TOKEN);
    await page.goto(`${gw.url}/ui/messages?lang=ru`);
    expect(await page.locator('html').getAttribute('lang')).toBe('ru');
    expect(await page.locator('h2').textContent()).toBe('Журнал сообщений');
    await shot(page, 'search-ru');
    // The page itself may not even try (its CSP allows no fetch); a client holding the session cookie but not the form's token is refused.
    expect(await page.evaluate(async (url) => fetch(url, { method: 'POST' }).then(() => 'sent', () => 'blocked'), `${gw.url}/ui/messages/${id}/evidence`)).toBe('blocked');
    const session = (await page.context().cookies()).find((c) => c.name === 'gw_session')!;
    const forged = await fetch(`${gw.url}/ui/messages/${id}/evidence`, { method: 'POST', headers: { cookie: `gw_session=${session.value}`, 'content-type': 'application/x-www-form-urlencoded' }, body: 'csrf=forged' });
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain('CSRF');
    const headers = (await page.goto(`${gw.url}/ui/messages`))!.headers();
    expect(headers['content-security-policy']).toContain("script-src 'self'");
    expect(headers['content-security-policy']).not.toContain('unsafe-inline');
  });

  it('an admin uploads a mapping version, sees its golden cases and a dry run side by side, activates it, and the list shows it running', async () => {
    const page = await signIn(TEST_TOKEN);
    await page.click('nav a[href="/ui/mappings"]');
    const path = 'iru-safetir/safetir-upload.yaml';
    const text = readFileSync(join(ROOT, 'mappings', path), 'utf8').replace(/^version: 2$/m, 'version: 3').replace('"@RND": certificate.reference', `"@RND": "'NEW-' & certificate.reference"`);
    await page.fill('input[name=path]', path);
    await page.fill('textarea[name=yaml]', text);
    await page.click('form.upload button[type=submit]');
    await page.waitForURL(/\/ui\/mappings\/uploads\//);
    expect(await page.locator('li.golden-differs').count()).toBeGreaterThan(0);
    await page.click('form[action$="/dry-run"] button');
    const differing = page.locator('table.dry-run tr.differs');
    await expect.poll(() => differing.count()).toBeGreaterThan(0);
    expect(await differing.first().textContent()).toContain('NEW-TC-554010-118');
    await shot(page, 'mapping-dry-run');
    page.once('dialog', (d) => void d.accept());
    await page.click('#activate');
    await page.waitForURL(/\/ui\/mappings$/);
    expect(await page.locator('tr[data-mapping="iru-safetir.safetir-upload"]').textContent()).toMatch(/v3 .*same as running.*activated v3 · tester/s);
  });
});
