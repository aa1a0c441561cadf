import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VAULT_FILES } from '../../electron/core/vault/vault.ts';
import { folderDigest } from '../support/files.ts';
import { ADMIN, copyOfTemplate, loginAs, openApp, tempDir, TODAY, WORKER, type TestApp } from '../support/vault-fixture.ts';
import { makeBackup } from '../support/backups.ts';
import { sqliteOf } from '../support/file-store.ts';

/*
 * A full disk and a folder that cannot be written: a clear error, nothing half-written, the
 * database whole, and the app goes on (writing again once there is room). The real cases use
 * small tmpfs mounts, which need the right to mount (root in a container, as in CI here); the
 * page-limit case runs everywhere: SQLite's own "database or disk is full".
 */

function canMount(): boolean {
  const probe = tempDir('dh-mount-probe-');
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe]).status === 0;
  if (mounted) spawnSync('umount', [probe]);
  return mounted;
}
const MOUNTS = canMount();
const mounted: string[] = [];

/** A small file system of its own, optionally read-only. */
function smallDisk(kilobytes: number, readOnly = false): string {
  const dir = tempDir('dh-disk-');
  const result = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${kilobytes}k${readOnly ? ',ro' : ''}`, 'tmpfs', dir]);
  if (result.status !== 0) throw new Error('mount failed');
  mounted.push(dir);
  return dir;
}

function remountReadOnly(dir: string): void {
  if (spawnSync('mount', ['-o', 'remount,ro', dir]).status !== 0) throw new Error('remount failed');
}

/** Fill what is left of a disk; returns the filler's path. */
function fill(dir: string): string {
  const filler = join(dir, 'filler');
  const chunk = Buffer.alloc(4096, 1);
  const parts: Buffer[] = [];
  for (let i = 0; i < 100_000; i++) {
    parts.push(chunk);
    try {
      writeFileSync(filler, Buffer.concat(parts));
    } catch {
      parts.pop();
      writeFileSync(filler, Buffer.concat(parts));
      break;
    }
  }
  return filler;
}

afterEach(() => {
  for (const dir of mounted.splice(0)) spawnSync('umount', ['-l', dir]);
});

function visitCount(app: TestApp): number {
  return Number(sqliteOf(app.core).prepare('select count(*) from visit').pluck().get());
}

const visit = (app: TestApp, n: number) =>
  app.call('visits.record', { clientId: (app as TestApp & { template: { ids: { client: number } } }).template.ids.client, visitOn: TODAY, place: 'centre', serviceTypeIds: [1], note: `Ghi chú thử ${n} ${'x'.repeat(1500)}` });

describe('a full disk', () => {
  it('at the database page limit: DISK_FULL, nothing half-written, whole, and writing again once there is room', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, WORKER);
    const sqlite = sqliteOf(app.core);
    sqlite.pragma(`max_page_count = ${Number(sqlite.pragma('page_count', { simple: true }))}`);
    let saved = 0;
    let refused: unknown = null;
    for (let n = 0; n < 200 && !refused; n++) {
      const result = await visit(app, n);
      if (result.ok) saved++;
      else refused = result.error;
    }
    expect(refused).toEqual({ code: 'DISK_FULL' });
    expect(visitCount(app)).toBe(1 + saved);
    expect(sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(app.core.vault.isOpen).toBe(true);
    // Only kinds and codes reach the log, never the note.
    expect(app.logged.join('\n')).not.toContain('Ghi chú');
    expect(app.logged.some((line) => line.includes('SQLITE_FULL'))).toBe(true);
    sqlite.pragma('max_page_count = 1073741823');
    expect((await visit(app, 999)).ok).toBe(true);
    expect(visitCount(app)).toBe(2 + saved);
  });

  it.runIf(MOUNTS)('on a real full disk: DISK_FULL for the write; after space is freed it works, and every saved write is there after a restart', async () => {
    const app = await copyOfTemplate();
    const disk = smallDisk(2048);
    const dir = join(disk, 'data');
    cpSync(app.dir, dir, { recursive: true });
    const onDisk = Object.assign(openApp(dir), { template: app.template });
    await loginAs(onDisk, WORKER);
    const filler = fill(disk);
    let saved = 0;
    let refused: unknown = null;
    for (let n = 0; n < 400 && !refused; n++) {
      const result = await visit(onDisk, n);
      if (result.ok) saved++;
      else refused = result.error;
    }
    expect(refused).toEqual({ code: 'DISK_FULL' });
    expect(onDisk.core.vault.isOpen).toBe(true);
    rmSync(filler);
    expect((await visit(onDisk, 999)).ok).toBe(true);
    await onDisk.core.shutdown();
    const reopened = openApp(dir);
    await loginAs(reopened, WORKER);
    expect(sqliteOf(reopened.core).pragma('integrity_check', { simple: true })).toBe('ok');
    expect(visitCount(reopened)).toBe(2 + saved);
    await reopened.core.shutdown();
  });

  it.runIf(MOUNTS)('a password change that cannot be committed: the keyring is put back, the old password still opens', async () => {
    const app = await copyOfTemplate();
    const disk = smallDisk(2048);
    const dir = join(disk, 'data');
    cpSync(app.dir, dir, { recursive: true });
    const onDisk = Object.assign(openApp(dir), { template: app.template });
    await loginAs(onDisk, WORKER);
    const filler = fill(disk);
    // Use up what the write-ahead log can still take, so the next commit is the one that fails.
    for (let n = 0; n < 400 && (await visit(onDisk, n)).ok; n++);
    // Room for the new keyring (a few kilobytes), not for the commit's pages in the log.
    truncateSync(filler, Math.max(0, statSync(filler).size - 8192));
    const keyring = readFileSync(join(dir, VAULT_FILES.keyring), 'utf8');
    const changed = await onDisk.call('auth.changePassword', { currentPassword: WORKER.password, newPassword: 'mat-khau-moi-khong-luu-05' });
    expect(changed).toEqual({ ok: false, error: { code: 'DISK_FULL' } });
    expect(readFileSync(join(dir, VAULT_FILES.keyring), 'utf8')).toBe(keyring);
    rmSync(filler);
    await onDisk.core.shutdown();
    const reopened = openApp(dir);
    expect(await reopened.call('auth.login', { username: WORKER.username, password: 'mat-khau-moi-khong-luu-05' })).toEqual({ ok: false, error: { code: 'WRONG_CREDENTIALS' } });
    await loginAs(reopened, WORKER);
    await reopened.core.shutdown();
  });

  it.runIf(MOUNTS)('a backup to a full USB drive: DISK_FULL, no half backup left, the database goes on', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, ADMIN);
    const usb = smallDisk(64);
    const made = await makeBackup(app.gate, usb);
    expect(made).toEqual({ ok: false, error: { code: 'DISK_FULL' } });
    expect(readdirSync(usb)).toEqual([]);
    expect((await app.ok('audit.list', { action: 'backup.create' })).rows[0]).toMatchObject({ outcome: 'failed', errorCode: 'DISK_FULL' });
  });
});

describe('a folder that cannot be written', () => {
  it.runIf(MOUNTS)('a backup to a read-only drive: STORAGE_READ_ONLY, nothing written', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, ADMIN);
    const usb = smallDisk(1024, true);
    expect(await makeBackup(app.gate, usb)).toEqual({ ok: false, error: { code: 'STORAGE_READ_ONLY' } });
    expect(readdirSync(usb)).toEqual([]);
    expect(app.core.vault.isOpen).toBe(true);
  });

  it.runIf(MOUNTS)('the data folder read-only: login says so clearly and changes no file', async () => {
    const app = await copyOfTemplate();
    const disk = smallDisk(2048);
    const dir = join(disk, 'data');
    mkdirSync(dir);
    cpSync(app.dir, dir, { recursive: true });
    remountReadOnly(disk);
    const before = folderDigest(dir);
    const readOnly = openApp(dir);
    const result = await readOnly.call('auth.login', { username: WORKER.username, password: WORKER.password });
    expect(result).toEqual({ ok: false, error: { code: 'STORAGE_READ_ONLY' } });
    expect(readOnly.core.vault.isOpen).toBe(false);
    expect(folderDigest(dir)).toEqual(before);
  });
});

describe('a stop between a keyring write and its commit', () => {
  const NEW_PASSWORD = 'mat-khau-moi-sap-nguon-07';
  const kept = (dir: string) => join(dir, `${VAULT_FILES.keyring}.previous`);

  it('before the commit: the keyring the database agrees with is kept, and the old password opens', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, WORKER);
    const before = readFileSync(join(app.dir, VAULT_FILES.keyring), 'utf8');
    const slotId = sqliteOf(app.core).prepare('select key_slot_id from user where id = ?').pluck().get(app.template.ids.worker) as string;
    // What auth.changePassword writes just before its commit (the commit then never comes).
    await app.core.vault.saveKeyring(await app.core.vault.stagePassword(WORKER.username, NEW_PASSWORD, slotId), app.core.vault.db);
    expect(readFileSync(kept(app.dir), 'utf8')).toBe(before);
    await app.core.shutdown();

    const reopened = openApp(app.dir);
    expect(await reopened.call('auth.login', { username: WORKER.username, password: NEW_PASSWORD })).toEqual({ ok: false, error: { code: 'WRONG_CREDENTIALS' } });
    // The refused attempt settled it already: the keyring of before is back, the other gone.
    expect(readFileSync(join(app.dir, VAULT_FILES.keyring), 'utf8')).toBe(before);
    expect(readdirSync(app.dir).filter((name) => name.endsWith('.previous'))).toEqual([]);
    await loginAs(reopened, WORKER);
    await reopened.core.shutdown();
  });

  it('after the commit: the new keyring is kept, the new password opens and the old one no longer does', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, WORKER);
    const before = readFileSync(join(app.dir, VAULT_FILES.keyring), 'utf8');
    await app.ok('auth.changePassword', { currentPassword: WORKER.password, newPassword: NEW_PASSWORD });
    const after = readFileSync(join(app.dir, VAULT_FILES.keyring), 'utf8');
    await app.core.shutdown();
    // As if the stop came after the commit, before the kept keyring was removed.
    writeFileSync(kept(app.dir), before);

    const reopened = openApp(app.dir);
    expect(await reopened.call('auth.login', { username: WORKER.username, password: WORKER.password })).toEqual({ ok: false, error: { code: 'WRONG_CREDENTIALS' } });
    await loginAs(reopened, { username: WORKER.username, password: NEW_PASSWORD });
    expect(readFileSync(join(app.dir, VAULT_FILES.keyring), 'utf8')).toBe(after);
    expect(readdirSync(app.dir).filter((name) => name.endsWith('.previous'))).toEqual([]);
    await reopened.core.shutdown();
  });
});
