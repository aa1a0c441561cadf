import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerConnection } from '../../electron/core/vault/server-provision.ts';
import { provisionServer } from '../../electron/core/vault/server-provision.ts';
import { rolesNamed, serverPool } from '../../electron/core/vault/server-connection.ts';
import { serverMigrations } from '../../migrations/server/index.ts';
import { SERVER_FILE } from '../../electron/core/vault/server-vault.ts';
import { postgresDialect } from '../../electron/core/db/dialect.ts';
import { havePostgres, makeCertificates, ownerPool, startCluster, type PgCluster } from '../support/pg-cluster.ts';
import { countTrips } from '../support/server-trips.ts';
import { ADMIN, CENTRE, openApp, runSetup, tempDir, WORKER, type TestApp } from '../support/vault-fixture.ts';

/*
 * The same app against the centre's server (issue "A centre on several PCs"): a first PC's
 * setup makes the server's keyring and first account, a second PC joins it with a staff
 * password, and a password changed on one PC opens the records on the other. What the server
 * keeps of the keys is sealed; the app role's first password stops working at the setup.
 */

let cluster: PgCluster;
let connection: ServerConnection;
/** The connection file `server:init` wrote, as a PC's setup screen picks it. */
let connectionFile: string;
const apps: TestApp[] = [];

beforeAll(async () => {
  if (!havePostgres()) throw new Error('PostgreSQL 15 is not installed (.ci/run installs Debian\'s postgresql)');
  cluster = await startCluster();
  const result = await provisionServer({ address: { host: cluster.host, port: cluster.port, database: 'centre_store', ca: cluster.ca }, owner: cluster.owner, migrations: serverMigrations });
  connection = result.connection!;
  connectionFile = join(tempDir('dh-conn-'), 'trung-tam.server');
  writeFileSync(connectionFile, JSON.stringify(connection));
});
afterAll(async () => {
  for (const app of apps) await app.core.shutdown();
  cluster?.remove();
});

function pc(): TestApp {
  const app = openApp(tempDir('dh-pc-'));
  apps.push(app);
  return app;
}

const TEMPORARY = 'tam-thoi-canbo-0001';
const NEW_PASSWORD = 'mat-khau-rieng-canbo-02';
let first: TestApp;
let second: TestApp;

describe('the centre\'s server as the store', () => {
  it('is set up from a first PC: the server keeps the keyring, the first account and the trail', async () => {
    first = pc();
    // The setup screen: the connection file is picked and tried; nothing is kept on the PC yet.
    const look = await first.gate.invoke('setup.serverCheck', {}, { path: connectionFile });
    expect(look).toEqual({
      ok: true,
      value: {
        chosen: true,
        server: {
          host: cluster.host,
          port: cluster.port,
          database: 'centre_store',
          certificate: { fingerprint: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/), subject: 'Dong Hanh test ca', validTo: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) },
          present: false,
        },
      },
    });
    expect(readdirSync(first.dir)).toEqual([]);
    expect(await first.ok('session.get', {})).toMatchObject({ vault: 'absent', server: null });
    expect(await first.ok('setup.serverConnect', { confirm: true })).toEqual({ present: false });
    expect(first.core.vault.kind).toBe('server');
    expect(await first.ok('session.get', {})).toMatchObject({ vault: 'absent', server: { host: cluster.host, port: cluster.port, database: 'centre_store' } });
    await runSetup(first);
    expect(first.core.session?.username).toBe(ADMIN.username);
    const created = await first.ok('users.create', { username: WORKER.username, displayName: WORKER.displayName, roles: ['worker'], temporaryPassword: TEMPORARY });
    expect(created).toMatchObject({ username: WORKER.username, mustChangePassword: true });
    expect(await first.ok('audit.verify', {})).toMatchObject({ ok: true });

    const owner = ownerPool(cluster, 'centre_store', 1);
    try {
      const users = (await owner.query<{ username: string }>('select username from "user" order by id')).rows.map((row) => row.username);
      expect(users).toEqual([ADMIN.username, WORKER.username]);
      const keyring = (await owner.query<{ body: string; app_secret: Buffer }>('select body, app_secret from keyring')).rows[0]!;
      // The keyring: slots and a proof; no password, username or key in the clear.
      expect(JSON.parse(keyring.body)).toMatchObject({ format: 'dong-hanh-keyring', proof: expect.any(String) });
      for (const secret of [ADMIN.password, ADMIN.username, TEMPORARY, connection.firstApp!.password]) expect(keyring.body).not.toContain(secret);
      expect(keyring.app_secret.includes(Buffer.from(connection.firstApp!.password))).toBe(false);
      expect((await owner.query<{ n: number }>('select count(*)::int as n from audit_event')).rows[0]!.n).toBeGreaterThan(1);
    } finally {
      await owner.end();
    }
    // The app role's first password stopped working at the setup.
    const stale = serverPool({ host: cluster.host, port: cluster.port, database: 'centre_store', ca: cluster.ca }, connection.firstApp!, { max: 1 });
    await expect(stale.query('select 1')).rejects.toMatchObject({ code: '28P01' });
    await stale.end();
  });

  it('is joined by a second PC, where a colleague logs in with her temporary password and changes it', async () => {
    second = pc();
    expect(await second.gate.invoke('setup.serverCheck', {}, { path: connectionFile })).toMatchObject({ ok: true, value: { chosen: true, server: { present: true } } });
    expect(await second.ok('setup.serverConnect', { confirm: true })).toEqual({ present: true });
    // Straight to the login: the server's staff log in here with their own passwords.
    expect(await second.ok('session.get', {})).toMatchObject({ vault: 'locked', server: { database: 'centre_store' } });
    // A joined PC cannot leave the server from the setup screen.
    expect(await second.call('setup.serverLeave', {})).toEqual({ ok: false, error: { code: 'VAULT_EXISTS' } });
    // Nothing to set up here: the server has its data.
    expect(await second.call('setup.begin', { ...CENTRE, adminUsername: 'khac.thu', adminDisplayName: 'Quản Trị Khác', adminPassword: 'mat-khau-khac-thu-01', language: 'vi' })).toEqual({ ok: false, error: { code: 'VAULT_EXISTS' } });
    expect(await second.call('auth.login', { username: WORKER.username, password: 'not-her-password' })).toEqual({ ok: false, error: { code: 'WRONG_CREDENTIALS' } });
    const session = await second.ok('auth.login', { username: WORKER.username, password: TEMPORARY });
    expect(session).toMatchObject({ username: WORKER.username, mustChangePassword: true });
    expect(await second.ok('auth.changePassword', { currentPassword: TEMPORARY, newPassword: NEW_PASSWORD })).toMatchObject({ mustChangePassword: false });
    await second.ok('auth.lock', {});
    expect(await second.call('auth.login', { username: WORKER.username, password: TEMPORARY })).toEqual({ ok: false, error: { code: 'WRONG_CREDENTIALS' } });
    await second.ok('auth.login', { username: WORKER.username, password: NEW_PASSWORD });
  });

  it('a password changed on one PC opens the records on the other; the failed attempts there are in the server\'s trail', async () => {
    await first.ok('auth.logout', {});
    await first.ok('auth.login', { username: WORKER.username, password: NEW_PASSWORD });
    await first.ok('auth.logout', {});
    await first.ok('auth.login', { username: ADMIN.username, password: ADMIN.password });
    const trail = await first.ok('audit.list', {});
    const failed = trail.rows.filter((entry) => entry.action === 'auth.login' && entry.outcome === 'failed');
    // Both refused attempts on the second PC (a wrong password, then the replaced temporary one),
    // kept there while locked and moved into the server's trail at the next unlock there.
    expect(failed.length).toBe(2);
    expect(await first.ok('audit.verify', {})).toMatchObject({ ok: true });
  });

  it('names the app\'s short statements, each parsed once per connection; batches and long statements stay unnamed', async () => {
    await first.core.vault.db.connection().execute(async (conn) => {
      const byId = (id: number) => conn.selectFrom('user').select('username').where('id', '=', id);
      expect(await byId(1).execute()).toEqual([{ username: ADMIN.username }]);
      const many = conn.selectFrom('user').select('id').where('id', 'in', Array.from({ length: 150 }, (_, i) => i + 1));
      expect((await many.execute()).map((row) => row.id)).toContain(1);
      const prepared = (await sql<{ name: string; statement: string }>`select name, statement from pg_prepared_statements`.execute(conn)).rows;
      expect(prepared.find((row) => row.statement === byId(1).compile().sql)?.name).toMatch(/^dh_\d+$/);
      expect(prepared.some((row) => row.statement === many.compile().sql)).toBe(false);
      // A list of ids as one value: planned for the list it is given each time, never named.
      const listed = conn.selectFrom('user').select('id').where(sql<boolean>`id = any(${[1, 2]}::integer[])`);
      expect((await listed.execute()).map((row) => row.id)).toContain(1);
      expect((await sql<{ n: number }>`select count(*) as n from pg_prepared_statements where statement = ${listed.compile().sql}`.execute(conn)).rows[0]?.n).toBe(0);
      // The named statement again, with another value, answers for that value.
      expect(await byId(999_999).execute()).toEqual([]);
      expect((await sql<{ n: number }>`select count(*) as n from pg_prepared_statements where statement = ${byId(1).compile().sql}`.execute(conn)).rows[0]?.n).toBe(1);
    });
  });

  it('holds a statement nobody reads (the audit entry) for the next one, by its name once parsed: with the COMMIT, or before a read in the same trip; a ROLLBACK drops it', async () => {
    await first.core.vault.db.connection().execute(async (conn) => {
      await sql`create temporary table held_probe (n integer, words text)`.execute(conn);
      const held = (n: number, words: string | null) => postgresDialect.withNext!(sql`insert into held_probe (n, words) values (${n}, ${words})`.compile(conn));
      const rows = async (db: typeof conn = conn) => (await sql<{ n: number; words: string | null }>`select n, words from held_probe order by n`.execute(db)).rows;
      const awkward = `Tên 'thử' \\ "ngoặc" $1 -- không phải lệnh`;
      const wire = countTrips();
      try {
        // Its first time on this connection it goes at once, after the BEGIN held before it, and is parsed under its name.
        await conn.transaction().execute(async (trx) => {
          await held(1, awkward).execute(trx);
          expect(wire.trips).toBe(2);
        });
        const parsed = (await sql<{ statement: string }>`select statement from pg_prepared_statements where statement like ${'insert into held_probe%'}`.execute(conn)).rows;
        expect(parsed).toEqual([{ statement: 'insert into held_probe (n, words) values ($1, $2)' }]);
        // Then by its name, with the COMMIT: the BEGIN, the statement and the COMMIT in one trip,
        // the server running its parsed statement (its runs counted there), not a text of its own.
        const runs = async () => (await sql<{ n: number }>`select custom_plans + generic_plans as n from pg_prepared_statements where statement like ${'insert into held_probe%'}`.execute(conn)).rows[0]?.n;
        const before = await runs();
        wire.reset();
        await conn.transaction().execute(async (trx) => {
          await held(5, 'năm').execute(trx);
          expect(wire.trips).toBe(0);
        });
        expect(wire.trips).toBe(1);
        expect(await runs()).toBe(Number(before) + 1);
      } finally {
        wire.stop();
      }
      await sql`delete from held_probe where n = 5`.execute(conn);
      // Bytes (a sealed value) by name too, as they were.
      await sql`create temporary table held_bytes (n integer, b bytea)`.execute(conn);
      const sealed = Uint8Array.from([0, 1, 39, 92, 255, 254]);
      for (const n of [1, 2]) {
        await conn.transaction().execute(async (trx) => {
          await postgresDialect.withNext!(sql`insert into held_bytes (n, b) values (${n}, ${sealed})`.compile(conn)).execute(trx);
        });
      }
      const bytes = (await sql<{ n: number; b: Buffer }>`select n, b from held_bytes order by n`.execute(conn)).rows;
      // The first went on its own and was parsed, the second by its name: two runs of one parsed statement.
      expect((await sql<{ n: number }>`select custom_plans + generic_plans as n from pg_prepared_statements where statement like ${'insert into held_bytes%'}`.execute(conn)).rows).toEqual([{ n: 2 }]);
      expect(bytes.map((row) => [row.n, [...row.b]])).toEqual([[1, [...sealed]], [2, [...sealed]]]);
      const dropped = await conn.startTransaction().execute();
      await held(2, null).execute(dropped);
      await dropped.rollback().execute();
      await conn.transaction().execute(async (trx) => {
        await held(3, null).execute(trx);
        // Read within the same transaction: it was sent before the read.
        expect((await rows(trx)).map((row) => row.n)).toEqual([1, 3]);
      });
      // Before a named statement this connection has parsed: in one text, its values written in
      // (`execute dh_N(…)`), each taken as its parameter's type; the answer is the statement's.
      const probe = (n: number, words: string | null, flag: boolean) =>
        sql<{ n: number; words: string | null; flag: boolean }>`select n, words, cast(${flag} as boolean) as flag from held_probe where n = ${n} and words is not distinct from ${words}`;
      expect((await probe(1, awkward, true).execute(conn)).rows).toEqual([{ n: 1, words: awkward, flag: true }]);
      await conn.transaction().execute(async (trx) => {
        await held(4, awkward).execute(trx);
        expect((await probe(4, awkward, false).execute(trx)).rows).toEqual([{ n: 4, words: awkward, flag: false }]);
        expect((await probe(3, null, true).execute(trx)).rows).toEqual([{ n: 3, words: null, flag: true }]);
      });
      await sql`delete from held_probe where n = 4`.execute(conn);
      // A BEGIN held, then a ROLLBACK: nothing was sent, and nothing is left to go with the next
      // transaction (whose own BEGIN would then be ignored, and its isolation with it).
      const nothing = await conn.startTransaction().execute();
      await nothing.rollback().execute();
      const next = await conn.startTransaction().setIsolationLevel('serializable').execute();
      expect((await sql<{ transaction_isolation: string }>`show transaction_isolation`.execute(next)).rows).toEqual([{ transaction_isolation: 'serializable' }]);
      await next.rollback().execute();
      expect(await rows()).toEqual([{ n: 1, words: awkward }, { n: 3, words: null }]);
      // Held, not sent: a statement the server refuses answers at once, and its refusal is the COMMIT's.
      const refused = await conn.startTransaction().execute();
      await held('not a number' as unknown as number, null).execute(refused);
      await expect(refused.commit().execute()).rejects.toMatchObject({ code: '22P02' });
      await refused.rollback().execute();
      expect(await rows()).toHaveLength(2);
    });
    expect(await first.ok('audit.verify', {})).toMatchObject({ ok: true });
  });

  it('reads ahead: a read sent with the next statement is answered from there when it comes next, and read again after anything else', async () => {
    const wire = countTrips();
    try {
      await first.core.vault.db.connection().execute(async (conn) => {
        await sql`create temporary table ahead_probe (n integer, words text)`.execute(conn);
        await sql`insert into ahead_probe values (1, ${'một'}), (2, ${'hai'})`.execute(conn);
        const read = (n: number) => sql<{ n: number; words: string }>`select n, words from ahead_probe where n = ${n}`;
        const ahead = (n: number) => postgresDialect.readAhead!(read(n).compile(conn));
        // This connection parses the read once (a read ahead goes only as a statement it can name).
        expect((await read(2).execute(conn)).rows).toEqual([{ n: 2, words: 'hai' }]);
        await conn.transaction().execute(async (trx) => {
          wire.reset();
          await ahead(1).execute(trx);
          expect(wire.trips).toBe(0);
          expect((await sql<{ one: number }>`select 1 as one`.execute(trx)).rows).toEqual([{ one: 1 }]);
          // BEGIN, the next statement and the read ahead went in one trip; the read is answered from it.
          expect((await read(1).execute(trx)).rows).toEqual([{ n: 1, words: 'một' }]);
          expect(wire.trips).toBe(1);
          // Another read's values: read again.
          await ahead(1).execute(trx);
          await sql`select 1`.execute(trx);
          expect((await read(2).execute(trx)).rows).toEqual([{ n: 2, words: 'hai' }]);
          expect(wire.trips).toBe(3);
          // A write in between: the read sees it.
          await ahead(1).execute(trx);
          await sql`select 1`.execute(trx);
          await sql`update ahead_probe set words = ${'đã sửa'} where n = ${1}`.execute(trx);
          expect((await read(1).execute(trx)).rows).toEqual([{ n: 1, words: 'đã sửa' }]);
          expect(wire.trips).toBe(6);
        });
        // A statement this connection has not parsed is not sent ahead: it is read when it comes.
        const unparsed = sql<{ words: string }>`select words from ahead_probe where n = ${2} and words <> ${'x'}`;
        await conn.transaction().execute(async (trx) => {
          wire.reset();
          await postgresDialect.readAhead!(unparsed.compile(conn)).execute(trx);
          await sql`select 1`.execute(trx);
          expect(wire.trips).toBe(1);
          expect((await unparsed.execute(trx)).rows).toEqual([{ words: 'hai' }]);
          expect(wire.trips).toBe(2);
        });
        // A read ahead still waiting when the transaction ends is not sent after its COMMIT, nor
        // answered to whatever reads next on this connection.
        await conn.transaction().execute(async (trx) => {
          await ahead(1).execute(trx);
        });
        wire.reset();
        expect((await read(1).execute(conn)).rows).toEqual([{ n: 1, words: 'đã sửa' }]);
        expect(wire.trips).toBe(1);
        // Nothing is kept past the transaction: the same read in the next one is read there.
        await conn.transaction().execute(async (trx) => {
          await ahead(1).execute(trx);
          await sql`select 1`.execute(trx);
        });
        await sql`update ahead_probe set words = ${'lần sau'} where n = ${1}`.execute(conn);
        expect((await read(1).execute(conn)).rows).toEqual([{ n: 1, words: 'lần sau' }]);
      });
    } finally {
      wire.stop();
    }
  });

  it('refuses a keyring changed on the server without the data key, and says when the server cannot be reached', async () => {
    await second.ok('auth.lock', {});
    const owner = ownerPool(cluster, 'centre_store', 1);
    try {
      const { body } = (await owner.query<{ body: string }>('select body from keyring')).rows[0]!;
      // Someone with the server's owner account changes what the keyring says (here: that
      // the data are for training, which every screen would then show).
      const planted = { ...(JSON.parse(body) as object), training: true };
      await owner.query('update keyring set body = $1', [JSON.stringify(planted)]);
      expect(await second.call('auth.login', { username: WORKER.username, password: NEW_PASSWORD })).toEqual({ ok: false, error: { code: 'KEYRING_UNPROVEN' } });
      expect(second.core.vault.isOpen).toBe(false);
      // A garbled row is refused as such.
      await owner.query('update keyring set body = $1', ['{"format": "dong-hanh-keyring"}']);
      expect(await second.call('auth.login', { username: WORKER.username, password: NEW_PASSWORD })).toEqual({ ok: false, error: { code: 'KEYRING_CORRUPT' } });
      await owner.query('update keyring set body = $1', [body]);
    } finally {
      await owner.end();
    }
    cluster.stop('fast');
    try {
      expect(await second.call('auth.login', { username: WORKER.username, password: NEW_PASSWORD })).toEqual({ ok: false, error: { code: 'SERVER_UNREACHABLE' } });
      expect(second.core.vault.isOpen).toBe(false);
    } finally {
      cluster.start();
    }
    await second.ok('auth.login', { username: WORKER.username, password: NEW_PASSWORD });
  });

  it('a PC with data of its own cannot be connected to a server', async () => {
    await expect(first.core.connectToServer(connection)).rejects.toMatchObject({ code: 'VAULT_EXISTS' });
    expect(await first.gate.invoke('setup.serverCheck', {}, { path: connectionFile })).toEqual({ ok: false, error: { code: 'VAULT_EXISTS' } });
    const own = openApp(tempDir('dh-pc-'));
    apps.push(own);
    await runSetup(own);
    await own.ok('auth.logout', {});
    expect(await own.gate.invoke('setup.serverCheck', {}, { path: connectionFile })).toEqual({ ok: false, error: { code: 'VAULT_EXISTS' } });
    expect(await own.call('setup.serverLeave', {})).toEqual({ ok: false, error: { code: 'VAULT_EXISTS' } });
    expect(own.core.vault.kind).toBe('file');
  });

  it('setup refuses a file that is not a connection file, another certificate authority, a wrong login; it keeps nothing, and can go back to this PC only', async () => {
    const app = pc();
    const folder = tempDir('dh-conn-bad-');
    const write = (name: string, content: string) => {
      const path = join(folder, name);
      writeFileSync(path, content);
      return path;
    };
    const check = (path: string | null) => app.gate.invoke('setup.serverCheck', {}, { path });
    // She closes the dialog: nothing happens.
    expect(await check(null)).toEqual({ ok: true, value: { chosen: false, server: null } });
    expect(await check(write('ghi-chu.txt', 'không phải tệp kết nối'))).toEqual({ ok: false, error: { code: 'CONNECTION_FILE_INVALID' } });
    expect(await check(write('thieu.server', JSON.stringify({ ...connection, login: undefined })))).toEqual({ ok: false, error: { code: 'CONNECTION_FILE_INVALID' } });
    expect(await check(write('ca-hong.server', JSON.stringify({ ...connection, ca: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' })))).toEqual({ ok: false, error: { code: 'CONNECTION_FILE_INVALID' } });
    // A certificate authority the server's certificate does not come from: the connection is refused.
    const other = makeCertificates(tempDir('dh-other-ca-'), 'other');
    expect(await check(write('ca-khac.server', JSON.stringify({ ...connection, ca: readFileSync(other.caFile, 'utf8') })))).toEqual({ ok: false, error: { code: 'SERVER_CERTIFICATE' } });
    expect(await check(write('sai-mat-khau.server', JSON.stringify({ ...connection, login: { ...connection.login, password: 'khong-dung' } })))).toEqual({ ok: false, error: { code: 'SERVER_CREDENTIALS' } });
    expect(await check(write('sai-cong.server', JSON.stringify({ ...connection, port: 1 })))).toEqual({ ok: false, error: { code: 'SERVER_UNREACHABLE' } });
    // Nothing was checked successfully: there is nothing to connect to, and nothing was kept.
    expect(await app.call('setup.serverConnect', { confirm: true })).toEqual({ ok: false, error: { code: 'SETUP_NOT_STARTED' } });
    expect(readdirSync(app.dir)).toEqual([]);

    // A good file, connected, then left before any setup: the PC is a new PC again.
    expect(await check(connectionFile)).toMatchObject({ ok: true });
    expect(await app.call('setup.serverConnect', {} as never)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(await app.ok('setup.serverConnect', { confirm: true })).toEqual({ present: true });
    expect(existsSync(join(app.dir, SERVER_FILE))).toBe(true);
    // (This server has its centre: a PC that joined it stays. A server with none can be left.)
    expect(await app.call('setup.serverLeave', {})).toEqual({ ok: false, error: { code: 'VAULT_EXISTS' } });
    const empty = await provisionServer({ address: { host: cluster.host, port: cluster.port, database: 'centre_empty', ca: cluster.ca }, owner: cluster.owner, migrations: serverMigrations, roles: rolesNamed('centre_empty') });
    const fresh = pc();
    expect(await fresh.gate.invoke('setup.serverCheck', {}, { path: write('trong.server', JSON.stringify(empty.connection)) })).toMatchObject({ ok: true, value: { server: { present: false, database: 'centre_empty' } } });
    await fresh.ok('setup.serverConnect', { confirm: true });
    expect(await fresh.ok('setup.serverLeave', {})).toEqual({});
    expect(fresh.core.vault.kind).toBe('file');
    expect(readdirSync(fresh.dir)).toEqual([]);
    expect(await fresh.ok('session.get', {})).toMatchObject({ vault: 'absent', server: null });
    // And it is set up on this PC only, as any new PC.
    await runSetup(fresh);
    expect(fresh.core.vault.kind).toBe('file');
  });
});
