import BetterSqlite3 from 'better-sqlite3-multiple-ciphers';
import { Kysely, Migrator, PostgresDialect, sql, SqliteDialect, type TableMetadata } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FILE_ONLY_COLUMNS, LOOKUP_COLUMNS, SEALED_COLUMNS, SERVER_INDEX_PARTS } from '../../electron/core/db/sealed-columns.ts';
import { migrate } from '../../electron/core/vault/database.ts';
import { migrations } from '../../migrations/index.ts';
import { serverMigrations } from '../../migrations/server/index.ts';
import { createDatabase, havePostgres, ownerPool, startCluster, type PgCluster } from '../support/pg-cluster.ts';

/*
 * The centre's server has the file's schema (issue "A centre on several PCs"): the same tables
 * and columns, but every column with words about a person is sealed (bytea), the client code
 * has its keyed hash beside it, and the file's folded search copies do not exist. The audit
 * trail is append-only there too, and the monthly counts follow the rows as the file's do.
 */

type Any = Kysely<any>;

let cluster: PgCluster;
let server: Any;
let file: Any;
let fileSqlite: BetterSqlite3.Database;

beforeAll(async () => {
  if (!havePostgres()) throw new Error('PostgreSQL 15 is not installed (.ci/run installs Debian\'s postgresql)');
  cluster = await startCluster();
  await createDatabase(cluster, 'centre');
  server = new Kysely({ dialect: new PostgresDialect({ pool: ownerPool(cluster, 'centre') }) });
  const { error } = await new Migrator({ db: server, provider: { getMigrations: async () => serverMigrations } }).migrateToLatest();
  if (error) throw error;
  fileSqlite = new BetterSqlite3(':memory:');
  await migrate(fileSqlite, migrations);
  file = new Kysely({ dialect: new SqliteDialect({ database: fileSqlite }) });
});

afterAll(async () => {
  await server?.destroy();
  await file?.destroy();
  cluster?.remove();
});

/** The app's tables (not the file's full-text shadow tables, nor the migrators' own). */
async function appTables(db: Any): Promise<Map<string, TableMetadata>> {
  const fullText = /^(client|identity)_(search|words)/;
  const tables = await db.introspection.getTables();
  return new Map(tables.filter((table) => !fullText.test(table.name) && !table.name.startsWith('kysely_') && table.name !== 'sqlite_sequence').map((table) => [table.name, table]));
}

const sealedIn = (table: string): readonly string[] => (SEALED_COLUMNS as Record<string, readonly string[]>)[table] ?? [];

describe('the centre server\'s schema', () => {
  it('has every table and column of the file, sealed where it holds words about a person', async () => {
    const fileTables = await appTables(file);
    const serverTables = await appTables(server);
    // The keyring, a file beside the file's database, is a table of the server's; so are the client
    // index's counter and the lock appends to the trail take one at a time.
    expect([...serverTables.keys()].sort()).toEqual([...fileTables.keys(), 'keyring', 'trail_lock', ...SERVER_INDEX_PARTS.tables].sort());
    expect(fileTables.size).toBeGreaterThan(25);
    for (const [name, fileTable] of fileTables) {
      const serverTable = serverTables.get(name)!;
      const primaryKey = new Set((fileSqlite.pragma(`table_info("${name}")`) as { name: string; pk: number }[]).filter((c) => c.pk > 0).map((c) => c.name));
      const fileOnly = new Set<string>((FILE_ONLY_COLUMNS as Record<string, readonly string[]>)[name] ?? []);
      const lookups = Object.values((LOOKUP_COLUMNS as Record<string, Record<string, string>>)[name] ?? {});
      const indexed = (SERVER_INDEX_PARTS.columns as Record<string, readonly string[]>)[name] ?? [];
      const expected = [...fileTable.columns.map((column) => column.name).filter((column) => !fileOnly.has(column)), ...lookups, ...indexed].sort();
      expect(serverTable.columns.map((column) => column.name).sort(), `the columns of ${name}`).toEqual(expected);
      for (const column of serverTable.columns) {
        const inFile = fileTable.columns.find((c) => c.name === column.name);
        // A primary key is never null on the server; SQLite lets a key column say otherwise.
        if (inFile && !primaryKey.has(column.name)) expect(column.isNullable, `${name}.${column.name} may be null as in the file`).toBe(inFile.isNullable);
        const sealed = sealedIn(name).includes(column.name);
        expect(column.dataType === 'bytea', `${name}.${column.name} is ${sealed ? '' : 'not '}sealed`).toBe(sealed);
        if (indexed.includes(column.name)) expect(column.dataType, `${name}.${column.name}`).toBe('int8');
        // An anonymous contact's id is random up to 2^53 (db/anonymous-contacts.ts): 64 bits, as SQLite's integer.
        const wide = (name === 'anonymous_contact' && column.name === 'id') || (name === 'anonymous_service' && column.name === 'contact_id');
        if (!sealed && inFile) expect(column.dataType, `${name}.${column.name}`).toBe(wide ? 'int8' : inFile.dataType.toLowerCase() === 'integer' ? 'int4' : 'text');
      }
    }
    // Every sealed column the registry names exists (a typo would leave a column in the clear).
    for (const [table, columns] of Object.entries(SEALED_COLUMNS)) {
      for (const column of columns) expect(serverTables.get(table)?.columns.some((c) => c.name === column), `${table}.${column}`).toBe(true);
    }
  });

  it('starts with the file\'s service catalogue, and keeps the code\'s hash unique', async () => {
    const catalogue = (db: Any) => db.selectFrom('service_type').select(['id', 'code', 'service_group', 'name_vi', 'name_en', 'active', 'sort_order']).orderBy('id').execute();
    expect(await catalogue(server)).toEqual(await catalogue(file));
    await sql`insert into "user" (username, display_name, created_at) values ('synthetic-admin', 'Synthetic Admin', '2026-01-01T00:00:00.000Z')`.execute(server);
    const client = (lookup: string) =>
      sql`insert into client (code, code_lookup, alias, birth_year, sex, child_path, status, registered_on, registered_by)
        values (${Buffer.from([1, 2])}, ${lookup}, ${Buffer.from([3])}, 1990, 'female', 0, 'open', '2026-01-02', 1)`.execute(server);
    await client('lookup-one');
    await expect(client('lookup-one')).rejects.toThrow(/duplicate key value violates unique constraint "client_code_lookup_key"/);
  });

  it('refuses to change or remove an audit entry, even for its owner', async () => {
    await sql`insert into audit_event (at, action, outcome, prev_hash, hash) values ('2026-01-01T00:00:00.000Z', 'test.entry', 'ok', '0', '1')`.execute(server);
    await expect(sql`update audit_event set action = 'changed'`.execute(server)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_event`.execute(server)).rejects.toThrow(/append-only/);
    await expect(sql`truncate audit_event`.execute(server)).rejects.toThrow(/append-only/);
    expect((await sql<{ n: string }>`select count(*) as n from audit_event`.execute(server)).rows[0]?.n).toBe('1');
  });

  it('keeps the monthly counts of services and referrals as the file does, through changes and removals', async () => {
    await sql`insert into "user" (id, username, display_name, created_at) values (1, 'synthetic-admin', 'Synthetic Admin', '2026-01-01T00:00:00.000Z')`.execute(file);
    await sql`insert into client (id, code, alias, alias_folded, birth_year, sex, child_path, status, registered_on, registered_by)
      values (1, 'SYN-1', 'Synthetic', 'synthetic', 1990, 'female', 0, 'open', '2026-01-02', 1)`.execute(file);
    for (const db of [file, server]) {
      await sql`insert into visit (id, client_id, visit_on, place, worker_id, recorded_at) values (1, 1, '2026-01-05', 'centre', 1, '2026-01-05T03:00:00.000Z')`.execute(db);
      const steps = [
        sql`insert into service (id, visit_id, client_id, service_type_id, service_on, worker_id) values (1, 1, 1, 1, '2026-01-05', 1), (2, 1, 1, 2, '2026-01-31', 1), (3, 1, 1, 1, '2026-02-01', 1)`,
        sql`update service set service_on = '2026-03-01' where id = 2`,
        sql`update service set service_type_id = 2 where id = 3`,
        sql`delete from service where id = 1`,
        sql`insert into referral (id, client_id, service_type_id, status, proposed_on, created_by, created_at) values
          (1, 1, 3, 'proposed', '2024-02-27', 1, 'x'), (2, 1, 3, 'proposed', '2024-02-28', 1, 'x'), (3, 1, 4, 'sent', '2025-12-31', 1, 'x')`,
        sql`update referral set status = 'completed', completed_on = '2024-03-01' where id in (1, 2)`,
        sql`update referral set status = 'completed', completed_on = null where id = 3`,
        sql`delete from referral where id = 2`,
      ];
      for (const step of steps) await step.execute(db);
    }
    const months = async (db: Any) => ({
      services: (await sql<{ month: string; type: number; n: number }>`select month, service_type_id as type, n from service_month order by 1, 2`.execute(db)).rows.map((row) => ({ ...row, n: Number(row.n) })),
      referrals: (await sql`select month, service_type_id as type, status, days, n from referral_month order by 1, 2, 3, 4`.execute(db)).rows,
    });
    const onFile = await months(file);
    expect(onFile.services.filter((row) => row.n > 0)).toEqual([
      { month: '2026-02', type: 2, n: 1 },
      { month: '2026-03', type: 2, n: 1 },
    ]);
    expect(await months(server)).toEqual(onFile);
  });
});
