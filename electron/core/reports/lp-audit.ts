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
interface LpRow {
  text: string;
  /** The suppressed cells in it, by name. */
  variables: string[];
}

function row(label: string, terms: { cell: Cell; sign: 1 | -1 }[], op: '=' | '>=', grid: Grid, suppressed: (cell: Cell) => boolean): LpRow | null {
  const variables: string[] = [];
  const written: string[] = [];
  let constant = 0;
  for (const { cell, sign } of terms) {
    if (suppressed(cell)) {
      variables.push(name(cell));
      written.push(`${sign === 1 ? '+' : '-'} ${name(cell)}`);
    } else constant -= sign * (grid.values[cell.row]?.[cell.column] ?? 0);
  }
  return variables.length ? { text: ` ${label}: ${written.join(' ')} ${op} ${constant}`, variables } : null;
}

function constraints(grid: Grid, suppressed: (cell: Cell) => boolean): LpRow[] {
  const sums = grid.sums.map((sum, index) => row(`s${index}`, [...sum.parts.map((cell) => ({ cell, sign: 1 as const })), { cell: sum.total, sign: -1 }], '=', grid, suppressed));
  const relations = (grid.atLeast ?? []).map((relation, index) =>
    row(`a${index}`, [...relation.larger.map((cell) => ({ cell, sign: 1 as const })), ...relation.smaller.map((cell) => ({ cell, sign: -1 as const }))], '>=', grid, suppressed),
  );
  return [...sums, ...relations].filter((line): line is LpRow => line !== null);
}

/**
 * The rows that bear on each suppressed cell: those of its connected part (cells linked through
 * rows they share). A cell's range depends on nothing else, so each part is solved on its own:
 * smaller models, and a part that did not change since the last audit round gives the same LP.
 */
function parts(rows: LpRow[]): Map<string, LpRow[]> {
  const parent = new Map<string, string>();
  const find = (variable: string): string => {
    let root = variable;
    while (parent.get(root) !== undefined && parent.get(root) !== root) root = parent.get(root) ?? root;
    parent.set(variable, root);
    return root;
  };
  for (const each of rows) {
    for (const variable of each.variables) if (!parent.has(variable)) parent.set(variable, variable);
    const [first, ...rest] = each.variables.map(find);
    for (const other of rest) if (first !== undefined && other !== first) parent.set(other, first);
  }
  const byRoot = new Map<string, LpRow[]>();
  for (const each of rows) {
    const root = find(each.variables[0] ?? '');
    byRoot.set(root, [...(byRoot.get(root) ?? []), each]);
  }
  const byVariable = new Map<string, LpRow[]>();
  for (const variable of parent.keys()) byVariable.set(variable, byRoot.get(find(variable)) ?? []);
  return byVariable;
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
 * the first range narrower than that (the caller will change the table and ask again). With
 * `solved`, answers are kept by their model, so an audit round re-solves only what changed.
 */
export async function feasibleRanges(
  grid: Grid,
  isSuppressed: (cell: Cell) => boolean,
  narrowerThan?: number,
  solved?: Map<string, { min: number; max: number }>,
): Promise<Range[] & { solves?: number }> {
  const cells: Cell[] = [];
  grid.values.forEach((values, r) => values.forEach((_, c) => isSuppressed({ row: r, column: c }) && cells.push({ row: r, column: c })));
  const ranges: Range[] & { solves?: number } = [];
  ranges.solves = 0;
  if (cells.length === 0) return ranges;
  const rowsOf = parts(constraints(grid, isSuppressed));
  const solve = await highs();
  for (const cell of cells) {
    const rows = rowsOf.get(name(cell)) ?? [];
    // A cell in no relation is bounded by nothing but its least value.
    if (rows.length === 0) {
      ranges.push({ cell, min: SUPPRESSED_MIN, max: Infinity });
      continue;
    }
    const variables = [...new Set(rows.flatMap((each) => each.variables))];
    const body = `Subject To\n${rows.map((each) => each.text).join('\n')}\nBounds\n${variables.map((variable) => ` ${variable} >= ${SUPPRESSED_MIN}`).join('\n')}\nEnd`;
    const extreme = (sense: 'Minimize' | 'Maximize'): number => {
      ranges.solves = (ranges.solves ?? 0) + 1;
      const result = solve.solve(`${sense}\n obj: ${name(cell)}\n${body}`, { output_flag: false });
      if (result.Status === 'Optimal') return Math.round(result.ObjectiveValue * 1e6) / 1e6;
      // The true report satisfies every row, so the model is feasible: not optimal means unbounded.
      if (sense === 'Maximize' && (result.Status === 'Unbounded' || result.Status === 'Primal infeasible or unbounded')) return Infinity;
      throw new Error(`LP audit: ${result.Status}`);
    };
    const asked = `${name(cell)}\n${body}`;
    const known = solved?.get(asked);
    const range = { cell, ...(known ?? { min: extreme('Minimize'), max: extreme('Maximize') }) };
    if (!known) solved?.set(asked, { min: range.min, max: range.max });
    ranges.push(range);
    if (narrowerThan !== undefined && range.max - range.min < narrowerThan) break;
  }
  return ranges;
}
