import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Report } from '../../electron/contract/reports.ts';
import { benchCopy, PASSWORD, percentile, plainScanMs } from './case-records.ts';
import { sqliteOf } from '../support/file-store.ts';

/*
 * Report figures on the seeded vault: a quarter and a year built through the gate exactly as
 * the screen builds them (start, then every step), suppression and the LP audit included,
 * then the XLSX export of the year (its build time; the file goes to a scratch folder). The
 * year is also given as a ratio to one plain GROUP BY pass over its services in the same run.
 */

const round = (value: number) => Math.round(value * 10) / 10;

export async function reportFigures(clients: number, log: (line: string) => void) {
  const { work, core, call, remove } = await benchCopy('reports', clients, log);
  const build = async (period: unknown) => {
    const started = performance.now();
    const { jobId } = await call<{ jobId: string }>('reports.start', { period });
    for (;;) {
      const next = await call<{ report: Report | null }>('reports.next', { jobId });
      if (next.report) return { ms: performance.now() - started, report: next.report, jobId };
    }
  };
  try {
    await call('auth.login', { username: 'quanly', password: PASSWORD });
    log('Timing a quarter and a year of reports (suppression and LP audit included)…');
    const quarter = { kind: 'quarter', year: 2026, quarter: 3 };
    const year = { kind: 'year', year: 2026 };
    await build(quarter); // warm-up (loads HiGHS)
    const quarters: number[] = [];
    const years: number[] = [];
    let last: Awaited<ReturnType<typeof build>> | null = null;
    for (let i = 0; i < 3; i++) quarters.push((await build(quarter)).ms);
    for (let i = 0; i < 3; i++) years.push((last = await build(year)).ms);
    const yearScanMs = plainScanMs(sqliteOf(core), '2026-01-01', '2026-12-31');
    const started = performance.now();
    await call('reports.save', { jobId: last?.jobId, format: 'xlsx' }, { path: join(work, 'year.xlsx') });
    const xlsxMs = performance.now() - started;
    const reached = last?.report.tables.find((table) => table.indicatorId === 'persons_reached');
    return {
      report_quarter_ms: round(percentile(quarters, 50)),
      report_year_ms: round(percentile(years, 50)),
      report_year_max_ms: round(Math.max(...years)),
      report_year_scan_ms: round(yearScanMs),
      report_year_vs_scan: round(percentile(years, 50) / yearScanMs),
      report_year_persons_reached: reached?.cells.at(-1)?.at(-1) ?? null,
      report_year_suppressed_cells: last?.report.audit.suppressedCells ?? 0,
      report_year_lp_solves: last?.report.audit.solves ?? 0,
      report_year_xlsx_ms: round(xlsxMs),
    };
  } finally {
    await core.shutdown();
    remove();
  }
}
