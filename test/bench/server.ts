import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { presetPeriod } from '../../electron/contract/periods.ts';
import type { Report } from '../../electron/contract/reports.ts';
import { today as localToday } from '../../electron/core/clock.ts';
import { createCore } from '../../electron/core/index.ts';
import { rolesNamed } from '../../electron/core/vault/server-connection.ts';
import { provisionServer, type ServerConnection } from '../../electron/core/vault/server-provision.ts';
import { serverMigrations } from '../../migrations/server/index.ts';
import { havePostgres, ownerPool, startCluster, type PgCluster } from '../support/pg-cluster.ts';
import { benchFiles, clock, PASSWORD, percentile, timed } from './case-records.ts';

/*
 * The same figures on the centre's server (DESIGN.md §8), keys ending in `_pg`: the seeded
 * vault is moved up to a throwaway PostgreSQL 15 cluster (TLS, on this machine) through the
 * backup screen's call, timed; then search, client page and visit recording, a worker's to-do
 * list of 500 cases, the dashboard for a year, and a quarter's and a year's reports run through
 * the gate as on the file. Then ten PCs (ten cores in this one process, each with its own
 * pool; a centre's PCs each have a processor of their own) record visits at once, after each
 * PC's first visit since its login (`concurrent_first_visit_max_ms`, the ten at once):
 * `concurrent_visit_p95_ms`, retries included. The ratios divide by one plain GROUP BY pass over
 * the same period's services on the server.
 */

const SEARCHES = ['TH', 'LAHU', 'MAHU9', 'HOBI96-1', 'hoa', 'huong', 'HƯƠNG', 'ngoc', 'Thảo 012', 'quynh', 'dang thi', 'nguyen'];
const PCS = 10;
const VISITS_PER_PC = 20;
const round = (value: number) => Math.round(value * 100) / 100;

type Call = <T = unknown>(channel: string, input: unknown, extras?: object) => Promise<T>;

function pcOn(dir: string) {
  const { core, gate } = createCore({ dataDir: dir, clock, log: () => {} });
  const call: Call = async <T>(channel: string, input: unknown, extras = {}) => {
    const result = await gate.invoke(channel, input, extras);
    if (!result.ok) throw new Error(`${channel}: ${result.error.code}`);
    return result.value as T;
  };
  return { core, call };
}

async function plainScanMsPg(owner: pg.Pool, from: string, to: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 6; i++) {
    const started = performance.now();
    await owner.query('select service_type_id, count(*) from service where service_on between $1 and $2 group by service_type_id', [from, to]);
    if (i > 0) times.push(performance.now() - started);
  }
  return percentile(times, 50);
}

export async function serverFigures(clients: number, log: (line: string) => void): Promise<Record<string, number | null>> {
  if (!havePostgres()) {
    log('PostgreSQL 15 is not installed: the server figures are left out.');
    return {};
  }
  const cluster: PgCluster = await startCluster();
  const database = 'centre_bench';
  const files = await benchFiles('pg-source', clients, log);
  const pcs: ReturnType<typeof pcOn>[] = [];
  const owner = ownerPool(cluster, database, 2);
  try {
    const connection: ServerConnection = (
      await provisionServer({ address: { host: cluster.host, port: cluster.port, database, ca: cluster.ca }, owner: cluster.owner, migrations: serverMigrations, roles: rolesNamed(database) })
    ).connection!;
    const connectionFile = join(files.work, 'centre.server');
    writeFileSync(connectionFile, JSON.stringify(connection));

    log(`Moving the seeded vault (${clients} clients) up to a PostgreSQL server…`);
    const first = pcOn(files.work);
    pcs.push(first);
    await first.call('auth.login', { username: 'quantri', password: PASSWORD });
    let started = performance.now();
    const moved = await first.call<{ rows: number }>('vault.moveUp', { confirm: true }, { path: connectionFile });
    const moveUpMs = performance.now() - started;
    log(`  moved ${moved.rows} rows in ${(moveUpMs / 1000).toFixed(1)} s`);
    // Measured as the server runs from a minute or two after a move up: by then its autovacuum
    // has read the new tables' statistics (the app's role may not ANALYZE; README step 6).
    await owner.query('vacuum analyze');

    log('Timing search, client page and visit recording on the server…');
    await first.call('auth.login', { username: 'canbo01', password: PASSWORD });
    const openIds = (
      await owner.query<{ id: number }>(`select id from client where status = 'open' and assigned_worker_id = (select id from "user" where username = 'canbo01') order by random() limit 300`)
    ).rows.map((row) => row.id);
    started = performance.now();
    await first.call('clients.list', { search: 'hoa' });
    const indexMs = performance.now() - started;
    const searchTimes: number[] = [];
    for (const search of SEARCHES) await first.call('clients.list', { search });
    for (let i = 0; i < 5; i++) for (const search of SEARCHES) await timed(searchTimes, () => first.call('clients.list', { search, status: 'all' }));
    const pageTimes: number[] = [];
    for (const id of openIds.slice(0, 200)) await timed(pageTimes, () => first.call('clients.get', { clientId: id }));
    const visitTimes: number[] = [];
    for (const id of openIds.slice(200, 300)) await timed(visitTimes, () => first.call('visits.record', { clientId: id, visitOn: localToday(clock), place: 'outreach', serviceTypeIds: [1, 4] }));
    await first.call('auth.logout', {});

    log('Timing the to-do list and the dashboard on the server…');
    const [worker, colleague] = (await owner.query<{ id: number }>(`select id from "user" where username in ('canbo02', 'canbo03') order by username`)).rows.map((row) => row.id);
    await owner.query(
      `update client set assigned_worker_id = $1 where assigned_worker_id = $2 and status = 'open' and id not in
        (select id from client where assigned_worker_id = $2 and status = 'open' order by id limit 500)`,
      [colleague, worker],
    );
    // The same for this bulk change (autovacuum's first pass after it).
    await owner.query('vacuum analyze client');
    await first.call('auth.login', { username: 'canbo02', password: PASSWORD });
    const todoTimes: number[] = [];
    await first.call('todo.list', {});
    for (let i = 0; i < 40; i++) await timed(todoTimes, () => first.call('todo.list', {}));
    await first.call('auth.logout', {});
    await first.call('auth.login', { username: 'quanly', password: PASSWORD });
    const year = presetPeriod('last12Months', localToday(clock));
    const dashboardTimes: number[] = [];
    await first.call('dashboard.get', year);
    for (let i = 0; i < 7; i++) await timed(dashboardTimes, () => first.call('dashboard.get', year));
    const dashboardScanMs = await plainScanMsPg(owner, year.from, year.to);

    log('Timing a quarter and a year of reports on the server…');
    const build = async (period: unknown) => {
      const begun = performance.now();
      const { jobId } = await first.call<{ jobId: string }>('reports.start', { period });
      for (;;) {
        const next = await first.call<{ report: Report | null }>('reports.next', { jobId });
        if (next.report) return performance.now() - begun;
      }
    };
    await build({ kind: 'quarter', year: 2026, quarter: 3 });
    const quarters: number[] = [];
    const years: number[] = [];
    for (let i = 0; i < 3; i++) quarters.push(await build({ kind: 'quarter', year: 2026, quarter: 3 }));
    for (let i = 0; i < 3; i++) years.push(await build({ kind: 'year', year: 2026 }));
    const reportScanMs = await plainScanMsPg(owner, '2026-01-01', '2026-12-31');
    await first.call('auth.logout', {});

    log('Timing a backup of the server (one snapshot, into an encrypted file) and its check…');
    await first.call('auth.login', { username: 'quantri', password: PASSWORD });
    const usb = join(files.work, 'usb');
    mkdirSync(usb);
    const backupSteps: number[] = [];
    const runJob = async (channel: string, input: unknown, path: string, steps: number[]) => {
      const { jobId } = await first.call<{ jobId: string }>(channel, input, { path });
      for (;;) {
        const begun = performance.now();
        const next = await first.call<{ backup: { folderName: string; bytes: number } | null }>('backup.next', { jobId });
        steps.push(performance.now() - begun);
        if (next.backup) return next.backup;
      }
    };
    started = performance.now();
    const backup = await runJob('backup.start', {}, usb, backupSteps);
    const backupMs = performance.now() - started;
    const checkSteps: number[] = [];
    started = performance.now();
    await runJob('backup.verify', { credentials: { username: 'quantri', password: PASSWORD } }, join(usb, backup.folderName), checkSteps);
    const checkMs = performance.now() - started;
    await first.call('auth.logout', {});

    log(`Ten PCs recording visits at once (${VISITS_PER_PC} each)…`);
    const workers = Array.from({ length: PCS }, (_, i) => `canbo${String((i % 8) + 1).padStart(2, '0')}`);
    const desks = [];
    for (const [i, username] of workers.entries()) {
      const dir = join(files.work, `pc-${i}`);
      mkdirSync(dir, { recursive: true });
      const desk = pcOn(dir);
      pcs.push(desk);
      await desk.core.connectToServer(connection);
      await desk.call('auth.login', { username, password: PASSWORD });
      // Her own open cases, a different slice on each PC of the same person.
      const own = (
        await owner.query<{ id: number }>(`select id from client where status = 'open' and assigned_worker_id = (select id from "user" where username = $1) order by id offset $2 limit $3`, [
          username,
          Math.floor(i / 8) * (VISITS_PER_PC + 1),
          VISITS_PER_PC + 1,
        ])
      ).rows.map((row) => row.id);
      desks.push({ desk, own });
    }
    // Each PC's first visit since its login, all ten at once: its connection learns the tables
    // and parses the statements it names, within the trail's hold. Reported on its own; the
    // figures after it are those of a centre at work.
    const firsts: number[] = [];
    await Promise.all(desks.map(({ desk, own }) => timed(firsts, () => desk.call('visits.record', { clientId: own.shift(), visitOn: localToday(clock), place: 'centre', serviceTypeIds: [1] }))));
    const together: number[] = [];
    started = performance.now();
    await Promise.all(
      desks.map(async ({ desk, own }) => {
        for (const clientId of own) await timed(together, () => desk.call('visits.record', { clientId, visitOn: localToday(clock), place: 'centre', serviceTypeIds: [1] }));
      }),
    );
    const togetherMs = performance.now() - started;
    for (const { desk } of desks) await desk.call('auth.logout', {});

    log('Timing a change of the data key on the server (every sealed column sealed again)…');
    await first.call('auth.login', { username: 'quantri', password: PASSWORD });
    const begun = await first.call<{ recoveryCode: string; confirmGroup: number }>('vault.rotateBegin', {});
    started = performance.now();
    await first.call('vault.rotateKey', { password: PASSWORD, confirmation: begun.recoveryCode.split('-')[begun.confirmGroup - 1], confirm: true });
    const keyChangeMs = performance.now() - started;

    return {
      move_up_ms_pg: Math.round(moveUpMs),
      move_up_rows_pg: moved.rows,
      client_index_build_ms_pg: round(indexMs),
      search_p50_ms_pg: round(percentile(searchTimes, 50)),
      search_p95_ms_pg: round(percentile(searchTimes, 95)),
      client_page_p95_ms_pg: round(percentile(pageTimes, 95)),
      record_visit_p95_ms_pg: round(percentile(visitTimes, 95)),
      todo_p95_ms_pg: round(percentile(todoTimes, 95)),
      dashboard_year_ms_pg: round(percentile(dashboardTimes, 50)),
      dashboard_year_vs_scan_pg: round(percentile(dashboardTimes, 50) / dashboardScanMs),
      report_quarter_ms_pg: round(percentile(quarters, 50)),
      report_year_ms_pg: round(percentile(years, 50)),
      report_year_vs_scan_pg: round(percentile(years, 50) / reportScanMs),
      backup_ms_pg: Math.round(backupMs),
      backup_mb_pg: round(backup.bytes / 1_048_576),
      backup_steps_pg: backupSteps.length,
      backup_longest_step_ms_pg: round(Math.max(...backupSteps)),
      backup_verify_ms_pg: Math.round(checkMs),
      backup_verify_longest_step_ms_pg: round(Math.max(...checkSteps)),
      concurrent_visit_pcs: PCS,
      concurrent_visit_p50_ms: round(percentile(together, 50)),
      concurrent_visit_p95_ms: round(percentile(together, 95)),
      concurrent_visits_per_s: round((together.length / togetherMs) * 1000),
      concurrent_first_visit_max_ms: round(Math.max(...firsts)),
      key_change_ms_pg: Math.round(keyChangeMs),
    };
  } finally {
    for (const pc of pcs) await pc.core.shutdown();
    await owner.end();
    cluster.remove();
    files.remove();
  }
}
