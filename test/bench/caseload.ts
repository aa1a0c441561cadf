import { presetPeriod } from '../../electron/contract/periods.ts';
import { today as localToday } from '../../electron/core/clock.ts';
import { benchCopy, clock, PASSWORD, percentile, plainScanMs, timed } from './case-records.ts';
import { sqliteOf } from '../support/file-store.ts';

/*
 * Caseload figures on the seeded vault: one worker's to-do list when she holds 500 open cases
 * (the other cases she held in the seed are moved to a colleague in a scratch copy), and the
 * manager's dashboard for a year of the centre's work (about a third of its million services),
 * also as a ratio to one plain GROUP BY pass over that year's services in the same run.
 */

const TODO_CASES = 500;
const round = (value: number) => Math.round(value * 100) / 100;

export async function caseloadFigures(clients: number, log: (line: string) => void) {
  const { core, call, remove } = await benchCopy('caseload', clients, log);
  try {
    await call('auth.login', { username: 'canbo02', password: PASSWORD });
    const sqlite = sqliteOf(core);
    const ids = sqlite.prepare(`select id from user where username in ('canbo02', 'canbo03') order by username`).pluck().all() as [number, number];
    // Keep her first 500 open cases; the rest go to a colleague (this copy only).
    sqlite
      .prepare(`update client set assigned_worker_id = ? where assigned_worker_id = ? and status = 'open' and id not in
        (select id from client where assigned_worker_id = ? and status = 'open' order by id limit ${TODO_CASES})`)
      .run(ids[1], ids[0], ids[0]);
    const held = Number(sqlite.prepare(`select count(*) from client where assigned_worker_id = ? and status = 'open'`).pluck().get(ids[0]));

    log(`Timing the to-do list of a worker with ${held} open cases…`);
    const todoTimes: number[] = [];
    let items = 0;
    await call('todo.list', {}); // warm-up
    for (let i = 0; i < 40; i++) items = ((await timed(todoTimes, () => call('todo.list', {}))) as { items: unknown[] }).items.length;
    await call('auth.logout', {});

    log('Timing the dashboard for a year…');
    await call('auth.login', { username: 'quanly', password: PASSWORD });
    const year = presetPeriod('last12Months', localToday(clock));
    const dashboardTimes: number[] = [];
    let services = 0;
    await call('dashboard.get', year); // warm-up
    for (let i = 0; i < 7; i++) services = ((await timed(dashboardTimes, () => call('dashboard.get', year))) as { totals: { services: number } }).totals.services;
    const yearScanMs = plainScanMs(sqliteOf(core), year.from, year.to);
    const quarterTimes: number[] = [];
    const quarter = presetPeriod('lastQuarter', localToday(clock));
    for (let i = 0; i < 7; i++) await timed(quarterTimes, () => call('dashboard.get', quarter));
    const reviewTimes: number[] = [];
    for (let i = 0; i < 20; i++) await timed(reviewTimes, () => call('reviews.due', {}));
    await call('auth.logout', {});
    return {
      todo_cases: held,
      todo_items: items,
      todo_p50_ms: round(percentile(todoTimes, 50)),
      todo_p95_ms: round(percentile(todoTimes, 95)),
      dashboard_year_services: services,
      dashboard_year_ms: round(percentile(dashboardTimes, 50)),
      dashboard_year_max_ms: round(Math.max(...dashboardTimes)),
      dashboard_year_scan_ms: round(yearScanMs),
      dashboard_year_vs_scan: round(percentile(dashboardTimes, 50) / yearScanMs),
      dashboard_quarter_ms: round(percentile(quarterTimes, 50)),
      review_queue_p95_ms: round(percentile(reviewTimes, 95)),
    };
  } finally {
    await core.shutdown();
    remove();
  }
}
