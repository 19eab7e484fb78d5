import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors.js';
import type { Database } from '../../db/client.js';
import { addDays, isCalendarDay, localToday, periodDays, validateIndicatorFilter } from './indicator-filter.js';

const tenant = { id: '11111111-1111-4111-8111-111111111111', timeZone: 'Europe/Madrid' };
const P = '22222222-2222-4222-8222-222222222222';
const D = '33333333-3333-4333-8333-333333333333';
const A = '44444444-4444-4444-8444-444444444444';

/** A database that answers the existence check with `found` and counts its queries. */
function fakeDb(found: Record<string, number> = { procedure: 1, department: 1, agent: 1 }) {
  const db = { queries: 0, rows: async () => (db.queries++, [found]) };
  return db as typeof db & Database;
}

async function failure(p: Promise<unknown>): Promise<[string, unknown]> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AppError) return [e.code, (e.details?.fields as Array<{ path: string }>)?.map((f) => f.path)];
    throw e;
  }
  throw new Error('expected a failure');
}

describe('calendar days', () => {
  it('accepts real days only', () => {
    expect(['2026-01-31', '2024-02-29', '2026-12-31', '2000-01-01', '2100-12-31'].every(isCalendarDay)).toBe(true);
    // far years are refused (9999-12-31 would overflow the day arithmetic)
    expect(['1999-12-31', '2101-01-01', '9999-12-30'].some(isCalendarDay)).toBe(false);
    expect(['2026-02-29', '2026-02-30', '2026-13-01', '2026-00-10', '2026-1-1', '26-01-01', '2026-01-01T00:00', ' 2026-01-01', '1969-12-31', ''].some(isCalendarDay)).toBe(false);
  });

  it('counts and moves days without time zones', () => {
    expect(addDays('2026-03-28', 2)).toBe('2026-03-30');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(periodDays('2026-03-28', '2026-03-30')).toBe(3);
    expect(periodDays('2026-01-01', '2026-12-31')).toBe(365);
  });

  it('knows today in the town hall', () => {
    expect(localToday('Europe/Madrid', new Date('2026-06-30T22:30:00Z'))).toBe('2026-07-01');
    expect(localToday('America/New_York', new Date('2026-06-30T22:30:00Z'))).toBe('2026-06-30');
  });
});

describe('validateIndicatorFilter', () => {
  const now = new Date('2026-11-24T23:30:00Z'); // already the 25th in Madrid

  it('defaults to the last 30 local days, or 30 days around a given end', async () => {
    expect(await validateIndicatorFilter(fakeDb(), tenant, {}, { now })).toEqual({ from: '2026-10-27', to: '2026-11-25' });
    expect(await validateIndicatorFilter(fakeDb(), tenant, { to: '2026-03-31' }, { now })).toEqual({ from: '2026-03-02', to: '2026-03-31' });
    expect(await validateIndicatorFilter(fakeDb(), tenant, { to: '2026-03-31' }, { now, defaultDays: 7 })).toEqual({ from: '2026-03-25', to: '2026-03-31' });
    expect(await validateIndicatorFilter(fakeDb(), tenant, { from: '2026-11-01', to: '', channel: ' ' }, { now })).toEqual({ from: '2026-11-01', to: '2026-11-25' });
  });

  it('refuses periods that are not real, reversed or too long', async () => {
    const db = fakeDb();
    expect(await failure(validateIndicatorFilter(db, tenant, { from: '2026-02-30' }))).toEqual(['period_invalid', ['from']]);
    expect(await failure(validateIndicatorFilter(db, tenant, { to: 'yesterday' }))).toEqual(['period_invalid', ['to']]);
    expect(await failure(validateIndicatorFilter(db, tenant, { from: '2026-06-02', to: '2026-06-01' }))).toEqual(['period_invalid', ['from']]);
    expect(await failure(validateIndicatorFilter(db, tenant, { from: '2026-12-01' }, { now }))).toEqual(['period_invalid', ['from']]);
    expect(await failure(validateIndicatorFilter(db, tenant, { from: '2025-01-01', to: '2026-02-05' }))).toEqual(['period_too_long', ['to']]);
    expect(await validateIndicatorFilter(db, tenant, { from: '2025-01-01', to: '2026-02-04' })).toEqual({ from: '2025-01-01', to: '2026-02-04' });
    expect(await failure(validateIndicatorFilter(db, tenant, { from: ['2026-01-01'] }))).toEqual(['validation_failed', ['from']]);
    expect(await failure(validateIndicatorFilter(db, tenant, { from: 'x'.repeat(100) }))).toEqual(['validation_failed', ['from']]);
    expect(db.queries).toBe(0);
  });

  it('checks the channel and whether an agent filter is allowed', async () => {
    const db = fakeDb();
    expect(await validateIndicatorFilter(db, tenant, { from: '2026-01-01', to: '2026-01-02', channel: 'callback' })).toMatchObject({ channel: 'callback' });
    expect(await failure(validateIndicatorFilter(db, tenant, { channel: 'in_person' }))).toEqual(['validation_failed', ['channel']]);
    expect(await failure(validateIndicatorFilter(db, tenant, { agent: A }, { allowAgent: false }))).toEqual(['validation_failed', ['agent']]);
    expect(db.queries).toBe(0);
  });

  it('refuses ids that are not uuids before any query, and ids the tenant does not have', async () => {
    const db = fakeDb({ procedure: 1, department: 0, agent: 1 });
    expect(await failure(validateIndicatorFilter(db, tenant, { procedure: "1' OR '1'='1" }))).toEqual(['filter_unknown', ['procedure']]);
    expect(await failure(validateIndicatorFilter(db, tenant, { agent: 'abc' }))).toEqual(['filter_unknown', ['agent']]);
    expect(db.queries).toBe(0);
    expect(await failure(validateIndicatorFilter(db, tenant, { procedure: P, department: D }))).toEqual(['filter_unknown', ['department']]);
    expect(db.queries).toBe(1);
    const ok = await validateIndicatorFilter(fakeDb(), tenant, { from: '2026-01-01', to: '2026-01-31', procedure: P.toUpperCase(), department: D, agent: A });
    expect(ok).toEqual({ from: '2026-01-01', to: '2026-01-31', procedureId: P, departmentId: D, agentId: A });
  });
});
