import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../shared/errors.js';
import {
  isSettled,
  last12Months,
  lastSettledMonth,
  lastWholeMonth,
  monthChoices,
  monthsOf,
  parseMonthChoice,
  parseOpenDataRange,
  parsePublicPeriod,
  publicationDay,
} from './public-period.js';

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
  // 15 April 22:00 UTC is already 16 April in Madrid (summer time): March is settled there, not yet in the Canaries (23:00 on the 15th)
  const settledInMadrid = new Date('2025-04-15T22:00:00Z');
  const justBefore = new Date('2025-04-15T21:59:59Z');

  it('counts whole months in the town hall’s zone', () => {
    const now = new Date('2025-03-31T22:30:00Z'); // 1 April in Madrid, still 31 March in UTC
    expect(lastWholeMonth('Europe/Madrid', now)).toBe('2025-03');
    expect(lastWholeMonth('UTC', now)).toBe('2025-02');
    expect(lastWholeMonth('Europe/Madrid', new Date('2025-01-15T12:00:00Z'))).toBe('2024-12');
  });

  it('publishes a month 15 days after it ended, in each town hall’s own zone', () => {
    expect(publicationDay('2025-03')).toBe('2025-04-16');
    expect(publicationDay('2024-12')).toBe('2025-01-16');
    expect(lastSettledMonth('Europe/Madrid', justBefore)).toBe('2025-02');
    expect(lastSettledMonth('Europe/Madrid', settledInMadrid)).toBe('2025-03');
    expect(lastSettledMonth('Atlantic/Canary', settledInMadrid)).toBe('2025-02');
    expect(isSettled('2025-03', 'Europe/Madrid', settledInMadrid)).toBe(true);
    expect(isSettled('2025-03', 'Atlantic/Canary', settledInMadrid)).toBe(false);
    expect(isSettled('2025-03', 'Atlantic/Canary', new Date('2025-04-15T23:00:00Z'))).toBe(true);
    // finished but not settled: early in the next month
    expect(lastSettledMonth('Europe/Madrid', new Date('2025-04-05T10:00:00Z'))).toBe('2025-02');
    expect(lastSettledMonth('Europe/Madrid', new Date('2025-01-20T10:00:00Z'))).toBe('2024-12');
  });

  it('the last 12 months end with the last settled month', () => {
    const p = last12Months('Europe/Madrid', settledInMadrid);
    expect(p).toMatchObject({ kind: 'last12', from: '2024-04-01', to: '2025-03-31' });
    expect(p.months).toHaveLength(12);
    expect(p.months[0]).toBe('2024-04');
    expect(last12Months('Europe/Madrid', justBefore).months[11]).toBe('2025-02');
  });

  it('takes a settled month or the last 12 months, and nothing else', () => {
    expect(parsePublicPeriod(undefined, 'Europe/Madrid', settledInMadrid).kind).toBe('last12');
    expect(parsePublicPeriod('last12', 'Europe/Madrid', settledInMadrid).kind).toBe('last12');
    expect(parsePublicPeriod('2024-02', 'Europe/Madrid', settledInMadrid)).toEqual({ kind: 'month', from: '2024-02-01', to: '2024-02-29', months: ['2024-02'] });
    expect(parsePublicPeriod('2025-03', 'Europe/Madrid', settledInMadrid).months).toEqual(['2025-03']);
    for (const bad of ['2025-04', '2024-13', '2024-2', '1969-12', 'last13', ['2024-01']]) {
      expect(codeOf(() => parsePublicPeriod(bad, 'Europe/Madrid', settledInMadrid))?.[0]).toBe('period_invalid');
    }
    // finished, not settled: said so, with the day it will be published
    expect(codeOf(() => parsePublicPeriod('2025-03', 'Atlantic/Canary', settledInMadrid))).toEqual([
      'period_invalid',
      { fields: [{ path: 'period', code: 'period_invalid' }], reason: 'not_yet_published', month: '2025-03', publishedOn: '2025-04-16', latestMonth: '2025-02' },
    ]);
  });

  it('bounds the open-data days: real days, in settled months, 366 at most', () => {
    expect(parseOpenDataRange({}, 'Europe/Madrid', settledInMadrid)).toEqual({ from: '2025-03-01', to: '2025-03-31' });
    expect(parseOpenDataRange({}, 'Europe/Madrid', justBefore)).toEqual({ from: '2025-02-01', to: '2025-02-28' });
    expect(parseOpenDataRange({ from: '2024-03-31', to: '2025-03-31' }, 'Europe/Madrid', settledInMadrid)).toEqual({ from: '2024-03-31', to: '2025-03-31' });
    expect(parseOpenDataRange({ to: '2025-02-10' }, 'Europe/Madrid', settledInMadrid)).toEqual({ from: '2025-02-01', to: '2025-02-10' });
    expect(codeOf(() => parseOpenDataRange({ from: '2024-03-30', to: '2025-03-31' }, 'Europe/Madrid', settledInMadrid))).toEqual([
      'period_too_long',
      { fields: [{ path: 'to', code: 'period_too_long' }], maxDays: 366 },
    ]);
    expect(codeOf(() => parseOpenDataRange({ to: '2025-04-01' }, 'Europe/Madrid', settledInMadrid))?.[1]).toMatchObject({
      reason: 'not_yet_published',
      lastPublishedDay: '2025-03-31',
      publishedOn: '2025-05-16',
    });
    expect(codeOf(() => parseOpenDataRange({ to: '2025-03-10' }, 'Europe/Madrid', justBefore))?.[1]).toMatchObject({ reason: 'not_yet_published', lastPublishedDay: '2025-02-28' });
    expect(codeOf(() => parseOpenDataRange({ from: '2025-02-29' }, 'Europe/Madrid', settledInMadrid))?.[0]).toBe('period_invalid');
    expect(codeOf(() => parseOpenDataRange({ from: '2025-03-02', to: '2025-03-01' }, 'Europe/Madrid', settledInMadrid))?.[0]).toBe('period_invalid');
  });

  it('lets the operator choose any finished month, the last settled one by default', () => {
    const early = new Date('2025-04-05T10:00:00Z');
    expect(parseMonthChoice(undefined, 'Europe/Madrid', early)).toBe('2025-02');
    expect(parseMonthChoice('2025-03', 'Europe/Madrid', early)).toBe('2025-03');
    expect(codeOf(() => parseMonthChoice('2025-04', 'Europe/Madrid', early))?.[1]).toMatchObject({ reason: 'not_yet_published', publishedOn: '2025-05-16' });
    expect(codeOf(() => parseMonthChoice('last12', 'Europe/Madrid', early))?.[0]).toBe('period_invalid');
  });

  it('lists months for the choosers and the months a range touches', () => {
    expect(monthChoices('2025-03', 3)).toEqual(['2025-03', '2025-02', '2025-01']);
    expect(monthChoices('2025-03', 2, '2020-05')).toEqual(['2025-03', '2025-02', '2020-05']);
    expect(monthChoices('2025-03', 2, '2025-04')).toEqual(['2025-03', '2025-02']);
    expect(monthsOf('2024-11-20', '2025-02-01')).toEqual(['2024-11', '2024-12', '2025-01', '2025-02']);
  });
});
