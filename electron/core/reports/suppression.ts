import { feasibleRanges, relationsOf, type Cell, type Grid, type Range } from './lp-audit.ts';

/*
 * Disclosure control of a report (all its tables at once, since a reader can set one table
 * against another):
 * 1. primary: every count from 1 to k−1 is suppressed (totals too);
 * 2. complementary: while a sum has exactly one suppressed cell (which the sum would give
 *    away), the smallest non-zero published cell of that sum is suppressed with it; cells
 *    inside a table go before totals, which readers need most;
 * 3. audit: the LP gives each suppressed cell's feasible range; while one is narrower than k,
 *    another non-zero cell is suppressed (from a sum or relation the cell is in, else from
 *    those of its table's other hidden cells, else near any hidden cell), and the audit runs
 *    again. Should nothing be left to suppress in
 *    the cell's table, every non-zero cell of it is.
 * Zeros are never suppressed (hiding one protects nothing, and a reader may then take every
 * hidden cell to be at least 1). The result holds only 0 and counts of k or more, and every
 * suppressed cell's range is at least k wide.
 */

export type Mark = 'none' | 'primary' | 'complementary';

export interface Suppressed {
  marks: Mark[][];
  ranges: Range[];
  /** LP solves run (two per suppressed cell whose part of the report changed, per audit round). */
  solves: number;
}

/** Rows of the grid that make one table (for the last resort). */
export interface Block {
  from: number;
  to: number;
}

const key = (cell: Cell) => `${cell.row}:${cell.column}`;

export function isTotal(grid: Grid, cell: Cell): boolean {
  return grid.sums.some((sum) => key(sum.total) === key(cell));
}

/** The smallest non-zero published cell of the first tier that has one, inner cells before totals. */
function pick(grid: Grid, tiers: Cell[][], marked: Set<string>): Cell | null {
  const value = (cell: Cell) => grid.values[cell.row]?.[cell.column] ?? 0;
  for (const candidates of tiers) {
    const open = candidates.filter((cell) => !marked.has(key(cell)) && value(cell) > 0);
    const best = open.sort((a, b) => Number(isTotal(grid, a)) - Number(isTotal(grid, b)) || value(a) - value(b))[0];
    if (best) return best;
  }
  return null;
}

export async function suppress(grid: Grid, k: number, blocks: Block[] = [{ from: 0, to: grid.values.length }]): Promise<Suppressed> {
  const value = (cell: Cell) => grid.values[cell.row]?.[cell.column] ?? 0;
  const marks: Mark[][] = grid.values.map((row) => row.map((count) => (count > 0 && count < k ? 'primary' : 'none')));
  const marked = new Set<string>();
  marks.forEach((row, r) => row.forEach((mark, c) => mark !== 'none' && marked.add(`${r}:${c}`)));
  const mark = (cell: Cell) => {
    if (value(cell) === 0) return;
    marked.add(key(cell));
    if (marks[cell.row]?.[cell.column] === 'none') (marks[cell.row] as Mark[])[cell.column] = 'complementary';
  };
  const cellsIn = (from: number, to: number) => grid.values.slice(from, to).flatMap((row, r) => row.map((_, c) => ({ row: from + r, column: c })));
  const blockOf = (cell: Cell) => blocks.find((block) => cell.row >= block.from && cell.row < block.to) ?? { from: 0, to: grid.values.length };
  const suppressedIn = (block: Block | null) =>
    [...marked].map((text) => text.split(':').map(Number) as [number, number]).filter(([row]) => !block || (row >= block.from && row < block.to));
  const around = (block: Block | null) => suppressedIn(block).flatMap(([row, column]) => relationsOf(grid, { row, column }).flat());
  const aroundSuppressed = () => around(null);

  // 2. No sum may give away a single suppressed cell.
  const closeSums = () => {
    for (let changed = true; changed; ) {
      changed = false;
      for (const sum of grid.sums) {
        const cells = [...sum.parts, sum.total];
        if (cells.filter((cell) => marked.has(key(cell))).length !== 1) continue;
        const next = pick(grid, [cells, aroundSuppressed()], marked);
        if (next) {
          mark(next);
          changed = true;
        }
      }
    }
  };

  // 3. Audit, and widen until every range is at least k.
  let solves = 0;
  const limit = grid.values.reduce((n, row) => n + row.length, 0);
  // The answers of earlier rounds, by model: a round re-solves only the parts its new cell changed.
  const solved = new Map<string, { min: number; max: number }>();
  for (let round = 0; ; round++) {
    closeSums();
    const ranges = await feasibleRanges(grid, (cell) => marked.has(key(cell)), k, solved);
    solves += ranges.solves ?? 0;
    const narrow = ranges.find((range) => range.max - range.min < k);
    if (!narrow) return { marks, ranges, solves };
    const block = blockOf(narrow.cell);
    // Nearest first: what the cell itself is summed or related with, then what its table's
    // other hidden cells are, then anything near a hidden cell, then the rest of its table.
    const next = round > limit ? null : pick(grid, [relationsOf(grid, narrow.cell).flat(), around(block), aroundSuppressed(), cellsIn(block.from, block.to)], marked);
    if (next) mark(next);
    else {
      // Last resort: the whole table, then (should even that not do) the whole report.
      const before = marked.size;
      for (const cell of cellsIn(block.from, block.to)) mark(cell);
      if (marked.size === before) for (const cell of cellsIn(0, grid.values.length)) mark(cell);
      if (marked.size === before && round > limit) throw new Error('suppression did not converge');
    }
  }
}
