// Throughput measurement for benchmarks: interleaved rounds of fixed duration, median operations per second.

/** A named operation to measure; may be async. */
export interface Subject {
  name: string;
  run: () => unknown;
}

/** Median of the per-round ratios a/b: robust against drift, since both figures of a round saw the same machine. */
export function medianRatio(a: Measurement, b: Measurement): number {
  return median(a.rounds.map((x, i) => x / (b.rounds[i] ?? Number.NaN)));
}

/** Median throughput of one subject, with the per-round figures. */
export interface Measurement {
  name: string;
  opsPerSecond: number;
  rounds: number[];
}

async function timeRound(subject: Subject, durationMs: number): Promise<number> {
  let ops = 0;
  const start = performance.now();
  let now = start;
  while (now - start < durationMs) {
    for (let i = 0; i < 20; i++) {
      const result = subject.run();
      if (result instanceof Promise) await result;
    }
    ops += 20;
    now = performance.now();
  }
  return (ops * 1000) / (now - start);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/**
 * Measures subjects in interleaved rounds (A B C A B C …) so drift on a shared machine hits all
 * of them alike; each round runs for `roundMs` after one warm-up round.
 */
export async function measure(subjects: Subject[], rounds = 7, roundMs = 1000): Promise<Measurement[]> {
  for (const s of subjects) await timeRound(s, Math.min(roundMs, 500));
  const results = new Map<string, number[]>(subjects.map((s) => [s.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const s of subjects) results.get(s.name)?.push(await timeRound(s, roundMs));
  }
  return subjects.map((s) => {
    const figures = results.get(s.name) ?? [];
    return { name: s.name, opsPerSecond: median(figures), rounds: figures };
  });
}
