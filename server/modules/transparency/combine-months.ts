/**
 * Several stored months as one period (the panel's last 12 months). Nothing
 * is read again from the rollups: the period is made of the months exactly as
 * published, so it changes only when a new month is published.
 *
 * A figure is shown for the period only if it is shown (or zero) in every
 * month, since otherwise the hidden month could be worked out by subtracting
 * the others from the period; then the period's own tables (total → channels,
 * procedures, types) follow the table rule again. A target is combined only
 * when every month published it with the same definition.
 */
import type { ServiceTarget } from '../../db/schema.js';
import { measure, targetScopeHidden, type MonthPublication, type PeriodFigures, type StoredCount, type StoredItem, type StoredMeasure, type StoredTarget } from './month-publication.js';
import { isSmall, suppressCells, type SuppressionGroup } from './suppress.js';

const sameTarget = (a: ServiceTarget, b: ServiceTarget) =>
  a.id === b.id && a.metric === b.metric && (a.channel ?? null) === (b.channel ?? null) && a.threshold === b.threshold && a.goalPercent === b.goalPercent;

/** The months (oldest first) as one period. */
export function combineMonths(months: MonthPublication[]): PeriodFigures {
  if (months.length === 0) throw new Error('combineMonths: no month');
  const count = (parts: (StoredCount | undefined)[]): StoredCount => {
    const some = parts.filter((c): c is StoredCount => !!c);
    return { n: some.reduce((a, c) => a + c.n, 0), hidden: some.some((c) => c.hidden) };
  };
  const items = (pick: (m: MonthPublication) => StoredItem[]): StoredItem[] => {
    const keys = [...new Set(months.flatMap((m) => pick(m).map((i) => i.key)))];
    return keys.map((key) => ({ key, ...count(months.map((m) => pick(m).find((i) => i.key === key))) }));
  };
  const measured = (pick: (m: MonthPublication) => StoredMeasure): StoredMeasure => {
    const parts = months.map(pick);
    return measure(
      parts.reduce((a, p) => a + p.sum, 0),
      parts.reduce((a, p) => a + p.base, 0),
      parts.some((p) => p.hidden),
    );
  };

  const figures: PeriodFigures = {
    attentions: count(months.map((m) => m.attentions)),
    byChannel: items((m) => m.byChannel),
    byProcedure: items((m) => m.byProcedure),
    byType: items((m) => m.byType),
    waiting: measured((m) => m.waiting),
    satisfaction: {
      answers: count(months.map((m) => m.satisfaction.answers)),
      liked: measured((m) => m.satisfaction.liked),
      easy: measured((m) => m.satisfaction.easy),
      again: measured((m) => m.satisfaction.again),
    },
    targets: [],
  };
  resuppressTables(figures);
  figures.targets = months[months.length - 1].targets.flatMap(({ target }): StoredTarget[] => {
    const parts = months.map((m) => m.targets.find((x) => sameTarget(x.target, target)));
    if (parts.some((p) => !p)) return [];
    const within = parts.reduce((a, p) => a + p!.within, 0);
    const base = parts.reduce((a, p) => a + p!.measured, 0);
    return [{ target, within, measured: base, hidden: parts.some((p) => p!.hidden) || isSmall(base) || targetScopeHidden(figures, target) }];
  });
  return figures;
}

/** The period's own tables (total → channels, procedures, types) keep the table rule on top of the months' flags. */
function resuppressTables(f: PeriodFigures): void {
  const cells: StoredCount[] = [f.attentions];
  const groups: SuppressionGroup[] = [];
  for (const list of [f.byChannel, f.byProcedure, f.byType]) {
    groups.push({ total: 0, members: list.map((c) => cells.push(c) - 1) });
  }
  const hidden = suppressCells(
    cells.map((c) => c.n),
    groups,
    cells.flatMap((c, i) => (c.hidden ? [i] : [])),
  );
  cells.forEach((c, i) => (c.hidden = hidden[i]));
}
