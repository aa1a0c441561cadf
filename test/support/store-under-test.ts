import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { it } from 'vitest';
import type { Core } from '../../electron/core/core.ts';
import type { Store } from '../../electron/core/vault/store.ts';
import { rolesNamed } from '../../electron/core/vault/server-connection.ts';
import { provisionServer, type ServerConnection } from '../../electron/core/vault/server-provision.ts';
import { SERVER_FILE } from '../../electron/core/vault/server-vault.ts';
import { serverMigrations } from '../../migrations/server/index.ts';
import { ownerPool, type PgCluster } from './pg-cluster.ts';

/*
 * Which store the core tests run against: this PC's encrypted file (`test:unit`), or the
 * centre's PostgreSQL server (`test:pg`, DH_STORE=pg, with the cluster pg-global-setup.ts
 * started). On the server every new app gets a database of its own with roles of its own (a
 * setup changes its app role's password), and a copy of a test file's template vault is a
 * copy of its database (`create database … template …`), as fast as copying the file.
 */

export const ON_SERVER = process.env.DH_STORE === 'pg';

/** A test about the encrypted file itself (its bytes, its WAL, its migrations): run on the file store only. */
export const onFile: typeof it = ON_SERVER ? (it.skip as typeof it) : it;

type TestServer = Pick<PgCluster, 'host' | 'port' | 'ca' | 'owner'>;

export function testServer(): TestServer {
  const described = process.env.DH_TEST_PG;
  if (!described) throw new Error('DH_STORE=pg needs the cluster of test/support/pg-global-setup.ts (npm run test:pg)');
  return JSON.parse(described) as TestServer;
}

let made = 0;
const databaseName = () => `t${process.pid}_${++made}`;

/** A new, empty server database with roles of its own: what `server:init` hands a centre. */
export async function newServerDatabase(): Promise<ServerConnection> {
  const server = testServer();
  const name = databaseName();
  const result = await provisionServer({
    address: { host: server.host, port: server.port, database: name, ca: server.ca },
    owner: server.owner,
    migrations: serverMigrations,
    roles: rolesNamed(name),
  });
  return result.connection!;
}

/** A folder no app has used yet: on the server store, an app opened on it is connected to a new database first. */
export const isUnused = (dir: string): boolean => readdirSync(dir).length === 0;

/** Connect a fresh app's core to a new server database (before its first call). */
export async function connectToNewServer(core: Core): Promise<void> {
  await core.connectToServer(await newServerDatabase());
}

/**
 * After a template folder was copied: on the server store, its database is copied too and the
 * copy's folder points at the copy (the roles stay the template's: no setup runs on a copy).
 */
export async function copyServerDatabase(dir: string): Promise<void> {
  const path = join(dir, SERVER_FILE);
  if (!existsSync(path)) return;
  const file = JSON.parse(readFileSync(path, 'utf8')) as { database: string };
  const name = databaseName();
  // A template database must have no other connection: the snapshots' kept one goes first.
  const kept = owners.get(file.database);
  owners.delete(file.database);
  await kept?.end();
  await ownerOf('postgres').query(`create database "${name}" template "${file.database}"`);
  writeFileSync(path, JSON.stringify({ ...file, database: name }, null, 2));
}

/** The owner's connection to one of the test server's databases (one kept per database: snapshots are taken often). */
const owners = new Map<string, ReturnType<typeof ownerPool>>();
function ownerOf(database: string) {
  let pool = owners.get(database);
  if (!pool) owners.set(database, (pool = ownerPool(testServer(), database, 1)));
  return pool;
}

/** The database an app's folder is connected to. */
export function databaseOf(dir: string): string {
  return (JSON.parse(readFileSync(join(dir, SERVER_FILE), 'utf8')) as { database: string }).database;
}

/**
 * Every table of an app's server database but `exclude`, row by row in a stable order (read as
 * the owner), in one query: each table's rows as JSON, ordered by their text.
 */
export async function serverContent(dir: string, exclude: readonly string[]): Promise<string> {
  const pool = ownerOf(databaseOf(dir));
  const tables = (await pool.query<{ name: string }>("select tablename as name from pg_tables where schemaname = 'public' and tablename not like 'kysely_%' order by 1")).rows
    .map((row) => row.name)
    .filter((name) => !exclude.includes(name));
  const columns = tables.map((name) => `(select coalesce(json_agg(t order by t::text), '[]') from "${name}" as t) as "${name}"`);
  const { rows } = await pool.query<Record<string, unknown>>(`select ${columns.join(', ')}`);
  return JSON.stringify(rows[0]);
}

/**
 * Make a table's next ids start above `to`, on either store: a large centre's numbers in a
 * small test (a server's `integer` columns overflow arithmetic on them long before SQLite's do).
 */
export async function pushIdCounter(store: Store, table: 'client', to: number): Promise<void> {
  if (store.dialect.name === 'postgres') await sql`select setval(pg_get_serial_sequence(${table}, 'id'), ${sql.lit(to)})`.execute(store.db);
  else {
    await sql`delete from sqlite_sequence where name = ${table}`.execute(store.db);
    await sql`insert into sqlite_sequence (name, seq) values (${table}, ${sql.lit(to)})`.execute(store.db);
  }
}
