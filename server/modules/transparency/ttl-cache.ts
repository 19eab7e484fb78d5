/**
 * A small in-process cache of computed answers: each key keeps its (pending
 * or settled) promise for `ttlMs`, so concurrent requests for the same answer
 * share one computation. A failed computation is not kept. Bounded: when full,
 * expired entries go first, then the oldest.
 */
export class TtlCache<V> {
  private entries = new Map<string, { at: number; value: Promise<V> }>();
  constructor(
    private readonly ttlMs = 60_000,
    private readonly maxEntries = 5_000,
  ) {}

  get(key: string, compute: () => Promise<V>, now = Date.now()): Promise<V> {
    const hit = this.entries.get(key);
    if (hit && now - hit.at < this.ttlMs) return hit.value;
    if (hit) this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) this.evict(now);
    const value = compute();
    this.entries.set(key, { at: now, value });
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    return value;
  }

  private evict(now: number) {
    for (const [k, e] of this.entries) if (now - e.at >= this.ttlMs) this.entries.delete(k);
    // Maps iterate in insertion order: the first keys are the oldest
    for (const k of this.entries.keys()) {
      if (this.entries.size < this.maxEntries) break;
      this.entries.delete(k);
    }
  }
}
