import { describe, expect, it } from 'vitest';
import { formatRegisterCode } from './register-code.js';

describe('formatRegisterCode', () => {
  it('pads the number to six digits after the prefix and the year', () => {
    expect(formatRegisterCode(2026, 1)).toBe('E/2026/000001');
    expect(formatRegisterCode(2026, 123)).toBe('E/2026/000123');
    expect(formatRegisterCode(2027, 999_999)).toBe('E/2027/999999');
  });

  it('grows past 999999 instead of cutting digits', () => {
    expect(formatRegisterCode(2026, 1_000_000)).toBe('E/2026/1000000');
    expect(formatRegisterCode(2026, 12_345_678)).toBe('E/2026/12345678');
  });

  it('refuses numbers below 1, fractions and years that are not four digits', () => {
    for (const n of [0, -1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1]) expect(() => formatRegisterCode(2026, n)).toThrow(RangeError);
    for (const y of [999, 10_000, 2026.5]) expect(() => formatRegisterCode(y, 1)).toThrow(RangeError);
  });
});
