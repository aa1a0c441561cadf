import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { INDICATORS } from '../../contract/indicators.ts';
import { describePeriod, type Report, type ReportPeriod, type ReportTable } from '../../contract/reports.ts';
import { AppError } from '../app-error.ts';
import { sessionSlot } from '../session-state.ts';
import type { Db } from '../db/schema.ts';
import type { SqlDialect } from '../db/dialect.ts';
import { COUNTS, startCounting, type Counting } from './counts.ts';
import { feasibleRanges } from './lp-audit.ts';
import { reportGrid, splitMarks } from './report-grid.ts';
import { suppress, type Mark } from './suppression.ts';
import type { RawTable } from './tables.ts';

/*
 * Building a report, one step per call, so that the screen shows progress and the manager can
 * cancel: the first step gathers who may be counted, then one step per indicator, then
 * suppression with its LP audit. One job at a time; it lives in memory (counts only, no
 * person) and is dropped at lock or logout.
 */

/** The report being built or previewed (counts only), until saved, replaced, or the session ends. */
export const REPORT_JOB = sessionSlot<ReportJob | null>('reports.job', () => null);

export class ReportJob {
  readonly id = randomBytes(16).toString('hex');
  readonly period: ReturnType<typeof describePeriod>;
  readonly tables: RawTable[] = [];
  counting: Counting | null = null;
  report: Report | null = null;

  constructor(
    readonly spec: ReportPeriod,
    readonly k: number,
    readonly centre: { name: string; code: string },
    readonly generatedAt: string,
  ) {
    this.period = describePeriod(spec);
  }

  /** Gathering, each indicator, then suppression. */
  get total(): number {
    return INDICATORS.length + 2;
  }

  get done(): number {
    return this.report ? this.total : (this.counting ? 1 : 0) + this.tables.length;
  }

  /** Do the next step, on the call's transaction (`db`) and the same connection's raw handle. */
  async step(db: Db, dialect: SqlDialect): Promise<void> {
    if (this.report) return;
    if (!this.counting) {
      this.counting = await startCounting(db, dialect, this.period);
      return;
    }
    const next = INDICATORS[this.tables.length];
    if (next) {
      this.tables.push(await COUNTS[next.id]({ ...this.counting, db }));
      return;
    }
    this.report = await this.#publish();
    await sql`drop table if exists report_client`.execute(db);
  }

  async #publish(): Promise<Report> {
    // All tables at once: a reader can set one against another.
    const { grid, blocks } = reportGrid(this.tables);
    const result = await suppress(grid, this.k, blocks);
    const marks = splitMarks(result.marks, blocks);
    const bounded = result.ranges.filter((range) => Number.isFinite(range.max)).map((range) => range.max - range.min);
    const withoutConsent = this.counting?.withoutConsent ?? 0;
    // Who was counted (ids, sex, birth years) is no longer needed: only the counts stay.
    this.counting = null;
    return {
      period: { from: this.period.from, to: this.period.to, label: this.period.label, dhis2: this.period.dhis2, adx: this.period.adx },
      k: this.k,
      generatedAt: this.generatedAt,
      centre: this.centre,
      tables: this.tables.map((table, index) => publish(table, marks[index] ?? [])),
      audit: { suppressedCells: result.ranges.length, narrowestRange: bounded.length ? Math.min(...bounded) : null, solves: result.solves },
      clientsWithoutConsent: withoutConsent,
    };
  }

  /** The finished report, or refused. */
  finished(): Report {
    if (!this.report) throw new AppError('REPORT_NOT_FOUND');
    return this.report;
  }

  /**
   * Before anything is written: check the published tables again, independently of how they
   * were made: no count from 1 to k−1 is shown, and the LP gives every suppressed cell a
   * range at least k wide.
   */
  async verify(): Promise<void> {
    const report = this.finished();
    if (report.tables.length !== this.tables.length) throw new AppError('REPORT_AUDIT_FAILED');
    const shown = report.tables.flatMap((table) => table.cells.flat()).filter((value): value is number => value !== null);
    if (shown.some((value) => value > 0 && value < this.k)) throw new AppError('REPORT_AUDIT_FAILED');
    const { grid, blocks } = reportGrid(this.tables);
    const published = (cell: { row: number; column: number }) => {
      const index = blocks.findIndex((block) => cell.row >= block.from && cell.row < block.to);
      return report.tables[index]?.cells[cell.row - (blocks[index]?.from ?? 0)]?.[cell.column] ?? null;
    };
    // A hidden zero would break the audit's assumption that every hidden cell is at least 1.
    if (grid.values.some((row, r) => row.some((value, c) => value === 0 && published({ row: r, column: c }) === null))) throw new AppError('REPORT_AUDIT_FAILED');
    const ranges = await feasibleRanges(grid, (cell) => published(cell) === null);
    if (ranges.some((range) => range.max - range.min < this.k)) throw new AppError('REPORT_AUDIT_FAILED');
  }
}

/** The table as it leaves the centre: suppressed cells carry no number. */
export function publish(table: RawTable, marks: Mark[][]): ReportTable {
  return {
    indicatorId: table.indicator.id,
    version: table.indicator.version,
    unit: table.indicator.unit,
    label: table.indicator.label,
    definition: table.indicator.definition,
    rows: table.rows,
    columns: table.columns,
    cells: table.values.map((row, r) => row.map((value, c) => (marks[r]?.[c] === 'none' ? value : null))),
    marks,
  };
}
