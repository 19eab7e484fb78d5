import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../shared/errors.js';
import { last12Months, lastWholeMonth, monthChoices, monthsOf, parseMonthChoice, parseOpenDataRange, parsePublicPeriod } from './public-period.js';

const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (isAppError(e)) return [e.code, e.details];
    throw e;
  }
  return undefined;
};

describe('public periods', () => {
  // 31 March 22:30 UTC is already 1 April in Madrid (summer time): March is over there, not in UTC
  const now = new Date('2025-03-31T22:30:00Z');

  it('counts whole months in the town hall’s zone', () => {
    expect(lastWholeMonth('Europe/Madrid', now)).toBe('2025-03');
    expect(lastWholeMonth('UTC', now)).toBe('2025-02');
    expect(lastWholeMonth('Europe/Madrid', new Date('2025-01-15T12:00:00Z'))).toBe('2024-12');
  });

  it('the last 12 months end with the last whole month', () => {
    const p = last12Months('Europe/Madrid', now);
    expect(p).toMatchObject({ kind: 'last12', from: '2024-04-01', to: '2025-03-31' });
    expect(p.months).toHaveLength(12);
    expect(p.months[0]).toBe('2024-04');
  });

  it('takes a finished month or the last 12 months, and nothing else', () => {
    expect(parsePublicPeriod(undefined, 'Europe/Madrid', now).kind).toBe('last12');
    expect(parsePublicPeriod('last12', 'Europe/Madrid', now).kind).toBe('last12');
    expect(parsePublicPeriod('2024-02', 'Europe/Madrid', now)).toEqual({ kind: 'month', from: '2024-02-01', to: '2024-02-29', months: ['2024-02'] });
    for (const bad of ['2025-04', '2024-13', '2024-2', '1969-12', 'last13', ['2024-01']]) {
      expect(codeOf(() => parsePublicPeriod(bad, 'Europe/Madrid', now))?.[0]).toBe('period_invalid');
    }
    expect(parseMonthChoice(undefined, 'Europe/Madrid', now)).toBe('2025-03');
    expect(codeOf(() => parseMonthChoice('last12', 'Europe/Madrid', now))?.[0]).toBe('period_invalid');
  });

  it('bounds the open-data days: real days, in finished months, 366 at most', () => {
    expect(parseOpenDataRange({}, 'Europe/Madrid', now)).toEqual({ from: '2025-03-01', to: '2025-03-31' });
    expect(parseOpenDataRange({ from: '2024-03-31', to: '2025-03-31' }, 'Europe/Madrid', now)).toEqual({ from: '2024-03-31', to: '2025-03-31' });
    expect(parseOpenDataRange({ to: '2025-02-10' }, 'Europe/Madrid', now)).toEqual({ from: '2025-02-01', to: '2025-02-10' });
    expect(codeOf(() => parseOpenDataRange({ from: '2024-03-30', to: '2025-03-31' }, 'Europe/Madrid', now))).toEqual(['period_too_long', { fields: [{ path: 'to', code: 'period_too_long' }], maxDays: 366 }]);
    expect(codeOf(() => parseOpenDataRange({ to: '2025-04-01' }, 'Europe/Madrid', now))?.[1]).toMatchObject({ lastPublishedDay: '2025-03-31' });
    expect(codeOf(() => parseOpenDataRange({ from: '2025-02-29' }, 'Europe/Madrid', now))?.[0]).toBe('period_invalid');
    expect(codeOf(() => parseOpenDataRange({ from: '2025-03-02', to: '2025-03-01' }, 'Europe/Madrid', now))?.[0]).toBe('period_invalid');
  });

  it('lists months for the choosers and the months a range touches', () => {
    expect(monthChoices('Europe/Madrid', 3, undefined, now)).toEqual(['2025-03', '2025-02', '2025-01']);
    expect(monthChoices('Europe/Madrid', 2, '2020-05', now)).toEqual(['2025-03', '2025-02', '2020-05']);
    expect(monthsOf('2024-11-20', '2025-02-01')).toEqual(['2024-11', '2024-12', '2025-01', '2025-02']);
  });
});
