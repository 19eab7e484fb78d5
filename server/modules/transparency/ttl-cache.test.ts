import { describe, expect, it } from 'vitest';
import { jsonBytes, TtlCache } from './ttl-cache.js';

const tick = () => new Promise((r) => setImmediate(r));
const numbers = (o: Partial<{ ttlMs: number; maxBytes: number; maxEntries: number }> = {}) =>
  new TtlCache<number>({ ttlMs: 60_000, maxBytes: 1_000_000, sizeOf: () => 8, ...o });

describe('answer cache', () => {
  it('shares one computation per key while it lasts, then computes again', async () => {
    const cache = numbers();
    let runs = 0;
    const compute = async () => ++runs;
    const [a, b] = await Promise.all([cache.get('k', compute, 0), cache.get('k', compute, 10)]);
    expect([a, b, runs]).toEqual([1, 1, 1]);
    expect(await cache.get('k', compute, 59_999)).toBe(1);
    expect(await cache.get('k', compute, 60_000)).toBe(2);
    expect(await cache.get('other', compute, 60_000)).toBe(3);
  });

  it('does not keep a failure', async () => {
    const cache = numbers();
    await expect(cache.get('k', async () => Promise.reject(new Error('boom')), 0)).rejects.toThrow('boom');
    await expect(cache.get('s', () => { throw new Error('sync'); }, 0)).rejects.toThrow('sync');
    await tick();
    expect(cache.stats.entries).toBe(0);
    expect(await cache.get('k', async () => 7, 1)).toBe(7);
  });

  it('drops expired entries on the next call, whatever keys are asked for', async () => {
    const cache = numbers({ ttlMs: 1_000 });
    for (let i = 0; i < 50; i++) await cache.get(`old-${i}`, async () => i, i);
    await tick();
    expect(cache.stats).toEqual({ entries: 50, bytes: 400 });
    // one call after they expired: only the new entry is left
    await cache.get('new', async () => 1, 1_049);
    await tick();
    expect(cache.stats).toEqual({ entries: 1, bytes: 8 });
  });

  it('stays within its bytes, dropping the oldest, and does not keep a value larger than the cap', async () => {
    const cache = new TtlCache<string>({ ttlMs: 60_000, maxBytes: 100, sizeOf: (s) => s.length });
    await cache.get('a', async () => 'a'.repeat(40), 0);
    await cache.get('b', async () => 'b'.repeat(40), 1);
    await tick();
    expect(cache.stats).toEqual({ entries: 2, bytes: 80 });
    await cache.get('c', async () => 'c'.repeat(40), 2);
    await tick();
    expect(cache.stats).toEqual({ entries: 2, bytes: 80 });
    expect(await cache.get('a', async () => 'a2', 3)).toBe('a2'); // 'a' went first
    expect(await cache.get('c', async () => 'c2', 4)).toBe('c'.repeat(40));
    await tick();
    expect(await cache.get('huge', async () => 'h'.repeat(101), 5)).toHaveLength(101);
    await tick();
    expect(await cache.get('huge', async () => 'computed again', 6)).toBe('computed again');
    expect(cache.stats.bytes).toBeLessThanOrEqual(100);
  });

  it('bounds the number of entries too, pending ones included', async () => {
    const cache = numbers({ maxEntries: 3 });
    const never = () => new Promise<number>(() => {});
    for (const k of ['a', 'b', 'c', 'd']) void cache.get(k, never, 0);
    expect(cache.stats.entries).toBe(3);
  });

  it('estimates a value’s bytes from its JSON', () => {
    expect(jsonBytes({ a: 1 })).toBe(14);
    expect(jsonBytes(undefined)).toBe(0);
  });
});
