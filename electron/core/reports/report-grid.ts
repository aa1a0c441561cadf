import type { IndicatorId } from '../../contract/indicators.ts';
import type { AtLeast, Cell, Grid, Sum } from './lp-audit.ts';
import type { Block, Mark } from './suppression.ts';
import type { RawTable } from './tables.ts';

/*
 * A report's tables as one grid, one block of rows per table, with what a reader knows to
 * hold between tables (each relation holds for every possible centre, so a reader may use it):
 * - the services of a group's types number at least the persons who received that group;
 * - persons reached number at least the persons of any one group;
 * - persons who started training, were placed in a job or got a loan number at least those who
 *   received that group of services, and at most those plus the completed referrals of its type;
 * - services number at least the anonymous contacts plus the persons reached (each had one);
 * - child-protection referrals made number at least the children registered: every child
 *   registered gets one, proposed on the day she is registered (and a child at the end of the
 *   period was a child at her registration).
 */

const OUTCOMES: { table: IndicatorId; group: string; referralType: string }[] = [
  { table: 'persons_vocational_training', group: 'vocational_training', referralType: 'vocational_training' },
  { table: 'persons_job_placement', group: 'job_placement', referralType: 'other' },
  { table: 'persons_loan', group: 'loan', referralType: 'loan' },
];

export function reportGrid(tables: RawTable[]): { grid: Grid; blocks: Block[] } {
  const values: number[][] = [];
  const sums: Sum[] = [];
  const blocks: Block[] = [];
  for (const table of tables) {
    const from = values.length;
    values.push(...table.values.map((row) => [...row]));
    const shift = (cell: Cell): Cell => ({ row: cell.row + from, column: cell.column });
    sums.push(...table.sums.map((sum) => ({ parts: sum.parts.map(shift), total: shift(sum.total) })));
    blocks.push({ from, to: values.length });
  }
  const at = (id: IndicatorId, rowKey: string, columnKey: string): Cell | null => {
    const index = tables.findIndex((table) => table.indicator.id === id);
    const table = tables[index];
    const block = blocks[index];
    if (!table || !block) return null;
    const row = table.rows.findIndex((line) => line.key === rowKey);
    const column = table.columns.findIndex((line) => line.key === columnKey);
    return row < 0 || column < 0 ? null : { row: block.from + row, column };
  };
  const atLeast: AtLeast[] = [];
  const valueOf = (cells: Cell[]) => cells.reduce((sum, cell) => sum + (values[cell.row]?.[cell.column] ?? 0), 0);
  // A relation the rules guarantee, given to the audit when this report's numbers bear it out
  // (a case the rules did not foresee, such as a registration typed a year late, would make
  // the audit's equations contradict each other, and a reader could not use it either).
  const relate = (larger: (Cell | null)[], smaller: (Cell | null)[]) => {
    if (!(larger.every(Boolean) && smaller.every(Boolean) && larger.length && smaller.length)) return;
    if (valueOf(larger as Cell[]) >= valueOf(smaller as Cell[])) atLeast.push({ larger: larger as Cell[], smaller: smaller as Cell[] });
  };
  const services = tables.find((table) => table.indicator.id === 'services_by_type');
  const groups = tables.find((table) => table.indicator.id === 'persons_by_service_group');
  const reachedTotal = at('persons_reached', 'total', 'total');
  for (const line of groups?.rows ?? []) {
    const persons = at('persons_by_service_group', line.key, 'persons');
    const typeRows = (services?.rows ?? []).filter((row) => row.group === line.key).map((row) => at('services_by_type', row.key, 'services'));
    if (typeRows.length) relate(typeRows, [persons]);
    relate([reachedTotal], [persons]);
    for (const outcome of OUTCOMES.filter((each) => each.group === line.key)) {
      const total = at(outcome.table, 'total', 'total');
      relate([total], [persons]);
      relate([persons, at('referrals_by_type', outcome.referralType, 'completed')], [total]);
    }
  }
  relate([at('services_by_type', 'total', 'services')], [at('anonymous_contacts', 'total', 'total'), reachedTotal]);
  relate([at('child_protection_referrals', 'children', 'made')], [at('persons_registered', 'total', 'under_18')]);
  return { grid: { values, sums, atLeast }, blocks };
}

/** The marks of each table, out of the report's. */
export function splitMarks(marks: Mark[][], blocks: Block[]): Mark[][][] {
  return blocks.map((block) => marks.slice(block.from, block.to));
}
