// Synthetic mirror datasets (our declarations and China's) with a documented list of injected anomalies, for tests and the mirror benchmark.
import { mirrorCsv, type MirrorRowText as Row } from '../../src/mirror/mirror-rows.js';

/** A discrepancy the generator put in on purpose: the engine must report exactly these. */
export interface InjectedAnomaly {
  kind: 'missing-theirs' | 'missing-ours' | 'value' | 'mass' | 'hs';
  ours: string | null;
  theirs: string | null;
}

/** Both files' text and the anomalies in them. */
export interface MirrorDataset {
  ours: string;
  theirs: string;
  anomalies: InjectedAnomaly[];
  /** Shipments generated (each one row a side unless an anomaly removed one). */
  shipments: number;
}

/** A small fast deterministic generator (mulberry32). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HS = ['870323', '870324', '847130', '851712', '940360', '610910', '020230', '100199', '271019', '720839', '390110', '080810'];
const FACTOR = 1.06;

function isoDay(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

/**
 * Generates `shipments` crossings between Kazakhstan and China over 2026-01..2026-06, each declared by
 * both sides (exports FOB, imports CIF at exactly 1.06 × FOB, with noise within the default tolerances:
 * value ±2 %, mass ±1 %), 70 % with a transport document (written differently by each side), the rest
 * matched by vehicle with crossing dates up to a day apart. Every `anomalyEvery`-th shipment carries one
 * anomaly in turn: missing theirs, missing ours, undervalued (value), mass off, reclassified (hs),
 * within tolerance (no discrepancy), dates 6 days apart on a vehicle match (missing on both sides).
 */
export function mirrorDataset(shipments: number, seed = 42, anomalyEvery = 7): MirrorDataset {
  const random = seeded(seed);
  const ours: Row[] = [];
  const theirs: Row[] = [];
  const anomalies: InjectedAnomaly[] = [];
  const start = Date.UTC(2026, 0, 1) / 86_400_000;
  const kinds = ['missing-theirs', 'missing-ours', 'value', 'mass', 'hs', 'within', 'far-dates'] as const;
  for (let i = 0; i < shipments; i++) {
    const exportFromKz = random() < 0.5;
    const hs6 = HS[Math.floor(random() * HS.length)]!;
    const fob = Math.round((5_000 + random() * 95_000) * 100) / 100;
    const mass = Math.round((500 + random() * 19_500) * 10) / 10;
    const day = start + Math.floor(random() * 180);
    const anomaly = i % anomalyEvery === anomalyEvery - 1 ? kinds[Math.floor(i / anomalyEvery) % kinds.length]! : undefined;
    // A reclassification shows only on a transport document match (a vehicle match needs the same HS6); far dates only on a vehicle match.
    const withDocument = anomaly === 'hs' || (anomaly !== 'far-dates' && random() < 0.7);
    const document = withDocument ? `CMR ${100000 + i}/${i % 97}` : '';
    const vehicle = `${String(100 + (i % 900)).padStart(3, '0')} ${['AB', 'KZ', 'XJ'][i % 3]} ${String(i).padStart(6, '0')}`;
    const oursId = `KZ-${String(i).padStart(8, '0')}`;
    const theirsId = `CN-${String(i).padStart(8, '0')}`;
    // Ours: Kazakhstan reports; an export is FOB, an import CIF.
    const oursRow: Row = {
      declarationId: oursId,
      flow: exportFromKz ? 'X' : 'M',
      reporter: 'KZ',
      partner: 'CN',
      date: isoDay(day),
      hsCode: `${hs6}${String(Math.floor(random() * 100)).padStart(2, '0')}00`,
      valueUsd: (exportFromKz ? fob : fob * FACTOR).toFixed(2),
      valuation: exportFromKz ? 'FOB' : 'CIF',
      netMassKg: mass.toFixed(1),
      supplementaryQty: '',
      supplementaryUnit: '',
      transportDocument: document,
      vehicle,
    };
    const noise = (share: number): number => 1 + (random() * 2 - 1) * share;
    let theirsFob = fob * noise(0.02);
    let theirsMass = mass * noise(0.01);
    let theirsHs6 = hs6;
    let theirsDay = document ? day + Math.floor(random() * 2) : day + Math.floor(random() * 3) - 1;
    if (anomaly === 'value') theirsFob = fob * 1.3;
    if (anomaly === 'mass') theirsMass = mass * 1.1;
    if (anomaly === 'hs') theirsHs6 = HS[(HS.indexOf(hs6) + 1) % HS.length]!;
    if (anomaly === 'within') {
      theirsFob = fob * 1.04;
      theirsMass = mass * 1.015;
    }
    const farDates = anomaly === 'far-dates';
    if (farDates) theirsDay = day + 6;
    const theirsRow: Row = {
      declarationId: theirsId,
      flow: exportFromKz ? 'M' : 'X',
      reporter: 'CN',
      partner: 'KZ',
      date: isoDay(theirsDay),
      hsCode: `${theirsHs6}${String(Math.floor(random() * 10000)).padStart(4, '0')}`,
      valueUsd: (exportFromKz ? theirsFob * FACTOR : theirsFob).toFixed(2),
      valuation: exportFromKz ? 'CIF' : 'FOB',
      netMassKg: theirsMass.toFixed(1),
      supplementaryQty: String(Math.round(theirsMass)),
      supplementaryUnit: 'KGM',
      transportDocument: document.toLowerCase().replace(/ /g, '-'),
      vehicle: vehicle.replace(/ /g, ''),
    };
    if (anomaly !== 'missing-theirs') theirs.push(theirsRow);
    if (anomaly !== 'missing-ours') ours.push(oursRow);
    if (anomaly === 'missing-theirs') anomalies.push({ kind: 'missing-theirs', ours: oursId, theirs: null });
    else if (anomaly === 'missing-ours') anomalies.push({ kind: 'missing-ours', ours: null, theirs: theirsId });
    else if (farDates) anomalies.push({ kind: 'missing-theirs', ours: oursId, theirs: null }, { kind: 'missing-ours', ours: null, theirs: theirsId });
    else if (anomaly === 'value' || anomaly === 'mass' || anomaly === 'hs') anomalies.push({ kind: anomaly, ours: oursId, theirs: theirsId });
  }
  return { ours: mirrorCsv(ours), theirs: mirrorCsv(theirs), anomalies, shipments };
}
