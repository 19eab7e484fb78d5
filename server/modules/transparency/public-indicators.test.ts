import { describe, expect, it } from 'vitest';
import type { ServiceTarget } from '../../db/schema.js';
import type { Indicators } from '../indicators/indicators.types.js';
import { combineMonths } from './combine-months.js';
import { monthPublicationFrom, type MonthPublication } from './month-publication.js';
import { presentFigures } from './public-indicators.js';
import { monthPeriod } from './public-period.js';
import type { PublicNames } from './transparency.repository.js';

const P1 = '00000000-0000-4000-8000-000000000001';
const P2 = '00000000-0000-4000-8000-000000000002';
const T1 = '00000000-0000-4000-8000-0000000000a1';
const names: PublicNames = {
  procedures: new Map([
    [P1, { code: 'padro', name: { en: 'Register' }, position: 1 }],
    [P2, { code: 'tax', name: { en: 'Taxes' }, position: 2 }],
  ]),
  typologies: new Map([[T1, { code: 'info', name: { en: 'Information' }, position: 1 }]]),
};
const tenant = { slug: 'town', name: 'Town' };

const phoneTarget: ServiceTarget = { id: 'phone-2min', metric: 'wait', channel: 'phone', threshold: 120, goalPercent: 90 };
const videoTarget: ServiceTarget = { id: 'video-2min', metric: 'wait', channel: 'video', threshold: 120, goalPercent: 90 };
const anyTarget: ServiceTarget = { id: 'all-2min', metric: 'wait', threshold: 120, goalPercent: 80 };

function indicators(o: { liked?: number[]; again?: [number, number]; targets?: [ServiceTarget, number, number][] } = {}): Pick<Indicators, 'satisfaction' | 'targets'> {
  const liked = Array.from({ length: 11 }, (_, v) => (o.liked ?? []).filter((x) => x === v).length);
  const [yes, no] = o.again ?? [0, 0];
  return {
    satisfaction: {
      responses: (o.liked ?? []).length,
      likedAverage: null,
      easyAverage: null,
      likedDistribution: liked,
      easyDistribution: liked,
      againShare: yes + no > 0 ? yes / (yes + no) : null,
      againAnswers: yes + no,
      custom: [],
    },
    targets: (o.targets ?? []).map(([target, within, measured]) => ({
      ...target,
      label: 'ignored',
      measured,
      share: measured > 0 ? within / measured : null,
      met: measured > 0 ? within * 100 >= target.goalPercent * measured : null,
    })),
  };
}

const row = (day: string, procedureId: string, channel: string, n: number, wait: [number, number] = [0, 0]) => ({
  day,
  procedureId,
  channel,
  counts: { n, [`ty:${T1}`]: n, wn: wait[0], ws: wait[1] },
});

/** A month with video 10, phone 6 and call-back 3: call-back is small, phone hidden beside it. */
function smallMonth(month: string, targets: [ServiceTarget, number, number][] = []): MonthPublication {
  return monthPublicationFrom(
    month,
    [row(`${month}-02`, P1, 'video', 10, [10, 601]), row(`${month}-02`, P1, 'phone', 6, [6, 360]), row(`${month}-03`, P2, 'callback', 3, [3, 300])],
    indicators({ liked: [8, 8, 8, 9, 9, 10], again: [5, 1], targets }),
  );
}

describe('month publication and its presentation', () => {
  it('hides a channel target’s share and met whenever the channel’s count is hidden, even by secondary suppression', () => {
    const m = smallMonth('2025-03', [
      [phoneTarget, 5, 6],
      [videoTarget, 10, 10],
      [anyTarget, 16, 19],
    ]);
    const shown = presentFigures(tenant, monthPeriod('2025-03'), m, names, 'en');
    expect(shown.byChannel.map((c) => [c.key, c.value, c.suppressed])).toEqual([
      ['video', 10, false],
      ['phone', null, true],
      ['callback', null, true],
    ]);
    expect(shown.targets).toEqual([
      // 6 measured waits would be enough on their own, but the phone count is hidden: the share would tell it
      { id: 'phone-2min', label: expect.any(String), goalPercent: 90, share: { value: null, suppressed: true }, met: null },
      { id: 'video-2min', label: expect.any(String), goalPercent: 90, share: { value: 1, suppressed: false }, met: true },
      { id: 'all-2min', label: expect.any(String), goalPercent: 80, share: { value: 0.84, suppressed: false }, met: true },
    ]);
  });

  it('hides an unscoped target when the total is hidden', () => {
    const m = monthPublicationFrom('2025-03', [row('2025-03-02', P1, 'video', 3, [3, 30])], indicators({ targets: [[{ ...anyTarget, metric: 'first_free' }, 6, 6]] }));
    expect(m.attentions.hidden).toBe(true);
    expect(presentFigures(tenant, monthPeriod('2025-03'), m, names, 'en').targets[0].share).toEqual({ value: null, suppressed: true });
  });

  it('rounds what it publishes: waits to the second, scores to 0.1, shares to whole percent', () => {
    const m = monthPublicationFrom(
      '2025-03',
      [row('2025-03-02', P1, 'video', 10, [10, 601]), row('2025-03-03', P1, 'phone', 7, [7, 425])],
      indicators({ liked: [8, 8, 8, 9, 9, 10], again: [5, 1] }),
    );
    // stored exactly (sums and bases), published rounded
    expect(m.waiting).toEqual({ sum: 1026, base: 17, hidden: false });
    const shown = presentFigures(tenant, monthPeriod('2025-03'), m, names, 'en');
    expect(shown.waitingAverageSeconds).toEqual({ value: 60, suppressed: false }); // 60.35…
    expect(shown.satisfaction.likedAverage).toEqual({ value: 8.7, suppressed: false }); // 52 / 6
    expect(shown.satisfaction.againShare).toEqual({ value: 0.83, suppressed: false }); // 5 / 6
    expect(m.daily[1].waiting).toEqual({ sum: 425, base: 7, hidden: false }); // 60.71… is published as 61
  });

  it('is plain JSON: what is stored reads back the same', () => {
    const m = smallMonth('2025-03', [[phoneTarget, 5, 6]]);
    expect(JSON.parse(JSON.stringify(m))).toEqual(m);
    expect(m.version).toBe(1);
  });
});

describe('several months combined', () => {
  const full = (month: string, targets: [ServiceTarget, number, number][] = []) =>
    monthPublicationFrom(
      month,
      [row(`${month}-02`, P1, 'video', 10, [10, 600]), row(`${month}-02`, P1, 'phone', 6, [6, 360]), row(`${month}-03`, P2, 'callback', 5, [5, 300])],
      indicators({ liked: [7, 7, 7, 7, 7], again: [5, 0], targets }),
    );

  it('shows a figure only where every month shows it, and adds exactly', () => {
    const a = smallMonth('2025-02', [[videoTarget, 10, 10]]);
    const b = full('2025-03', [[videoTarget, 8, 10]]);
    const before = JSON.stringify([a, b]);
    const f = combineMonths([a, b]);
    expect(JSON.stringify([a, b])).toBe(before); // the (cached) months are not touched
    expect(f.attentions).toEqual({ n: 40, hidden: false });
    expect(f.byChannel.map((c) => [c.key, c.n, c.hidden])).toEqual([
      ['video', 20, false],
      ['phone', 12, true],
      ['callback', 8, true],
    ]);
    // liked: hidden in no month (6 and 5 answers), so combined from the sums: (52 + 35) / 11
    const shown = presentFigures(tenant, { kind: 'last12', from: '2025-02-01', to: '2025-03-31', months: ['2025-02', '2025-03'] }, f, names, 'en');
    expect(shown.satisfaction.likedAverage).toEqual({ value: 7.9, suppressed: false });
    expect(shown.waitingAverageSeconds).toEqual({ value: 63, suppressed: false }); // (1261 + 1260) / 40 = 63.025
  });

  it('combines a target only when every month published the same one, and hides it with its channel', () => {
    const a = full('2025-02', [
      [videoTarget, 10, 10],
      [phoneTarget, 6, 6],
      [anyTarget, 16, 21],
    ]);
    const b = smallMonth('2025-03', [
      [videoTarget, 9, 10],
      [phoneTarget, 6, 6],
      [{ ...anyTarget, threshold: 240 }, 19, 19],
    ]);
    const f = combineMonths([a, b]);
    expect(f.targets.map((x) => [x.target.id, x.within, x.measured, x.hidden])).toEqual([
      ['video-2min', 19, 20, false],
      ['phone-2min', 12, 12, true],
    ]);
  });
});
