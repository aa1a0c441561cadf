import { appendFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BackupSummary } from '../../electron/contract/index.ts';
import { MANIFEST } from '../../electron/core/backup/backup-files.ts';
import { LEDGER_FILE } from '../../electron/core/erasure/erasure.ts';
import { migrations } from '../../migrations/index.ts';
import { SWITCH_FILES, VAULT_FILES } from '../../electron/core/vault/vault.ts';
import { ADMIN, copyOfTemplate, loginAs, openApp, runSetup, syntheticClient, tempDir, TestClock, WORKER, type TestApp } from '../support/vault-fixture.ts';
import { folderDigest } from '../support/files.ts';
import { restorableContent } from '../support/db-snapshot.ts';
import { makeBackup, runBackupJob } from '../support/backups.ts';
import { groupOf, invoke, invokeJob, keyOf } from '../support/calls.ts';

/*
 * Backups on real encrypted files: made, checked and restored through the gate (the folder
 * picked in the shell's dialog is passed as it would be); damaged, cut-short or foreign
 * backups refused; a failed restore leaves the current database working; an interrupted swap
 * finished or undone at the next start; automatic backups on a schedule and at exit.
 */

const HOUR = 3_600_000;
const admin = { username: ADMIN.username, password: ADMIN.password };

/** Start a backup into `folder` and give its job. */
async function startIn(app: TestApp, folder: string): Promise<{ jobId: string; done: number; total: number }> {
  const started = await invoke<{ jobId: string | null; done: number; total: number }>(app, 'backup.start', {}, folder);
  if ('error' in started || !started.jobId) throw new Error(`backup not started: ${JSON.stringify(started)}`);
  return { ...started, jobId: started.jobId };
}

async function backupOf(app: TestApp, folder: string): Promise<BackupSummary> {
  const made = await makeBackup(app.gate, folder);
  if (!made.ok || !made.value.backup) throw new Error(`backup failed: ${JSON.stringify(made)}`);
  return made.value.backup;
}

const content = (app: TestApp) => restorableContent(app);
/** What a folder of backups holds besides the erasure ledger kept there. */
const backupsIn = (parent: string) => readdirSync(parent).filter((name) => name !== LEDGER_FILE);

async function withWork(app: TestApp) {
  await app.ok('auth.logout', {});
  await loginAs(app, WORKER);
  await app.ok('clients.register', syntheticClient({ motherName: 'Sau', fatherName: 'Luu', alias: 'Thử Sau Sao Lưu' }));
  await app.ok('auth.logout', {});
  await loginAs(app, ADMIN);
}

describe('a backup', () => {
  it('holds an encrypted copy, the keyring and a manifest; checks out; restores to the same content', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, ADMIN);
    const parent = tempDir('dh-usb-');
    const backup = await backupOf(app, parent);
    const atBackup = content(app);
    expect(backup.folderName).toMatch(/^dong-hanh-sao-luu-\d{8}-\d{6}$/);
    // Beside it, the erasure ledger (empty so far): it goes where the backups go.
    expect(readdirSync(parent).sort()).toEqual([backup.folderName, LEDGER_FILE].sort());
    expect(JSON.parse(readFileSync(join(parent, LEDGER_FILE), 'utf8'))).toEqual({ format: 'dong-hanh-erased', fingerprints: [] });
    const folder = join(parent, backup.folderName);
    expect(readdirSync(folder).sort()).toEqual([VAULT_FILES.database, VAULT_FILES.keyring, MANIFEST].sort());
    expect(readFileSync(join(folder, VAULT_FILES.database)).subarray(0, 16).toString('latin1')).not.toBe('SQLite format 3\u0000');
    const manifest = JSON.parse(readFileSync(join(folder, MANIFEST), 'utf8'));
    expect(manifest).toMatchObject({ format: 'dong-hanh-backup', trigger: 'manual', schema: Object.keys(migrations).sort().at(-1), counts: { client: 1, user: 4, visit: 1, referral: 1 } });
    expect(JSON.stringify(manifest)).not.toMatch(/Thử|Mẫu|THMA/);

    expect(await invokeJob(app, 'backup.verify', { credentials: admin }, folder)).toMatchObject({ checked: true, backup: { createdAt: backup.createdAt, counts: { client: 1 } } });
    expect(await invokeJob(app, 'backup.verify', { credentials: { recoveryCode: app.template.recoveryCode } }, folder)).toMatchObject({ checked: true });

    // Work after the backup, then restore: it is gone, and everything else is as it was.
    await withWork(app);
    expect(content(app)).not.toBe(atBackup);
    expect(await invokeJob(app, 'backup.restore', { credentials: admin, confirm: true }, folder)).toMatchObject({ restored: true, backup: { folderName: backup.folderName } });
    expect(app.core.vault.isOpen).toBe(false);
    expect((await app.ok('session.get', {})).restoredFrom).toBe(backup.createdAt);
    // The database of before is kept aside.
    expect(existsSync(join(app.dir, `${VAULT_FILES.database}${SWITCH_FILES.aside}`))).toBe(true);
    expect(existsSync(join(app.dir, `${VAULT_FILES.keyring}${SWITCH_FILES.aside}`))).toBe(true);
    expect(existsSync(join(app.dir, SWITCH_FILES.marker))).toBe(false);
    await loginAs(app, ADMIN);
    expect(content(app)).toBe(atBackup);
    // Once the restored data has opened, the copy of before goes (no unmanaged copy outlives erasures).
    expect(readdirSync(app.dir).filter((file) => file.includes(SWITCH_FILES.aside))).toEqual([]);
    const trail = await app.ok('audit.list', { action: 'backup.restore' });
    expect(trail.rows[0]).toMatchObject({ outcome: 'ok', actorId: app.template.ids.admin, detail: { backup: backup.folderName, createdAt: backup.createdAt } });
    expect((await app.ok('audit.verify', {})).ok).toBe(true);

  });

  it('first backs up the data it replaces where automatic backups go, and that backup brings it back', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, ADMIN);
    const usb = tempDir('dh-usb-');
    const automatic = tempDir('dh-auto-');
    await invoke(app, 'backup.setFolder', {}, automatic);
    const backup = await backupOf(app, usb);
    await withWork(app);
    const withTheWork = content(app);
    app.clock.advance(60_000);
    const restored = await invokeJob<{ dataBefore: BackupSummary }>(app, 'backup.restore', { credentials: admin, confirm: true }, join(usb, backup.folderName));
    if ('error' in restored) throw new Error(restored.error);
    expect(restored.dataBefore).toMatchObject({ trigger: 'before_restore', counts: { client: 2 } });
    expect(backupsIn(automatic)).toEqual([restored.dataBefore.folderName]);
    await loginAs(app, ADMIN);
    expect((await app.ok('backup.status', {})).backups.map((row) => row.trigger)).toEqual(['before_restore']);
    // The restore was a mistake: the backup made before it brings the work back.
    app.clock.advance(60_000);
    expect(await invokeJob(app, 'backup.restore', { credentials: admin, confirm: true }, join(automatic, restored.dataBefore.folderName))).toMatchObject({ restored: true });
    await loginAs(app, ADMIN);
    expect(content(app)).toBe(withTheWork);
  });

  it('opens with a password valid when it was made, not with one set later', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, ADMIN);
    const parent = tempDir('dh-usb-');
    const folder = join(parent, (await backupOf(app, parent)).folderName);
    await app.ok('auth.changePassword', { currentPassword: ADMIN.password, newPassword: 'mat-khau-admin-moi-09' });
    expect(await invokeJob(app, 'backup.verify', { credentials: { username: ADMIN.username, password: 'mat-khau-admin-moi-09' } }, folder)).toEqual({ error: 'WRONG_CREDENTIALS' });
    expect(await invokeJob(app, 'backup.verify', { credentials: admin }, folder)).toMatchObject({ checked: true });
    expect(await invokeJob(app, 'backup.verify', { credentials: { recoveryCode: 'AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH' } }, folder)).toEqual({ error: 'RECOVERY_CODE_INVALID' });
  });

  it('refuses a damaged, cut-short, unwhole or foreign backup, and a restore of one leaves everything as it was', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, ADMIN);
    const parent = tempDir('dh-usb-');
    const name = (await backupOf(app, parent)).folderName;
    const pristine = join(parent, name);
    const variant = (label: string, damage: (folder: string) => void) => {
      const folder = join(parent, `${label}`);
      mkdirSync(folder);
      for (const file of readdirSync(pristine)) writeFileSync(join(folder, file), readFileSync(join(pristine, file)));
      damage(folder);
      return folder;
    };
    const flipped = variant('flipped', (folder) => {
      const path = join(folder, VAULT_FILES.database);
      const bytes = readFileSync(path);
      bytes[5000] = (bytes[5000] ?? 0) ^ 0xff;
      writeFileSync(path, bytes);
    });
    const cut = variant('cut', (folder) => truncateSync(join(folder, VAULT_FILES.database), 8192));
    const noManifest = variant('no-manifest', (folder) => rmSync(join(folder, MANIFEST)));
    const badManifest = variant('bad-manifest', (folder) => appendFileSync(join(folder, MANIFEST), '{'));
    const noKeyring = variant('no-keyring', (folder) => rmSync(join(folder, VAULT_FILES.keyring)));
    expect(await invokeJob(app, 'backup.verify', { credentials: admin }, flipped)).toEqual({ error: 'BACKUP_CORRUPT' });
    expect(await invokeJob(app, 'backup.verify', { credentials: admin }, cut)).toEqual({ error: 'BACKUP_CORRUPT' });
    expect(await invokeJob(app, 'backup.verify', { credentials: admin }, noManifest)).toEqual({ error: 'BACKUP_INVALID' });
    expect(await invokeJob(app, 'backup.verify', { credentials: admin }, badManifest)).toEqual({ error: 'BACKUP_INVALID' });
    expect(await invokeJob(app, 'backup.verify', { credentials: admin }, noKeyring)).toEqual({ error: 'BACKUP_CORRUPT' });
    expect(await invokeJob(app, 'backup.verify', { credentials: admin }, tempDir())).toEqual({ error: 'BACKUP_INVALID' });

    const before = folderDigest(app.dir);
    const snapshot = content(app);
    for (const folder of [flipped, cut, noManifest]) {
      expect(await invokeJob(app, 'backup.restore', { credentials: admin, confirm: true }, folder)).toMatchObject({ error: expect.stringMatching(/^BACKUP_/) });
    }
    expect(await invokeJob(app, 'backup.restore', { credentials: { username: ADMIN.username, password: 'sai-mat-khau-0000' }, confirm: true }, pristine)).toEqual({ error: 'WRONG_CREDENTIALS' });
    // Another install's backup, whole and opening with the same administrator's password, is not this data's.
    const other = openApp(tempDir('dh-other-'));
    await runSetup(other);
    const otherParent = tempDir('dh-usb-other-');
    const foreign = await makeBackup(other.gate, otherParent);
    if (!foreign.ok || !foreign.value.backup) throw new Error('backup failed');
    await other.core.shutdown();
    expect(await invokeJob(app, 'backup.verify', { credentials: admin }, join(otherParent, foreign.value.backup.folderName))).toMatchObject({ checked: true });
    expect(await invokeJob(app, 'backup.restore', { credentials: admin, confirm: true }, join(otherParent, foreign.value.backup.folderName))).toEqual({ error: 'BACKUP_FOREIGN' });
    // A folder the person named is not named in the trail (it could be called anything).
    const refusals = (await app.ok('audit.list', { action: 'backup.restore' })).rows;
    expect(refusals.map((row) => row.detail?.backup)).toContain('renamed');
    expect(JSON.stringify(refusals)).not.toMatch(/flipped|no-manifest|"cut"/);
    // Still open, still the same, nothing staged beside it.
    expect(app.core.vault.isOpen).toBe(true);
    expect(content(app)).toBe(snapshot);
    const after = folderDigest(app.dir);
    expect(Object.keys(after).filter((file) => file.includes(SWITCH_FILES.staged))).toEqual([]);
    expect(after[VAULT_FILES.keyring]).toBe(before[VAULT_FILES.keyring]);
  });

  it('refuses a backup made by a newer version', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, ADMIN);
    const parent = tempDir('dh-usb-');
    const folder = join(parent, (await backupOf(app, parent)).folderName);
    const untouched = folderDigest(folder);
    // An app one version older (it knows one migration less), with its own vault and the same administrator.
    const { migrations } = await import('../../migrations/index.ts');
    const older = openApp(tempDir(), new TestClock(), { migrations: Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '0005')) });
    await runSetup(older);
    expect(await invokeJob(older, 'backup.verify', { credentials: admin }, folder)).toEqual({ error: 'BACKUP_NEWER' });
    expect(await invokeJob(older, 'backup.restore', { credentials: admin, confirm: true }, folder)).toEqual({ error: 'BACKUP_NEWER' });
    expect(older.core.vault.isOpen).toBe(true);
    // Checking and refusing changed nothing in the backup.
    expect(folderDigest(folder)).toEqual(untouched);
  });
});

describe('a backup made step by step', () => {
  it('shows its progress to the end, lets others work between steps, and copies the moment it was taken', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, ADMIN);
    const parent = tempDir('dh-usb-');
    const started = await startIn(app, parent);
    expect(started).toMatchObject({ done: 0, total: 1000 });
    const jobId = started.jobId;
    const seen: { done: number; stage: string }[] = [];
    let backup: BackupSummary | null = null;
    while (!backup) {
      const next = await app.ok('backup.next', { jobId });
      seen.push({ done: next.done, stage: next.stage });
      backup = next.backup;
      if (seen.length === 1) {
        // The copy is taken, in a hidden folder that does not look like a backup; the app answers and writes meanwhile.
        expect(readdirSync(parent)).toHaveLength(1);
        expect(readdirSync(parent)[0]).toMatch(/^\.dong-hanh-sao-luu-.*\.part$/);
        await app.ok('users.create', { username: 'giua.sao.luu', displayName: 'Thử Giữa Sao Lưu', roles: ['worker'], temporaryPassword: 'tam-thoi-giua-01' });
      }
    }
    // Every table checked on its own, the checksum, the manifest: many steps, the bar only rising.
    expect(seen.length).toBeGreaterThan(20);
    expect(seen.map((step) => step.done)).toEqual([...seen.map((step) => step.done)].sort((a, b) => a - b));
    expect(seen.at(-1)?.done).toBe(1000);
    const stages = seen.map((step) => step.stage).filter((stage, index, all) => stage !== all[index - 1]);
    expect(stages).toEqual(['check', 'checksum', 'finish']);
    expect(backup.counts.user).toBe(4);
    expect((await app.ok('backup.status', {})).lastBackupAt).toBe(backup.createdAt);
    expect(backupsIn(parent)).toEqual([backup.folderName]);
    expect(await invokeJob(app, 'backup.verify', { credentials: admin }, join(parent, backup.folderName))).toMatchObject({ checked: true, backup: { counts: { user: 4 } } });
    // One entry in the trail for the backup, none for its steps.
    const trail = await app.ok('audit.list', { action: 'backup.create' });
    expect(trail.rows.map((row) => [row.outcome, row.detail?.backup])).toEqual([['ok', backup.folderName]]);
    expect(await app.call('backup.next', { jobId })).toEqual({ ok: false, error: { code: 'BACKUP_NOT_RUNNING' } });
  });

  it('cancelled, or left when the app locks: its unfinished folder is removed and it cannot go on', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, ADMIN);
    const parent = tempDir('dh-usb-');
    const first = await startIn(app, parent);
    await app.ok('backup.next', { jobId: first.jobId });
    expect(readdirSync(parent)).toHaveLength(1);
    await app.ok('backup.cancel', { jobId: first.jobId });
    expect(readdirSync(parent)).toEqual([]);
    // A backup stopped is not the last backup made.
    expect((await app.ok('backup.status', {})).lastBackupAt).toBeNull();
    expect(await app.call('backup.next', { jobId: first.jobId })).toEqual({ ok: false, error: { code: 'BACKUP_NOT_RUNNING' } });

    app.clock.advance(1000);
    const second = await startIn(app, parent);
    await app.ok('backup.next', { jobId: second.jobId });
    await app.ok('auth.lock', {});
    expect(readdirSync(parent)).toEqual([]);
    // One cut short by a crash (its hidden folder left behind) goes at the next backup there;
    // folders that are not this app's stay.
    mkdirSync(join(parent, '.dong-hanh-sao-luu-20261101-090000.part'));
    writeFileSync(join(parent, '.dong-hanh-sao-luu-20261101-090000.part', VAULT_FILES.database), 'not a database');
    mkdirSync(join(parent, 'ho-so-khac'));
    await loginAs(app, ADMIN);
    expect(await app.call('backup.next', { jobId: second.jobId })).toEqual({ ok: false, error: { code: 'BACKUP_NOT_RUNNING' } });
    app.clock.advance(1000);
    const third = await startIn(app, parent);
    expect(readdirSync(parent)).toEqual(['ho-so-khac']);
    // No folder picked: nothing starts (and the one under way is dropped).
    expect(await invoke(app, 'backup.start', {}, null)).toEqual({ jobId: null, done: 0, total: 0 });
    expect(await app.call('backup.next', { jobId: third.jobId })).toEqual({ ok: false, error: { code: 'BACKUP_NOT_RUNNING' } });
    expect((await app.ok('audit.list', { action: 'backup.create' })).rows).toEqual([]);
  });
});

/** The stages a job went through, each once, in order. */
const stagesOf = (steps: { stage: string }[]) => steps.map((step) => step.stage).filter((stage, index, all) => stage !== all[index - 1]);
/** A bar that never moves back. */
const rising = (steps: { done: number }[]) => steps.map((step) => step.done).every((done, index, all) => index === 0 || done >= (all[index - 1] ?? 0));

describe('a backup checked and restored step by step', () => {
  it('a check: its checksums, the key, each table, with a percentage that only rises; one entry in the trail', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, ADMIN);
    const parent = tempDir('dh-usb-');
    const folder = join(parent, (await backupOf(app, parent)).folderName);
    const started = await invoke<{ jobId: string; done: number; total: number }>(app, 'backup.verify', { credentials: admin }, folder);
    if ('error' in started) throw new Error(started.error);
    expect(started).toMatchObject({ done: 0, total: 1000 });
    const seen: { done: number; stage: string }[] = [];
    for (;;) {
      const next = await app.ok('backup.next', { jobId: started.jobId });
      seen.push(next);
      // Others are answered between steps.
      if (seen.length === 2) expect((await app.ok('backup.status', {})).folder).toBeNull();
      if (next.backup) {
        expect(next).toMatchObject({ done: 1000, checked: true, restored: false, backup: { counts: { user: 4 } } });
        break;
      }
      expect(next.done).toBeLessThan(1000);
    }
    expect(stagesOf(seen)).toEqual(['checksum', 'key', 'verify']);
    // A step per table of the database: many, with the bar only rising; opening the key (about
    // 0.6 s) is a large share of so small a backup, as it is of its time.
    expect(seen.length).toBeGreaterThan(20);
    expect(rising(seen)).toBe(true);
    // (Each answer names the stage of the step to come.)
    const keyNext = seen.findIndex((step) => step.stage === 'key');
    const beforeKey = seen[keyNext]?.done ?? 0;
    const afterKey = seen[keyNext + 1]?.done ?? 0;
    expect(afterKey - beforeKey).toBeGreaterThan(300);
    expect((await app.ok('audit.list', { action: 'backup.verify' })).rows.map((row) => [row.outcome, row.detail?.with])).toEqual([['ok', 'password']]);
    expect(await app.call('backup.next', { jobId: started.jobId })).toEqual({ ok: false, error: { code: 'BACKUP_NOT_RUNNING' } });
  });

  it('a restore: checked, copied, brought up to date, checked again, the data before backed up, then switched; each stage in its turn', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, ADMIN);
    const usb = tempDir('dh-usb-');
    await invoke(app, 'backup.setFolder', {}, tempDir('dh-auto-'));
    const backup = await backupOf(app, usb);
    const atBackup = content(app);
    await withWork(app);
    app.clock.advance(60_000);
    const ended = await runBackupJob(app.gate, 'backup.restore', { credentials: admin, confirm: true }, join(usb, backup.folderName));
    if (!ended.ok) throw new Error(ended.error.code);
    expect(ended.value).toMatchObject({ done: 1000, restored: true, checked: false, backup: { folderName: backup.folderName }, dataBefore: { trigger: 'before_restore' } });
    const dataBefore = 'dataBefore' in ended.value ? ended.value.dataBefore : null;
    expect(stagesOf(ended.steps)).toEqual(['checksum', 'key', 'verify', 'copy', 'migrate', 'check', 'dataBefore', 'switch']);
    expect(rising(ended.steps)).toBe(true);
    expect(app.core.vault.isOpen).toBe(false);
    await loginAs(app, ADMIN);
    expect(content(app)).toBe(atBackup);
    // The restored trail names the backup made of the data it replaced (the live trail is gone).
    const [entry] = (await app.ok('audit.list', { action: 'backup.restore' })).rows;
    expect(entry?.detail).toMatchObject({ backup: backup.folderName, dataBefore: dataBefore?.folderName });
  });

  it('a restore stopped, or cut by a lock, before its switch: the data stays as it was and nothing staged is left', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, ADMIN);
    const usb = tempDir('dh-usb-');
    const automatic = tempDir('dh-auto-');
    await invoke(app, 'backup.setFolder', {}, automatic);
    const folder = join(usb, (await backupOf(app, usb)).folderName);
    await withWork(app);
    const withTheWork = content(app);
    const staged = () => readdirSync(app.dir).filter((name) => name.includes(SWITCH_FILES.staged));

    // Stopped while the backup of the data before is being made (after the copy was staged).
    app.clock.advance(60_000);
    const first = await invoke<{ jobId: string }>(app, 'backup.restore', { credentials: admin, confirm: true }, folder);
    if ('error' in first) throw new Error(first.error);
    let stage = '';
    while (stage !== 'dataBefore') stage = (await app.ok('backup.next', { jobId: first.jobId })).stage;
    await app.ok('backup.next', { jobId: first.jobId });
    expect(staged().length).toBeGreaterThan(0);
    expect(readdirSync(automatic).filter((name) => name.endsWith('.part'))).toHaveLength(1);
    // A scheduled backup, due, waits while the job is under way (it would write into the same folder).
    app.clock.advance(25 * HOUR);
    expect(await app.core.scheduledBackup()).toBe(false);
    await app.ok('backup.cancel', { jobId: first.jobId });
    expect(staged()).toEqual([]);
    expect(readdirSync(automatic).filter((name) => name !== LEDGER_FILE)).toEqual([]);
    expect(app.core.vault.isOpen).toBe(true);
    expect(content(app)).toBe(withTheWork);
    expect(await app.call('backup.next', { jobId: first.jobId })).toEqual({ ok: false, error: { code: 'BACKUP_NOT_RUNNING' } });

    // Cut by a lock while the copy is being brought up to date.
    app.clock.advance(60_000);
    const second = await invoke<{ jobId: string }>(app, 'backup.restore', { credentials: admin, confirm: true }, folder);
    if ('error' in second) throw new Error(second.error);
    while (stage !== 'migrate') stage = (await app.ok('backup.next', { jobId: second.jobId })).stage;
    await app.ok('auth.lock', {});
    expect(staged()).toEqual([]);
    await loginAs(app, ADMIN);
    expect(content(app)).toBe(withTheWork);
    expect(await app.call('backup.next', { jobId: second.jobId })).toEqual({ ok: false, error: { code: 'BACKUP_NOT_RUNNING' } });
    // Neither stopped restore is in the trail as a restore.
    expect((await app.ok('audit.list', { action: 'backup.restore' })).rows).toEqual([]);

    // Stopped just before its switch: the backup of the data before is whole, kept, and in the trail.
    app.clock.advance(60_000);
    const third = await invoke<{ jobId: string }>(app, 'backup.restore', { credentials: admin, confirm: true }, folder);
    if ('error' in third) throw new Error(third.error);
    while (stage !== 'switch') stage = (await app.ok('backup.next', { jobId: third.jobId })).stage;
    await app.ok('backup.cancel', { jobId: third.jobId });
    expect(staged()).toEqual([]);
    const [kept] = (await app.ok('backup.status', {})).backups;
    expect(kept).toMatchObject({ trigger: 'before_restore' });
    const made = (await app.ok('audit.list', { action: 'backup.create' })).rows.map((row) => row.detail?.backup);
    expect(made).toContain(kept?.folderName);
    expect(content(app)).toBe(withTheWork);
  });

  it('a key change stops a restore under way first (they stage the same files), and then really changes the key', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, ADMIN);
    const usb = tempDir('dh-usb-');
    const folder = join(usb, (await backupOf(app, usb)).folderName);
    const keyBefore = await keyOf(join(app.dir, VAULT_FILES.keyring), ADMIN);
    const restore = await invoke<{ jobId: string }>(app, 'backup.restore', { credentials: admin, confirm: true }, folder);
    if ('error' in restore) throw new Error(restore.error);
    let stage = '';
    while (stage !== 'migrate') stage = (await app.ok('backup.next', { jobId: restore.jobId })).stage;
    expect(readdirSync(app.dir).some((name) => name.includes(SWITCH_FILES.staged))).toBe(true);
    const begun = await app.ok('vault.rotateBegin', {});
    expect(await app.call('backup.next', { jobId: restore.jobId })).toEqual({ ok: false, error: { code: 'BACKUP_NOT_RUNNING' } });
    expect(await app.ok('vault.rotateKey', { password: ADMIN.password, confirmation: groupOf(begun.recoveryCode, begun.confirmGroup), confirm: true })).toMatchObject({ rotated: true });
    await loginAs(app, ADMIN);
    const keyAfter = await keyOf(join(app.dir, VAULT_FILES.keyring), ADMIN);
    expect(keyAfter && keyBefore && !keyAfter.equals(keyBefore)).toBe(true);
    expect((await app.ok('audit.list', { action: 'vault.rotateKey' })).rows).toHaveLength(1);
    // With nothing staged there is nothing to switch to, and it is said, not pretended.
    await app.ok('auth.logout', {});
    expect(() => app.core.vault.switchTo('restore')).toThrow(expect.objectContaining({ code: 'STORAGE_FAILED' }));
    await loginAs(app, ADMIN);
  });

  it('a damaged backup found at its step: the job ends, the failure is recorded once, without the folder\'s path', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, ADMIN);
    const parent = tempDir('dh-usb-');
    const backup = await backupOf(app, parent);
    const renamed = join(parent, 'ho-so-cua-ai-do');
    cpSync(join(parent, backup.folderName), renamed, { recursive: true });
    // Damaged after its checksums were read: its database is cut short.
    const database = join(renamed, VAULT_FILES.database);
    truncateSync(database, 8192);
    const ended = await runBackupJob(app.gate, 'backup.verify', { credentials: admin }, renamed);
    expect(ended).toMatchObject({ ok: false, error: { code: 'BACKUP_CORRUPT' } });
    // It failed at its first steps, as soon as the sizes disagreed.
    expect(ended.steps).toEqual([]);
    const rows = (await app.ok('audit.list', { action: 'backup.verify' })).rows;
    expect(rows.map((row) => [row.outcome, row.errorCode, row.detail?.backup])).toEqual([['failed', 'BACKUP_CORRUPT', 'renamed']]);
    expect(JSON.stringify(rows)).not.toContain('ho-so');
  });
});

describe('a new computer set up from a backup step by step', () => {
  it('shows each stage, can be stopped (nothing set up, nothing staged), and answers only its own job', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, ADMIN);
    const parent = tempDir('dh-usb-');
    const folder = join(parent, (await backupOf(app, parent)).folderName);
    const fresh = openApp(join(tempDir('dh-new-pc-'), 'data'));
    const started = await invoke<{ jobId: string }>(fresh, 'setup.restore', { credentials: admin, confirm: true }, folder);
    if ('error' in started) throw new Error(started.error);
    // Not a job of a session: the backup screen's channels refuse it; a made-up id is not running.
    expect(await fresh.call('backup.next', { jobId: started.jobId })).toEqual({ ok: false, error: { code: 'NOT_AUTHENTICATED' } });
    expect(await fresh.call('setup.restoreNext', { jobId: 'f'.repeat(32) })).toEqual({ ok: false, error: { code: 'BACKUP_NOT_RUNNING' } });
    let stage = '';
    const staged = () => existsSync(fresh.dir) && readdirSync(fresh.dir).some((name) => name.includes(SWITCH_FILES.staged));
    while (stage !== 'check' || !staged()) stage = (await fresh.ok('setup.restoreNext', { jobId: started.jobId })).stage;
    await fresh.ok('setup.restoreCancel', { jobId: started.jobId });
    expect(staged()).toBe(false);
    expect(readdirSync(fresh.dir)).toEqual([]);
    expect(fresh.core.vault.presence().state).toBe('absent');
    expect(await fresh.call('setup.restoreNext', { jobId: started.jobId })).toEqual({ ok: false, error: { code: 'BACKUP_NOT_RUNNING' } });

    // Left unfinished when the app closes: the staged copy goes with it.
    const left = await invoke<{ jobId: string }>(fresh, 'setup.restore', { credentials: admin, confirm: true }, folder);
    if ('error' in left) throw new Error(left.error);
    stage = '';
    while (stage !== 'check' || !staged()) stage = (await fresh.ok('setup.restoreNext', { jobId: left.jobId })).stage;
    await fresh.core.shutdown();
    expect(staged()).toBe(false);

    const again = openApp(fresh.dir);
    const ended = await runBackupJob(again.gate, 'setup.restore', { credentials: admin, confirm: true }, folder);
    if (!ended.ok) throw new Error(ended.error.code);
    expect(stagesOf(ended.steps)).toEqual(['checksum', 'key', 'verify', 'copy', 'migrate', 'check', 'switch']);
    expect(rising(ended.steps)).toBe(true);
    expect(await again.ok('session.get', {})).toMatchObject({ vault: 'locked', restoredFrom: expect.any(String) });
    // The login screen's notice lasts until someone logs in.
    await loginAs(again, ADMIN);
    await again.ok('auth.logout', {});
    expect(await again.ok('session.get', {})).toMatchObject({ vault: 'locked', restoredFrom: null });
  });
});

describe('a new computer', () => {
  it('is set up from a backup (checked first); refused when data already exists or the password is wrong', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, ADMIN);
    const parent = tempDir('dh-usb-');
    const backup = await backupOf(app, parent);
    const atBackup = content(app);
    const folder = join(parent, backup.folderName);
    // Where data already exists, this door is shut.
    await app.ok('auth.logout', {});
    expect(await invokeJob(app, 'setup.restore', { credentials: admin, confirm: true }, folder)).toEqual({ error: 'VAULT_EXISTS' });

    const fresh = openApp(join(tempDir('dh-new-pc-'), 'data'));
    expect((await fresh.ok('session.get', {})).vault).toBe('absent');
    expect(await invokeJob(fresh, 'setup.restore', { credentials: { username: ADMIN.username, password: 'khong-dung-mat-khau' }, confirm: true }, folder)).toEqual({ error: 'WRONG_CREDENTIALS' });
    expect(fresh.core.vault.presence().state).toBe('absent');
    expect(await invokeJob(fresh, 'setup.restore', { credentials: admin, confirm: true }, null)).toEqual({ jobId: null, done: 0, total: 0 });
    const restored = await invokeJob<{ restored: boolean; backup: BackupSummary }>(fresh, 'setup.restore', { credentials: { recoveryCode: app.template.recoveryCode }, confirm: true }, folder);
    expect(restored).toMatchObject({ restored: true, backup: { folderName: backup.folderName } });
    expect(await fresh.ok('session.get', {})).toMatchObject({ vault: 'locked', restoredFrom: backup.createdAt });
    await loginAs(fresh, ADMIN);
    expect(content(fresh)).toBe(atBackup);
    const [entry] = (await fresh.ok('audit.list', { action: 'backup.restore' })).rows;
    expect(entry).toMatchObject({ actorId: null, detail: { backup: backup.folderName, newComputer: true } });
  });
});

describe('an interrupted restore', () => {
  it('is finished at the next start when the checked copy was staged, and undone when it was not', async () => {
    const app = await copyOfTemplate();
    const dir = app.dir;
    const live = folderDigest(dir);
    // As if the app stopped just after moving the live files aside, the staged copy whole.
    for (const name of [VAULT_FILES.database, VAULT_FILES.keyring]) {
      writeFileSync(join(dir, `${name}${SWITCH_FILES.staged}`), readFileSync(join(dir, name)));
      writeFileSync(join(dir, `${name}${SWITCH_FILES.aside}`), readFileSync(join(dir, name)));
      rmSync(join(dir, name));
    }
    writeFileSync(join(dir, SWITCH_FILES.marker), '{}');
    const finished = openApp(dir);
    expect(folderDigest(dir)[VAULT_FILES.database]).toBe(live[VAULT_FILES.database]);
    expect(existsSync(join(dir, SWITCH_FILES.marker))).toBe(false);
    await loginAs(finished, ADMIN);
    await finished.core.shutdown();

    // As if it stopped after moving the live files aside but the staged copy was lost: undone.
    for (const name of [VAULT_FILES.database, VAULT_FILES.keyring]) {
      writeFileSync(join(dir, `${name}${SWITCH_FILES.aside}`), readFileSync(join(dir, name)));
      rmSync(join(dir, name));
    }
    writeFileSync(join(dir, SWITCH_FILES.marker), '{}');
    const undone = openApp(dir);
    expect(undone.core.vault.presence().state).toBe('present');
    await loginAs(undone, ADMIN);
    // A copy staged without a swap (a restore that stopped while checking) is removed.
    await undone.core.shutdown();
    writeFileSync(join(dir, `${VAULT_FILES.database}${SWITCH_FILES.staged}`), 'half');
    openApp(dir);
    expect(existsSync(join(dir, `${VAULT_FILES.database}${SWITCH_FILES.staged}`))).toBe(false);
  });
});

describe('automatic backups', () => {
  it('run on their schedule and at exit into the chosen folder, keeping the newest N; manual ones stay', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, ADMIN);
    const parent = tempDir('dh-usb-');
    expect(await app.core.scheduledBackup()).toBe(false); // no folder yet
    expect(await invoke(app, 'backup.setFolder', {}, parent)).toEqual({ folder: parent });
    await app.ok('backup.updateSettings', { backupEveryHours: 6, backupKeep: 2, backupAtExit: true });
    const manual = await backupOf(app, parent);
    app.clock.advance(1000);
    expect(await app.core.scheduledBackup()).toBe(false); // a backup was just made
    for (let i = 0; i < 3; i++) {
      app.clock.advance(6 * HOUR);
      expect(await app.core.scheduledBackup()).toBe(true);
    }
    const status = await app.ok('backup.status', {});
    expect(status.backups.map((backup) => backup.trigger)).toEqual(['scheduled', 'scheduled', 'manual']);
    expect(status.backups.at(-1)?.folderName).toBe(manual.folderName);
    app.clock.advance(1000);
    await app.core.shutdown();
    const names = backupsIn(parent).sort();
    expect(names).toHaveLength(3);
    expect(names).toContain(manual.folderName);
    const reopened = openApp(app.dir, app.clock);
    await loginAs(reopened, ADMIN);
    expect((await reopened.ok('backup.status', {})).backups.map((backup) => backup.trigger)).toEqual(['exit', 'scheduled', 'manual']);
    const trail = await reopened.ok('audit.list', { action: 'backup.create' });
    expect(trail.rows.filter((row) => row.detail?.trigger === 'scheduled')).toHaveLength(3);
    // Nothing in the trail names the folder's path.
    expect(JSON.stringify(trail.rows)).not.toContain(parent);
  });

  it('a folder that cannot be written: the backup fails, is recorded, and the app goes on', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, ADMIN);
    const parent = tempDir('dh-usb-');
    await invoke(app, 'backup.setFolder', {}, parent);
    rmSync(parent, { recursive: true });
    app.clock.advance(48 * HOUR);
    expect(await app.core.scheduledBackup()).toBe(false);
    expect(app.logged).toEqual(['[backup] scheduled backup failed: STORAGE_FAILED']);
    expect((await app.ok('audit.list', { action: 'backup.create' })).rows[0]).toMatchObject({ outcome: 'failed', errorCode: 'STORAGE_FAILED' });
    expect(await makeBackup(app.gate, join(parent, 'khong-co'))).toEqual({ ok: false, error: { code: 'STORAGE_FAILED' } });
    expect(app.core.vault.isOpen).toBe(true);
  });
});

