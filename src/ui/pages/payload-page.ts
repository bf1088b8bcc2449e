// A message's exact bytes for a reader with the content right: XML indented, EDIFACT one segment per line, or raw.
import { prettyXml } from '../../codec/xml-pretty.js';
import { html } from '../html.js';
import { page, type PageContext } from '../console-page.js';

/** The ways a payload is shown. */
export type PayloadView = 'pretty' | 'raw';

/**
 * EDIFACT with one segment per line: a line ends after each segment terminator (`'`) that the release
 * character (`?`) does not escape. A UNA service string advice changes neither here (the gateway's
 * agreements use the defaults).
 */
export function edifactLines(text: string): string {
  return text.replace(/(?<!\?)'\s*/g, "'\n").trimEnd();
}

function readable(bytes: Buffer, extension: string): string {
  const text = bytes.toString('utf8');
  if (extension === 'edi') return edifactLines(text);
  if (extension === 'xml' && text.trimStart().startsWith('<')) return prettyXml(text);
  if (extension === 'json') return JSON.stringify(JSON.parse(text) as unknown, null, 2);
  return text;
}

/** The payload page: the bytes as chosen, with links to the other views and the download. */
export function payloadPage(ctx: PageContext, id: string, bytes: Buffer, extension: string, sha256: string, view: PayloadView): string {
  const { t } = ctx;
  let shown: string;
  try {
    shown = view === 'raw' ? bytes.toString('utf8') : readable(bytes, extension);
  } catch {
    shown = bytes.toString('utf8');
  }
  const body = html`<p><a href="/ui/messages/${id}">${t('payload.back')}</a> · ${view === 'pretty' ? html`<a href="/ui/messages/${id}/payload?view=raw">${t('payload.raw')}</a>` : html`<a href="/ui/messages/${id}/payload">${t('payload.pretty')}</a>`} · <a href="/ui/messages/${id}/payload?view=download">${t('message.download')}</a></p>
<p class="hint">${t('payload.size', { bytes: bytes.length, sha256 })}</p>
<pre class="payload payload-${extension}" id="payload">${shown}</pre>`;
  return page(ctx, t('payload.title'), body);
}
