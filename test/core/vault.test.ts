import { PENDING_SETUP } from '../../electron/core/setup/handlers.ts';
import { appendFileSync, readFileSync, rmSync, truncateSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { migrations } from '../../migrations/index.ts';
import { CASELOAD_DEFAULTS, REPORT_DEFAULTS } from '../../electron/contract/settings.ts';
import { createCore } from '../../electron/core/index.ts';
import { VAULT_FILES } from '../../electron/core/vault/vault.ts';
import { SCRYPT_FLOOR } from '../../electron/core/vault/kdf.ts';
import { passwordSlotKeys } from '../../electron/core/vault/key-slots.ts';
import { ADMIN, CENTRE, copyOfTemplate, FLOOR_KDF, loginAs, MANAGER, openApp, runSetup, tempDir, WORKER, settingsVersion } from '../support/vault-fixture.ts';
import { fileDigest, filesContaining, folderDigest } from '../support/files.ts';
import { sqliteOf } from '../support/file-store.ts';

describe('creating the vault', () => {
  it('writes an encrypted database and a keyring, and reopens them with the admin password', async () => {
    const dir = tempDir();
    const app = openApp(dir);
    expect((await app.ok('session.get', {})).vault).toBe('absent');
    await runSetup(app);
    expect((await app.ok('session.get', {})).user?.username).toBe(ADMIN.username);
    await app.core.shutdown();

    const header = readFileSync(join(dir, VAULT_FILES.database)).subarray(0, 16);
    expect(header.toString('latin1')).not.toBe('SQLite format 3\u0000');

    const reopened = openApp(dir);
    expect((await reopened.ok('session.get', {})).vault).toBe('locked');
    await loginAs(reopened, ADMIN);
    const settings = await reopened.ok('settings.get', {});
    const ANY = expect.stringMatching(/^[A-Za-z0-9_-]{22}$/);
    expect(settings).toEqual({ ...CENTRE, lockTimeoutMinutes: 5, ...CASELOAD_DEFAULTS, ...REPORT_DEFAULTS, retentionYears: 0, versions: { centre: ANY, caseload: ANY, reports: ANY, retention: ANY } });
    const pragmas = sqliteOf(reopened.core);
    expect(pragmas.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(pragmas.pragma('synchronous', { simple: true })).toBe(2);
    expect(pragmas.pragma('cipher', { simple: true })).toBe('sqlcipher');
  });

  it('stores key-derivation parameters per slot, never below the OWASP floor', async () => {
    const { dir } = await copyOfTemplate();
    const keyring = JSON.parse(readFileSync(join(dir, VAULT_FILES.keyring), 'utf8'));
    expect(keyring.slots).toHaveLength(5); // admin, manager, two workers, recovery
    for (const slot of keyring.slots) {
      expect(slot.kdf.N).toBeGreaterThanOrEqual(SCRYPT_FLOOR.N);
      expect(slot.kdf.r).toBeGreaterThanOrEqual(SCRYPT_FLOOR.r);
      expect(slot.kdf.p).toBeGreaterThanOrEqual(SCRYPT_FLOOR.p);
    }
  });

  it('names nobody in the keyring: slot ids come from the password, so a username cannot be tested alone', async () => {
    const app = await copyOfTemplate();
    const path = join(app.dir, VAULT_FILES.keyring);
    const text = readFileSync(path, 'utf8');
    for (const person of [ADMIN, MANAGER, WORKER]) {
      expect(text).not.toContain(person.username);
      expect(text).not.toContain(person.displayName);
    }
    const keyring = JSON.parse(text);
    expect(Object.keys(keyring).sort()).toEqual(['auditKey', 'format', 'kdf', 'proof', 'slots', 'vaultId', 'vaultSalt', 'version']);
    for (const slot of keyring.slots.filter((s: { kind: string }) => s.kind === 'password')) {
      expect(Object.keys(slot).sort()).toEqual(['box', 'id', 'iv', 'kdf', 'kind', 'tag', 'wrapped']);
      // The key pair for rotations: a random public key, its private half wrapped.
      expect(Object.keys(slot.box).sort()).toEqual(['iv', 'publicKey', 'tag', 'wrapped']);
    }
    // The same username with another password leads to no slot at all.
    const wrong = await passwordSlotKeys(keyring, WORKER.username, 'not-her-password', keyring.kdf);
    const right = await passwordSlotKeys(keyring, WORKER.username, WORKER.password, keyring.kdf);
    const ids = keyring.slots.map((slot: { id: string }) => slot.id);
    expect(ids).not.toContain(wrong.id);
    expect(ids).toContain(right.id);
  });

  it('refuses a keyring slot whose parameters were weakened below the floor', async () => {
    const app = await copyOfTemplate();
    const path = join(app.dir, VAULT_FILES.keyring);
    const keyring = JSON.parse(readFileSync(path, 'utf8'));
    for (const slot of keyring.slots) slot.kdf.N = 2 ** 10;
    writeFileSync(path, JSON.stringify(keyring));
    const before = folderDigest(app.dir);
    expect(await app.call('auth.login', { username: ADMIN.username, password: ADMIN.password })).toEqual({
      ok: false,
      error: { code: 'KEYRING_CORRUPT' },
    });
    expect(folderDigest(app.dir)).toEqual(before);
  });
});

describe('no plaintext outside the encrypted database', () => {
  it('finds a planted string in none of the files the vault writes, open or locked', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, ADMIN);
    const planted = 'PLANTED-Đặng-Thị-Thử-7731';
    await app.ok('users.create', {
      username: 'planted.user',
      displayName: planted,
      roles: ['worker'],
      temporaryPassword: 'tam-thoi-planted-01',
    });
    await app.ok('settings.update', { centreName: `${planted} centre`, version: await settingsVersion(app, 'centre') });
    // While open: the write-ahead log holds the new pages.
    expect(statSync(join(app.dir, `${VAULT_FILES.database}-wal`)).size).toBeGreaterThan(0);
    expect(filesContaining(app.dir, planted)).toEqual([]);
    expect(filesContaining(app.dir, 'planted.user')).toEqual([]);
    await app.ok('auth.lock', {});
    expect(filesContaining(app.dir, planted)).toEqual([]);
    // Proof that the search would have found it had it been there in plain text.
    writeFileSync(join(app.dir, 'control.txt'), Buffer.from(planted, 'utf16le'));
    expect(filesContaining(app.dir, planted)).toEqual(['control.txt']);
  });
});

describe('unlocking', () => {
  it('refuses a wrong password with a clear code and changes no file', async () => {
    const app = await copyOfTemplate();
    const dbBefore = fileDigest(join(app.dir, VAULT_FILES.database));
    const keyringBefore = fileDigest(join(app.dir, VAULT_FILES.keyring));
    const result = await app.call('auth.login', { username: ADMIN.username, password: 'sai-mat-khau-123' });
    expect(result).toEqual({ ok: false, error: { code: 'WRONG_CREDENTIALS' } });
    expect(await app.call('auth.login', { username: 'no.such.person', password: 'sai-mat-khau-123' })).toEqual({
      ok: false,
      error: { code: 'WRONG_CREDENTIALS' },
    });
    expect(fileDigest(join(app.dir, VAULT_FILES.database))).toBe(dbBefore);
    expect(fileDigest(join(app.dir, VAULT_FILES.keyring))).toBe(keyringBefore);
    expect(app.core.vault.isOpen).toBe(false);
  });

  it('after five failures in a row, makes people wait, longer each time, across a restart', async () => {
    const app = await copyOfTemplate();
    const wrong = { username: WORKER.username, password: 'sai-mat-khau-123' };
    for (let i = 0; i < 5; i++) expect((await app.call('auth.login', wrong)).ok).toBe(false);

    // Even the right password must wait: the delay is checked before any derivation.
    const blocked = await app.call('auth.login', { username: WORKER.username, password: WORKER.password });
    expect(blocked).toEqual({ ok: false, error: { code: 'LOCKED_OUT', retryAfterSeconds: 30 } });

    // A restart (a new core on the same folder) does not forget.
    const restarted = openApp(app.dir, app.clock);
    app.clock.advance(10_000);
    expect(await restarted.call('auth.login', wrong)).toEqual({ ok: false, error: { code: 'LOCKED_OUT', retryAfterSeconds: 20 } });

    app.clock.advance(20_000);
    expect(await restarted.call('auth.login', wrong)).toEqual({ ok: false, error: { code: 'WRONG_CREDENTIALS' } });
    // Sixth failure: the delay doubles.
    expect(await restarted.call('auth.login', wrong)).toEqual({ ok: false, error: { code: 'LOCKED_OUT', retryAfterSeconds: 60 } });

    app.clock.advance(60_000);
    await loginAs(restarted, WORKER);
    await restarted.ok('auth.logout', {});
    // Success resets the count.
    expect(await restarted.call('auth.login', wrong)).toEqual({ ok: false, error: { code: 'WRONG_CREDENTIALS' } });
  });

  it('treats a garbled unlock-state file as one lockout, not as a clean slate nor for ever', async () => {
    const app = await copyOfTemplate();
    writeFileSync(join(app.dir, VAULT_FILES.unlockState), '{garbled');
    const result = await app.call('auth.login', { username: ADMIN.username, password: ADMIN.password });
    expect(result).toEqual({ ok: false, error: { code: 'LOCKED_OUT', retryAfterSeconds: 30 } });
    app.clock.advance(31_000);
    await loginAs(app, ADMIN);
  });

  it('does not let a forged unlock-state file put entries into the audit trail', async () => {
    const app = await copyOfTemplate();
    const forged = {
      version: 1,
      failures: 0,
      lastFailureAt: null,
      droppedEvents: 0,
      pending: [{ at: '2026-01-01T00:00:00.000Z', action: 'users.create', outcome: 'failed', errorCode: 'USERNAME_TAKEN', sealedUsername: null }],
    };
    writeFileSync(join(app.dir, VAULT_FILES.unlockState), JSON.stringify(forged));
    expect((await app.call('auth.login', { username: ADMIN.username, password: ADMIN.password })).ok).toBe(false);
    app.clock.advance(31_000);
    await loginAs(app, ADMIN);
    const { rows } = await app.ok('audit.list', { action: 'users.create' });
    expect(rows.some((row) => row.outcome === 'failed')).toBe(false);
  });

  it('keeps the attempted username out of the unlock-state file, yet names the account in the trail', async () => {
    const app = await copyOfTemplate();
    await app.call('auth.login', { username: WORKER.username, password: 'sai-mat-khau-123' });
    expect(filesContaining(app.dir, WORKER.username)).toEqual([]);
    await loginAs(app, MANAGER);
    const failed = (await app.ok('audit.list', { action: 'auth.login' })).rows.find((row) => row.outcome === 'failed');
    expect(failed).toMatchObject({ targetId: String(app.template.ids.worker), targetName: WORKER.displayName });
  });

  it('records failed logins made while locked in the audit trail at the next unlock', async () => {
    const app = await copyOfTemplate();
    await app.call('auth.login', { username: WORKER.username, password: 'sai-mat-khau-123' });
    await app.call('auth.login', { username: 'no.such.person', password: 'sai-mat-khau-123' });
    await loginAs(app, ADMIN);
    const { rows } = await app.ok('audit.list', { action: 'auth.login' });
    const failures = rows.filter((row) => row.outcome === 'failed');
    expect(failures).toHaveLength(2);
    expect(failures.every((row) => row.detail?.recordedWhileLocked === true && row.errorCode === 'WRONG_CREDENTIALS')).toBe(true);
    expect(failures.map((row) => row.targetId).sort()).toEqual([String(app.template.ids.worker), null].sort());
    expect(rows.find((row) => row.outcome === 'ok')?.actorId).toBe(app.template.ids.admin);
  });
});

describe('broken files', () => {
  it.each([
    // A damaged database can only be detected by opening it; a damaged keyring is seen at start.
    ['truncated database', (dir: string) => truncateSync(join(dir, VAULT_FILES.database), 6000), 'DATABASE_CORRUPT', 'locked'],
    ['garbage database', (dir: string) => writeFileSync(join(dir, VAULT_FILES.database), Buffer.alloc(8192, 7)), 'DATABASE_CORRUPT', 'locked'],
    ['truncated keyring', (dir: string) => truncateSync(join(dir, VAULT_FILES.keyring), 100), 'KEYRING_CORRUPT', 'broken'],
    ['keyring with junk after it', (dir: string) => appendFileSync(join(dir, VAULT_FILES.keyring), 'junk'), 'KEYRING_CORRUPT', 'broken'],
    ['missing database', (dir: string) => rmSync(join(dir, VAULT_FILES.database)), 'VAULT_INCOMPLETE', 'broken'],
    ['missing keyring', (dir: string) => rmSync(join(dir, VAULT_FILES.keyring)), 'VAULT_INCOMPLETE', 'broken'],
  ] as const)('%s: a clear error, nothing overwritten or deleted', async (_name, damage, code, shownAs) => {
    const app = await copyOfTemplate();
    damage(app.dir);
    const before = folderDigest(app.dir);
    expect((await app.ok('session.get', {})).vault).toBe(shownAs);
    const result = await app.call('auth.login', { username: ADMIN.username, password: ADMIN.password });
    expect(result).toEqual({ ok: false, error: { code } });
    // The wizard must never offer to start over on top of what is left.
    expect(await app.call('setup.begin', {
      ...CENTRE, adminUsername: 'new.admin', adminDisplayName: 'Người Mới', adminPassword: 'mat-khau-moi-0001', language: 'vi',
    })).toEqual({ ok: false, error: { code: 'VAULT_EXISTS' } });
    expect(folderDigest(app.dir)).toEqual(before);
    expect(app.core.vault.isOpen).toBe(false);
  });

  it('reports a broken vault in the start-up status, with the reason', async () => {
    const app = await copyOfTemplate();
    truncateSync(join(app.dir, VAULT_FILES.keyring), 10);
    expect(await app.ok('session.get', {})).toMatchObject({ vault: 'broken', problem: 'KEYRING_CORRUPT' });
  });
});

describe('migrations', () => {
  it('refuses a database from a newer version and leaves its files untouched', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, ADMIN);
    sqliteOf(app.core)
      .prepare('insert into kysely_migration (name, timestamp) values (?, ?)')
      .run('9999_from_the_future', new Date().toISOString());
    await app.ok('auth.logout', {});
    const before = folderDigest(app.dir);

    const older = openApp(app.dir);
    expect(await older.call('auth.login', { username: ADMIN.username, password: ADMIN.password })).toEqual({
      ok: false,
      error: { code: 'DATABASE_NEWER' },
    });
    expect(folderDigest(app.dir)).toEqual(before);
  });

  it('applies all pending migrations in one transaction: a failing one leaves no trace', async () => {
    const app = await copyOfTemplate();
    const broken = {
      ...migrations,
      '9999_half_done': {
        up: async (db: Kysely<any>) => {
          await db.schema.createTable('half_done').addColumn('id', 'integer').execute();
          throw new Error('this migration fails after its first step');
        },
      },
    };
    const failing = createCore({ dataDir: app.dir, clock: app.clock, calibrateKdf: FLOOR_KDF, migrations: broken, log: () => {} });
    const result = await failing.gate.invoke('auth.login', { username: ADMIN.username, password: ADMIN.password });
    expect(result).toEqual({ ok: false, error: { code: 'STORAGE_FAILED' } });
    expect(failing.core.vault.isOpen).toBe(false);

    await loginAs(app, ADMIN);
    const tables = sqliteOf(app.core).prepare(`select name from sqlite_master where name = 'half_done'`).all();
    expect(tables).toEqual([]);
    const applied = sqliteOf(app.core).prepare('select name from kysely_migration order by name').pluck().all();
    expect(applied).toEqual(Object.keys(migrations).sort());
  });
});

describe('recovery', () => {
  it('lets an admin set a new password with the recovery code; the old one stops working', async () => {
    const app = await copyOfTemplate();
    const user = await app.ok('auth.recover', {
      recoveryCode: app.template.recoveryCode.toLowerCase().replaceAll('-', ' '),
      username: ADMIN.username,
      newPassword: 'mat-khau-sau-khoi-phuc',
    });
    expect(user.username).toBe(ADMIN.username);
    const { rows } = await app.ok('audit.list', { action: 'auth.recover' });
    expect(rows[0]).toMatchObject({ outcome: 'ok', actorId: app.template.ids.admin });
    await app.ok('auth.logout', {});
    expect((await app.call('auth.login', { username: ADMIN.username, password: ADMIN.password })).ok).toBe(false);
    await loginAs(app, { username: ADMIN.username, password: 'mat-khau-sau-khoi-phuc' });
  });

  it('refuses a wrong recovery code, and counts it towards the delay', async () => {
    const app = await copyOfTemplate();
    const wrongCode = 'AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH';
    for (let i = 0; i < 5; i++) {
      expect(await app.call('auth.recover', { recoveryCode: wrongCode, username: ADMIN.username, newPassword: 'mat-khau-moi-0001' }))
        .toEqual({ ok: false, error: { code: 'RECOVERY_CODE_INVALID' } });
    }
    expect(await app.call('auth.recover', { recoveryCode: app.template.recoveryCode, username: ADMIN.username, newPassword: 'mat-khau-moi-0001' }))
      .toMatchObject({ ok: false, error: { code: 'LOCKED_OUT' } });
  });

  it('closes the vault again when a step after the unlock fails', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, ADMIN);
    sqliteOf(app.core).exec(
      `create trigger fail_login after update of last_login_at on user begin select raise(abort, 'simulated failure'); end`,
    );
    await app.ok('auth.logout', {});
    const result = await app.call('auth.login', { username: WORKER.username, password: WORKER.password });
    expect(result).toEqual({ ok: false, error: { code: 'INTERNAL' } });
    expect(app.core.vault.isOpen).toBe(false);
    expect(app.core.session).toBeNull();
  });

  it('closes the vault when it is somehow open without anyone logged in', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, WORKER);
    app.core.session = null;
    expect(await app.core.checkIdle()).toBe(true);
    expect(app.core.vault.isOpen).toBe(false);
  });

  it('does not let the recovery code reset a non-admin password, and closes the vault again', async () => {
    const app = await copyOfTemplate();
    const result = await app.call('auth.recover', {
      recoveryCode: app.template.recoveryCode,
      username: WORKER.username,
      newPassword: 'mat-khau-moi-0001',
    });
    expect(result).toEqual({ ok: false, error: { code: 'RECOVERY_NOT_ADMIN' } });
    expect(app.core.vault.isOpen).toBe(false);
    expect(app.core.session).toBeNull();
    await loginAs(app, WORKER);
  });

  it('a regenerated recovery code replaces the old one', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, ADMIN);
    const issued = await app.ok('recovery.begin', {});
    expect(await app.call('recovery.complete', { confirmation: 'ZZZZ' })).toEqual({
      ok: false,
      error: { code: 'RECOVERY_CONFIRMATION_MISMATCH' },
    });
    await app.ok('recovery.complete', { confirmation: issued.recoveryCode.split('-')[issued.confirmGroup - 1] ?? '' });
    await app.ok('auth.logout', {});
    expect(await app.call('auth.recover', { recoveryCode: app.template.recoveryCode, username: ADMIN.username, newPassword: 'mat-khau-moi-0001' }))
      .toEqual({ ok: false, error: { code: 'RECOVERY_CODE_INVALID' } });
    await app.ok('auth.recover', { recoveryCode: issued.recoveryCode, username: ADMIN.username, newPassword: 'mat-khau-moi-0001' });
  });
});

describe('keyring and database stay in step', () => {
  /** Make every audit append fail: the last step inside each call's transaction. */
  async function withFailingAudit() {
    const app = await copyOfTemplate();
    await loginAs(app, ADMIN);
    sqliteOf(app.core).exec(`create trigger fail_audit before insert on audit_event begin select raise(abort, 'simulated failure'); end`);
    return app;
  }

  it('a password change whose transaction fails leaves the old password working', async () => {
    const app = await withFailingAudit();
    const keyring = readFileSync(join(app.dir, VAULT_FILES.keyring), 'utf8');
    expect((await app.call('auth.changePassword', { currentPassword: ADMIN.password, newPassword: 'mat-khau-moi-0001' })).ok).toBe(false);
    expect(readFileSync(join(app.dir, VAULT_FILES.keyring), 'utf8')).toBe(keyring);
    expect(await app.core.vault.verifyPassword(ADMIN.username, ADMIN.password, sqliteOf(app.core).prepare('select key_slot_id from user where id = ?').pluck().get(app.template.ids.admin) as string)).toBe(true);
  });

  it('a password reset whose transaction fails does not let the temporary password in', async () => {
    const app = await withFailingAudit();
    expect((await app.call('users.resetPassword', { id: app.template.ids.manager, temporaryPassword: 'tam-thoi-0000001' })).ok).toBe(false);
    sqliteOf(app.core).exec('drop trigger fail_audit');
    await app.core.shutdown();
    const fresh = openApp(app.dir, app.clock);
    expect((await fresh.call('auth.login', { username: MANAGER.username, password: 'tam-thoi-0000001' })).ok).toBe(false);
    await loginAs(fresh, MANAGER);
  });
});

describe('changing a password', () => {
  it('rewraps only the person\'s own slot', async () => {
    const app = await copyOfTemplate();
    const path = join(app.dir, VAULT_FILES.keyring);
    const slotsBefore = JSON.parse(readFileSync(path, 'utf8')).slots as { id: string }[];
    await loginAs(app, WORKER);
    expect(await app.call('auth.changePassword', { currentPassword: 'not-the-password', newPassword: 'mat-khau-moi-0001' }))
      .toEqual({ ok: false, error: { code: 'WRONG_PASSWORD' } });
    expect(await app.call('auth.changePassword', { currentPassword: WORKER.password, newPassword: WORKER.password }))
      .toEqual({ ok: false, error: { code: 'PASSWORD_UNCHANGED' } });
    await app.ok('auth.changePassword', { currentPassword: WORKER.password, newPassword: 'mat-khau-moi-0001' });
    // Her slot is replaced (its id comes from the password); every other slot is byte for byte the same.
    const slotsAfter = JSON.parse(readFileSync(path, 'utf8')).slots as { id: string }[];
    const same = (a: { id: string }[], b: { id: string }[]) => a.filter((slot) => b.some((other) => JSON.stringify(other) === JSON.stringify(slot)));
    expect(same(slotsAfter, slotsBefore)).toHaveLength(slotsBefore.length - 1);
    expect(slotsAfter).toHaveLength(slotsBefore.length);
    await app.ok('auth.logout', {});
    expect((await app.call('auth.login', { username: WORKER.username, password: WORKER.password })).ok).toBe(false);
    await loginAs(app, { username: WORKER.username, password: 'mat-khau-moi-0001' });
  });
});

describe('locking', () => {
  it('closes the database and overwrites the data key in memory', async () => {
    const dir = tempDir();
    const app = openApp(dir);
    const begun = await app.ok('setup.begin', {
      ...CENTRE, adminUsername: ADMIN.username, adminDisplayName: ADMIN.displayName, adminPassword: ADMIN.password, language: 'vi',
    });
    const dataKey = app.core.betweenSessions.get(PENDING_SETUP)?.prepared.dataKey;
    expect(dataKey?.some((byte) => byte !== 0)).toBe(true);
    await app.ok('setup.complete', { confirmation: begun.recoveryCode.split('-')[begun.confirmGroup - 1] ?? '' });
    const locks: string[] = [];
    app.core.onLocked((reason) => locks.push(reason));
    await app.ok('auth.lock', {});
    expect(dataKey?.every((byte) => byte === 0)).toBe(true);
    expect(app.core.vault.isOpen).toBe(false);
    expect(locks).toEqual(['manual']);
    expect(await app.ok('session.get', {})).toMatchObject({ vault: 'locked', user: null, lockedUsername: ADMIN.username });
    expect(await app.call('settings.get', {})).toEqual({ ok: false, error: { code: 'NOT_AUTHENTICATED' } });
  });

  it('locks after the idle timeout, and activity postpones it', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, WORKER);
    app.clock.advance(4 * 60_000);
    expect(await app.core.checkIdle()).toBe(false);
    await app.ok('session.touch', {});
    app.clock.advance(4 * 60_000);
    expect(await app.core.checkIdle()).toBe(false);
    app.clock.advance(60_000);
    expect(await app.core.checkIdle()).toBe(true);
    expect(app.core.vault.isOpen).toBe(false);
    await loginAs(app, ADMIN);
    const { rows } = await app.ok('audit.list', { action: 'auth.lock' });
    expect(rows[0]).toMatchObject({ actorId: app.template.ids.worker, detail: { reason: 'idle' } });
    // Another person logging in at the lock screen is a login, not an unlock.
    expect((await app.ok('audit.list', { action: 'auth.login', limit: 1 })).rows[0]?.detail).toBeNull();
  });

  it('records the same person returning to her locked session as an unlock', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, WORKER);
    await app.ok('auth.lock', {});
    await loginAs(app, WORKER);
    await app.ok('auth.logout', {});
    await loginAs(app, MANAGER);
    const logins = (await app.ok('audit.list', { action: 'auth.login', limit: 3 })).rows;
    expect(logins.map((row) => row.detail)).toEqual([null, { unlock: true }, null]);
  });

  it('follows the lock timeout setting', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, ADMIN);
    await app.ok('settings.update', { lockTimeoutMinutes: 1, version: await settingsVersion(app, 'centre') });
    app.clock.advance(61_000);
    expect(await app.core.checkIdle()).toBe(true);
  });

  it('locks on an OS lock or suspend (main calls core.lock)', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, MANAGER);
    expect(await app.core.lock('os')).toBe(true);
    expect(app.core.vault.isOpen).toBe(false);
    expect(await app.core.lock('os')).toBe(false);
  });
});
