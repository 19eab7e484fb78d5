import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../shared/errors.js';
import { addMonths, checkReportMonth, currentMonth, monthDays, monthProblem, onDemandMonths, reportPeriod, comparisonPeriod } from './report-month.js';

describe('report months', () => {
  it('moves across years and knows the length of each month', () => {
    expect(addMonths('2026-01', -1)).toBe('2025-12');
    expect(addMonths('2025-12', 1)).toBe('2026-01');
    expect(addMonths('2026-03', -24)).toBe('2024-03');
    expect(monthDays('2024-02')).toEqual({ from: '2024-02-01', to: '2024-02-29' });
    expect(monthDays('2026-02')).toEqual({ from: '2026-02-01', to: '2026-02-28' });
    expect(monthDays('2026-12')).toEqual({ from: '2026-12-01', to: '2026-12-31' });
  });

  it('takes the month in the tenant zone: 23:30 UTC on 30 November is already December in Madrid', () => {
    const now = new Date('2026-11-30T23:30:00Z');
    expect(currentMonth('Europe/Madrid', now)).toBe('2026-12');
    expect(currentMonth('America/New_York', now)).toBe('2026-11');
    const months = onDemandMonths('Europe/Madrid', now);
    expect(months).toHaveLength(24);
    expect(months[0]).toBe('2026-12');
    expect(months[23]).toBe('2025-01');
  });

  it('covers the month in course up to today only', () => {
    expect(reportPeriod('2026-11', '2026-11-15')).toEqual({ from: '2026-11-01', to: '2026-11-15', partial: true });
    expect(reportPeriod('2026-10', '2026-11-15')).toEqual({ from: '2026-10-01', to: '2026-10-31', partial: false });
    expect(reportPeriod('2026-11', '2026-11-30')).toEqual({ from: '2026-11-01', to: '2026-11-30', partial: false });
    // a month in progress is compared with the same days of the previous month
    expect(comparisonPeriod('2026-11', { to: '2026-11-15', partial: true })).toEqual({ from: '2026-10-01', to: '2026-10-15' });
    expect(comparisonPeriod('2026-03', { to: '2026-03-30', partial: true })).toEqual({ from: '2026-02-01', to: '2026-02-28' });
    expect(comparisonPeriod('2026-11', { to: '2026-11-30', partial: false })).toEqual({ from: '2026-10-01', to: '2026-10-31' });
  });

  it('names what is wrong with a month asked for', () => {
    const now = new Date('2026-11-15T10:00:00Z');
    const problem = (v: unknown) => monthProblem(v, 'Europe/Madrid', now);
    expect(problem('2026-11')).toBeUndefined();
    expect(problem('2024-12')).toBeUndefined();
    expect(problem('2024-11')).toBe('month_too_old');
    expect(problem('2026-12')).toBe('month_future');
    for (const bad of ['2026-13', '2026-00', '26-11', '2026-1', '2026-11-01', '', null, 202611, ['2026-11'], '1999-12']) expect(problem(bad)).toBe('month_malformed');
    try {
      checkReportMonth('2027-01', 'Europe/Madrid', now);
      throw new Error('accepted');
    } catch (e) {
      expect(isAppError(e) && e.code).toBe('period_invalid');
      expect(isAppError(e) && e.details).toEqual({ fields: [{ path: 'month', code: 'month_future' }] });
    }
  });
});
