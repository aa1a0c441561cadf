import { feasibleRanges, type Cell, type Grid, type Range } from './lp-audit.ts';

/*
 * Disclosure control of one table:
 * 1. primary: every count from 1 to k−1 is suppressed (totals too);
 * 2. complementary: while a sum has exactly one suppressed cell (which the sum would give
 *    away), the smallest non-zero published cell of that sum is suppressed with it; cells
 *    inside the table go before totals, which readers need most;
 * 3. audit: the LP gives each suppressed cell's feasible range; while one is narrower than k,
 *    another non-zero cell is suppressed (of one of its sums if there is one, else of a sum
 *    near other suppressed cells), and the audit runs again. Should nothing be left to
 *    suppress, the whole table is.
 * The result holds only 0 and counts of k or more, and every suppressed cell's range is at
 * least k wide.
 */

export type Mark = 'none' | 'primary' | 'complementary';

export interface Suppressed {
  marks: Mark[][];
  ranges: Range[];
  /** LP solves run (two per suppressed cell per audit round). */
  solves: number;
}

const key = (cell: Cell) => `${cell.row}:${cell.column}`;

function cellsOf(sum: Grid['sums'][number]): Cell[] {
  return [...sum.parts, sum.total];
}

export function isTotal(grid: Grid, cell: Cell): boolean {
  return grid.sums.some((sum) => key(sum.total) === key(cell));
}

/**
 * What to suppress next: the smallest non-zero published cell, inner cells before totals, from
 * the sums that hold the cell in need; failing that, from any sum holding a suppressed cell;
 * failing that, anywhere. A zero never protects anything (its sums are published), so zeros
 * are not taken.
 */
function pick(grid: Grid, tiers: Cell[][], marked: Set<string>): Cell | null {
  const value = (cell: Cell) => grid.values[cell.row]?.[cell.column] ?? 0;
  for (const candidates of tiers) {
    const open = candidates.filter((cell) => !marked.has(key(cell)) && value(cell) > 0);
    const best = open.sort((a, b) => Number(isTotal(grid, a)) - Number(isTotal(grid, b)) || value(a) - value(b))[0];
    if (best) return best;
  }
  return null;
}

export async function suppress(grid: Grid, k: number): Promise<Suppressed> {
  const marks: Mark[][] = grid.values.map((row) => row.map((value) => (value > 0 && value < k ? 'primary' : 'none')));
  const marked = new Set<string>();
  marks.forEach((row, r) => row.forEach((mark, c) => mark !== 'none' && marked.add(`${r}:${c}`)));
  const mark = (cell: Cell) => {
    marked.add(key(cell));
    if (marks[cell.row]?.[cell.column] === 'none') (marks[cell.row] as Mark[])[cell.column] = 'complementary';
  };
  const suppressAll = () => grid.values.forEach((row, r) => row.forEach((_, c) => mark({ row: r, column: c })));

  // 2. No sum may give away a single suppressed cell.
  const everyCell = grid.values.flatMap((row, r) => row.map((_, c) => ({ row: r, column: c })));
  const aroundSuppressed = () => grid.sums.filter((sum) => cellsOf(sum).some((cell) => marked.has(key(cell)))).flatMap(cellsOf);
  const closeSums = () => {
    for (let changed = true; changed; ) {
      changed = false;
      for (const sum of grid.sums) {
        const cells = cellsOf(sum);
        if (cells.filter((cell) => marked.has(key(cell))).length !== 1) continue;
        const next = pick(grid, [cells, aroundSuppressed(), everyCell], marked);
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
  for (let round = 0; ; round++) {
    closeSums();
    const ranges = await feasibleRanges(grid, (cell) => marked.has(key(cell)));
    solves += ranges.length * 2;
    const narrow = ranges.find((range) => range.max - range.min < k);
    if (!narrow) return { marks, ranges, solves };
    const next = pick(grid, [grid.sums.filter((sum) => cellsOf(sum).some((cell) => key(cell) === key(narrow.cell))).flatMap(cellsOf), aroundSuppressed(), everyCell], marked);
    if (!next || round > limit) suppressAll();
    else mark(next);
  }
}
