import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countCell, measureCell, MIN_CELL, suppressCells, suppressTable, type SuppressionGroup } from './suppress.js';

/** A two-way table (rows × columns) with row, column and grand totals, as values and groups. */
function twoWay(table: number[][]) {
  const rows = table.length;
  const cols = table[0].length;
  const values: number[] = [];
  const cell = (r: number, c: number) => r * cols + c;
  for (const row of table) values.push(...row);
  const rowTotal = (r: number) => rows * cols + r;
  const colTotal = (c: number) => rows * cols + rows + c;
  const grand = rows * cols + rows + cols;
  for (const row of table) values.push(row.reduce((a, b) => a + b, 0));
  for (let c = 0; c < cols; c++) values.push(table.reduce((a, row) => a + row[c], 0));
  values.push(values.slice(0, rows * cols).reduce((a, b) => a + b, 0));
  const groups: SuppressionGroup[] = [];
  for (let r = 0; r < rows; r++) groups.push({ total: rowTotal(r), members: Array.from({ length: cols }, (_, c) => cell(r, c)) });
  for (let c = 0; c < cols; c++) groups.push({ total: colTotal(c), members: Array.from({ length: rows }, (_, r) => cell(r, c)) });
  groups.push({ total: grand, members: Array.from({ length: rows }, (_, r) => rowTotal(r)) });
  groups.push({ total: grand, members: Array.from({ length: cols }, (_, c) => colTotal(c)) });
  return { values, groups };
}

/** The invariants every published table keeps. */
function expectSafe(values: number[], groups: SuppressionGroup[], hidden: boolean[]) {
  values.forEach((v, i) => {
    if (v > 0 && v < MIN_CELL) expect(hidden[i], `cell ${i} = ${v}`).toBe(true);
  });
  for (const g of groups) {
    const h = g.members.filter((m) => hidden[m]);
    if (!hidden[g.total]) {
      // a published total: no hidden cell alone, and the hidden ones hold at least MIN_CELL together
      if (h.length > 0) {
        expect(h.length).toBeGreaterThanOrEqual(2);
        expect(h.reduce((s, m) => s + values[m], 0)).toBeGreaterThanOrEqual(MIN_CELL);
      }
    } else if (g.members.some((m) => values[m] > 0)) {
      // a hidden total cannot be added up from its cells
      expect(h.length).toBeGreaterThanOrEqual(1);
    }
  }
}

describe('small-cell suppression', () => {
  it('hides counts of 1–4, keeps zero and 5 or more', () => {
    const r = suppressTable([0, 1, 4, 5, 12, 30]);
    expect(r.cells.slice(0, 4)).toEqual([false, true, true, false]);
    expect(r.total).toBe(false);
  });

  it('hides the next smallest cell when only one cell of a table is hidden', () => {
    // 3 alone could be recovered as 40 − 30 − 7; the 7 goes too
    expect(suppressTable([30, 3, 7, 0])).toEqual({ cells: [false, true, true, false], total: false });
  });

  it('keeps hiding while the hidden cells together hold fewer than 5', () => {
    // 1 + 1 = 2 would say "each is 1": the smallest published cell (6) joins them
    expect(suppressTable([1, 1, 6, 9])).toEqual({ cells: [true, true, true, false], total: false });
    // 2 + 3 = 5: enough
    expect(suppressTable([2, 3, 6, 9])).toEqual({ cells: [true, true, false, false], total: false });
  });

  it('never uses a zero as the complementary cell; with no other cell it hides the total', () => {
    expect(suppressTable([3, 0, 0])).toEqual({ cells: [true, false, false], total: true });
    expect(suppressTable([4, 0, 8])).toEqual({ cells: [true, false, true], total: false });
  });

  it('a table with nothing small hides nothing', () => {
    expect(suppressTable([5, 6, 0, 100])).toEqual({ cells: [false, false, false, false], total: false });
    expect(suppressTable([])).toEqual({ cells: [], total: false });
  });

  it('follows linked tables: a cell hidden for one group protects the next', () => {
    // rows: procedures; columns: channels
    const { values, groups } = twoWay([
      [20, 3, 0],
      [15, 9, 6],
    ]);
    const hidden = suppressCells(values, groups);
    expectSafe(values, groups, hidden);
    // 3 hides 20 (its row's other cell) and 9 (its column's); column 0 then has 20 alone hidden, so 15 goes too
    expect(hidden[0] && hidden[1] && hidden[3] && hidden[4]).toBe(true);
    expect(hidden[2]).toBe(false);
    // the grand total stays published
    expect(hidden[values.length - 1]).toBe(false);
  });

  it('hides a cell under a hidden total so the total cannot be added up', () => {
    // members 6 and 7 under a total hidden for another reason
    const hidden = suppressCells([13, 6, 7], [{ total: 0, members: [1, 2] }], [0]);
    expect(hidden).toEqual([true, true, false]);
  });

  it('keeps its invariants on any two-way table, and is deterministic', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }).chain((cols) => fc.array(fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 5, max: 60 })), { minLength: cols, maxLength: cols }), { minLength: 1, maxLength: 6 })),
        (table) => {
          const { values, groups } = twoWay(table);
          const hidden = suppressCells(values, groups);
          expectSafe(values, groups, hidden);
          expect(suppressCells(values, groups)).toEqual(hidden);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('publishes a measure only from 5 or more attentions or answers, and never from a hidden count', () => {
    expect(measureCell(8.5, 4)).toEqual({ value: null, suppressed: true });
    expect(measureCell(8.5, 5)).toEqual({ value: 8.5, suppressed: false });
    expect(measureCell(null, 0)).toEqual({ value: null, suppressed: false });
    expect(measureCell(120, 30, true)).toEqual({ value: null, suppressed: true });
    expect(countCell(3, true)).toEqual({ value: null, suppressed: true });
    expect(countCell(0, false)).toEqual({ value: 0, suppressed: false });
  });
});
