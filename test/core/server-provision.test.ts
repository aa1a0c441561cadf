import { createHmac, X509Certificate } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../electron/core/app-error.ts';
import { serverFailure, serverPool, type ServerAddress } from '../../electron/core/vault/server-connection.ts';
import { provisionServer, scramVerifier, type ServerConnection } from '../../electron/core/vault/server-provision.ts';
import { serverMigrations } from '../../migrations/server/index.ts';
import { havePostgres, makeCertificates, ownerPool, startCluster, type PgCluster } from '../support/pg-cluster.ts';
import { tempDir } from '../support/vault-fixture.ts';

/*
 * The administrator's one-time command on the centre's server (issue "A centre on several
 * PCs"): it creates the database and the two roles, runs the migrations, and grants each role
 * only what it needs; run again at an upgrade, it changes no password and applies only what
 * is new. The roles are then tried against what they must not do.
 */

let cluster: PgCluster;
let address: ServerAddress;
let connection: ServerConnection;

beforeAll(async () => {
  if (!havePostgres()) throw new Error('PostgreSQL 15 is not installed (.ci/run installs Debian\'s postgresql)');
  cluster = await startCluster();
  address = { host: cluster.host, port: cluster.port, database: 'centre_test', ca: cluster.ca };
});
afterAll(() => cluster?.remove());

const as = (role: { user: string; password: string }) => serverPool(address, role, { max: 1 });

async function attempt(pool: pg.Pool, statement: string): Promise<string> {
  try {
    await pool.query(statement);
    return 'done';
  } catch (error) {
    return (error as { code?: string }).code ?? 'error';
  }
}

const INSUFFICIENT_PRIVILEGE = '42501';

describe('setting up the centre\'s server', () => {
  it('creates the database, the two roles and the schema, and hands over what a PC needs', async () => {
    const result = await provisionServer({ address, owner: cluster.owner, migrations: serverMigrations });
    expect(result.createdDatabase).toBe(true);
    expect(result.createdRoles).toEqual(['dh_login', 'dh_app']);
    expect(result.migrated).toEqual(Object.keys(serverMigrations));
    expect(result.connection).toMatchObject({ version: 1, host: cluster.host, port: cluster.port, database: 'centre_test', ca: cluster.ca, login: { user: 'dh_login' }, firstApp: { user: 'dh_app' } });
    connection = result.connection!;
    expect(connection.login.password).toMatch(/^[\w-]{32}$/);
    expect(connection.firstApp!.password).not.toBe(connection.login.password);
    // Kept on the server as SCRAM verifiers, never the password itself.
    const owner = ownerPool(cluster, 'postgres', 1);
    const stored = (await owner.query<{ rolname: string; rolpassword: string; rolsuper: boolean; rolcreaterole: boolean; rolcreatedb: boolean }>(
      `select rolname, rolpassword, rolsuper, rolcreaterole, rolcreatedb from pg_authid where rolname in ('dh_login', 'dh_app') order by rolname`,
    )).rows;
    await owner.end();
    expect(stored.map((role) => [role.rolname, role.rolsuper, role.rolcreaterole, role.rolcreatedb])).toEqual([['dh_app', false, false, false], ['dh_login', false, false, false]]);
    for (const role of stored) expect(role.rolpassword).toMatch(/^SCRAM-SHA-256\$4096:/);
  });

  it('lets the login role read the keyring and nothing else', async () => {
    const login = as(connection.login);
    try {
      expect(await attempt(login, 'select * from keyring')).toBe('done');
      expect(await attempt(login, `insert into keyring (id, body, updated_at) values (1, '{}', 'x')`)).toBe(INSUFFICIENT_PRIVILEGE);
      for (const table of ['client', 'client_identity', 'visit', 'audit_event', 'user', 'setting', 'kysely_migration']) {
        expect(await attempt(login, `select * from "${table}"`), table).toBe(INSUFFICIENT_PRIVILEGE);
      }
      expect(await attempt(login, 'create table mine (n int)')).toBe(INSUFFICIENT_PRIVILEGE);
      expect(await attempt(login, 'create temp table mine (n int)')).toBe(INSUFFICIENT_PRIVILEGE);
    } finally {
      await login.end();
    }
  });

  it('lets the app role keep the records, append to the trail, and no more', async () => {
    const app = as(connection.firstApp!);
    try {
      expect(await attempt(app, `insert into "user" (username, display_name, created_at) values ('synthetic-admin', 'Synthetic Admin', 'x')`)).toBe('done');
      expect(await attempt(app, `insert into client (code, code_lookup, alias, birth_year, sex, child_path, status, registered_on, registered_by)
        values ('\\x01', 'h1', '\\x02', 1990, 'female', 0, 'open', '2026-01-02', 1)`)).toBe('done');
      expect(await attempt(app, `insert into visit (client_id, visit_on, place, worker_id, recorded_at) values (1, '2026-01-05', 'centre', 1, 'x')`)).toBe('done');
      // The monthly counts follow, through the triggers, as the app role.
      expect(await attempt(app, `insert into service (visit_id, client_id, service_type_id, service_on, worker_id) values (1, 1, 1, '2026-01-05', 1)`)).toBe('done');
      expect((await app.query('select n from service_month')).rows).toEqual([{ n: 1 }]);
      expect(await attempt(app, `update client set status = 'closed'`)).toBe('done');
      expect(await attempt(app, 'create temp table moving_case (id integer primary key)')).toBe('done');
      expect(await attempt(app, `insert into audit_event (at, action, outcome, prev_hash, hash) values ('x', 'test.entry', 'ok', '0', '1')`)).toBe('done');
      // The trail: no grant to change, remove or empty it.
      expect(await attempt(app, `update audit_event set action = 'changed'`)).toBe(INSUFFICIENT_PRIVILEGE);
      expect(await attempt(app, 'delete from audit_event')).toBe(INSUFFICIENT_PRIVILEGE);
      expect(await attempt(app, 'truncate audit_event')).toBe(INSUFFICIENT_PRIVILEGE);
      // No DDL, no emptying of a table, no change to the migrations' record.
      expect(await attempt(app, 'create table mine (n int)')).toBe(INSUFFICIENT_PRIVILEGE);
      expect(await attempt(app, 'drop table visit')).toBe(INSUFFICIENT_PRIVILEGE);
      expect(await attempt(app, 'alter table client add column plain text')).toBe(INSUFFICIENT_PRIVILEGE);
      expect(await attempt(app, 'truncate visit')).toBe(INSUFFICIENT_PRIVILEGE);
      expect(await attempt(app, 'drop trigger audit_event_no_update on audit_event')).toBe(INSUFFICIENT_PRIVILEGE);
      expect(await attempt(app, `delete from kysely_migration`)).toBe(INSUFFICIENT_PRIVILEGE);
      expect(await attempt(app, 'create database other')).toBe(INSUFFICIENT_PRIVILEGE);
      expect((await app.query<{ n: number }>('select count(*) as n from audit_event')).rows).toEqual([{ n: 1 }]);
    } finally {
      await app.end();
    }
  });

  it('run again at an upgrade: no password changes, nothing applied twice, the rights set again', async () => {
    const again = await provisionServer({ address, owner: cluster.owner, migrations: serverMigrations });
    expect(again).toEqual({ createdDatabase: false, createdRoles: [], migrated: [], connection: null });
    const login = as(connection.login);
    expect(await attempt(login, 'select * from keyring')).toBe('done');
    await login.end();
    // A lost connection file: a new login password, and the old one stops working.
    const renewed = await provisionServer({ address, owner: cluster.owner, migrations: serverMigrations, newLoginPassword: true });
    expect(renewed.connection?.login.password).toMatch(/^[\w-]{32}$/);
    expect(renewed.connection?.firstApp).toBeNull();
    const old = as(connection.login);
    await expect(old.query('select 1')).rejects.toMatchObject({ code: '28P01' });
    await old.end();
    const fresh = as(renewed.connection!.login);
    expect(await attempt(fresh, 'select * from keyring')).toBe('done');
    await fresh.end();
  });

  it('says plainly why it could not: a wrong owner password, a server with another certificate, no server', async () => {
    const codeOf = async (promise: Promise<unknown>) => promise.then(() => 'done', (error: unknown) => (isAppError(error) ? error.code : String(error)));
    expect(await codeOf(provisionServer({ address, owner: { ...cluster.owner, password: 'not-the-password' }, migrations: serverMigrations }))).toBe('SERVER_CREDENTIALS');
    const other = makeCertificates(tempDir('dh-other-ca-'), 'other');
    expect(await codeOf(provisionServer({ address: { ...address, ca: readFileSync(other.caFile, 'utf8') }, owner: cluster.owner, migrations: serverMigrations }))).toBe('SERVER_CERTIFICATE');
    expect(await codeOf(provisionServer({ address: { ...address, port: 1 }, owner: cluster.owner, migrations: serverMigrations }))).toBe('SERVER_UNREACHABLE');
    expect(await codeOf(provisionServer({ address: { ...address, database: 'Centre; drop' }, owner: cluster.owner, migrations: serverMigrations }))).toBe('VALIDATION');
  });

  it('is run by an administrator as npm run server:init, and writes the connection file only for her', () => {
    const folder = tempDir('dh-server-init-');
    const caFile = join(folder, 'centre-ca.crt');
    writeFileSync(caFile, cluster.ca);
    const out = join(folder, 'centre-server.json');
    const run = (password: string, ...extra: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'scripts/server-init.ts', '--host', cluster.host, '--port', String(cluster.port), '--database', 'centre_cli', '--owner', cluster.owner.user, '--ca', caFile, '--out', out, ...extra], {
        encoding: 'utf8',
        env: { ...process.env, PGPASSWORD: password },
      });
    const refused = run('not-the-password');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('The server refused the owner account');
    expect(existsSync(out)).toBe(false);
    const first = run(cluster.owner.password, '--new-login-password');
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('Database created');
    expect(first.stdout).toContain('Migrations applied: 0001_schema');
    // The fingerprint each PC's setup screen shows, to be compared with this one.
    expect(first.stdout).toContain(`The CA's SHA-256 fingerprint: ${new X509Certificate(cluster.ca).fingerprint256}`);
    // Only its owner may read it (it holds the login role's password).
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const written = JSON.parse(readFileSync(out, 'utf8')) as ServerConnection;
    expect(written).toMatchObject({ version: 1, host: cluster.host, port: cluster.port, database: 'centre_cli', ca: cluster.ca, login: { user: 'dh_login' } });
    connection = { ...connection, login: written.login };
    // Run again, it overwrites no file.
    const again = run(cluster.owner.password);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain('already exists');
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(written);
  });

  it('names a connection lost under a call however the driver words it (the crash harness met these)', () => {
    const codeOf = (error: unknown) => (isAppError(error) ? error.code : 'unnamed');
    for (const message of ['Connection terminated unexpectedly', 'Client has encountered a connection error and is not queryable', 'Client was closed and is not queryable']) {
      expect(codeOf(serverFailure(new Error(message))), message).toBe('SERVER_CONNECTION_LOST');
    }
    expect(codeOf(serverFailure(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })))).toBe('SERVER_CONNECTION_LOST');
    expect(codeOf(serverFailure(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })))).toBe('SERVER_UNREACHABLE');
    // Anything else is not the connection's fault, and is left as it is.
    expect(codeOf(serverFailure(new Error('syntax error at or near "selec"')))).toBe('unnamed');
  });

  it('makes SCRAM verifiers that agree with RFC 7677\'s worked example', () => {
    // The RFC's exchange: user "user", password "pencil", its salt and nonces; the server's
    // signature over the exchange, made with the verifier's server key, is the RFC's.
    const verifier = scramVerifier('pencil', Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'));
    expect(verifier).toMatch(/^SCRAM-SHA-256\$4096:W22ZaJ0SNY7soEsUEjb6gQ==\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$/);
    const serverKey = Buffer.from(verifier.split(':').at(-1)!, 'base64');
    const nonce = 'rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
    const exchange = `n=user,r=rOprNGfwEbeRWgbNEkqO,r=${nonce},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r=${nonce}`;
    expect(createHmac('sha256', serverKey).update(exchange).digest('base64')).toBe('6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=');
  });
});
