import loadHighs, { type Highs } from 'highs';

/*
 * The linear-programming audit of a suppressed table: for every suppressed cell, the smallest
 * and largest value it can take given every published cell and the table's sums (cells are
 * counts, so never below zero). Someone with the published table can narrow a suppressed
 * count to exactly that range, so the range must be at least k wide. Solved with HiGHS.
 */

/** Cells of the table, by row and column; a sum says: the `parts` add up to `total`. */
export interface Cell {
  row: number;
  column: number;
}
export interface Sum {
  parts: Cell[];
  total: Cell;
}
export interface Grid {
  values: number[][];
  sums: Sum[];
}
export interface Range {
  cell: Cell;
  min: number;
  /** Infinity when nothing published bounds it from above. */
  max: number;
}

let solver: Promise<Highs> | null = null;
/** HiGHS (WebAssembly), loaded once. */
export function highs(): Promise<Highs> {
  solver ??= loadHighs();
  return solver;
}

const name = (cell: Cell) => `x_${cell.row}_${cell.column}`;
const same = (a: Cell, b: Cell) => a.row === b.row && a.column === b.column;

/** The LP rows: each sum with its published cells moved to the right-hand side. */
function constraints(grid: Grid, suppressed: (cell: Cell) => boolean): string[] {
  const lines: string[] = [];
  grid.sums.forEach((sum, index) => {
    const terms: string[] = [];
    let constant = 0;
    const add = (cell: Cell, sign: 1 | -1) => {
      if (suppressed(cell)) terms.push(`${sign === 1 ? '+' : '-'} ${name(cell)}`);
      else constant -= sign * (grid.values[cell.row]?.[cell.column] ?? 0);
    };
    for (const part of sum.parts) add(part, 1);
    add(sum.total, -1);
    if (terms.length) lines.push(` s${index}: ${terms.join(' ')} = ${constant}`);
  });
  return lines;
}

/** The feasible range of every suppressed cell. */
export async function feasibleRanges(grid: Grid, isSuppressed: (cell: Cell) => boolean): Promise<Range[]> {
  const cells: Cell[] = [];
  grid.values.forEach((row, r) => row.forEach((_, c) => isSuppressed({ row: r, column: c }) && cells.push({ row: r, column: c })));
  if (cells.length === 0) return [];
  const rows = constraints(grid, isSuppressed);
  const involved = (cell: Cell) => grid.sums.some((sum) => sum.parts.some((part) => same(part, cell)) || same(sum.total, cell));
  const solve = await highs();
  const bounds = cells.map((cell) => ` ${name(cell)} >= 0`).join('\n');
  return cells.map((cell) => {
    // A cell in no sum is bounded by nothing but zero.
    if (!involved(cell) || rows.length === 0) return { cell, min: 0, max: Infinity };
    const extreme = (sense: 'Minimize' | 'Maximize'): number => {
      const model = `${sense}\n obj: ${name(cell)}\nSubject To\n${rows.join('\n')}\nBounds\n${bounds}\nEnd`;
      const result = solve.solve(model, { output_flag: false });
      if (result.Status === 'Optimal') return result.ObjectiveValue;
      // The true table satisfies every row, so the model is feasible: not optimal means unbounded.
      if (sense === 'Maximize' && (result.Status === 'Unbounded' || result.Status === 'Primal infeasible or unbounded')) return Infinity;
      throw new Error(`LP audit: ${result.Status}`);
    };
    return { cell, min: Math.max(0, extreme('Minimize')), max: extreme('Maximize') };
  });
}
