import { describe, expect, it } from 'vitest';
import { durationBucket, histogramFrom, histogramTotal, isDurationEdge, percentile, shareWithin } from './histogram.js';

describe('duration buckets', () => {
  it('count a duration under the upper edge of its bucket', () => {
    expect([-1, 0, 0.2, 1, 15, 15.01, 30, 599, 600].map(durationBucket)).toEqual(['0', '0', '15', '15', '15', '30', '30', '600', '600']);
    expect([600.01, 601, 660, 661, 3600].map(durationBucket)).toEqual(['660', '660', '660', '720', '3600']);
    expect([3601, 3900, 3901, 14_400].map(durationBucket)).toEqual(['3900', '3900', '4200', '14400']);
    expect([14_401, 16_200, 16_201, 86_400, 86_400.1, 1e9].map(durationBucket)).toEqual(['16200', '16200', '18000', '86400', 'inf', 'inf']);
  });

  it('know their edges (targets must be one to be exact)', () => {
    expect([15, 240, 600, 660, 3600, 3900, 14_400, 16_200, 86_400].every(isDurationEdge)).toBe(true);
    expect([0, 10, 241, 630, 3630, 4000, 86_401, 1.5].some(isDurationEdge)).toBe(false);
  });
});

describe('histograms', () => {
  const h = histogramFrom({ 'w:30': 2, 'w:60': 5, 'w:120': 2, 'w:inf': 1, wn: 10, ws: 999, 'wd:3': 4, 'w:x': 3 }, 'w:');

  it('read only the bucket counters of their prefix', () => {
    expect([...h].sort((a, b) => a[0] - b[0])).toEqual([
      [30, 2],
      [60, 5],
      [120, 2],
      [Infinity, 1],
    ]);
    expect(histogramTotal(h)).toBe(10);
  });

  it('give the nearest-rank percentile as the edge of the bucket holding it', () => {
    expect(percentile(h, 0.2)).toBe(30); // rank 2
    expect(percentile(h, 0.21)).toBe(60); // rank 3
    expect(percentile(h, 0.7)).toBe(60); // rank 7
    expect(percentile(h, 0.9)).toBe(120); // rank 9
    expect(percentile(h, 0.91)).toBe(Infinity); // rank 10
    expect(percentile(h, 1)).toBe(Infinity);
    expect(percentile(new Map(), 0.9)).toBeNull();
    expect(percentile(new Map([[45, 1]]), 0.9)).toBe(45);
  });

  it('give the share within a limit', () => {
    expect(shareWithin(h, 60)).toBe(0.7);
    expect(shareWithin(h, 59)).toBe(0.2);
    expect(shareWithin(h, 86_400)).toBe(0.9);
    expect(shareWithin(new Map(), 60)).toBeNull();
  });
});
