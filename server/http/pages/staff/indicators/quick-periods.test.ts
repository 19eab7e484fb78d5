import { describe, expect, it } from 'vitest';
import { quickPeriod } from './quick-periods.js';

describe('quick periods', () => {
  // 00:30 on 1 March in Madrid is still 28 February in UTC
  const now = new Date('2024-02-29T23:30:00Z');
  const zone = 'Europe/Madrid';

  it('counts days in the tenant zone, today included', () => {
    expect(quickPeriod('today', zone, now)).toEqual({ from: '2024-03-01', to: '2024-03-01' });
    expect(quickPeriod('last7', zone, now)).toEqual({ from: '2024-02-24', to: '2024-03-01' });
    expect(quickPeriod('last30', zone, now)).toEqual({ from: '2024-02-01', to: '2024-03-01' });
  });

  it('knows months and years, leap February included', () => {
    expect(quickPeriod('this_month', zone, now)).toEqual({ from: '2024-03-01', to: '2024-03-01' });
    expect(quickPeriod('previous_month', zone, now)).toEqual({ from: '2024-02-01', to: '2024-02-29' });
    expect(quickPeriod('this_year', zone, now)).toEqual({ from: '2024-01-01', to: '2024-03-01' });
    expect(quickPeriod('previous_month', zone, new Date('2025-01-15T12:00:00Z'))).toEqual({ from: '2024-12-01', to: '2024-12-31' });
  });
});
