import { feasibleRanges, type Cell, type Grid, type Range } from './lp-audit.ts';

/*
 * Disclosure control of one table:
 * 1. primary: every count from 1 to k−1 is suppressed (totals too);
 * 2. complementary: while a sum has exactly one suppressed cell (which the sum would give
 *    away), the smallest non-zero published cell of that sum is suppressed with it; cells
 *    inside the table go before totals, which readers need most;
 * 3. audit: the LP gives each suppressed cell's feasible range; while one is narrower than k,
 *    another cell of one of its sums is suppressed, and the audit runs again. Should nothing
 *    be left to suppress, the whole table is.
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

/** What to suppress next among a sum's published cells: the smallest non-zero, inner cells first. */
function pick(grid: Grid, candidates: Cell[], marked: Set<string>): Cell | null {
  const value = (cell: Cell) => grid.values[cell.row]?.[cell.column] ?? 0;
  const open = candidates.filter((cell) => !marked.has(key(cell)));
  const ranked = open.sort((a, b) => Number(value(a) === 0) - Number(value(b) === 0) || Number(isTotal(grid, a)) - Number(isTotal(grid, b)) || value(a) - value(b));
  return ranked[0] ?? null;
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
  const closeSums = () => {
    for (let changed = true; changed; ) {
      changed = false;
      for (const sum of grid.sums) {
        const cells = cellsOf(sum);
        if (cells.filter((cell) => marked.has(key(cell))).length !== 1) continue;
        const next = pick(grid, cells, marked);
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
    const next = pick(
      grid,
      grid.sums.filter((sum) => cellsOf(sum).some((cell) => key(cell) === key(narrow.cell))).flatMap(cellsOf),
      marked,
    );
    if (!next || round > limit) suppressAll();
    else mark(next);
  }
}
