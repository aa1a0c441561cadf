import { existsSync, readdirSync } from 'node:fs';
import type * as NodeFs from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SWITCH_FILES, VAULT_FILES } from '../../electron/core/vault/vault.ts';
import { makeBackup } from '../support/backups.ts';
import { invokeJob } from '../support/calls.ts';
import { restorableContent } from '../support/db-snapshot.ts';
import { ADMIN, copyOfTemplate, loginAs, openApp, tempDir } from '../support/vault-fixture.ts';

/*
 * A swap of the files that fails part-way (an antivirus holding a file, a disk error): every
 * file moved so far is moved back, the data of before opens as it was, and nothing is left
 * half-switched. The failure is injected into the real rename of one file; everything else is
 * the real vault on real files.
 */

const fault = vi.hoisted(() => ({ failRenameOnto: null as string | null, fired: 0 }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof NodeFs>();
  const renameSync: typeof fs.renameSync = (from, to) => {
    if (fault.failRenameOnto !== null && String(to) === fault.failRenameOnto && String(from).endsWith(SWITCH_FILES_STAGED)) {
      fault.fired++;
      throw Object.assign(new Error('EIO: i/o error, rename'), { code: 'EIO' });
    }
    fs.renameSync(from, to);
  };
  return { ...fs, renameSync, default: { ...fs, renameSync } };
});
// Hoisted with the mock, so spelled out here (the vault's constant says the same).
const SWITCH_FILES_STAGED = '.restoring';

afterEach(() => {
  fault.failRenameOnto = null;
});

describe('a switch of the files that fails part-way', () => {
  it('puts every moved file back: the data of before opens, whole, with its password', async () => {
    expect(SWITCH_FILES.staged).toBe(SWITCH_FILES_STAGED);
    const app = await copyOfTemplate();
    await loginAs(app, ADMIN);
    const usb = tempDir('dh-usb-');
    const made = await makeBackup(app.gate, usb);
    if (!made.ok || !made.value.backup) throw new Error('backup failed');
    // Work after the backup, which a failed restore must not lose.
    await app.ok('catalogue.save', { id: null, group: 'other', nameVi: 'Dịch vụ sau sao lưu', nameEn: 'Added after the backup', version: null });
    const before = restorableContent(app);

    // The database has been swapped; moving the staged keyring into place fails.
    fault.failRenameOnto = join(app.dir, VAULT_FILES.keyring);
    const folder = join(usb, made.value.backup.folderName);
    const restored = await invokeJob(app, 'backup.restore', { credentials: { username: ADMIN.username, password: ADMIN.password }, confirm: true }, folder);
    expect(restored).toEqual({ error: 'STORAGE_FAILED' });
    expect(fault.fired).toBe(1);
    fault.failRenameOnto = null;
    expect(existsSync(join(app.dir, SWITCH_FILES.marker))).toBe(false);
    expect(existsSync(join(app.dir, `${VAULT_FILES.database}${SWITCH_FILES.aside}`))).toBe(false);

    await loginAs(app, ADMIN);
    expect(restorableContent(app)).toBe(before);
    await app.core.shutdown();
    // At the next start the staged copy is cleared away; the data is still that of before.
    const reopened = openApp(app.dir);
    await loginAs(reopened, ADMIN);
    expect(restorableContent(reopened)).toBe(before);
    expect(readdirSync(app.dir).filter((name) => name.includes(SWITCH_FILES.staged))).toEqual([]);
    await reopened.core.shutdown();
  });
});
