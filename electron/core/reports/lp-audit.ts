import loadHighs, { type Highs } from 'highs';

/*
 * The linear-programming audit of suppressed tables: for every suppressed cell, the smallest
 * and largest value it can take given every published cell and everything a reader knows to
 * hold between cells: the sums of each table, relations between tables (services of a group
 * are at least the persons who received that group, …), and that a suppressed cell is at
 * least 1 (zeros are always published, so a hidden cell is never zero). Someone with the
 * published report can narrow a suppressed count to exactly that range, so the range must be
 * at least k wide. Solved with HiGHS.
 */

/** A cell of the report: all tables are stacked, one block of rows each. */
export interface Cell {
  row: number;
  column: number;
}
/** The `parts` add up to `total`. */
export interface Sum {
  parts: Cell[];
  total: Cell;
}
/** The cells of `larger` add up to at least the cells of `smaller`. */
export interface AtLeast {
  larger: Cell[];
  smaller: Cell[];
}
export interface Grid {
  values: number[][];
  sums: Sum[];
  atLeast?: AtLeast[];
}
export interface Range {
  cell: Cell;
  min: number;
  /** Infinity when nothing published bounds it from above. */
  max: number;
}

/** The least a suppressed cell can be: it is never a zero. */
export const SUPPRESSED_MIN = 1;

let solver: Promise<Highs> | null = null;
/** HiGHS (WebAssembly), loaded once. */
export function highs(): Promise<Highs> {
  solver ??= loadHighs();
  return solver;
}

const name = (cell: Cell) => `x_${cell.row}_${cell.column}`;
const same = (a: Cell, b: Cell) => a.row === b.row && a.column === b.column;

/** One LP row: Σ sign·cell (op) 0, published cells moved to the right-hand side; null when nothing in it is suppressed. */
function row(label: string, terms: { cell: Cell; sign: 1 | -1 }[], op: '=' | '>=', grid: Grid, suppressed: (cell: Cell) => boolean): string | null {
  const variables: string[] = [];
  let constant = 0;
  for (const { cell, sign } of terms) {
    if (suppressed(cell)) variables.push(`${sign === 1 ? '+' : '-'} ${name(cell)}`);
    else constant -= sign * (grid.values[cell.row]?.[cell.column] ?? 0);
  }
  return variables.length ? ` ${label}: ${variables.join(' ')} ${op} ${constant}` : null;
}

function constraints(grid: Grid, suppressed: (cell: Cell) => boolean): string[] {
  const sums = grid.sums.map((sum, index) => row(`s${index}`, [...sum.parts.map((cell) => ({ cell, sign: 1 as const })), { cell: sum.total, sign: -1 }], '=', grid, suppressed));
  const relations = (grid.atLeast ?? []).map((relation, index) =>
    row(`a${index}`, [...relation.larger.map((cell) => ({ cell, sign: 1 as const })), ...relation.smaller.map((cell) => ({ cell, sign: -1 as const }))], '>=', grid, suppressed),
  );
  return [...sums, ...relations].filter((line): line is string => line !== null);
}

/** Every relation a cell takes part in. */
export function relationsOf(grid: Grid, cell: Cell): Cell[][] {
  return [
    ...grid.sums.filter((sum) => sum.parts.some((part) => same(part, cell)) || same(sum.total, cell)).map((sum) => [...sum.parts, sum.total]),
    ...(grid.atLeast ?? []).filter((relation) => [...relation.larger, ...relation.smaller].some((part) => same(part, cell))).map((relation) => [...relation.larger, ...relation.smaller]),
  ];
}

/**
 * The feasible range of every suppressed cell, in reading order. With `narrowerThan`, stop at
 * the first range narrower than that (the caller will change the table and ask again).
 */
export async function feasibleRanges(grid: Grid, isSuppressed: (cell: Cell) => boolean, narrowerThan?: number): Promise<Range[]> {
  const cells: Cell[] = [];
  grid.values.forEach((values, r) => values.forEach((_, c) => isSuppressed({ row: r, column: c }) && cells.push({ row: r, column: c })));
  if (cells.length === 0) return [];
  const rows = constraints(grid, isSuppressed);
  const solve = await highs();
  const bounds = cells.map((cell) => ` ${name(cell)} >= ${SUPPRESSED_MIN}`).join('\n');
  const ranges: Range[] = [];
  for (const cell of cells) {
    // A cell in no relation is bounded by nothing but its least value.
    if (relationsOf(grid, cell).length === 0 || rows.length === 0) {
      ranges.push({ cell, min: SUPPRESSED_MIN, max: Infinity });
      continue;
    }
    const extreme = (sense: 'Minimize' | 'Maximize'): number => {
      const model = `${sense}\n obj: ${name(cell)}\nSubject To\n${rows.join('\n')}\nBounds\n${bounds}\nEnd`;
      const result = solve.solve(model, { output_flag: false });
      if (result.Status === 'Optimal') return Math.round(result.ObjectiveValue * 1e6) / 1e6;
      // The true report satisfies every row, so the model is feasible: not optimal means unbounded.
      if (sense === 'Maximize' && (result.Status === 'Unbounded' || result.Status === 'Primal infeasible or unbounded')) return Infinity;
      throw new Error(`LP audit: ${result.Status}`);
    };
    const range = { cell, min: extreme('Minimize'), max: extreme('Maximize') };
    ranges.push(range);
    if (narrowerThan !== undefined && range.max - range.min < narrowerThan) break;
  }
  return ranges;
}
