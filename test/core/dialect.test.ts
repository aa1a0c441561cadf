import BetterSqlite3 from 'better-sqlite3-multiple-ciphers';
import { Kysely, PostgresDialect, sql, SqliteDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresDialect, sqliteDialect, type SqlDialect } from '../../electron/core/db/dialect.ts';
import { havePostgres, startCluster, type PgCluster } from '../support/pg-cluster.ts';

/*
 * The raw fragments the features write read the same on both stores: what SQLite and
 * PostgreSQL spell differently goes through the dialect, the rest (substr, is distinct from,
 * temporary tables named without a schema, a whole number compared in SQL) is written once.
 * Each fragment runs on a real SQLite and a real PostgreSQL 15, and must give the same answer.
 */

type Any = Kysely<Record<string, Record<string, unknown>>>;

let cluster: PgCluster;
let stores: { name: string; db: Any; dialect: SqlDialect }[];

beforeAll(async () => {
  if (!havePostgres()) throw new Error('PostgreSQL 15 is not installed (.ci/run installs Debian\'s postgresql)');
  cluster = await startCluster();
  // One connection, as a write transaction has: a temporary table lives in its connection.
  const pool = new pg.Pool({ host: cluster.host, port: cluster.port, user: cluster.owner.user, password: cluster.owner.password, database: 'postgres', ssl: { ca: cluster.ca, servername: 'localhost' }, max: 1 });
  stores = [
    { name: 'sqlite', db: new Kysely({ dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }) }), dialect: sqliteDialect },
    { name: 'postgres', db: new Kysely({ dialect: new PostgresDialect({ pool }) }), dialect: postgresDialect },
  ];
  for (const { db } of stores) {
    await sql`create table referral (id integer primary key, proposed_on text not null, completed_on text)`.execute(db);
    await sql`insert into referral (id, proposed_on, completed_on) values
      (1, '2024-02-28', '2024-03-01'), (2, '2023-12-31', '2024-01-01'), (3, '2025-06-01', null), (4, '2025-06-01', '2025-06-01')`.execute(db);
  }
});

afterAll(async () => {
  for (const { db } of stores ?? []) await db.destroy();
  cluster?.remove();
});

/** The same fragment on both stores: the answers, which must agree. */
async function onBoth<T>(fragment: (db: Any, dialect: SqlDialect) => Promise<T>): Promise<T> {
  const answers = [];
  for (const { db, dialect } of stores) answers.push(await fragment(db, dialect));
  expect(answers[1], 'PostgreSQL answers as SQLite does').toEqual(answers[0]);
  return answers[0] as T;
}

describe('the SQL dialects of the two stores', () => {
  it('counts whole days between two dates, across a leap day and a year; null stays null', async () => {
    const rows = await onBoth(async (db, dialect) =>
      (await sql<{ id: number; days: number | null }>`select id, ${dialect.daysBetween(sql`proposed_on`, sql`completed_on`)} as days from referral order by id`.execute(db)).rows.map((row) => ({ id: Number(row.id), days: row.days === null ? null : Number(row.days) })),
    );
    expect(rows).toEqual([{ id: 1, days: 2 }, { id: 2, days: 1 }, { id: 3, days: null }, { id: 4, days: 0 }]);
  });

  it('packs a whole-number expression into one list, and gives null for no rows', async () => {
    const packed = await onBoth(async (db, dialect) =>
      (await sql<{ packed: string | null }>`select ${dialect.packedList(sql`id * ${sql.lit(100)} + 7`)} as packed from referral`.execute(db)).rows[0]?.packed?.split(',').sort(),
    );
    expect(packed).toEqual(['107', '207', '307', '407']);
    await onBoth(async (db, dialect) => (await sql<{ packed: string | null }>`select ${dialect.packedList(sql`id`)} as packed from referral where id < 0`.execute(db)).rows[0]?.packed ?? null);
  });

  it('reads the fragments written once the same way: months, distinct-from, a flag compared, a temporary table', async () => {
    const months = await onBoth(async (db) => (await sql<{ month: string }>`select distinct substr(proposed_on, 1, 7) as month from referral order by month`.execute(db)).rows.map((row) => row.month));
    expect(months).toEqual(['2023-12', '2024-02', '2025-06']);
    const distinct = await onBoth(async (db) => (await sql<{ id: number }>`select id from referral where id is distinct from ${null} and id is distinct from ${2} order by id`.execute(db)).rows.map((row) => Number(row.id)));
    expect(distinct).toEqual([1, 3, 4]);
    const flagged = await onBoth(async (db) => (await sql<{ n: number }>`select count(*) as n from referral where (${0} = 1 or completed_on is null)`.execute(db)).rows.map((row) => Number(row.n)));
    expect(flagged).toEqual([1]);
    const kept = await onBoth(async (db) => {
      await sql`create temp table if not exists moving_case (id integer primary key)`.execute(db);
      await sql`delete from moving_case`.execute(db);
      await sql`insert into moving_case (id) select id from referral where completed_on is not null`.execute(db);
      const ids = (await sql<{ id: number }>`select id from moving_case order by id`.execute(db)).rows.map((row) => Number(row.id));
      await sql`drop table if exists moving_case`.execute(db);
      return ids;
    });
    expect(kept).toEqual([1, 2, 4]);
  });
});
