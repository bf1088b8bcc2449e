// Bucket files give back every row exactly, whatever its text holds, and only the rows of their own bucket.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MirrorBuckets } from '../../src/mirror/mirror-buckets.js';
import type { MirrorRow } from '../../src/mirror/mirror-row.js';

const dir = mkdtempSync(join(tmpdir(), 'gw-mirror-buckets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const row = (declarationId: string, extra: Partial<MirrorRow> = {}): MirrorRow => ({
  declarationId,
  flow: 'M',
  reporter: 'KZ',
  partner: 'CN',
  date: '2026-03-01',
  day: 20513,
  hsCode: '8703230010',
  hs6: '870323',
  valueUsd: 12345.67,
  valuation: 'CIF',
  netMassKg: 0.1,
  supplementaryQty: null,
  supplementaryUnit: '',
  transportDocument: 'CMR1',
  vehicle: '',
  line: 7,
  ...extra,
});

describe('MirrorBuckets', () => {
  it('gives back every row exactly, tabs, line breaks and backslashes included, each from the bucket of its key', () => {
    const buckets = new MirrorBuckets(dir, 'test', 4);
    const rows = [
      row('plain'),
      row('tab\there', { supplementaryQty: 3, supplementaryUnit: 'PCE\\n' }),
      row('line\nbreak\\t\r', { valuation: 'FOB', flow: 'X' }),
      row('кириллица «42»', { valueUsd: 0.1 + 0.2, netMassKg: 1e-7 }),
    ];
    rows.forEach((r, i) => buckets.add(i % 2 === 0 ? 'ours' : 'theirs', `key-${i}`, r));
    buckets.add('ours', 'key-0', row('same key as plain'));
    buckets.flush();
    const back = { ours: [] as MirrorRow[], theirs: [] as MirrorRow[] };
    const together: string[] = [];
    for (let b = 0; b < 4; b++) {
      const ours = buckets.take('ours', b);
      back.ours.push(...ours);
      back.theirs.push(...buckets.take('theirs', b));
      if (ours.some((r) => r.declarationId === 'plain')) together.push(...ours.map((r) => r.declarationId));
    }
    expect(back.ours).toEqual(expect.arrayContaining([rows[0], rows[2], row('same key as plain')]));
    expect(back.ours).toHaveLength(3);
    expect(back.theirs).toEqual(expect.arrayContaining([rows[1], rows[3]]));
    expect(together).toEqual(expect.arrayContaining(['plain', 'same key as plain']));
    // A bucket is read once: its file is gone.
    expect([0, 1, 2, 3].flatMap((b) => buckets.take('ours', b))).toEqual([]);
  });
});
