import { describe, expect, it } from 'vitest';
import { estimateWaitMinutes } from './queue-estimate.js';

describe('estimated wait', () => {
  it('grows with the position and shrinks with the agents on duty', () => {
    const first = estimateWaitMinutes(1, 2, 600);
    const fifth = estimateWaitMinutes(5, 2, 600);
    expect(fifth).toBeGreaterThan(first);
    expect(estimateWaitMinutes(5, 4, 600)).toBeLessThan(fifth);
  });
  it('is never zero and uses a default without history', () => {
    expect(estimateWaitMinutes(1, 5, 30)).toBe(1);
    expect(estimateWaitMinutes(1, 0, null)).toBe(15);
  });
});
