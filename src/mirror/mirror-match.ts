// Pairs the rows of one group deterministically: one transport document's rows (same HS6 first), or one vehicle's rows of one HS6 within a date window.
import type { MirrorRow } from './mirror-row.js';

/** Pairs found in a group, and the rows of each side left without a mirror. */
export interface GroupMatch {
  pairs: Array<[MirrorRow, MirrorRow]>;
  oursLeft: MirrorRow[];
  theirsLeft: MirrorRow[];
}

/** Date, then declaration id, then line: the one order every grouping uses, so a run is reproducible. */
export function byDateAndId(a: MirrorRow, b: MirrorRow): number {
  return a.day - b.day || (a.declarationId < b.declarationId ? -1 : a.declarationId > b.declarationId ? 1 : 0) || a.line - b.line;
}

/**
 * Rows sharing a transport document: each of ours takes the first of theirs with the same HS6, then the
 * rest pair in order (a pair whose HS6 differs is the `hs` discrepancy); the surplus of the larger side is left.
 */
export function matchByDocument(ours: MirrorRow[], theirs: MirrorRow[]): GroupMatch {
  const o = [...ours].sort(byDateAndId);
  const t = [...theirs].sort(byDateAndId);
  const taken = new Set<number>();
  const pairs: Array<[MirrorRow, MirrorRow]> = [];
  const oursRest: MirrorRow[] = [];
  for (const row of o) {
    const i = t.findIndex((candidate, at) => !taken.has(at) && candidate.hs6 === row.hs6);
    if (i >= 0) {
      taken.add(i);
      pairs.push([row, t[i]!]);
    } else oursRest.push(row);
  }
  const theirsRest = t.filter((_, at) => !taken.has(at));
  const n = Math.min(oursRest.length, theirsRest.length);
  for (let i = 0; i < n; i++) pairs.push([oursRest[i]!, theirsRest[i]!]);
  return { pairs, oursLeft: oursRest.slice(n), theirsLeft: theirsRest.slice(n) };
}

/**
 * Rows of one vehicle and HS6: each of ours, in date order, takes the unpaired row of theirs nearest in
 * date within `windowDays` (the earlier, then the smaller id, on a tie).
 */
export function matchByVehicle(ours: MirrorRow[], theirs: MirrorRow[], windowDays: number): GroupMatch {
  const o = [...ours].sort(byDateAndId);
  const t = [...theirs].sort(byDateAndId);
  const taken = new Set<number>();
  const pairs: Array<[MirrorRow, MirrorRow]> = [];
  const oursLeft: MirrorRow[] = [];
  for (const row of o) {
    let best = -1;
    for (let i = 0; i < t.length; i++) {
      if (taken.has(i)) continue;
      const distance = Math.abs(t[i]!.day - row.day);
      if (distance > windowDays) continue;
      if (best < 0 || distance < Math.abs(t[best]!.day - row.day)) best = i;
    }
    if (best >= 0) {
      taken.add(best);
      pairs.push([row, t[best]!]);
    } else oursLeft.push(row);
  }
  return { pairs, oursLeft, theirsLeft: t.filter((_, i) => !taken.has(i)) };
}
