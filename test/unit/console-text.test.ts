// The console's text: markup escaping, EDIFACT by segment, and translations that must match English key for key.
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/errors.js';
import { html } from '../../src/ui/html.js';
import { Languages } from '../../src/ui/i18n.js';
import { edifactLines } from '../../src/ui/pages/payload-page.js';
import { ROOT } from '../support/project.js';

const I18N = join(ROOT, 'src', 'ui', 'i18n');

describe('console text', () => {
  it('escapes every interpolated value, in text and in quoted attributes, and inserts markup made by html as is', () => {
    const hostile = `"><script>alert('x')</script>&`;
    const out = html`<a title="${hostile}">${hostile}</a>${html`<b>${'<i>'}</b>`}${[html`<br>`, '<hr>']}`.text;
    expect(out).toBe('<a title="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;">&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;</a><b>&lt;i&gt;</b><br>&lt;hr&gt;');
  });

  it('shows EDIFACT one segment per line, a released apostrophe staying inside its segment', () => {
    expect(edifactLines("UNB+UNOC:3+A+B'BGM+929+O?'NEILL'UNZ+1+1'")).toBe("UNB+UNOC:3+A+B'\nBGM+929+O?'NEILL'\nUNZ+1+1'");
  });

  it('loads English and Russian with the same keys, and picks a language from the request', () => {
    const languages = Languages.load(I18N);
    expect(languages.codes()).toEqual(['en', 'ru']);
    expect(languages.choose(undefined, 'ru-RU,ru;q=0.9,en;q=0.8')).toBe('ru');
    expect(languages.choose('kk', 'de')).toBe('en');
    expect(languages.translate('ru')('story.documents', { count: 3 })).toBe('Документы (3)');
  });

  it('refuses a translation file that lacks a key of English, naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-i18n-'));
    cpSync(I18N, dir, { recursive: true });
    writeFileSync(join(dir, 'kk.json'), JSON.stringify({ 'app.name': 'Кедендік алмасу шлюзі' }));
    expect(() => Languages.load(dir)).toThrow(GatewayError);
    expect(() => Languages.load(dir)).toThrow(/kk\.json lacks nav\.search/);
  });
});
