/**
 * Small, dependency-free statistics for benchmark scripts. Generic: samples are plain numbers
 * (milliseconds, bytes, anything), and nothing here knows what was measured.
 */

export interface Summary {
  readonly n: number;
  readonly min: number;
  readonly p10: number;
  readonly median: number;
  readonly p90: number;
  readonly max: number;
  readonly mean: number;
}

/**
 * The p-th percentile (0..100) by linear interpolation between closest ranks (the "R-7" method
 * spreadsheets use). Throws on an empty sample: a benchmark with no runs has no answer.
 */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new RangeError("percentile of an empty sample");
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0..100, got ${p}`);
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  const lowValue = sorted[low] as number;
  const highValue = sorted[high] as number;
  return lowValue + (highValue - lowValue) * (rank - low);
}

export function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}

export function mean(samples: readonly number[]): number {
  if (samples.length === 0) throw new RangeError("mean of an empty sample");
  return samples.reduce((sum, value) => sum + value, 0) / samples.length;
}

export function summarize(samples: readonly number[]): Summary {
  return {
    n: samples.length,
    min: Math.min(...samples),
    p10: percentile(samples, 10),
    median: median(samples),
    p90: percentile(samples, 90),
    max: Math.max(...samples),
    mean: mean(samples),
  };
}

/** `label  median 123.4 ms  (p10 110.0, p90 140.2, n 15)`, for aligned benchmark output. */
export function formatSummary(label: string, summary: Summary, unit = "ms"): string {
  const f = (value: number): string => value.toFixed(1);
  return `${label.padEnd(28)} median ${f(summary.median).padStart(7)} ${unit}  (p10 ${f(summary.p10)}, p90 ${f(summary.p90)}, min ${f(summary.min)}, n ${summary.n})`;
}
