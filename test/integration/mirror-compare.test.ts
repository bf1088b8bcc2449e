// Mirror comparison end to end: a synthetic pair with injected anomalies is reported as exactly those, whatever the bucketing or row order; bad input is refused by file, line and column; the report opens in Chromium.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareMirror } from '../../src/mirror/mirror-compare.js';
import { DEFAULT_MIRROR_SETTINGS, type Discrepancy } from '../../src/mirror/mirror-pair.js';
import { launchChromium } from '../support/browser.js';
import { skipWithout } from '../support/external-tool.js';
import { mirrorDataset, seeded, type MirrorDataset } from '../support/mirror-data.js';
import { RECORD_FIXTURES, ROOT } from '../support/project.js';

const dir = mkdtempSync(join(tmpdir(), 'gw-mirror-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let data: MirrorDataset;
const ours = join(dir, 'ours.csv');
const theirs = join(dir, 'theirs.csv');

beforeAll(() => {
  data = mirrorDataset(700);
  writeFileSync(ours, data.ours);
  writeFileSync(theirs, data.theirs);
});

function reported(out: string): { summary: Record<string, unknown>; discrepancies: Discrepancy[] } {
  return JSON.parse(readFileSync(join(out, 'discrepancies.json'), 'utf8')) as { summary: Record<string, unknown>; discrepancies: Discrepancy[] };
}

const asSet = (items: ReadonlyArray<{ kind: string; ours: string | null; theirs: string | null }>): string[] => items.map((d) => `${d.kind} ${d.ours} ${d.theirs}`).sort();

/** The lines of a CSV text, header first and the rest shuffled by `seed`. */
function shuffled(text: string, seed: number): string {
  const [header, ...rows] = text.trimEnd().split('\r\n');
  const random = seeded(seed);
  for (let i = rows.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [rows[i], rows[j]] = [rows[j]!, rows[i]!];
  }
  return `${[header, ...rows].join('\r\n')}\r\n`;
}

describe('gateway mirror compare', () => {
  it('reports exactly the injected anomalies (missing either side, undervalued, mass off, reclassified; within tolerance and noise not at all)', async () => {
    const out = join(dir, 'one');
    const result = await compareMirror({ ours, theirs, out, settings: DEFAULT_MIRROR_SETTINGS });
    const { discrepancies, summary } = reported(out);
    expect(new Set(data.anomalies.map((a) => a.kind))).toEqual(new Set(['missing-theirs', 'missing-ours', 'value', 'mass', 'hs']));
    expect(asSet(discrepancies)).toEqual(asSet(data.anomalies));
    expect(summary).toMatchObject({ discrepancies: { total: data.anomalies.length }, ours: { rows: result.summary.ours.rows } });
    // Every shipment not made to miss on either side is matched, by document or by vehicle.
    const missed = new Set(data.anomalies.filter((a) => a.kind.startsWith('missing')).map((a) => (a.ours ?? a.theirs)!.slice(3)));
    expect(result.summary.matched['transport-document'] + result.summary.matched.vehicle).toBe(data.shipments - missed.size);
    expect(result.summary.matched.vehicle).toBeGreaterThan(0);
    // The CSV holds the same discrepancies as the JSON.
    const csv = readFileSync(join(out, 'discrepancies.csv'), 'utf8').trimEnd().split('\r\n');
    expect(csv[0]).toBe('kind,ours,theirs,trade,hs6,theirsHs6,date,matchedBy,oursValueFob,theirsValueFob,oursMassKg,theirsMassKg,gap,gapRelative');
    const fromCsv = csv.slice(1).map((l) => l.split(',').slice(0, 3).map((field) => field || 'null').join(' '));
    expect(fromCsv.sort()).toEqual(asSet(discrepancies));
  });

  it('the same output, byte for byte, whatever the bucketing and the order of the rows', async () => {
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    await compareMirror({ ours, theirs, out: a, settings: DEFAULT_MIRROR_SETTINGS, buckets: 1 });
    const oursShuffled = join(dir, 'ours-shuffled.csv');
    const theirsShuffled = join(dir, 'theirs-shuffled.csv');
    writeFileSync(oursShuffled, shuffled(data.ours, 7));
    writeFileSync(theirsShuffled, shuffled(data.theirs, 8));
    await compareMirror({ ours: oursShuffled, theirs: theirsShuffled, out: b, settings: DEFAULT_MIRROR_SETTINGS, buckets: 5 });
    const withoutFiles = (out: string): string => readFileSync(join(out, 'discrepancies.json'), 'utf8').replace(/"file": "[^"]*"/g, '');
    expect(asSet(reported(b).discrepancies)).toEqual(asSet(reported(a).discrepancies));
    for (const file of ['mirror-hs6.csv', 'mirror-trade.csv']) expect(readFileSync(join(b, file), 'utf8')).toBe(readFileSync(join(a, file), 'utf8'));
    // Row order within a bucket is fixed; across bucketings only the order of groups may differ.
    const again = join(dir, 'again');
    await compareMirror({ ours: oursShuffled, theirs: theirsShuffled, out: again, settings: DEFAULT_MIRROR_SETTINGS, buckets: 5 });
    expect(withoutFiles(again)).toBe(withoutFiles(b));
  });

  it('a factor of 1.0 instead of 1.06 moves only value discrepancies of CIF/FOB pairs near the threshold', async () => {
    const out = join(dir, 'factor');
    await compareMirror({ ours, theirs, out, settings: { ...DEFAULT_MIRROR_SETTINGS, cifFobFactor: 1.0 } });
    const before = asSet(data.anomalies);
    const after = asSet(reported(out).discrepancies);
    const notValue = (s: string[]): string[] => s.filter((x) => !x.startsWith('value '));
    expect(notValue(after)).toEqual(notValue(before));
    // Every pair is CIF on one side and FOB on the other, so 6 % moves many pairs past the 5 % tolerance.
    expect(after.length).toBeGreaterThan(before.length);
  });

  it.each([
    ['a bad flow', (t: string) => t.replace('\r\nKZ-00000000,M,', '\r\nKZ-00000000,Q,'), /ours-bad\.csv:2:13: flow "Q" is not X \(export\) or M \(import\)/],
    ['a date that is not in the calendar', (t: string) => t.replace(/(\r\nKZ-00000001,[XM],KZ,CN,)\d{4}-\d{2}-\d{2}/, '$12026-02-30'), /ours-bad\.csv:3:\d+: date "2026-02-30" is not a calendar date YYYY-MM-DD/],
    ['a missing column', (t: string) => t.replace(',vehicle\r\n', '\r\n'), /ours-bad\.csv:1:1: the header lacks vehicle/],
    ['a value that is no number', (t: string) => t.replace(/(\r\nKZ-00000002,[^\r]*?,)(\d+\.\d\d)(,(?:CIF|FOB),)/, '$11e5$3'), /ours-bad\.csv:4:\d+: valueUsd "1e5" is not a non-negative decimal number/],
  ])('%s is refused with GW_ERR_MIRROR_INPUT_INVALID naming file, line and column, by the command (exit 2)', (_name, spoil, message) => {
    const bad = join(dir, 'ours-bad.csv');
    writeFileSync(bad, spoil(data.ours));
    const run = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli.ts'), 'mirror', 'compare', '--ours', bad, '--theirs', theirs, '--out', join(dir, 'bad-out')], { cwd: ROOT, encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^GW_ERR_MIRROR_INPUT_INVALID: /);
    expect(run.stderr).toMatch(message);
  });

  it('the command prints the summary and writes every output; settings are checked', () => {
    const out = join(dir, 'cli');
    const printed = execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli.ts'), 'mirror', 'compare', '--ours', ours, '--theirs', theirs, '--out', out, '--value-tolerance', '0.05'], { cwd: ROOT, encoding: 'utf8' });
    expect(printed).toContain(`discrepancies ${data.anomalies.length}: `);
    const refused = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli.ts'), 'mirror', 'compare', '--ours', ours, '--theirs', theirs, '--out', out, '--factor', '0.9'], { cwd: ROOT, encoding: 'utf8' });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('GW_ERR_CONFIG_INVALID: --factor must be a number from 1 to 2, got "0.9"');
  });

  it("from records: our declaration and China's batch (mirror.batch) of the same shipment match by transport document; China's export nobody declared here is missing ours", () => {
    const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli.ts'), ...args], { cwd: ROOT, encoding: 'utf8' });
    const oursCsv = join(dir, 'ours-from-records.csv');
    const theirsCsv = join(dir, 'theirs-from-records.csv');
    expect(run('mirror', 'rows', '--records', join(RECORD_FIXTURES, 'declaration.cargo.json'), '--out', oursCsv).status).toBe(0);
    const rows = run('mirror', 'rows', '--records', join(RECORD_FIXTURES, 'mirror.batch.json'), '--out', theirsCsv);
    expect(rows.stdout).toContain('3 rows from 1 records');
    const out = join(dir, 'from-records');
    const compared = run('mirror', 'compare', '--ours', oursCsv, '--theirs', theirsCsv, '--out', out);
    expect(compared.status, compared.stderr).toBe(0);
    const { summary, discrepancies } = reported(out);
    // CMR 0457812 and cmr-0457812 are one document: the car and the tyres pair up, within tolerance after CIF/1.06.
    expect(summary).toMatchObject({ matched: { 'transport-document': 2, vehicle: 0 }, agreeing: 2 });
    expect(discrepancies.map((d) => [d.kind, d.ours, d.theirs, d.trade])).toEqual([['missing-ours', null, '651920261126000124#1', 'KZ>CN']]);
  });

  describe.skipIf(skipWithout('mirror report in a browser', { tools: ['chromium'] }))('report.html', () => {
    it('opens offline in headless Chromium without errors or requests, with its charts', async () => {
      const out = join(dir, 'report');
      await compareMirror({ ours, theirs, out, settings: DEFAULT_MIRROR_SETTINGS });
      const browser = await launchChromium();
      try {
        const page = await browser.newPage();
        const errors: string[] = [];
        const requests: string[] = [];
        page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
        page.on('pageerror', (e) => void errors.push(String(e)));
        page.on('request', (r) => void requests.push(r.url()));
        await page.goto(`file://${join(out, 'report.html')}`);
        expect(errors).toEqual([]);
        expect(requests).toEqual([`file://${join(out, 'report.html')}`]);
        expect(await page.locator('h2').allTextContents()).toEqual([
          'Value gap by HS chapter (ours − theirs, FOB USD)',
          'Largest discrepancies (USD)',
          'Monthly trend (FOB USD)',
          'By trade direction',
          'Largest HS6 gaps (all in mirror-hs6.csv)',
        ]);
        expect(await page.locator('svg[role=img] rect, svg[role=img] polyline').count()).toBeGreaterThan(20);
        // The largest discrepancy shown is the largest in the JSON (value, hs and missing kinds, in USD).
        const top = reported(out).discrepancies.filter((d) => d.kind !== 'mass').sort((x, y) => y.gap - x.gap)[0]!;
        expect(await page.locator('table').first().locator('tbody tr').first().textContent()).toContain((top.ours ?? top.theirs)!);
      } finally {
        await browser.close();
      }
    });
  });
});
