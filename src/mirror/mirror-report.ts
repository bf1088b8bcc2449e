// The mirror comparison as one self-contained HTML page: summary, gaps by HS chapter, the largest discrepancies, the monthly trend (inline SVG, no scripts, no external files).
import type { MirrorResult } from './mirror-compare.js';
import type { Discrepancy } from './mirror-pair.js';
import { cellValueGap, type MirrorTableRow } from './mirror-tables.js';

/** Chapters and HS6 cells the report shows at most (the CSV tables hold them all). */
const TOP_CHAPTERS = 20;
const TOP_CELLS = 50;

const OURS_COLOUR = '#1f6feb';
const THEIRS_COLOUR = '#d4762c';

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function usd(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function percent(value: number): string {
  return `${(value * 100).toFixed(1)} %`;
}

/** Horizontal bars of a signed quantity around a zero axis: ours above theirs is to the right. */
function divergingBars(rows: ReadonlyArray<{ label: string; value: number }>, unit: string): string {
  if (rows.length === 0) return '<p class="none">Nothing to show.</p>';
  const width = 760;
  const labelWidth = 90;
  const row = 22;
  const height = rows.length * row + 30;
  const span = Math.max(...rows.map((r) => Math.abs(r.value)), 1);
  const half = (width - labelWidth - 20) / 2;
  const zero = labelWidth + 10 + half;
  const bars = rows
    .map((r, i) => {
      const length = (Math.abs(r.value) / span) * half;
      const x = r.value >= 0 ? zero : zero - length;
      const y = 20 + i * row;
      const colour = r.value >= 0 ? OURS_COLOUR : THEIRS_COLOUR;
      return `<text x="${labelWidth}" y="${y + 14}" text-anchor="end">${escape(r.label)}</text><rect x="${x.toFixed(1)}" y="${y + 3}" width="${Math.max(length, 1).toFixed(1)}" height="${row - 6}" fill="${colour}"><title>${escape(r.label)}: ${usd(r.value)} ${unit}</title></rect>`;
    })
    .join('');
  return `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img"><line x1="${zero}" y1="10" x2="${zero}" y2="${height - 5}" stroke="#888"/><text x="${zero - 6}" y="12" text-anchor="end" class="axis">theirs higher</text><text x="${zero + 6}" y="12" class="axis">ours higher</text>${bars}</svg>`;
}

/** Both sides' FOB value per month, as two lines. */
function monthlyTrend(months: readonly MirrorTableRow[]): string {
  if (months.length === 0) return '<p class="none">Nothing to show.</p>';
  const width = 760;
  const height = 260;
  const left = 90;
  const bottom = 40;
  const top = 20;
  const span = Math.max(...months.flatMap((m) => [m.oursValueFob, m.theirsValueFob]), 1);
  const step = months.length > 1 ? (width - left - 40) / (months.length - 1) : 0;
  const x = (i: number): number => left + (months.length > 1 ? i * step : (width - left) / 2);
  const y = (v: number): number => top + (1 - v / span) * (height - top - bottom);
  const line = (key: 'oursValueFob' | 'theirsValueFob', colour: string): string =>
    `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${months.map((m, i) => `${x(i).toFixed(1)},${y(m[key]).toFixed(1)}`).join(' ')}"/>` +
    months.map((m, i) => `<circle cx="${x(i).toFixed(1)}" cy="${y(m[key]).toFixed(1)}" r="3" fill="${colour}"><title>${escape(m.key)}: ${usd(m[key])} USD</title></circle>`).join('');
  const labels = months.map((m, i) => `<text x="${x(i).toFixed(1)}" y="${height - bottom + 16}" text-anchor="middle">${escape(m.key)}</text>`).join('');
  const scale = [0, 0.5, 1].map((f) => `<text x="${left - 8}" y="${y(span * f) + 4}" text-anchor="end">${usd(span * f)}</text><line x1="${left}" x2="${width - 10}" y1="${y(span * f)}" y2="${y(span * f)}" stroke="#ddd"/>`).join('');
  const legend = `<rect x="${left}" y="${height - 14}" width="10" height="10" fill="${OURS_COLOUR}"/><text x="${left + 14}" y="${height - 5}">ours</text><rect x="${left + 70}" y="${height - 14}" width="10" height="10" fill="${THEIRS_COLOUR}"/><text x="${left + 84}" y="${height - 5}">theirs</text>`;
  return `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img">${scale}${line('oursValueFob', OURS_COLOUR)}${line('theirsValueFob', THEIRS_COLOUR)}${labels}${legend}</svg>`;
}

function chapters(byHs6: readonly MirrorTableRow[]): Array<{ label: string; value: number }> {
  const gaps = new Map<string, number>();
  for (const r of byHs6) {
    const chapter = r.key.split(' ')[1]!.slice(0, 2);
    gaps.set(chapter, (gaps.get(chapter) ?? 0) + r.oursValueFob - r.theirsValueFob);
  }
  return [...gaps.entries()]
    .map(([chapter, value]) => ({ label: `ch. ${chapter}`, value }))
    .sort((a, b) => Math.abs(b.value) - Math.abs(a.value) || (a.label < b.label ? -1 : 1))
    .slice(0, TOP_CHAPTERS);
}

function largestTable(largest: readonly Discrepancy[]): string {
  if (largest.length === 0) return '<p class="none">No discrepancy.</p>';
  const span = Math.max(...largest.map((d) => d.gap), 1);
  const rows = largest
    .map(
      (d) =>
        `<tr><td>${escape(d.kind)}</td><td>${escape(d.ours ?? '—')}</td><td>${escape(d.theirs ?? '—')}</td><td>${escape(d.trade)}</td><td>${escape(d.hs6)}${d.theirsHs6 ? ` / ${escape(d.theirsHs6)}` : ''}</td><td>${escape(d.date)}</td>` +
        `<td class="n">${d.oursValueFob === null ? '—' : usd(d.oursValueFob)}</td><td class="n">${d.theirsValueFob === null ? '—' : usd(d.theirsValueFob)}</td>` +
        `<td class="n">${usd(d.gap)}</td><td><svg width="160" height="12" role="img"><rect width="${((d.gap / span) * 160).toFixed(1)}" height="12" fill="${THEIRS_COLOUR}"/></svg></td></tr>`,
    )
    .join('');
  return `<table><thead><tr><th>kind</th><th>ours</th><th>theirs</th><th>trade</th><th>HS6</th><th>date</th><th>ours FOB USD</th><th>theirs FOB USD</th><th>gap USD</th><th></th></tr></thead><tbody>${rows}</tbody></table>`;
}

function cellTable(rows: readonly MirrorTableRow[], keyHeads: readonly string[]): string {
  const body = rows
    .map(
      (r) =>
        `<tr>${r.key.split(' ').map((k) => `<td>${escape(k)}</td>`).join('')}<td class="n">${r.oursRows}</td><td class="n">${r.theirsRows}</td><td class="n">${usd(r.oursValueFob)}</td><td class="n">${usd(r.theirsValueFob)}</td><td class="n">${percent(cellValueGap(r))}</td><td class="n">${usd(r.oursNetMassKg)}</td><td class="n">${usd(r.theirsNetMassKg)}</td></tr>`,
    )
    .join('');
  return `<table><thead><tr>${keyHeads.map((h) => `<th>${h}</th>`).join('')}<th>ours rows</th><th>theirs rows</th><th>ours FOB USD</th><th>theirs FOB USD</th><th>value gap</th><th>ours net kg</th><th>theirs net kg</th></tr></thead><tbody>${body}</tbody></table>`;
}

/** The report page: self-contained (styles inline, charts as SVG, a policy that loads nothing). */
export function writeMirrorReport(result: MirrorResult, largest: readonly Discrepancy[]): string {
  const { summary } = result;
  const s = summary.settings;
  const d = summary.discrepancies;
  const cells = [...result.byHs6].sort((a, b) => Math.abs(b.oursValueFob - b.theirsValueFob) - Math.abs(a.oursValueFob - a.theirsValueFob) || (a.key < b.key ? -1 : 1)).slice(0, TOP_CELLS);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Mirror comparison</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1b1f24; }
h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; }
table { border-collapse: collapse; margin: 8px 0; } th, td { border-bottom: 1px solid #e1e4e8; padding: 3px 8px; text-align: left; white-space: nowrap; }
td.n { text-align: right; font-variant-numeric: tabular-nums; } .none { color: #666; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; } .card { border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 12px; min-width: 120px; }
.card b { display: block; font-size: 20px; } svg text { font-size: 11px; fill: #333; } svg text.axis { fill: #666; }
</style>
</head>
<body>
<h1>Mirror comparison</h1>
<p>Ours: <code>${escape(summary.ours.file)}</code> (${summary.ours.rows.toLocaleString('en-US')} rows). Theirs: <code>${escape(summary.theirs.file)}</code> (${summary.theirs.rows.toLocaleString('en-US')} rows).<br>
CIF/FOB factor ${s.cifFobFactor}; value tolerance ${percent(s.valueTolerance)}; mass tolerance ${percent(s.massTolerance)}; date window ±${s.windowDays} days.</p>
<div class="cards">
<div class="card"><b>${summary.matched['transport-document'].toLocaleString('en-US')}</b>matched by transport document</div>
<div class="card"><b>${summary.matched.vehicle.toLocaleString('en-US')}</b>matched by vehicle</div>
<div class="card"><b>${summary.agreeing.toLocaleString('en-US')}</b>pairs agreeing</div>
<div class="card"><b>${d['missing-theirs'].toLocaleString('en-US')}</b>missing theirs</div>
<div class="card"><b>${d['missing-ours'].toLocaleString('en-US')}</b>missing ours</div>
<div class="card"><b>${d.value.toLocaleString('en-US')}</b>value</div>
<div class="card"><b>${d.mass.toLocaleString('en-US')}</b>mass</div>
<div class="card"><b>${d.hs.toLocaleString('en-US')}</b>HS6</div>
<div class="card"><b>${usd(summary.valueFob.ours)}</b>ours FOB USD</div>
<div class="card"><b>${usd(summary.valueFob.theirs)}</b>theirs FOB USD</div>
</div>
<h2>Value gap by HS chapter (ours − theirs, FOB USD)</h2>
${divergingBars(chapters(result.byHs6), 'USD')}
<h2>Largest discrepancies (USD)</h2>
${largestTable(largest)}
<h2>Monthly trend (FOB USD)</h2>
${monthlyTrend(result.byMonth)}
<h2>By trade direction</h2>
${cellTable(result.byTrade, ['trade'])}
<h2>Largest HS6 gaps (all in mirror-hs6.csv)</h2>
${cellTable(cells, ['trade', 'HS6'])}
</body>
</html>
`;
}
