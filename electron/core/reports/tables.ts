import { AGE_BANDS, AGE_WORDS, SEX_WORDS, SEXES, TOTAL_WORDS, type Indicator, type Words } from '../../contract/indicators.ts';
import type { ServiceGroup } from '../../contract/vocabulary.ts';
import type { Cell, Grid, Sum } from './lp-audit.ts';

/* The shape of each indicator's table: its rows and columns, totals, and the sums that hold. */

export interface Line {
  key: string;
  label: Words;
  total: boolean;
  /** For a row of service types: its group (what relates it to other tables). */
  group?: ServiceGroup;
}

export interface RawTable extends Grid {
  indicator: Indicator;
  rows: Line[];
  columns: Line[];
}

const TOTAL: Line = { key: 'total', label: TOTAL_WORDS, total: true };
const cell = (row: number, column: number): Cell => ({ row, column });
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Sex by age band, each with its total: every row and every column adds up. */
export function sexByAge(indicator: Indicator, count: (sex: string, age: string) => number): RawTable {
  const rows: Line[] = [...SEXES.map((sex) => ({ key: sex, label: SEX_WORDS[sex], total: false })), TOTAL];
  const columns: Line[] = [...AGE_BANDS.map((age) => ({ key: age, label: AGE_WORDS[age], total: false })), TOTAL];
  const inner = SEXES.map((sex) => AGE_BANDS.map((age) => count(sex, age)));
  const values = [...inner.map((row) => [...row, row.reduce((a, b) => a + b, 0)])];
  values.push(range(AGE_BANDS.length + 1).map((c) => values.reduce((sum, row) => sum + (row[c] ?? 0), 0)));
  const [lastRow, lastColumn] = [SEXES.length, AGE_BANDS.length];
  const sums: Sum[] = [
    ...range(lastRow + 1).map((r) => ({ parts: range(lastColumn).map((c) => cell(r, c)), total: cell(r, lastColumn) })),
    ...range(lastColumn + 1).map((c) => ({ parts: range(lastRow).map((r) => cell(r, c)), total: cell(lastRow, c) })),
  ];
  return { indicator, rows, columns, values, sums };
}

/**
 * Rows from a list, a few count columns; with a total row, each column adds up to it; with a
 * total column, each row adds up to it (the sums are what the disclosure audit knows).
 */
export function listTable(
  indicator: Indicator,
  lines: { key: string; label: Words; group?: ServiceGroup }[],
  countColumns: readonly { key: string; label: Words }[],
  totalRow: boolean,
  count: (row: string, column: string) => number,
  totalColumn = false,
): RawTable {
  const rows: Line[] = lines.map((line) => ({ ...line, total: false }));
  const columns = totalColumn ? [...countColumns, TOTAL] : countColumns;
  const values = rows.map((row) => {
    const counts = countColumns.map((column) => count(row.key, column.key));
    return totalColumn ? [...counts, counts.reduce((a, b) => a + b, 0)] : counts;
  });
  const sums: Sum[] = totalColumn ? range(rows.length + (totalRow ? 1 : 0)).map((r) => ({ parts: range(countColumns.length).map((c) => cell(r, c)), total: cell(r, countColumns.length) })) : [];
  if (totalRow) {
    values.push(columns.map((_, c) => values.reduce((sum, row) => sum + (row[c] ?? 0), 0)));
    for (const c of range(columns.length)) sums.push({ parts: range(rows.length).map((r) => cell(r, c)), total: cell(rows.length, c) });
    rows.push(TOTAL);
  }
  return { indicator, rows, columns: columns.map((column) => ({ ...column, total: column === TOTAL })), values, sums };
}
