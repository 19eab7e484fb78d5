/**
 * Duration histograms of the indicators. A duration in seconds falls in the
 * bucket (lo, hi] and is counted under `hi`, its upper edge: 15-s steps up to
 * 10 min, 1-min steps to 1 h, 5-min steps to 4 h, 30-min steps to 24 h, then
 * `inf`. The database computes the same buckets (`fin_duration_bucket` in
 * migration 0007; a test holds the two together). A percentile is therefore
 * exact to its bucket: the reported value is the upper edge of the bucket
 * that holds the nearest-rank percentile, and "within X" is exact when X is
 * an edge (targets are validated to be edges).
 */
export const DURATION_STEPS: readonly { upTo: number; step: number }[] = [
  { upTo: 600, step: 15 },
  { upTo: 3600, step: 60 },
  { upTo: 14_400, step: 300 },
  { upTo: 86_400, step: 1800 },
];

/** The bucket key of a duration: its upper edge in seconds, '0', or 'inf'. */
export function durationBucket(seconds: number): string {
  if (seconds <= 0) return '0';
  for (const { upTo, step } of DURATION_STEPS) {
    if (seconds <= upTo) return String(Math.ceil(seconds / step) * step);
  }
  return 'inf';
}

/** True when `seconds` is a bucket edge, so "within `seconds`" can be answered exactly. */
export function isDurationEdge(seconds: number): boolean {
  return Number.isInteger(seconds) && seconds > 0 && seconds <= 86_400 && durationBucket(seconds) === String(seconds);
}

/** A histogram as counts by numeric upper edge (`inf` = Infinity). */
export type Histogram = Map<number, number>;

/** Reads `<prefix><edge>` counters (e.g. `w:120`) into a histogram. */
export function histogramFrom(counts: Record<string, number>, prefix: string): Histogram {
  const h: Histogram = new Map();
  for (const [k, v] of Object.entries(counts)) {
    if (!k.startsWith(prefix) || !v) continue;
    const edge = k.slice(prefix.length);
    const n = edge === 'inf' ? Infinity : Number(edge);
    if (Number.isNaN(n)) continue;
    h.set(n, (h.get(n) ?? 0) + v);
  }
  return h;
}

export function histogramTotal(h: Histogram): number {
  let n = 0;
  for (const v of h.values()) n += v;
  return n;
}

/**
 * Nearest-rank percentile (q in (0,1]): the upper edge of the bucket holding
 * the ⌈q·n⌉-th smallest value; null for an empty histogram.
 */
export function percentile(h: Histogram, q: number): number | null {
  const n = histogramTotal(h);
  if (n === 0) return null;
  const rank = Math.max(1, Math.ceil(q * n));
  let seen = 0;
  for (const edge of [...h.keys()].sort((a, b) => a - b)) {
    seen += h.get(edge)!;
    if (seen >= rank) return edge;
  }
  return Infinity;
}

/** The share (0–1) of values ≤ `limit`; null for an empty histogram. */
export function shareWithin(h: Histogram, limit: number): number | null {
  const n = histogramTotal(h);
  if (n === 0) return null;
  let within = 0;
  for (const [edge, v] of h) if (edge <= limit) within += v;
  return within / n;
}
