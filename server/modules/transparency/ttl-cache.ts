/**
 * A small in-process cache of computed answers: each key keeps its (pending
 * or settled) promise for `ttlMs`, so concurrent requests for the same answer
 * share one computation. A failed computation is not kept.
 *
 * Bounded whatever the keys asked for: expired entries go on every call (the
 * entries are kept in insertion order, so the expired ones are at the front);
 * a settled value counts its `sizeOf` bytes, and while the total passes
 * `maxBytes` the oldest entries go (a value larger than the cap is not kept);
 * `maxEntries` bounds pending computations too.
 */
export type CacheLimits<V> = {
  ttlMs: number;
  /** The most bytes (as `sizeOf` estimates them) the settled values may hold together. */
  maxBytes: number;
  sizeOf: (value: V) => number;
  maxEntries?: number;
};

type Entry<V> = { at: number; bytes: number; value: Promise<V> };

/** About how many bytes a value takes in memory: its JSON text, two bytes a character. */
export function jsonBytes(value: unknown): number {
  return 2 * (JSON.stringify(value)?.length ?? 0);
}

export class TtlCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private bytes = 0;
  private readonly maxEntries: number;

  constructor(private readonly limits: CacheLimits<V>) {
    this.maxEntries = limits.maxEntries ?? 10_000;
  }

  /** How many entries and bytes the cache holds now. */
  get stats(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  get(key: string, compute: () => Promise<V>, now = Date.now()): Promise<V> {
    this.purgeExpired(now);
    const hit = this.entries.get(key);
    if (hit && now - hit.at < this.limits.ttlMs) return hit.value;
    if (hit) this.remove(key, hit);
    while (this.entries.size >= this.maxEntries) this.removeOldest();

    let value: Promise<V>;
    try {
      value = compute();
    } catch (e) {
      return Promise.reject(e);
    }
    const entry: Entry<V> = { at: now, bytes: 0, value };
    this.entries.set(key, entry);
    value.then(
      (v) => {
        if (this.entries.get(key) !== entry) return;
        entry.bytes = Math.max(0, this.limits.sizeOf(v));
        this.bytes += entry.bytes;
        if (entry.bytes > this.limits.maxBytes) this.remove(key, entry);
        while (this.bytes > this.limits.maxBytes && this.entries.size > 0) this.removeOldest();
      },
      () => {
        if (this.entries.get(key) === entry) this.remove(key, entry);
      },
    );
    return value;
  }

  private purgeExpired(now: number) {
    for (const [key, entry] of this.entries) {
      if (now - entry.at < this.limits.ttlMs) break;
      this.remove(key, entry);
    }
  }

  private removeOldest() {
    const first = this.entries.entries().next();
    if (!first.done) this.remove(first.value[0], first.value[1]);
  }

  private remove(key: string, entry: Entry<V>) {
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }
}
