import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readConnectionFile, SERVER_FILE, type ServerVault } from '../../electron/core/vault/server-vault.ts';
import { ownCluster } from '../support/own-cluster.ts';
import { ownerPool } from '../support/pg-cluster.ts';
import { ADMIN, openApp, runSetup, tempDir, WORKER, type TestApp } from '../support/vault-fixture.ts';

/*
 * A PC that works with the centre's server is moved, from its login screen, to another server
 * database that holds the same centre's records (restored there, or moved): only to the same
 * centre (its keyring's id), only by an administrator's login there, and recorded in that
 * server's trail. Every refusal leaves the PC working with its old server.
 */

const server = ownCluster();
const folder = tempDir('dh-conn-move-');
/** Connection files by database, as `server:init` writes them (the copy shares the first's roles, as a restore's own roles would be). */
const files: Record<string, string> = {};

async function asOwner<T>(database: string, work: (owner: ReturnType<typeof ownerPool>) => Promise<T>): Promise<T> {
  const owner = ownerPool(server.cluster, database, 1);
  try {
    return await work(owner);
  } finally {
    await owner.end();
  }
}

/** A PC set up on a server database of its own (a centre's first PC). */
async function centreOn(database: string): Promise<TestApp> {
  files[database] = (await server.newServer(database)).file;
  const app = server.keep(openApp(tempDir('dh-pc-')));
  expect(await app.gate.invoke('setup.serverCheck', {}, { path: files[database] })).toMatchObject({ ok: true, value: { chosen: true } });
  await app.ok('setup.serverConnect', { confirm: true });
  await runSetup(app);
  return app;
}

const TEMPORARY = 'tam-thoi-canbo-move-01';

describe('another server, from the login screen', () => {
  let here: TestApp;
  const serverFile = () => readFileSync(join(here.dir, SERVER_FILE), 'utf8');
  const look = (database: string | null) => here.gate.invoke('auth.serverLook', {}, { path: database ? files[database]! : null });

  it('goes only to a server that holds this centre\'s records, by an administrator\'s login there, recorded in its trail', async () => {
    here = await centreOn('centre_old');
    await here.ok('users.create', { username: WORKER.username, displayName: WORKER.displayName, roles: ['worker'], temporaryPassword: TEMPORARY });
    await here.ok('auth.logout', {});
    // The centre's records restored into a new database (here: a copy of the old one).
    await asOwner('postgres', (owner) => owner.query('create database centre_new template centre_old'));
    files.centre_new = join(folder, 'centre_new.server');
    writeFileSync(files.centre_new, JSON.stringify({ ...JSON.parse(readFileSync(files.centre_old!, 'utf8')), database: 'centre_new' }));
    // Another centre's server, and a new database nobody has set up.
    const other = await centreOn('centre_other');
    await other.ok('auth.logout', {});
    files.centre_empty = (await server.newServer('centre_empty')).file;

    // Nothing chosen yet; the dialog closed; a file that is not a connection file.
    expect(await here.call('auth.serverSwitch', { username: ADMIN.username, password: ADMIN.password })).toEqual({ ok: false, error: { code: 'SETUP_NOT_STARTED' } });
    expect(await look(null)).toEqual({ ok: true, value: { chosen: false, server: null } });
    const garbled = join(folder, 'ghi-chu.server');
    writeFileSync(garbled, 'không phải tệp kết nối');
    expect(await here.gate.invoke('auth.serverLook', {}, { path: garbled })).toEqual({ ok: false, error: { code: 'CONNECTION_FILE_INVALID' } });

    const before = serverFile();
    const refused = async (database: string, person: { username: string; password: string }, code: string) => {
      expect(await look(database)).toMatchObject({ ok: true, value: { chosen: true, server: { database } } });
      expect(await here.call('auth.serverSwitch', { username: person.username, password: person.password })).toEqual({ ok: false, error: { code } });
      // Still the old server, nobody logged in.
      expect(serverFile()).toBe(before);
      expect(await here.ok('session.get', {})).toMatchObject({ vault: 'locked', user: null, server: { database: 'centre_old' } });
      expect(here.core.vault.isOpen).toBe(false);
    };
    await refused('centre_other', ADMIN, 'SERVER_OTHER_CENTRE');
    await refused('centre_empty', ADMIN, 'SERVER_OTHER_CENTRE');
    await refused('centre_new', { username: ADMIN.username, password: 'not-her-password-01' }, 'WRONG_CREDENTIALS');
    await refused('centre_new', { username: WORKER.username, password: TEMPORARY }, 'SERVER_SWITCH_NOT_ADMIN');

    // Until an administrator's login there, the new server is this PC's in memory only: cut
    // short (a crash, a power cut), the PC's file still names its old server.
    const pending = await (here.core.vault as ServerVault).moveToServer(readConnectionFile(files.centre_new!));
    expect(serverFile()).toBe(before);
    pending.drop();
    // The old database is closed, as the guide says, once the records are in the new one.
    await asOwner('postgres', (owner) => owner.query('alter database centre_old allow_connections false'));
    expect(await look('centre_new')).toMatchObject({ ok: true, value: { chosen: true, server: { database: 'centre_new', present: true } } });
    const session = await here.ok('auth.serverSwitch', { username: ADMIN.username, password: ADMIN.password });
    expect(session).toMatchObject({ username: ADMIN.username });
    expect(await here.ok('session.get', {})).toMatchObject({ vault: 'unlocked', server: { host: server.cluster.host, port: server.cluster.port, database: 'centre_new' } });
    const trail = (await here.ok('audit.list', {})).rows;
    expect(trail.find((entry) => entry.action === 'auth.serverSwitch' && entry.outcome === 'ok')?.detail).toEqual({
      fromServer: `${server.cluster.host}:${server.cluster.port}/centre_old`,
      toServer: `${server.cluster.host}:${server.cluster.port}/centre_new`,
    });
    // Every refused attempt is in the trail it now works with: those refused before a server
    // opened, kept on this PC until now; the colleague's, written there as it opened.
    const refusals = trail.filter((entry) => entry.action === 'auth.serverSwitch' && entry.outcome === 'failed').map((entry) => entry.errorCode);
    expect(refusals.sort()).toEqual(['SERVER_OTHER_CENTRE', 'SERVER_OTHER_CENTRE', 'SERVER_SWITCH_NOT_ADMIN', 'WRONG_CREDENTIALS']);
    expect((await here.ok('users.list', {})).map((user) => user.username)).toEqual(expect.arrayContaining([ADMIN.username, WORKER.username]));
    expect(await here.ok('audit.verify', {})).toMatchObject({ ok: true });
    // From now on an ordinary login goes there.
    await here.ok('auth.logout', {});
    await here.ok('auth.login', { username: WORKER.username, password: TEMPORARY });
    expect(await here.ok('session.get', {})).toMatchObject({ server: { database: 'centre_new' } });
    await here.ok('auth.logout', {});
  });

  it('a PC that has not yet kept which centre its server holds asks that server, and says so when it cannot', async () => {
    // A PC joined before this version: its file does not name the centre.
    const file = JSON.parse(serverFile()) as Record<string, unknown>;
    expect(file.vaultId).toEqual(expect.any(String));
    const { vaultId: _kept, ...older } = file;
    writeFileSync(join(here.dir, SERVER_FILE), JSON.stringify(older));
    // Its server answers: the same centre, so the switch goes as far as the password.
    expect(await look('centre_other')).toMatchObject({ ok: true });
    expect(await here.call('auth.serverSwitch', { username: ADMIN.username, password: ADMIN.password })).toEqual({ ok: false, error: { code: 'SERVER_OTHER_CENTRE' } });
    await asOwner('postgres', (owner) => owner.query('alter database centre_old allow_connections true'));
    expect(await look('centre_old')).toMatchObject({ ok: true });
    expect(await here.call('auth.serverSwitch', { username: ADMIN.username, password: 'not-her-password-01' })).toEqual({ ok: false, error: { code: 'WRONG_CREDENTIALS' } });
    // Its server gone: it cannot tell, and says so.
    await asOwner('postgres', (owner) => owner.query('alter database centre_new allow_connections false'));
    expect(await look('centre_old')).toMatchObject({ ok: true });
    expect(await here.call('auth.serverSwitch', { username: ADMIN.username, password: ADMIN.password })).toEqual({ ok: false, error: { code: 'SERVER_CENTRE_UNKNOWN' } });
    expect(JSON.parse(serverFile())).toEqual(older);
    // A login to its server (back again) keeps the centre's id in its file.
    await asOwner('postgres', (owner) => owner.query('alter database centre_new allow_connections true'));
    await here.ok('auth.login', { username: ADMIN.username, password: ADMIN.password });
    expect(JSON.parse(serverFile())).toEqual(file);
    // Refused while someone works here only in that her session ends first, as at any login.
    expect(await look('centre_other')).toMatchObject({ ok: true });
    expect(await here.call('auth.serverSwitch', { username: ADMIN.username, password: ADMIN.password })).toEqual({ ok: false, error: { code: 'SERVER_OTHER_CENTRE' } });
    expect(here.core.session).toBeNull();
  });

  it('is not offered on a PC that keeps its records itself', async () => {
    const own = server.keep(openApp(tempDir('dh-pc-')));
    await runSetup(own);
    await own.ok('auth.logout', {});
    expect(await own.gate.invoke('auth.serverLook', {}, { path: files.centre_new! })).toEqual({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(own.core.vault.kind).toBe('file');
  });
});
