import { describe, expect, it } from 'vitest';
import type { TenantSettings } from '../../db/schema.js';
import { addCounters, type Counters } from './counters.js';
import { buildIndicators } from './compute-indicators.js';

type Row = { procedureId: string; channel: string; counts: Counters };
const procedureNames = new Map([['p1', { ca: 'Padró', en: 'Census' }]]);

/** The inputs as the database reads them from rollup rows: counters per channel, attentions per procedure. */
function inputsOf(rows: Row[]) {
  const channels = new Map<string, Counters>();
  const procedures = new Map<string, number>();
  for (const r of rows) {
    channels.set(r.channel, addCounters(channels.get(r.channel) ?? {}, r.counts));
    procedures.set(r.procedureId, (procedures.get(r.procedureId) ?? 0) + (r.counts.n ?? 0));
  }
  return {
    channels: [...channels].map(([channel, counts]) => ({ channel, counts })),
    procedures: [...procedures].map(([id, count]) => ({ id, count, name: procedureNames.get(id) ?? null })),
    typologyNames: new Map([['t1', { ca: 'Informació' }]]),
  };
}

const build = (rows: Row[], settings: Partial<TenantSettings> = {}) =>
  buildIndicators({ timeZone: 'Europe/Madrid', settings: { cancelCutoffMinutes: 60, ...settings } }, { from: '2026-06-29', to: '2026-07-02' }, 'en', { ...inputsOf(rows), daily: [] });

describe('buildIndicators', () => {
  it('has zeros and nulls without data, and every day of the period', () => {
    const ind = build([]);
    expect(ind.totals).toEqual({ attentions: 0, closed: 0, noShow: 0, notReached: 0, abandoned: 0, appointments: 0 });
    expect(ind.volume.byDay.map((d) => d.day)).toEqual(['2026-06-29', '2026-06-30', '2026-07-01', '2026-07-02']);
    expect(ind.volume.byOutcome.map((o) => o.count)).toEqual([0, 0, 0, 0]);
    expect(ind.waiting).toEqual({ count: 0, averageSeconds: null, p90Seconds: null });
    expect(ind.rates).toEqual({ noShow: null, callbacksNotReached: 0, callbacksNotReachedRate: null, missingDocuments: 0, firstContactResolution: null });
    expect(ind.firstFree).toEqual({ samples: 0, averageWorkingDays: null, p90WorkingDays: null, none: 0 });
    expect(ind.satisfaction.likedAverage).toBeNull();
    expect(ind.targets.map((t) => [t.id, t.measured, t.share, t.met])).toEqual([
      ['callback-4min', 0, null, null],
      ['appointment-5days', 0, null, null],
    ]);
  });

  it('adds procedure and channel rows, labels in the language (falling back), p90 beyond 24 h as 24 h', () => {
    const ind = build([
      { procedureId: 'p1', channel: 'callback', counts: { n: 2, 'st:not_reached': 1, 'st:closed': 1, 'ty:t1': 1, 'w:30': 1, 'w:inf': 1, wn: 2, ws: 100_030 } },
      { procedureId: 'p1', channel: 'video', counts: { n: 1, 'st:closed': 1, 'ty:t1': 1 } },
      { procedureId: 'gone', channel: 'video', counts: { sv: 1 } },
    ]);
    expect(ind.volume.byProcedure).toEqual([{ key: 'p1', label: 'Census', count: 3 }]);
    expect(ind.volume.byType).toEqual([{ key: 't1', label: 'Informació', count: 2 }]);
    expect(ind.rates.callbacksNotReached).toBe(1);
    expect(ind.rates.callbacksNotReachedRate).toBe(0.5);
    expect(ind.waiting).toEqual({ count: 2, averageSeconds: 50_015, p90Seconds: 86_400 });
    expect(ind.targets[0]).toMatchObject({ measured: 2, share: 0.5, met: false });
  });

  it('meets a target at exactly its goal, first-free without a slot counting as not met', () => {
    const settings = {
      indicators: {
        targets: [
          { id: 'ff', metric: 'first_free' as const, threshold: 5, goalPercent: 90 },
          { id: 'ff-phone', metric: 'first_free' as const, channel: 'phone' as const, threshold: 5, goalPercent: 90 },
          { id: 'w', metric: 'wait' as const, threshold: 60, goalPercent: 90 },
        ],
      },
    };
    const ind = build(
      [
        { procedureId: 'p1', channel: 'video', counts: { ffn: 10, 'ffd:0': 3, 'ffd:5': 6, 'ffd:none': 1, 'w:60': 9, 'w:75': 1, wn: 10, ws: 600 } },
        { procedureId: 'p1', channel: 'phone', counts: { ffn: 2, 'ffd:6': 1, 'ffd:none': 1 } },
      ],
      settings,
    );
    expect(ind.targets.map((t) => [t.id, t.measured, t.share, t.met])).toEqual([
      ['ff', 12, 9 / 12, false],
      ['ff-phone', 2, 0, false],
      ['w', 10, 0.9, true],
    ]);
    expect(ind.firstFree).toEqual({ samples: 12, averageWorkingDays: 36 / 10, p90WorkingDays: 5, none: 2 });
  });

  it('reads the tenant’s own questions in the survey’s order, leaving out the default ones and text', () => {
    const ind = build(
      [
        {
          procedureId: 'p1',
          channel: 'video',
          counts: { sv: 3, 'sq:zeal:10': 1, 'sq:zeal:4': 2, 'sq:ok:1': 2, 'sq:ok:0': 1, 'sq:liked:9': 3, 'sq:old:1': 1, 'sq:old:0': 1 },
        },
      ],
      { survey: { questions: [{ id: 'ok', kind: 'yes_no', required: false, label: { en: 'All fine?' } }, { id: 'zeal', kind: 'scale', required: false }] } },
    );
    expect(ind.satisfaction.custom).toEqual([
      { id: 'ok', label: 'All fine?', kind: 'yes_no', responses: 3, average: null, distribution: [1, 2], yesShare: 2 / 3 },
      { id: 'zeal', label: 'zeal', kind: 'scale', responses: 3, average: 6, distribution: [0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 1], yesShare: null },
      { id: 'old', label: 'old', kind: 'yes_no', responses: 2, average: null, distribution: [1, 1], yesShare: 0.5 },
    ]);
  });
});
