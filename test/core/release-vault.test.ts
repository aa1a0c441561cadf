import BetterSqlite3 from 'better-sqlite3-multiple-ciphers';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { VAULT_FILES } from '../../electron/core/vault/vault.ts';
import { dataKeyOf, decryptedDatabase } from '../support/decrypt.ts';
import { ADMIN, loginAs, MANAGER, openApp, runSetup, syntheticClient, tempDir, WORKER, WORKER2 } from '../support/vault-fixture.ts';

/*
 * The upgrade from release 0.1.0: its vaults were written by better-sqlite3-multiple-ciphers
 * 12.11.1 (an add-on compiled per runtime); this version uses 13.x, whose one prebuilt
 * Node-API file serves Node and Electron alike and whose default cipher is ChaCha20, not the
 * SQLCipher format our vaults are in. The fixture holds two vaults written by release 0.1.0
 * (commit 3ea9b32) from the standard test template (obviously synthetic people): one closed
 * cleanly, one left open with its newest visit still in the write-ahead log.
 */

interface ReleaseFixture {
  madeBy: Record<string, string>;
  recoveryCode: string;
  ids: { client: number; visit: number; walVisit: number };
  vaults: { closed: Record<string, string>; openWithWal: Record<string, string> };
}

const fixture = JSON.parse(gunzipSync(readFileSync(new URL('../fixtures/vault-release-0.1.0.json.gz', import.meta.url))).toString('utf8')) as ReleaseFixture;

function unpack(files: Record<string, string>): string {
  const dir = tempDir('dh-release-');
  for (const [name, base64] of Object.entries(files)) writeFileSync(join(dir, name), Buffer.from(base64, 'base64'));
  return dir;
}

describe('a vault written by release 0.1.0', () => {
  it('was made by the release before the move to 13.x', () => {
    expect(fixture.madeBy.module).toBe('better-sqlite3-multiple-ciphers 12.11.1');
    expect(Object.keys(fixture.vaults.openWithWal)).toContain(`${VAULT_FILES.database}-wal`);
  });

  it('opens after the upgrade: every account logs in, records read back, the audit chain verifies, and new writes land', async () => {
    const app = openApp(unpack(fixture.vaults.closed));
    expect((await app.ok('session.get', {})).vault).toBe('locked');
    for (const person of [MANAGER, WORKER2]) {
      await loginAs(app, person);
      await app.ok('auth.logout', {});
    }
    await loginAs(app, WORKER);
    const page = await app.ok('clients.get', { clientId: fixture.ids.client });
    expect(page.alias).toBe('Chị Thử Nghiệm');
    expect(page.visits.map((visit) => visit.id)).toContain(fixture.ids.visit);
    const added = await app.ok('clients.register', syntheticClient({ alias: 'Chị Sau Nâng Cấp', motherName: 'Sau', fatherName: 'Cấp' }));
    await app.ok('auth.logout', {});
    await loginAs(app, ADMIN);
    expect(await app.ok('audit.verify', {})).toMatchObject({ ok: true });
    await app.ok('auth.logout', {});
    await app.core.shutdown();

    // Reopened by a new core: the write made after the upgrade is there too.
    const again = openApp(app.dir);
    await loginAs(again, WORKER);
    expect((await again.ok('clients.get', { clientId: added.clientId })).alias).toBe('Chị Sau Nâng Cấp');
    await again.core.shutdown();
  });

  it('opens with the recovery code of its time', async () => {
    const app = openApp(unpack(fixture.vaults.closed));
    const session = await app.ok('auth.recover', { recoveryCode: fixture.recoveryCode, username: ADMIN.username, newPassword: 'mat-khau-moi-sau-nang-cap-01' });
    expect(session.username).toBe(ADMIN.username);
    await app.core.shutdown();
  });

  it('keeps what was still in the write-ahead log when release 0.1.0 stopped', async () => {
    const app = openApp(unpack(fixture.vaults.openWithWal));
    await loginAs(app, WORKER);
    const page = await app.ok('clients.get', { clientId: fixture.ids.client });
    expect(page.visits.map((visit) => visit.id)).toContain(fixture.ids.walVisit);
    await app.core.shutdown();
  });
});

describe('the database module', () => {
  it('runs on Node 22 or newer, as 13.x requires', () => {
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(22);
  });

  it('loads its prebuilt file from the package, with nothing compiled on this machine', () => {
    const root = dirname(createRequire(import.meta.url).resolve('better-sqlite3-multiple-ciphers/package.json'));
    expect(existsSync(join(root, 'build')), 'a node-gyp build folder').toBe(false);
    // Open a database, then see which add-on file this process has mapped.
    const probe = new BetterSqlite3(':memory:');
    probe.close();
    if (process.platform === 'linux' && process.arch === 'x64') {
      const maps = readFileSync('/proc/self/maps', 'utf8');
      expect(maps).toContain(join(root, 'prebuilds', 'linux-x64.node'));
      expect(maps).not.toMatch(/better_sqlite3\.node/);
    }
    expect(existsSync(join(root, 'prebuilds', 'win32-x64.node')), 'the Windows file ships in the same package').toBe(true);
  });

  it('writes new vaults in the SQLCipher 4 format named when opening, not in the library default', async () => {
    const dir = tempDir();
    const app = openApp(dir);
    await runSetup(app);
    await app.core.shutdown();
    const key = await dataKeyOf(dir, ADMIN);
    // An independent reader (AES-256-CBC pages, as SQLCipher 4 writes them) finds the schema.
    expect(decryptedDatabase(join(dir, VAULT_FILES.database), Buffer.from(key)).includes(Buffer.from('CREATE TABLE'))).toBe(true);
    // The library's default cipher does not open it: the vault never depends on that default.
    const plain = new BetterSqlite3(join(dir, VAULT_FILES.database), { fileMustExist: true });
    try {
      plain.key(Buffer.from(`x'${Buffer.from(key).toString('hex')}'`));
      expect(() => plain.prepare('select count(*) from sqlite_master').get()).toThrow();
    } finally {
      plain.close();
      key.fill(0);
    }
  });
});

