/**
 * Small-cell suppression for everything the town hall publishes (panel, open
 * data, operator comparison), so that nobody can be singled out:
 *
 * - Primary: a count of 1–4 is not published (zero is: it singles out no one),
 *   and neither is any measure built from 1–4 attentions or answers
 *   (`measureCell`).
 * - Secondary: the cells of a table add up to a total; when the total is
 *   published, the hidden cells of that group must not be recoverable by
 *   subtraction. So a group never has exactly one hidden cell, and its hidden
 *   cells together hold at least 5; otherwise the next smallest published
 *   cell is hidden too, or, with none left, the total. A hidden total must not
 *   be recoverable by adding up its cells either, so one of them is hidden.
 *
 * Tables that share cells (a month's table by procedure and the daily rows of
 * each procedure) are one system of groups: hiding a cell for one group can
 * require hiding another in the next, and `suppressCells` runs until no group
 * needs more. Hidden cells are never ordered or labelled by their size: every
 * reader sees the same mark whatever the reason.
 */

/** The smallest count (attentions, or survey answers for satisfaction) that is published. */
export const MIN_CELL = 5;

/** A total and the cells that add up to it, as indexes into the value list. */
export type SuppressionGroup = { total: number; members: number[] };

/** Whether a count is hidden on its own (1–4). */
export function isSmall(n: number): boolean {
  return n > 0 && n < MIN_CELL;
}

/**
 * Which cells to hide. `values` are counts; every group says values[total] =
 * Σ values[members]. `hidden` are cells already hidden for another reason.
 * Deterministic: the same input always hides the same cells.
 */
export function suppressCells(values: readonly number[], groups: readonly SuppressionGroup[], hidden: Iterable<number> = []): boolean[] {
  const n = values.length;
  const suppressed = new Array<boolean>(n).fill(false);
  const asMember: number[][] = Array.from({ length: n }, () => []);
  const asTotal: number[][] = Array.from({ length: n }, () => []);
  groups.forEach((g, gi) => {
    asTotal[g.total].push(gi);
    for (const m of g.members) asMember[m].push(gi);
  });
  // per group: how many members are hidden and how much they hold; candidates smallest first
  const count = new Array<number>(groups.length).fill(0);
  const sum = new Array<number>(groups.length).fill(0);
  const candidates = groups.map((g) => g.members.filter((m) => values[m] > 0).sort((a, b) => values[a] - values[b] || a - b));
  const cursor = new Array<number>(groups.length).fill(0);

  const queue: number[] = [];
  const queued = new Array<boolean>(groups.length).fill(false);
  const enqueue = (gi: number) => {
    if (!queued[gi]) {
      queued[gi] = true;
      queue.push(gi);
    }
  };
  const hide = (i: number) => {
    if (suppressed[i]) return;
    suppressed[i] = true;
    for (const gi of asMember[i]) {
      count[gi]++;
      sum[gi] += values[i];
      enqueue(gi);
    }
    for (const gi of asTotal[i]) enqueue(gi);
  };
  const nextCandidate = (gi: number): number => {
    const list = candidates[gi];
    while (cursor[gi] < list.length && suppressed[list[cursor[gi]]]) cursor[gi]++;
    return cursor[gi] < list.length ? list[cursor[gi]] : -1;
  };

  for (let i = 0; i < n; i++) if (isSmall(values[i])) hide(i);
  for (const i of hidden) hide(i);
  groups.forEach((_, gi) => enqueue(gi));

  for (let head = 0; head < queue.length; head++) {
    const gi = queue[head];
    queued[gi] = false;
    const total = groups[gi].total;
    if (!suppressed[total]) {
      if (count[gi] > 0 && (count[gi] === 1 || sum[gi] < MIN_CELL)) {
        const c = nextCandidate(gi);
        hide(c >= 0 ? c : total);
      }
    } else if (count[gi] === 0) {
      const c = nextCandidate(gi);
      if (c >= 0) hide(c);
    }
  }
  return suppressed;
}

/** One table with its total: which cells and whether the total are hidden. */
export function suppressTable(cells: readonly number[]): { cells: boolean[]; total: boolean } {
  const values = [cells.reduce((a, b) => a + b, 0), ...cells];
  const hidden = suppressCells(values, [{ total: 0, members: cells.map((_, i) => i + 1) }]);
  return { total: hidden[0], cells: hidden.slice(1) };
}

/** A figure as published: its value, or null when hidden (`suppressed`) or without data. */
export type PublicCell = { value: number | null; suppressed: boolean };

/** A count as published. */
export function countCell(value: number, suppressed: boolean): PublicCell {
  return suppressed ? { value: null, suppressed: true } : { value, suppressed: false };
}

/**
 * A measure (average, share) as published: hidden when built from 1–4
 * attentions or answers (`base`), or when the count it comes from is hidden;
 * null without data.
 */
export function measureCell(value: number | null, base: number, countHidden = false): PublicCell {
  if (countHidden || isSmall(base)) return { value: null, suppressed: true };
  return { value: base > 0 ? value : null, suppressed: false };
}
