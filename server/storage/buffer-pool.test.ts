import { describe, expect, it } from 'vitest';
import { BufferPool } from './buffer-pool.js';

describe('BufferPool', () => {
  it('hands a released buffer out again, zeroed', () => {
    const pool = new BufferPool(16, 2);
    const a = pool.take();
    a.fill(7);
    pool.release(a);
    const b = pool.take();
    expect(b).toBe(a);
    expect([...b].every((x) => x === 0)).toBe(true);
  });

  it('keeps at most `keep` buffers, never the same one twice, and ignores buffers of another size', () => {
    const pool = new BufferPool(8, 1);
    const a = pool.take();
    const b = pool.take();
    expect(b).not.toBe(a);
    pool.release(a);
    pool.release(a);
    pool.release(b);
    pool.release(Buffer.alloc(4));
    const c = pool.take();
    const d = pool.take();
    expect(c).toBe(a);
    expect(d).not.toBe(a);
    expect(d).not.toBe(b);
    expect(d.length).toBe(8);
  });
});
