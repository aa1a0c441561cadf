import { cpSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openEncrypted } from '../../electron/core/vault/database.ts';
import { openPasswordSlot, openRecoverySlot, readKeyring, writeKeyring } from '../../electron/core/vault/key-slots.ts';
import { normalizeRecoveryCode } from '../../electron/core/vault/recovery-code.ts';
import { SWITCH_FILES, VAULT_FILES } from '../../electron/core/vault/vault.ts';
import { ADMIN, copyOfTemplate, loginAs, MANAGER, openApp, tempDir, WORKER, WORKER2, type TestApp } from '../support/vault-fixture.ts';
import { makeBackup } from '../support/backups.ts';
import { restorableContent } from '../support/db-snapshot.ts';
import { groupOf, invokeJob, keyOf } from '../support/calls.ts';
import { sqliteOf } from '../support/file-store.ts';

/*
 * Rotating the data key after someone leaves: everything re-encrypted under a new key, the
 * colleagues who stay keep their passwords, the old key, recovery code and keyring no longer
 * open the database, and backups made before still restore with the passwords of their time.
 */

/** What a rotation must keep: every table but the trail, people's logins and key slots. */
const content = (app: TestApp) => restorableContent(app, { slots: false });

function opensWith(app: TestApp, key: Buffer): boolean {
  try {
    openEncrypted(join(app.dir, VAULT_FILES.database), Buffer.from(key), { readonly: true }).close();
    return true;
  } catch {
    return false;
  }
}

async function rotate(app: TestApp) {
  const begun = await app.ok('vault.rotateBegin', {});
  const result = await app.call('vault.rotateKey', { password: ADMIN.password, confirmation: groupOf(begun.recoveryCode, begun.confirmGroup), confirm: true });
  return { begun, result };
}

describe('rotating the data key', () => {
  it('re-encrypts under a new key; colleagues keep their passwords; the old key, code and keyring stop working; older backups still restore', async () => {
    const app = await copyOfTemplate();
    const keyringPath = join(app.dir, VAULT_FILES.keyring);
    // What a colleague who leaves could have kept: the keyring with her slot in it, and so the key.
    const leaverKeyring = tempDir('dh-leaver-');
    cpSync(keyringPath, join(leaverKeyring, 'copy'));
    const oldKey = await keyOf(keyringPath, WORKER2);
    expect(oldKey).not.toBeNull();

    await loginAs(app, ADMIN);
    await app.ok('users.deactivate', { id: app.template.ids.worker2 });
    const usb = tempDir('dh-usb-');
    const made = await makeBackup(app.gate, usb);
    if (!made.ok) throw new Error(made.error.code);
    const before = content(app);

    const begun = await app.ok('vault.rotateBegin', {});
    expect(begun.needNewPassword).toEqual([]);
    const confirmation = groupOf(begun.recoveryCode, begun.confirmGroup);
    // A wrong password or a wrong group: refused, nothing changed, nothing staged.
    const keyringBefore = readFileSync(keyringPath, 'utf8');
    expect(await app.call('vault.rotateKey', { password: 'khong-phai-mat-khau', confirmation, confirm: true })).toEqual({ ok: false, error: { code: 'WRONG_CREDENTIALS' } });
    expect(await app.call('vault.rotateKey', { password: ADMIN.password, confirmation: 'ZZZZ', confirm: true })).toEqual({ ok: false, error: { code: 'RECOVERY_CONFIRMATION_MISMATCH' } });
    expect(readFileSync(keyringPath, 'utf8')).toBe(keyringBefore);
    expect(readdirSync(app.dir).filter((name) => name.includes(SWITCH_FILES.staged))).toEqual([]);
    expect(app.core.vault.isOpen).toBe(true);
    expect((await app.ok('audit.list', { action: 'vault.rotateKey' })).rows.map((row) => row.errorCode)).toEqual(['RECOVERY_CONFIRMATION_MISMATCH', 'WRONG_CREDENTIALS']);

    expect(await app.ok('vault.rotateKey', { password: ADMIN.password, confirmation, confirm: true })).toEqual({ rotated: true, carried: 2, needNewPassword: 0 });
    expect(app.core.vault.isOpen).toBe(false);
    expect(await app.ok('session.get', {})).toMatchObject({ vault: 'locked', keyRotated: true });
    expect(readdirSync(app.dir).sort()).toEqual([VAULT_FILES.database, VAULT_FILES.keyring, VAULT_FILES.unlockState].sort());

    // The old key opens nothing: not by itself, not through the leaver's copy of the keyring.
    if (!oldKey) throw new Error('no key');
    expect(opensWith(app, oldKey)).toBe(false);
    const leaverKey = await keyOf(join(leaverKeyring, 'copy'), WORKER2);
    expect(leaverKey && opensWith(app, leaverKey)).toBe(false);
    // The old recovery code is gone, the new one opens the new keyring.
    expect(await openRecoverySlot(readKeyring(keyringPath), normalizeRecoveryCode(app.template.recoveryCode) ?? '')).toBeNull();
    const byNewCode = await openRecoverySlot(readKeyring(keyringPath), normalizeRecoveryCode(begun.recoveryCode) ?? '');
    expect(byNewCode && opensWith(app, byNewCode)).toBe(true);

    // A colleague who stays logs in with her own password; her slot becomes an ordinary one.
    expect(readKeyring(keyringPath).slots.map((slot) => slot.kind).sort()).toEqual(['password', 'recovery', 'sealed', 'sealed']);
    await loginAs(app, WORKER);
    expect(readKeyring(keyringPath).slots.map((slot) => slot.kind).sort()).toEqual(['password', 'password', 'recovery', 'sealed']);
    await app.ok('auth.logout', {});
    expect(await app.call('auth.login', { username: WORKER2.username, password: WORKER2.password })).toEqual({ ok: false, error: { code: 'WRONG_CREDENTIALS' } });
    await loginAs(app, MANAGER);
    await app.ok('auth.logout', {});
    await loginAs(app, ADMIN);
    expect(content(app)).toBe(before);
    const entry = (await app.ok('audit.list', { action: 'vault.rotateKey' })).rows.find((row) => row.outcome === 'ok');
    expect(entry).toMatchObject({ actorId: app.template.ids.admin, detail: { carried: 2, needNewPassword: [] } });

    // The backup made before opens with the passwords of its time, and restores.
    const folder = join(usb, made.value.backup?.folderName ?? '');
    expect(await invokeJob(app, 'backup.verify', { credentials: { username: ADMIN.username, password: ADMIN.password } }, folder)).toMatchObject({ checked: true });
    expect(await invokeJob(app, 'backup.restore', { credentials: { recoveryCode: app.template.recoveryCode }, confirm: true }, folder)).toMatchObject({ restored: true });
    await loginAs(app, ADMIN);
    expect(content(app)).toBe(before);
  });

  it('cannot carry over a slot without a key pair: that colleague gets a new password from the administrator', async () => {
    const app = await copyOfTemplate();
    const keyringPath = join(app.dir, VAULT_FILES.keyring);
    // As a slot made before key pairs existed, whose owner has not logged in since.
    const workerSlotId = (await openPasswordSlot(readKeyring(keyringPath), WORKER.username, WORKER.password))?.slotId;
    const keyring = readKeyring(keyringPath);
    for (const slot of keyring.slots) if (slot.id === workerSlotId && slot.kind === 'password') delete slot.box;
    // Written as the app of that time wrote it: with the data key (so its proof holds).
    const key = await keyOf(keyringPath, ADMIN);
    if (!key) throw new Error('no key');
    writeKeyring(keyringPath, keyring, key);
    key.fill(0);

    await loginAs(app, ADMIN);
    const { begun, result } = await rotate(app);
    expect(begun.needNewPassword).toEqual([{ id: app.template.ids.worker, displayName: WORKER.displayName }]);
    expect(result).toEqual({ ok: true, value: { rotated: true, carried: 2, needNewPassword: 1 } });
    expect(await app.call('auth.login', { username: WORKER.username, password: WORKER.password })).toEqual({ ok: false, error: { code: 'WRONG_CREDENTIALS' } });
    await loginAs(app, ADMIN);
    const [entry] = (await app.ok('audit.list', { action: 'vault.rotateKey' })).rows;
    expect(entry?.detail).toEqual({ carried: 2, needNewPassword: [app.template.ids.worker] });
    await app.ok('users.resetPassword', { id: app.template.ids.worker, temporaryPassword: 'tam-thoi-cho-canbo-99' });
    await app.ok('auth.logout', {});
    const session = await app.ok('auth.login', { username: WORKER.username, password: 'tam-thoi-cho-canbo-99' });
    expect(session.mustChangePassword).toBe(true);
  });

  it('an interruption at any step of the swap ends with the rotated database, whole, and nothing of the old key left', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, ADMIN);
    const admin = await app.core.vault.db.selectFrom('user').select('key_slot_id').where('id', '=', app.template.ids.admin).executeTakeFirstOrThrow();
    const oldKey = await keyOf(join(app.dir, VAULT_FILES.keyring), ADMIN);
    await app.core.vault.stageRotation(app.core.vault.db, { ...ADMIN, slotId: admin.key_slot_id }, app.template.recoveryCode, async () => {});
    const before = content(app);
    await app.core.endSession('logout');
    const names = { db: VAULT_FILES.database, keyring: VAULT_FILES.keyring };
    // The swap, step by step, as `switchTo('rotate')` does it.
    const steps: ((dir: string) => void)[] = [
      (dir) => writeFileSync(join(dir, SWITCH_FILES.marker), JSON.stringify({ at: '2026-11-28T03:00:00.000Z', kind: 'rotate' })),
      (dir) => renameSync(join(dir, names.db), join(dir, `${names.db}${SWITCH_FILES.aside}`)),
      (dir) => renameSync(join(dir, names.keyring), join(dir, `${names.keyring}${SWITCH_FILES.aside}`)),
      (dir) => renameSync(join(dir, `${names.db}${SWITCH_FILES.staged}`), join(dir, names.db)),
      (dir) => renameSync(join(dir, `${names.keyring}${SWITCH_FILES.staged}`), join(dir, names.keyring)),
      (dir) => rmSync(join(dir, `${names.db}${SWITCH_FILES.aside}`)),
      (dir) => rmSync(join(dir, `${names.keyring}${SWITCH_FILES.aside}`)),
    ];
    for (let done = 0; done <= steps.length; done++) {
      const dir = tempDir('dh-rotate-cut-');
      cpSync(app.dir, dir, { recursive: true });
      for (const step of steps.slice(0, done)) step(dir);
      const reopened = openApp(dir);
      // Before the marker: the rotation never happened (the staged copy is removed).
      const rotated = done > 0;
      expect(readdirSync(dir).sort(), `after ${done} steps`).toEqual([VAULT_FILES.database, VAULT_FILES.keyring, VAULT_FILES.unlockState].sort());
      await loginAs(reopened, ADMIN);
      expect(content(reopened), `after ${done} steps`).toBe(before);
      expect(sqliteOf(reopened.core).pragma('integrity_check', { simple: true })).toBe('ok');
      if (!oldKey) throw new Error('no key');
      expect(opensWith(reopened, oldKey), `after ${done} steps`).toBe(!rotated);
      await reopened.core.shutdown();
    }
  });
});
