import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BackupSummary } from '../../electron/contract/index.ts';
import { MANIFEST } from '../../electron/core/backup/backup-files.ts';
import { automaticBackup } from '../../electron/core/backup/handlers.ts';
import { LEDGER_FILE } from '../../electron/core/erasure/erasure.ts';
import type { ServerConnection } from '../../electron/core/vault/server-provision.ts';
import { VAULT_FILES } from '../../electron/core/vault/vault-files.ts';
import { makeBackup, runBackupJob } from '../support/backups.ts';
import { invokeJob } from '../support/calls.ts';
import { restorableContent } from '../support/db-snapshot.ts';
import { BUSY_WORDS, busyVault, ownCluster } from '../support/own-cluster.ts';
import { ownerPool } from '../support/pg-cluster.ts';
import { ADMIN, loginAs, openApp, syntheticClient, tempDir, TODAY, WORKER, WORKER2, type copyOfTemplate, type TestApp } from '../support/vault-fixture.ts';

/*
 * Backups of the centre's server (DESIGN.md §8), from the backup screen of any PC: every
 * record read in one snapshot of the server, its words opened and written into an encrypted
 * file of the one-PC format, with the server's keyring of that moment and the same manifest.
 * It checks as any backup does, with a password or the recovery code of then; it restores on
 * a PC to exactly what the server held; what other PCs write meanwhile is not half in it; a
 * backup stopped half-way leaves nothing behind and holds nothing open on the server.
 */

const server = ownCluster();
type TemplateApp = Awaited<ReturnType<typeof copyOfTemplate>>;
const admin = { username: ADMIN.username, password: ADMIN.password };
const cluster = () => server.cluster;

/** A one-PC vault with words in every sealed kind of column, as it stood before it moved up to `database`; logged in there as the administrator. */
async function serverWithRecords(database: string): Promise<{ app: TemplateApp; before: string; connection: ServerConnection }> {
  const app = server.keep(await busyVault());
  await loginAs(app, ADMIN);
  const before = comparable(restorableContent(app));
  const { connection, file } = await server.newServer(database);
  const moved = await app.gate.invoke('vault.moveUp', { confirm: true }, { path: file });
  expect(moved.ok).toBe(true);
  expect(app.core.vault.kind).toBe('server');
  await loginAs(app, ADMIN);
  return { app, before, connection };
}

/**
 * A one-PC vault's content as a round trip through the server keeps it: the monthly counts
 * without their empty months (the file keeps a month that fell to 0; counts made afresh have
 * none), the word search's own tables (their segments follow the order rows came in), and when
 * the migrations ran.
 */
function comparable(content: string): string {
  const tables = JSON.parse(content) as Record<string, Record<string, unknown>[]>;
  for (const table of Object.keys(tables)) if (/_words(_|$)/.test(table)) delete tables[table];
  tables.kysely_migration = (tables.kysely_migration ?? []).map((row) => ({ ...row, timestamp: null }));
  for (const table of ['service_month', 'referral_month']) tables[table] = (tables[table] ?? []).filter((row) => row.n !== 0);
  return JSON.stringify(tables);
}

/** Every file under a folder, as bytes. */
const bytesUnder = (folder: string): Buffer[] =>
  readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? bytesUnder(path) : [readFileSync(path)];
  });

async function madeIn(app: TestApp, parent: string): Promise<BackupSummary> {
  const made = await makeBackup(app.gate, parent);
  if (!made.ok || !made.value.backup) throw new Error(`no backup: ${JSON.stringify(made)}`);
  return made.value.backup;
}

/** The server's connections left inside a transaction (a snapshot held open), as the owner sees them. */
async function heldOpen(database: string): Promise<number> {
  const owner = ownerPool(cluster(), database, 1);
  try {
    const { rows } = await owner.query<{ n: number }>("select count(*)::int as n from pg_stat_activity where datname = $1 and state like 'idle in transaction%'", [database]);
    return rows[0]?.n ?? -1;
  } finally {
    await owner.end();
  }
}

describe('a backup of the centre\'s server', () => {
  it('is an encrypted one-PC backup with the manifest; checks with a password and the recovery code; restores on a PC to exactly what the server held', async () => {
    const { app, before } = await serverWithRecords('centre_backup');
    const parent = tempDir('dh-usb-');
    const made = await runBackupJob(app.gate, 'backup.start', {}, parent);
    if (!made.ok) throw new Error(made.error.code);
    const backup = (made.value as { backup: BackupSummary }).backup;
    expect(backup.folderName).toMatch(/^dong-hanh-sao-luu-\d{8}-\d{6}$/);
    expect(made.steps.map((step) => step.stage).filter((stage, at, all) => all[at - 1] !== stage)).toEqual(['copy', 'check', 'checksum', 'finish']);
    // The bar only moves forward, and the copy is many steps (one per batch of each table's rows).
    expect(made.steps.every((step, at) => at === 0 || step.done >= made.steps[at - 1]!.done)).toBe(true);
    expect(made.steps.filter((step) => step.stage === 'copy').length).toBeGreaterThan(20);
    expect(backup.counts).toMatchObject({ user: 4, client: 2 });
    expect(readdirSync(parent).sort()).toEqual([backup.folderName, LEDGER_FILE].sort());
    expect(readdirSync(join(parent, backup.folderName)).sort()).toEqual([VAULT_FILES.database, VAULT_FILES.keyring, MANIFEST].sort());
    // The trail says it was made.
    const [entry] = (await app.ok('audit.list', { action: 'backup.create', limit: 1 })).rows;
    expect(entry).toMatchObject({ outcome: 'ok', detail: { backup: backup.folderName, trigger: 'manual' } });

    // No word about a person in the clear anywhere in the folder.
    const secrets = BUSY_WORDS;
    const files = bytesUnder(join(parent, backup.folderName));
    for (const secret of secrets) expect(files.some((bytes) => bytes.includes(Buffer.from(secret))), secret).toBe(false);

    // Checked as any backup is, on the server's PC, with a password or the recovery code of then.
    const folder = join(parent, backup.folderName);
    expect(await invokeJob(app, 'backup.verify', { credentials: admin }, folder)).toMatchObject({ checked: true, backup: { folderName: backup.folderName } });
    expect(await invokeJob(app, 'backup.verify', { credentials: { recoveryCode: app.template.recoveryCode } }, folder)).toMatchObject({ checked: true });
    expect(await invokeJob(app, 'backup.verify', { credentials: { username: ADMIN.username, password: 'khong-dung-mat-khau' } }, folder)).toEqual({ error: 'WRONG_CREDENTIALS' });

    // Restored on a new PC: the same records as the one-PC vault that moved up, word for word.
    const fresh = openApp(join(tempDir('dh-new-pc-'), 'data'));
    server.keep(fresh);
    expect(await invokeJob(fresh, 'setup.restore', { credentials: admin, confirm: true }, folder)).toMatchObject({ restored: true });
    await loginAs(fresh, WORKER);
    expect(comparable(restorableContent(fresh))).toBe(before);
    expect((await fresh.ok('clients.list', { search: 'len may' })).rows.map((row) => row.alias)).toEqual(['Chị Lên Máy Chủ']);
    expect(await fresh.ok('clients.identity', { clientId: app.template.ids.client })).toMatchObject({ legalName: 'Nguyễn Thị Mẫu Chuyển' });
    await fresh.ok('auth.logout', {});
    // The trail came whole: the file's, the move up, the server's (the backup made), the restore.
    await loginAs(fresh, ADMIN);
    expect(await fresh.ok('audit.verify', {})).toMatchObject({ ok: true, problem: null });
    // A client registered after the restore gets a number the server never gave.
    await fresh.ok('auth.logout', {});
    await loginAs(fresh, WORKER);
    const next = await fresh.ok('clients.register', syntheticClient({ motherName: 'Mai', fatherName: 'Sau', alias: 'Chị Sau Phục Hồi' }));
    expect(next.clientId).toBeGreaterThan(Math.max(...(await app.core.vault.db.selectFrom('client').select('id').execute()).map((row) => row.id)));

    // Back onto a server (the README's restore): that PC moves up into a new, empty database.
    const { connection: target, file } = await server.newServer('centre_restored');
    await fresh.ok('auth.logout', {});
    await loginAs(fresh, ADMIN);
    expect(await fresh.gate.invoke('vault.moveUp', { confirm: true }, { path: file })).toMatchObject({ ok: true, value: { moved: true } });
    const joined = openApp(tempDir('dh-pc-'));
    server.keep(joined);
    await joined.core.connectToServer(target);
    await loginAs(joined, WORKER);
    expect((await joined.ok('clients.list', { search: 'len may' })).rows.map((row) => row.alias)).toEqual(['Chị Lên Máy Chủ']);
    expect((await joined.ok('clients.list', { search: 'phuc hoi' })).rows.map((row) => row.alias)).toEqual(['Chị Sau Phục Hồi']);
    await joined.ok('auth.logout', {});
    await loginAs(joined, ADMIN);
    expect(await joined.ok('audit.verify', {})).toMatchObject({ ok: true, problem: null });
  });

  it('holds one moment: what another PC writes meanwhile is not in it; stopped half-way, nothing is left and nothing held open', async () => {
    const { app, connection } = await serverWithRecords('centre_snapshot');
    const second = openApp(tempDir('dh-pc-'));
    server.keep(second);
    await second.core.connectToServer(connection);
    await loginAs(second, WORKER2);
    const counts = { client: (await app.core.vault.db.selectFrom('client').select('id').execute()).length };

    const parent = tempDir('dh-usb-');
    const started = await app.gate.invoke('backup.start', {}, { path: parent });
    if (!started.ok) throw new Error(started.error.code);
    const { jobId } = started.value as { jobId: string };
    // The snapshot is open after the first step; the other PC registers a client and records a visit.
    let step = await app.ok('backup.next', { jobId });
    expect(step.stage).toBe('copy');
    step = await app.ok('backup.next', { jobId });
    const late = await second.ok('clients.register', syntheticClient({ motherName: 'Đến', fatherName: 'Muộn', alias: 'Chị Đến Muộn' }));
    await second.ok('visits.record', { clientId: late.clientId, visitOn: TODAY, place: 'centre', serviceTypeIds: [1] });
    while (!step.backup) step = await app.ok('backup.next', { jobId });
    expect(step.backup.counts.client).toBe(counts.client);
    const folder = join(parent, step.backup.folderName);
    expect(await invokeJob(app, 'backup.verify', { credentials: admin }, folder)).toMatchObject({ checked: true });
    const fresh = openApp(join(tempDir('dh-new-pc-'), 'data'));
    server.keep(fresh);
    expect(await invokeJob(fresh, 'setup.restore', { credentials: admin, confirm: true }, folder)).toMatchObject({ restored: true });
    await loginAs(fresh, WORKER2);
    expect((await fresh.ok('clients.list', { search: 'den muon', status: 'all' })).rows).toEqual([]);
    expect(await heldOpen('centre_snapshot')).toBe(0);

    // Stopped half-way through the copy: the hidden folder goes, the snapshot is let go.
    const other = tempDir('dh-usb-');
    const again = await app.gate.invoke('backup.start', {}, { path: other });
    if (!again.ok) throw new Error(again.error.code);
    const second2 = (again.value as { jobId: string }).jobId;
    await app.ok('backup.next', { jobId: second2 });
    await app.ok('backup.next', { jobId: second2 });
    expect(readdirSync(other).some((name) => name.endsWith('.part'))).toBe(true);
    expect(await heldOpen('centre_snapshot')).toBe(1);
    await app.ok('backup.cancel', { jobId: second2 });
    expect(readdirSync(other).filter((name) => name !== LEDGER_FILE)).toEqual([]);
    await expect.poll(() => heldOpen('centre_snapshot')).toBe(0);
    // So is one left when the session ends.
    const third = await app.gate.invoke('backup.start', {}, { path: other });
    if (!third.ok) throw new Error(third.error.code);
    await app.ok('backup.next', { jobId: (third.value as { jobId: string }).jobId });
    await app.ok('auth.logout', {});
    expect(readdirSync(other).filter((name) => name !== LEDGER_FILE)).toEqual([]);
    await expect.poll(() => heldOpen('centre_snapshot')).toBe(0);
  });

  it('is refused, leaving nothing behind, when the connection is lost under it or the server\'s counts disagree with its records', async () => {
    const { app } = await serverWithRecords('centre_refused');
    const parent = tempDir('dh-usb-');
    const left = () => readdirSync(parent).filter((name) => name !== LEDGER_FILE);
    // The connection dropped under the copy (the server restarted, a cable pulled out).
    const started = await app.gate.invoke('backup.start', {}, { path: parent });
    if (!started.ok) throw new Error(started.error.code);
    const { jobId } = started.value as { jobId: string };
    await app.ok('backup.next', { jobId });
    const owner = ownerPool(cluster(), 'centre_refused', 1);
    try {
      const { rows } = await owner.query<{ ended: boolean }>("select pg_terminate_backend(pid) as ended from pg_stat_activity where datname = 'centre_refused' and state like 'idle in transaction%'");
      expect(rows.map((row) => row.ended)).toEqual([true]);
      expect(await app.call('backup.next', { jobId })).toEqual({ ok: false, error: { code: 'SERVER_CONNECTION_LOST' } });
      expect(left()).toEqual([]);

      // A monthly count that no longer agrees with the services recorded (changed on the server by hand).
      await owner.query('update service_month set n = n + 1 where ctid = (select ctid from service_month where n > 0 limit 1)');
    } finally {
      await owner.end();
    }
    expect(await makeBackup(app.gate, parent)).toEqual({ ok: false, error: { code: 'SERVER_INCONSISTENT' } });
    expect(left()).toEqual([]);
    const failures = (await app.ok('audit.list', { action: 'backup.create' })).rows.filter((row) => row.outcome === 'failed').map((row) => row.errorCode);
    expect(failures.sort()).toEqual(['SERVER_CONNECTION_LOST', 'SERVER_INCONSISTENT']);
    expect(await heldOpen('centre_refused')).toBe(0);
  });

  it('is made on the schedule by one PC of the centre at a time, not at every PC\'s exit; two PCs backing up into one folder leave each other\'s alone', async () => {
    const { app, connection } = await serverWithRecords('centre_scheduled');
    const parent = tempDir('dh-usb-');
    await madeIn(app, parent);
    app.clock.advance(60_000);
    // No folder set yet: nothing to do.
    expect(await automaticBackup(app.core, 'scheduled')).toBe(false);
    expect((await app.gate.invoke('backup.setFolder', {}, { path: parent })).ok).toBe(true);
    await app.ok('backup.updateSettings', { backupEveryHours: 24, backupKeep: 5, backupAtExit: true });
    // Closing a PC does not back up the whole centre.
    expect(await automaticBackup(app.core, 'exit')).toBe(false);
    // Two PCs whose schedules fall due at the same moment: one makes the backup.
    const second = server.keep(openApp(tempDir('dh-pc-'), app.clock));
    await second.core.connectToServer(connection);
    await loginAs(second, ADMIN);
    app.clock.advance(25 * 3_600_000);
    const made = await Promise.all([automaticBackup(app.core, 'scheduled'), automaticBackup(second.core, 'scheduled')]);
    expect(made.filter(Boolean)).toHaveLength(1);
    // The other did not try and fail: it found the slot taken.
    expect((await app.ok('audit.list', { action: 'backup.create' })).rows.filter((row) => row.outcome !== 'ok')).toEqual([]);
    expect((await app.ok('backup.status', {})).backups.map((row) => row.trigger).sort()).toEqual(['manual', 'scheduled']);

    // Two PCs starting a backup into the same folder in the same second: the second is refused
    // (the folder's name is the time) and leaves the first's half-made folder alone.
    app.clock.advance(60_000);
    const first = await app.gate.invoke('backup.start', {}, { path: parent });
    if (!first.ok) throw new Error(first.error.code);
    const firstJob = (first.value as { jobId: string }).jobId;
    await app.ok('backup.next', { jobId: firstJob });
    expect(await makeBackup(second.gate, parent)).toEqual({ ok: false, error: { code: 'STORAGE_FAILED' } });
    expect(readdirSync(parent).filter((name) => name.endsWith('.part'))).toHaveLength(1);
    let step = await app.ok('backup.next', { jobId: firstJob });
    while (!step.backup) step = await app.ok('backup.next', { jobId: firstJob });
    expect(readdirSync(parent)).toContain(step.backup.folderName);
  });
});
