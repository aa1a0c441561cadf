import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MOVED_UP_DIR, SERVER_FILE } from '../../electron/core/vault/server-vault.ts';
import { VAULT_FILES } from '../../electron/core/vault/vault-files.ts';
import { contentSnapshot } from '../support/db-snapshot.ts';
import { settingValueOn } from '../../electron/core/db/setting-store.ts';
import { SEALING_KEY_SETTING } from '../../electron/core/vault/key-file.ts';
import { sqliteOf } from '../support/file-store.ts';
import { BUSY_WORDS, busyVault, ownCluster } from '../support/own-cluster.ts';
import { ownerPool, PG_BIN } from '../support/pg-cluster.ts';
import { ADMIN, loginAs, MANAGER, openApp, runSetup, tempDir, TODAY, WORKER, WORKER2, type copyOfTemplate } from '../support/vault-fixture.ts';

/*
 * Moving up (DESIGN.md §8): a centre that outgrew one PC moves its vault to the centre's server
 * from the backup screen. Everything goes (records, corrections, the audit trail, the keyring:
 * the same passwords open it), sealed on the way; the PC then works against the server, and its
 * one-PC vault goes at the first login there. A server that already holds records, a file that
 * is not a connection file, or a server out of reach change nothing.
 */

const server = ownCluster();
type TemplateApp = Awaited<ReturnType<typeof copyOfTemplate>>;
const busy = async () => server.keep(await busyVault());
const newServer = (database: string) => server.newServer(database);

/** Every file under a folder (the server's data folder: tables, indexes, WAL). */
function filesUnder(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** What the worker and the manager see of the records: the same before and after the move. */
async function whatTheySee(app: TemplateApp) {
  await loginAs(app, WORKER);
  const list = await app.ok('clients.list', { status: 'all' });
  const pages = [];
  for (const row of list.rows) {
    const page = await app.ok('clients.get', { clientId: row.id });
    pages.push({ ...page, detailsVersion: null, visits: page.visits.map((visit) => ({ ...visit, version: null })) });
  }
  const identity = await app.ok('clients.identity', { clientId: app.template.ids.client });
  const history = await app.ok('clients.history', { clientId: app.template.ids.client });
  const search = (await app.ok('clients.list', { search: 'len may' })).rows.map((row) => row.alias);
  const own = (await app.ok('clients.list', { search: 'tran thi len' })).rows.map((row) => row.alias);
  await app.ok('auth.logout', {});
  await loginAs(app, MANAGER);
  const dashboard = await app.ok('dashboard.get', { from: '2026-01-01', to: TODAY });
  const groups = await app.ok('groups.list', {});
  await app.ok('auth.logout', {});
  return { list: list.rows, pages, identity: { ...identity, version: null }, history, search, own, dashboard, groups };
}

describe('moving a one-PC vault up to the centre\'s server', () => {
  it('takes everything, sealed on the way: the same people log in with the same passwords and see the same records; the trail goes on and verifies', async () => {
    const app = await busy();
    const before = await whatTheySee(app);
    await loginAs(app, ADMIN);
    // The private half of the sealing key (the erasure ledger's fingerprints are keyed from it): the server gets it sealed only.
    const sealingKey = settingValueOn(sqliteOf(app.core), SEALING_KEY_SETTING) as string;
    expect(sealingKey.length).toBeGreaterThan(20);
    const trailBefore = (await app.ok('audit.verify', {})).checked;
    const { file, connection } = await newServer('centre_moved');
    const moved = await app.gate.invoke('vault.moveUp', { confirm: true }, { path: file });
    expect(moved.ok ? moved.value : moved.error).toMatchObject({ moved: true });
    expect(moved.ok && (moved.value as { tables: number }).tables).toBeGreaterThan(25);
    // This PC now works against the server: locked, its one-PC vault set aside.
    expect(app.core.vault.kind).toBe('server');
    expect(app.core.session).toBeNull();
    expect(await app.ok('session.get', {})).toMatchObject({ vault: 'locked', movedUp: true });
    expect(existsSync(join(app.dir, SERVER_FILE))).toBe(true);
    expect(existsSync(join(app.dir, VAULT_FILES.database))).toBe(false);
    expect(existsSync(join(app.dir, MOVED_UP_DIR, VAULT_FILES.database))).toBe(true);

    // A wrong password tried at this PC before anyone logs in on the server: the trail names the
    // account (the file's sealing key moved up with the rest).
    await app.call('auth.login', { username: WORKER.username, password: 'sai-mat-khau-123' });
    const after = await whatTheySee(app);
    expect(after).toEqual(before);
    // The first login on the server proved the move: the one-PC vault is gone.
    expect(existsSync(join(app.dir, MOVED_UP_DIR))).toBe(false);

    // The trail is the file's, then the move, then what happened on the server; it verifies whole.
    await loginAs(app, ADMIN);
    const verified = await app.ok('audit.verify', {});
    expect(verified).toMatchObject({ ok: true, problem: null });
    expect(verified.checked).toBeGreaterThan(trailBefore);
    const [entry] = (await app.ok('audit.list', { action: 'vault.moveUp', limit: 1 })).rows;
    expect(entry).toMatchObject({ outcome: 'ok', actorId: app.template.ids.admin });
    const tried = (await app.ok('audit.list', { action: 'auth.login' })).rows.filter((row) => row.outcome === 'failed' && row.detail?.recordedWhileLocked === true);
    expect(tried.map((row) => row.targetId)).toEqual([String(app.template.ids.worker)]);

    // Another PC joins the server with the same connection file, and finds the records.
    const second = openApp(tempDir('dh-pc-'));
    server.keep(second);
    expect(await second.core.connectToServer(connection)).toEqual({ present: true });
    await loginAs(second, WORKER2);
    expect((await second.ok('clients.list', { search: 'len may', status: 'all' })).rows.map((row) => row.alias)).toEqual(['Chị Lên Máy Chủ']);

    // The server holds no name, alias, code or note in the clear: not in its rows, not in a dump
    // of the database, not anywhere in its data folder (tables, indexes, WAL) or its log.
    const secrets = [...BUSY_WORDS, sealingKey];
    const owner = ownerPool(server.cluster, 'centre_moved', 1);
    try {
      const tables = (await owner.query<{ name: string }>("select tablename as name from pg_tables where schemaname = 'public'")).rows.map((row) => row.name);
      for (const table of tables) {
        const rows = (await owner.query<{ row: string }>(`select t::text as row from "${table}" as t`)).rows.map((row) => row.row).join('\n');
        for (const secret of secrets) {
          expect(rows, `${table} holds ${secret}`).not.toContain(secret);
          expect(rows, `${table} holds ${secret} as bytes`).not.toContain(Buffer.from(secret).toString('hex'));
        }
      }
      // What is in memory reaches the files.
      await owner.query('checkpoint');
    } finally {
      await owner.end();
    }
    const caFile = join(tempDir('dh-ca-'), 'ca.crt');
    writeFileSync(caFile, server.cluster.ca);
    const dump = execFileSync(join(PG_BIN, 'pg_dump'), ['--host', server.cluster.host, '--port', String(server.cluster.port), '--username', server.cluster.owner.user, '--dbname', 'centre_moved'], {
      env: { ...process.env, PGPASSWORD: server.cluster.owner.password, PGSSLMODE: 'verify-ca', PGSSLROOTCERT: caFile },
      maxBuffer: 512 * 1024 * 1024,
    });
    expect(dump.length).toBeGreaterThan(10_000);
    expect(dump.includes(Buffer.from('CREATE TABLE public.client'))).toBe(true);
    const files = [...filesUnder(server.cluster.dataDir), join(dirname(server.cluster.dataDir), 'server.log')];
    expect(files.some((file) => file.includes('pg_wal'))).toBe(true);
    for (const secret of secrets) {
      const bytes = Buffer.from(secret);
      expect(dump.includes(bytes), `the dump holds ${secret}`).toBe(false);
      for (const file of files) expect(readFileSync(file).includes(bytes), `${file} holds ${secret}`).toBe(false);
    }
  });

  it('changes nothing when the server already holds records, the file is not a connection file, or the server is out of reach', async () => {
    const app = await busy();
    await loginAs(app, ADMIN);
    const taken = await newServer('centre_taken');
    // A server that already holds a centre's records.
    const first = openApp(tempDir('dh-pc-'));
    server.keep(first);
    await first.core.connectToServer(taken.connection);
    await runSetup(first);
    const notFile = join(tempDir('dh-conn-'), 'not.server');
    writeFileSync(notFile, '{"host": "x"}');
    const closed = { ...(await newServer('centre_far')).connection, port: 1 };
    const unreachable = join(tempDir('dh-conn-'), 'far.server');
    writeFileSync(unreachable, JSON.stringify(closed));

    const before = await contentSnapshot(app);
    expect(await app.gate.invoke('vault.moveUp', { confirm: true }, { path: taken.file })).toEqual({ ok: false, error: { code: 'VAULT_EXISTS' } });
    expect(await app.gate.invoke('vault.moveUp', { confirm: true }, { path: notFile })).toEqual({ ok: false, error: { code: 'CONNECTION_FILE_INVALID' } });
    expect(await app.gate.invoke('vault.moveUp', { confirm: true }, { path: unreachable })).toEqual({ ok: false, error: { code: 'SERVER_UNREACHABLE' } });
    // Nothing picked: nothing done.
    expect(await app.gate.invoke('vault.moveUp', { confirm: true }, { path: null })).toEqual({ ok: true, value: { moved: false, tables: 0, rows: 0 } });
    expect(app.core.vault.kind).toBe('file');
    expect(app.core.session?.username).toBe(ADMIN.username);
    expect(existsSync(join(app.dir, SERVER_FILE))).toBe(false);
    expect(existsSync(join(app.dir, VAULT_FILES.database))).toBe(true);
    // The failures are in this vault's own trail; nothing else changed.
    const trail = (await app.ok('audit.list', { action: 'vault.moveUp' })).rows.map((row) => row.errorCode);
    expect(trail).toEqual(expect.arrayContaining(['VAULT_EXISTS', 'CONNECTION_FILE_INVALID', 'SERVER_UNREACHABLE']));
    expect(await contentSnapshot(app)).toBe(before);
    // The other centre's server kept what it had: its administrator alone, nobody of this vault.
    const owner = ownerPool(server.cluster, 'centre_taken', 1);
    try {
      expect((await owner.query<{ n: number }>('select count(*)::int as n from "user"')).rows[0]?.n).toBe(1);
    } finally {
      await owner.end();
    }
  });
});
