import { describe, expect, it } from 'vitest';
import { TtlCache } from './ttl-cache.js';

describe('answer cache', () => {
  it('shares one computation per key while it lasts, then computes again', async () => {
    const cache = new TtlCache<number>(60_000);
    let runs = 0;
    const compute = async () => ++runs;
    const [a, b] = await Promise.all([cache.get('k', compute, 0), cache.get('k', compute, 10)]);
    expect([a, b, runs]).toEqual([1, 1, 1]);
    expect(await cache.get('k', compute, 59_999)).toBe(1);
    expect(await cache.get('k', compute, 60_000)).toBe(2);
    expect(await cache.get('other', compute, 60_000)).toBe(3);
  });

  it('does not keep a failure', async () => {
    const cache = new TtlCache<number>(60_000);
    await expect(cache.get('k', async () => Promise.reject(new Error('boom')), 0)).rejects.toThrow('boom');
    await new Promise((r) => setImmediate(r));
    expect(await cache.get('k', async () => 7, 1)).toBe(7);
  });

  it('stays within its size, dropping the oldest', async () => {
    const cache = new TtlCache<string>(60_000, 2);
    await cache.get('a', async () => 'a1', 0);
    await cache.get('b', async () => 'b1', 1);
    await cache.get('c', async () => 'c1', 2);
    expect(await cache.get('a', async () => 'a2', 3)).toBe('a2');
    expect(await cache.get('c', async () => 'c2', 4)).toBe('c1');
  });
});
