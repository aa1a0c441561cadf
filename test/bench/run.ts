/*
 * Benchmarks print figures; they never fail a build (timings on shared machines are noisy).
 *   npm run bench             human-readable
 *   npm run bench -- --json   one JSON object
 * Foundation figures: KDF calibration on this PC, unlock (login) time with those parameters,
 * lock time, audit append and verify. Case records: search, client page, visit recording and
 * the cost of encryption on a seeded vault (`--clients <n>`, default 100,000). Caseloads: one
 * worker's to-do list with 500 open cases, the manager's dashboard for a year and a quarter.
 * Reports: a quarter and a year, suppression and LP audit included. Backups: a backup, its check,
 * a change of the data key and a restore, on the same seeded vault. The core's thread: the
 * longest stall of the shell's thread while the core does all that in its own, and the hop's cost.
 * The centre's server (`*_pg`): the seeded vault moved up to a throwaway PostgreSQL cluster, the
 * same case-record, caseload and report figures there, and ten PCs recording visits at once.
 * Import: an old register of 10,000 clients and 50,000 visits read, previewed and imported, the
 * window's thread watched meanwhile.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { appendAudit, verifyAudit } from '../../electron/core/audit/trail.ts';
import { sqliteDialect } from '../../electron/core/db/dialect.ts';
import { createCore } from '../../electron/core/index.ts';
import { calibrate } from '../../electron/core/vault/kdf.ts';
import { caseRecordFigures, percentile } from './case-records.ts';
import { caseloadFigures } from './caseload.ts';
import { reportFigures } from './reports.ts';
import { backupFigures } from './backup.ts';
import { threadFigures } from './thread.ts';
import { serverFigures } from './server.ts';
import { importFigures } from './import.ts';

const json = process.argv.includes('--json');
const clientsArgument = process.argv.indexOf('--clients');
const benchClients = clientsArgument >= 0 ? Number(process.argv[clientsArgument + 1]) : 100_000;
const log = (line: string) => {
  if (!json) console.log(line);
};

const round = (value: number) => Math.round(value * 10) / 10;

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'dh-bench-'));
  try {
    log('Calibrating the key derivation on this PC…');
    const calibration = await calibrate();
    const params = calibration.params;
    log(`  scrypt N=2^${Math.log2(params.N)} r=${params.r} p=${params.p}: ${round(calibration.ms)} ms per derivation`);

    const { core, gate } = createCore({ dataDir: dir, calibrateKdf: async () => params, log: () => {} });
    const admin = { username: 'bench.admin', password: 'mat-khau-bench-0001' };
    const begun = await gate.invoke('setup.begin', {
      centreName: 'Trung tâm Đo lường',
      centreCode: 'BENCH',
      adminUsername: admin.username,
      adminDisplayName: 'Người Đo Thử',
      adminPassword: admin.password,
      language: 'vi',
    });
    if (!begun.ok) throw new Error(`setup failed: ${begun.error.code}`);
    const issued = begun.value as { recoveryCode: string; confirmGroup: number };
    await gate.invoke('setup.complete', { confirmation: issued.recoveryCode.split('-')[issued.confirmGroup - 1] });

    const unlocks: number[] = [];
    const locks: number[] = [];
    for (let i = 0; i < 7; i++) {
      let started = performance.now();
      await gate.invoke('auth.lock', {});
      locks.push(performance.now() - started);
      started = performance.now();
      const result = await gate.invoke('auth.login', admin);
      unlocks.push(performance.now() - started);
      if (!result.ok) throw new Error(`login failed: ${result.error.code}`);
    }
    log(`Unlock (login): p50 ${round(percentile(unlocks, 50))} ms, p95 ${round(percentile(unlocks, 95))} ms over ${unlocks.length}`);
    log(`Lock: p50 ${round(percentile(locks, 50))} ms`);

    const appends: number[] = [];
    const db = core.vault.db;
    for (let i = 0; i < 2000; i++) {
      const started = performance.now();
      await appendAudit(db, core.vault.dialect, { at: new Date().toISOString(), actorId: 1, action: 'bench.append', outcome: 'ok', detail: { i } });
      appends.push(performance.now() - started);
    }
    let started = performance.now();
    const verified = await verifyAudit(db, sqliteDialect);
    const verifyMs = performance.now() - started;
    log(`Audit append: p95 ${round(percentile(appends, 95))} ms; verify ${verified.checked} entries: ${round(verifyMs)} ms`);

    started = performance.now();
    await core.shutdown();
    const figures = {
      kdf: { alg: params.alg, N: params.N, r: params.r, p: params.p, derivation_ms: round(calibration.ms) },
      unlock_p50_ms: round(percentile(unlocks, 50)),
      unlock_p95_ms: round(percentile(unlocks, 95)),
      unlock_over_kdf: round(percentile(unlocks, 50) / calibration.ms),
      lock_p50_ms: round(percentile(locks, 50)),
      audit_append_p95_ms: round(percentile(appends, 95)),
      audit_verify_ms: round(verifyMs),
      audit_entries: verified.checked,
      shutdown_ms: round(performance.now() - started),
    };
    const all = { ...figures, ...(await caseRecordFigures(benchClients, log)), ...(await caseloadFigures(benchClients, log)), ...(await reportFigures(benchClients, log)), ...(await backupFigures(benchClients, log)), ...(await threadFigures(benchClients, log)), ...(await importFigures(benchClients, log)), ...(await serverFigures(benchClients, log)) };
    if (json) console.log(JSON.stringify(all));
    else log(`\n${JSON.stringify(all, null, 2)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
