import { cpSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256Of } from '../../electron/core/files.ts';
import { openEncrypted } from '../../electron/core/vault/database.ts';
import { checkProof, openPasswordSlot, readKeyring, sealedSlotFor, sealPasswordSlot, withSlot, type Keyring } from '../../electron/core/vault/key-slots.ts';
import { newSealingKeyPair } from '../../electron/core/vault/sealed-box.ts';
import { VAULT_FILES } from '../../electron/core/vault/vault.ts';
import { KEYRING_PROOF_SETTING } from '../../electron/core/vault/vault-files.ts';
import { makeBackup } from '../support/backups.ts';
import { dataKeyOf } from '../support/decrypt.ts';
import { ADMIN, copyOfTemplate, loginAs, openApp, tempDir, WORKER, WORKER2, type TestApp } from '../support/vault-fixture.ts';
import { groupOf, invokeJob } from '../support/calls.ts';

/*
 * The keyring file is not trusted until it is proven (DESIGN.md §2). Someone who can write the
 * file but holds no password or recovery code tries the three ways the security review found
 * to get the data key at the next rotation: (a) add a slot of her own, (b) swap a colleague's
 * public key for hers, (c) put back a keyring from before a colleague left. Each is refused or
 * gets nothing; nothing in the files changes when it is refused.
 */

const INTRUDER = { username: 'ke.xam.nhap', password: 'mat-khau-ke-xam-nhap-01' };

function keyringText(app: TestApp): string {
  return readFileSync(join(app.dir, VAULT_FILES.keyring), 'utf8');
}

function writeRaw(app: TestApp, keyring: Keyring): void {
  writeFileSync(join(app.dir, VAULT_FILES.keyring), `${JSON.stringify(keyring, null, 2)}\n`);
}

/** The database as release 0.1.0 wrote it: it has never known keyring proofs. */
async function forgetProofs(app: TestApp): Promise<void> {
  const key = await dataKeyOf(app.dir, ADMIN);
  const db = openEncrypted(join(app.dir, VAULT_FILES.database), key);
  db.prepare('delete from setting where key = ?').run(KEYRING_PROOF_SETTING);
  db.close();
  key.fill(0);
}

/** The next unlock refuses the changed file as unproven, the vault stays closed, and the file is as it was left. */
async function expectRefusedUnchanged(app: TestApp, person: { username: string; password: string }): Promise<void> {
  const tampered = keyringText(app);
  expect(await app.call('auth.login', { username: person.username, password: person.password })).toEqual({ ok: false, error: { code: 'KEYRING_UNPROVEN' } });
  expect(app.core.vault.isOpen).toBe(false);
  expect(keyringText(app)).toBe(tampered);
}

async function rotate(app: TestApp) {
  const begun = await app.ok('vault.rotateBegin', {});
  return app.call('vault.rotateKey', { password: ADMIN.password, confirmation: groupOf(begun.recoveryCode, begun.confirmGroup), confirm: true });
}

describe('a keyring changed outside the app', () => {
  it('carries a proof made with the data key, over all of it', async () => {
    const app = await copyOfTemplate();
    const keyring = readKeyring(join(app.dir, VAULT_FILES.keyring));
    const key = await dataKeyOf(app.dir, WORKER);
    expect(checkProof(keyring, key)).toBe('proven');
    // Every part counts: a slot's public key, the audit key, the training mark, the slot list.
    const slot = keyring.slots.find((s) => s.kind === 'password' && s.box);
    if (slot?.kind !== 'password' || !slot.box) throw new Error('no slot with a key pair');
    const other = newSealingKeyPair().publicKey;
    for (const changed of [
      { ...keyring, auditKey: other },
      { ...keyring, training: true },
      { ...keyring, slots: keyring.slots.slice(1) },
      { ...keyring, slots: keyring.slots.map((s) => (s.id === slot.id ? { ...slot, box: { ...slot.box, publicKey: other } } : s)) },
    ]) {
      expect(checkProof(changed as Keyring, key)).toBe('false');
    }
    // Not the same key: no proof either.
    expect(checkProof(keyring, Buffer.alloc(32, 7))).toBe('false');
    key.fill(0);
  });

  it('(a) a slot added by someone without a password: the next unlock refuses the file and changes nothing', async () => {
    const app = await copyOfTemplate();
    const keyring = readKeyring(join(app.dir, VAULT_FILES.keyring));
    // She cannot wrap the real data key; her slot wraps a key of her own, with a key pair of hers.
    const added = withSlot(keyring, await sealPasswordSlot(keyring, INTRUDER.username, INTRUDER.password, Buffer.alloc(32, 9)));
    writeRaw(app, added);
    await expectRefusedUnchanged(app, ADMIN);
    // Her own password opens nothing either (her slot wraps a key that is not the vault's).
    expect(await app.call('auth.login', { username: INTRUDER.username, password: INTRUDER.password })).toMatchObject({ ok: false });
    expect(app.core.vault.isOpen).toBe(false);
    await app.core.shutdown();
  });

  it('(b) a colleague\'s public key swapped for one\'s own: refused at the next unlock; no rotation seals the new key to it', async () => {
    const app = await copyOfTemplate();
    const keyring = readKeyring(join(app.dir, VAULT_FILES.keyring));
    const intruder = newSealingKeyPair();
    const colleague = await openPasswordSlot(keyring, WORKER2.username, WORKER2.password);
    if (!colleague) throw new Error('colleague slot');
    colleague.dataKey.fill(0);
    const swapped: Keyring = {
      ...keyring,
      slots: keyring.slots.map((slot) => (slot.id === colleague.slotId && slot.kind === 'password' && slot.box ? { ...slot, box: { ...slot.box, publicKey: intruder.publicKey } } : slot)),
    };
    writeRaw(app, swapped);
    const tampered = keyringText(app);
    await expectRefusedUnchanged(app, ADMIN);
    expect(await app.call('auth.recover', { recoveryCode: app.template.recoveryCode, username: ADMIN.username, newPassword: 'mat-khau-moi-khong-duoc-01' })).toEqual({
      ok: false,
      error: { code: 'KEYRING_UNPROVEN' },
    });
    expect(keyringText(app)).toBe(tampered);
    // Taking the keyring from a backup (here: the copy the template started from) ends it.
    cpSync(join(app.template.dir, VAULT_FILES.keyring), join(app.dir, VAULT_FILES.keyring));
    await loginAs(app, ADMIN);
    await app.core.shutdown();
  });

  it('(c) a keyring put back from before a colleague left: a rotation carries only the slots of active accounts, so her old password gets nothing', async () => {
    const app = await copyOfTemplate();
    const before = tempDir('dh-old-keyring-');
    cpSync(join(app.dir, VAULT_FILES.keyring), join(before, 'copy'));
    await loginAs(app, ADMIN);
    await app.ok('users.deactivate', { id: app.template.ids.worker2 });
    await app.ok('auth.logout', {});
    // Her slot is back (the old file's proof holds: same data key).
    cpSync(join(before, 'copy'), join(app.dir, VAULT_FILES.keyring));
    await loginAs(app, ADMIN);
    expect(await app.ok('vault.rotateBegin', {})).toMatchObject({ needNewPassword: [] });
    expect(await rotate(app)).toMatchObject({ ok: true, value: { rotated: true, carried: 2 } });
    const rotated = readKeyring(join(app.dir, VAULT_FILES.keyring));
    expect(await openPasswordSlot(rotated, WORKER2.username, WORKER2.password)).toBeNull();
    // Those who stay still open it with their own passwords.
    const reopened = openApp(app.dir);
    await loginAs(reopened, WORKER);
    await reopened.core.shutdown();
  });

  it('a keyring from release 0.1.0 (no proof) is taken over once: only what the database vouches for, then proven', async () => {
    const app = await copyOfTemplate();
    const path = join(app.dir, VAULT_FILES.keyring);
    const { proof: _proof, ...unproven } = readKeyring(path);
    // What release 0.1.0 could hold besides: a slot of someone the database does not know.
    const stranger = await sealPasswordSlot(unproven as Keyring, INTRUDER.username, INTRUDER.password, Buffer.alloc(32, 3));
    writeRaw(app, withSlot(unproven as Keyring, stranger));
    await forgetProofs(app);
    await loginAs(app, WORKER);
    const taken = readKeyring(path);
    const key = await dataKeyOf(app.dir, WORKER);
    expect(checkProof(taken, key)).toBe('proven');
    expect(taken.slots.some((slot) => slot.id === stranger.id)).toBe(false);
    // Key pairs could not be proven: dropped (each person gets a new one at her next login) …
    expect(taken.slots.filter((slot) => slot.kind === 'password' && slot.box)).toHaveLength(0);
    await app.ok('auth.logout', {});
    // … and everyone still logs in, the recovery code still opens.
    for (const person of [ADMIN, WORKER2]) {
      await loginAs(app, person);
      await app.ok('auth.logout', {});
    }
    expect(readKeyring(path).slots.filter((slot) => slot.kind === 'password' && slot.box)).toHaveLength(2);
    key.fill(0);
    await app.core.shutdown();
  });

  it('(d) a proof stripped from the file does not lead back to the take-over: once the database requires proofs, none is a failing one', async () => {
    const app = await copyOfTemplate();
    const { proof: _stripped, ...bare } = readKeyring(join(app.dir, VAULT_FILES.keyring));
    writeRaw(app, bare as Keyring);
    await expectRefusedUnchanged(app, WORKER);
    await app.core.shutdown();
  });

  it('(e) a keyring planted as the one kept beside a broken live one is not taken, and nothing is renamed', async () => {
    const app = await copyOfTemplate();
    const live = readKeyring(join(app.dir, VAULT_FILES.keyring));
    const { proof: _stripped, ...bare } = live;
    writeFileSync(join(app.dir, `${VAULT_FILES.keyring}.previous`), JSON.stringify(bare));
    writeRaw(app, { ...live, training: true });
    const before = [keyringText(app), readFileSync(join(app.dir, `${VAULT_FILES.keyring}.previous`), 'utf8')];
    expect(await app.call('auth.login', { username: ADMIN.username, password: ADMIN.password })).toEqual({ ok: false, error: { code: 'KEYRING_UNPROVEN' } });
    expect([keyringText(app), readFileSync(join(app.dir, `${VAULT_FILES.keyring}.previous`), 'utf8')]).toEqual(before);
    await app.core.shutdown();
  });

  it('(f) a backup whose keyring lost its proof is refused at its check', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, ADMIN);
    const usb = tempDir('dh-usb-');
    const made = await makeBackup(app.gate, usb);
    if (!made.ok || !made.value.backup) throw new Error('backup');
    const folder = join(usb, made.value.backup.folderName);
    const keyringPath = join(folder, VAULT_FILES.keyring);
    const { proof: _stripped, ...bare } = readKeyring(keyringPath);
    writeFileSync(keyringPath, JSON.stringify(bare));
    // The manifest made to agree, as someone with the files could.
    const manifest = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8'));
    manifest.files.keyring = { ...manifest.files.keyring, bytes: statSync(keyringPath).size, sha256: sha256Of(keyringPath) };
    writeFileSync(join(folder, 'manifest.json'), JSON.stringify(manifest));
    expect(await invokeJob(app, 'backup.verify', { credentials: { username: ADMIN.username, password: ADMIN.password } }, folder)).toEqual({ error: 'BACKUP_CORRUPT' });
    await app.core.shutdown();
  });

  it('(g) a sealed slot planted in a release-0.1.0 keyring is kept at the take-over but never carried by a rotation', async () => {
    const app = await copyOfTemplate();
    const path = join(app.dir, VAULT_FILES.keyring);
    const keyring = readKeyring(path);
    const colleague = await openPasswordSlot(keyring, WORKER2.username, WORKER2.password);
    if (!colleague) throw new Error('colleague slot');
    colleague.dataKey.fill(0);
    const intruder = newSealingKeyPair();
    const slots = keyring.slots.map((slot) => {
      if (slot.id !== colleague.slotId || slot.kind !== 'password' || !slot.box) return slot;
      return sealedSlotFor(keyring, { ...slot, box: { ...slot.box, publicKey: intruder.publicKey } }, Buffer.alloc(32, 5)) ?? slot;
    });
    const { proof: _stripped, ...bare } = { ...keyring, slots };
    writeRaw(app, bare as Keyring);
    await forgetProofs(app);
    await loginAs(app, ADMIN);
    const begun = await app.ok('vault.rotateBegin', {});
    // Listed among those who will need a new password (with those whose key pairs were dropped at the take-over and who have not logged in since).
    expect(begun.needNewPassword).toContainEqual({ id: app.template.ids.worker2, displayName: WORKER2.displayName });
    expect(await app.call('vault.rotateKey', { password: ADMIN.password, confirmation: groupOf(begun.recoveryCode, begun.confirmGroup), confirm: true })).toMatchObject({
      ok: true,
      value: { rotated: true },
    });
    expect(readKeyring(path).slots.some((slot) => slot.id === colleague.slotId)).toBe(false);
  });
});
