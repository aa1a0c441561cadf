import BetterSqlite3 from 'better-sqlite3-multiple-ciphers';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Kysely, SqliteDialect } from 'kysely';
import { listClients } from '../../electron/core/clients/list.ts';
import { clientPage } from '../../electron/core/clients/page.ts';
import { fileSealer } from '../../electron/core/vault/column-sealers.ts';
import { refreshClientSummary } from '../../electron/core/records/access.ts';
import { today as localToday } from '../../electron/core/clock.ts';
import type { Database } from '../../electron/core/db/schema.ts';
import { createCore } from '../../electron/core/index.ts';
import { configure, openEncrypted, type SqliteHandle } from '../../electron/core/vault/database.ts';
import { SCRYPT_FLOOR } from '../../electron/core/vault/kdf.ts';
import { openPasswordSlot, readKeyring } from '../../electron/core/vault/key-slots.ts';
import { VAULT_FILES } from '../../electron/core/vault/vault.ts';
import { clientListInputSchema } from '../../electron/contract/clients.ts';
import { CASELOAD_DEFAULTS } from '../../electron/contract/settings.ts';
import { seedVault } from '../support/synthetic.ts';
import { sqliteOf } from '../support/file-store.ts';

/*
 * Case-record figures at scale: a seeded vault (built once into .bench/, then reused) of
 * 100,000 clients and about a million services. Search, client page and visit recording are
 * timed through the gate; the same SQL workload is then run on an unencrypted copy to give
 * the cost of encryption as a ratio.
 */

export const PASSWORD = 'mat-khau-do-hieu-nang';
const SEED_FORMAT = 7;
export const clock = { now: () => Date.parse('2026-11-28T03:00:00Z') };

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}
const round = (value: number) => Math.round(value * 100) / 100;

/**
 * One plain GROUP BY pass over a period's services (through the date index), the median of
 * five: the yardstick the dashboard's and the report's times are divided by (ratios are steadier
 * than times on a shared machine).
 */
export function plainScanMs(sqlite: { prepare(sql: string): { all(...args: unknown[]): unknown[] } }, from: string, to: string): number {
  const times: number[] = [];
  for (let i = 0; i < 6; i++) {
    const started = performance.now();
    sqlite.prepare('select service_type_id, count(*) from service where service_on between ? and ? group by service_type_id').all(from, to);
    if (i > 0) times.push(performance.now() - started);
  }
  return percentile(times, 50);
}

export async function timed<T>(times: number[], task: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const value = await task();
  times.push(performance.now() - started);
  return value;
}

export async function benchVault(clients: number, log: (line: string) => void): Promise<{ dir: string; services: number }> {
  const dir = resolve('.bench', `clients-${clients}`);
  const marker = join(dir, 'seed.json');
  if (existsSync(marker)) {
    const seeded = JSON.parse(readFileSync(marker, 'utf8')) as { format: number; services: number };
    if (seeded.format === SEED_FORMAT) return { dir, services: seeded.services };
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  log(`Seeding ${clients} clients into ${dir} (once; reused afterwards)…`);
  const summary = await seedVault({
    dir,
    clients,
    password: PASSWORD,
    calibrateKdf: async () => ({ alg: 'scrypt', ...SCRYPT_FLOOR }),
    today: new Date(clock.now()),
    log,
  });
  log(`  seeded in ${(summary.ms / 1000).toFixed(1)} s: ${summary.services} services, ${summary.referrals} referrals`);
  writeFileSync(marker, JSON.stringify({ format: SEED_FORMAT, ...summary }));
  return { dir, services: summary.services };
}

/**
 * What workers type: code prefixes (short and long), name fragments with and without tones,
 * and legal-name fragments (matched only among the searcher's own clients). The synthetic
 * aliases all carry a marker word ("Thử", "Mẫu", "Tập Huấn"), so those words are left out:
 * they would match a third of the centre, which no real name does.
 */
const SEARCHES = ['TH', 'LAHU', 'MAHU9', 'HOBI96-1', 'hoa', 'huong', 'HƯƠNG', 'ngoc', 'Thảo 012', 'quynh', 'dang thi', 'nguyen'];

/**
 * Words of one or two letters, which the word indexes answer: two-letter names (Út, Vy, Hà, Mỹ,
 * An), a first keystroke ("h"), a word and a letter ("thi u"), and "t", which starts a word of
 * most aliases (the row-by-row path).
 */
const SHORT_SEARCHES = ['ut', 'vy', 'hà', 'mỹ', 'an', 'h', 'u', 'thi u', 't'];

/** The SQL side of the workload (no gate), run alike on the encrypted file and on a plain copy. */
async function sqlWorkload(db: Kysely<Database>, sqlite: SqliteHandle, clientIds: number[], rounds: number): Promise<number> {
  const started = performance.now();
  const today = localToday(clock);
  for (let round = 0; round < rounds; round++) {
    for (const search of SEARCHES) await listClients(db, clientListInputSchema.parse({ search }), 1, today, CASELOAD_DEFAULTS, { columns: fileSealer, index: null });
    for (const id of clientIds) await clientPage(db, fileSealer, id, { id: 1, revealed: false, managesCaseload: false }, today);
    for (const id of clientIds.slice(0, 20)) {
      sqlite.transaction(() => {
        const visit = sqlite.prepare(`insert into visit (client_id, visit_on, place, worker_id, recorded_at) values (?, ?, 'centre', 2, ?)`).run(id, today, today).lastInsertRowid;
        for (const type of [1, 2]) sqlite.prepare('insert into service (visit_id, client_id, service_type_id, service_on, worker_id) values (?, ?, ?, ?, 2)').run(visit, id, type, today);
      })();
      await refreshClientSummary(db, id);
    }
  }
  return performance.now() - started;
}

/**
 * A scratch copy of the seeded vault, opened by a fresh core in this thread, with a `call` that
 * insists on success. `remove` deletes the copy (after the core is shut down).
 */
export async function benchCopy(name: string, clients: number, log: (line: string) => void) {
  const { work, services, remove } = await benchFiles(name, clients, log);
  const { core, gate } = createCore({ dataDir: work, clock, log: () => {} });
  const call = async <T = unknown>(channel: string, input: unknown, extras = {}): Promise<T> => {
    const result = await gate.invoke(channel, input, extras);
    if (!result.ok) throw new Error(`${channel}: ${result.error.code}`);
    return result.value as T;
  };
  return { work, core, call, services, remove };
}

/** A scratch copy of the seeded vault's files, for a core to open (in this thread or its own). */
export async function benchFiles(name: string, clients: number, log: (line: string) => void) {
  const seeded = await benchVault(clients, log);
  const work = resolve('.bench', `${name}-${clients}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  for (const file of [VAULT_FILES.database, VAULT_FILES.keyring]) copyFileSync(join(seeded.dir, file), join(work, file));
  return { work, services: seeded.services, remove: () => rmSync(work, { recursive: true, force: true }) };
}

export async function caseRecordFigures(clients: number, log: (line: string) => void) {
  const { work, core, call, services } = await benchCopy('work', clients, log);
  await call('auth.login', { username: 'canbo01', password: PASSWORD });
  const sqlite = sqliteOf(core);
  // Her own open cases: a visit to someone else's client is refused in core (she holds the case or states a reason).
  const openIds = sqlite
    .prepare(`select id from client where status = 'open' and assigned_worker_id = (select id from user where username = 'canbo01') order by random() limit 300`)
    .pluck()
    .all() as number[];
  if (openIds.length < 300) throw new Error(`bench vault: canbo01 holds ${openIds.length} open cases, 300 needed`);

  log('Timing search, client page and visit recording through the gate…');
  const searchTimes: number[] = [];
  for (const search of SEARCHES) await call('clients.list', { search }); // warm-up
  for (let round = 0; round < 5; round++) for (const search of SEARCHES) await timed(searchTimes, () => call('clients.list', { search, status: 'all' }));
  const shortTimes: number[] = [];
  for (const search of SHORT_SEARCHES) await call('clients.list', { search }); // warm-up
  for (let round = 0; round < 5; round++) for (const search of SHORT_SEARCHES) await timed(shortTimes, () => call('clients.list', { search, status: 'all' }));
  const pageTimes: number[] = [];
  for (const id of openIds.slice(0, 200)) await timed(pageTimes, () => call('clients.get', { clientId: id }));
  const visitTimes: number[] = [];
  for (const id of openIds.slice(200, 300)) {
    await timed(visitTimes, () => call('visits.record', { clientId: id, visitOn: localToday(clock), place: 'outreach', serviceTypeIds: [1, 4] }));
  }
  await core.shutdown();

  log('Making an unencrypted copy for comparison…');
  const dataKey = (await openPasswordSlot(readKeyring(join(work, VAULT_FILES.keyring)), 'canbo01', PASSWORD))?.dataKey;
  if (!dataKey) throw new Error('bench vault key');
  const plainPath = join(work, 'plain.db');
  copyFileSync(join(work, VAULT_FILES.database), plainPath);
  const decrypting = openEncrypted(plainPath, Buffer.from(dataKey), {});
  // Rekeying works only outside WAL mode; the copy goes back to WAL in configure() below.
  decrypting.pragma('journal_mode = DELETE');
  decrypting.pragma(`rekey=''`);
  decrypting.close();

  const encrypted = openEncrypted(join(work, VAULT_FILES.database), Buffer.from(dataKey), {});
  const plain = new BetterSqlite3(plainPath);
  for (const handle of [encrypted, plain]) configure(handle);
  const encryptedDb = new Kysely<Database>({ dialect: new SqliteDialect({ database: encrypted }) });
  const plainDb = new Kysely<Database>({ dialect: new SqliteDialect({ database: plain }) });
  const sample = openIds.slice(0, 60);
  await sqlWorkload(encryptedDb, encrypted, sample, 1);
  await sqlWorkload(plainDb, plain, sample, 1);
  const encryptedMs = await sqlWorkload(encryptedDb, encrypted, sample, 3);
  const plainMs = await sqlWorkload(plainDb, plain, sample, 3);
  await encryptedDb.destroy();
  await plainDb.destroy();
  dataKey.fill(0);
  rmSync(work, { recursive: true, force: true });

  return {
    clients,
    services,
    search_p50_ms: round(percentile(searchTimes, 50)),
    search_p95_ms: round(percentile(searchTimes, 95)),
    short_search_p50_ms: round(percentile(shortTimes, 50)),
    short_search_p95_ms: round(percentile(shortTimes, 95)),
    short_vs_trigram_search_p95: round(percentile(shortTimes, 95) / percentile(searchTimes, 95)),
    client_page_p95_ms: round(percentile(pageTimes, 95)),
    record_visit_p95_ms: round(percentile(visitTimes, 95)),
    encrypted_vs_plain: round(encryptedMs / plainMs),
    encrypted_workload_ms: round(encryptedMs),
    plain_workload_ms: round(plainMs),
  };
}
