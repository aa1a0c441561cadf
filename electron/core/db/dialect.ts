import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { Database } from './schema.ts';

/*
 * The few SQL functions a raw fragment needs that SQLite and PostgreSQL spell differently.
 * Everything else the features write (Kysely's builder, `substr`, `coalesce`, `case`, `is
 * distinct from`, temporary tables named without a schema) reads the same on both; a fragment
 * that needs one of these asks the store's dialect (`ctx.core.vault.dialect`).
 */
export interface SqlDialect {
  readonly name: 'sqlite' | 'postgres';
  /** Whole days from one ISO date (yyyy-mm-dd) to another; null when either is null. */
  daysBetween(from: RawBuilder<unknown>, to: RawBuilder<unknown>): RawBuilder<number | null>;
  /** The values of a whole-number expression over the group, joined with commas (null when none). */
  packedList(expression: RawBuilder<unknown>): RawBuilder<string | null>;
  /** The highest id a table's own counter ever gave (0 or null when none): rows cut from the end show. */
  lastIssuedId(table: string): RawBuilder<number | null>;
  /**
   * A term the planner must not drive the query from. SQLite keeps no statistics here (ANALYZE
   * would copy sample values into the file), so its plans are steered with a unary `+`;
   * PostgreSQL plans from its own statistics and takes the term as it is.
   */
  unindexed(term: RawBuilder<unknown>): RawBuilder<unknown>;
  /** After a table's name: SQLite reads the table in order rather than through an index (`not indexed`); nothing on PostgreSQL. */
  readonly inOrder: RawBuilder<unknown>;
  /**
   * At the end of an `exists` subquery: run it for each row through its index, as written.
   * PostgreSQL would otherwise turn it into a join that reads the whole other table first (the
   * dashboard's "a newer consent" read all 400,000 consents: 430 ms against 165); `offset 0`
   * keeps it as it is. SQLite runs it so anyway.
   */
  readonly perRow: RawBuilder<unknown>;
  /**
   * The statement that makes appends to the audit trail wait for each other (audit/trail.ts
   * `holdTrail`): on the server, the lock of a table kept for it; none on the file.
   */
  readonly trailLock: RawBuilder<unknown> | null;
}

export const sqliteDialect: SqlDialect = {
  name: 'sqlite',
  daysBetween: (from, to) => sql<number | null>`cast(round(julianday(${to}) - julianday(${from})) as integer)`,
  packedList: (expression) => sql<string | null>`group_concat(${expression})`,
  lastIssuedId: (table) => sql<number | null>`(select seq from sqlite_sequence where name = ${table})`,
  unindexed: (term) => sql`+${term}`,
  inOrder: sql`not indexed`,
  perRow: sql``,
  trailLock: null,
};

export const postgresDialect: SqlDialect = {
  name: 'postgres',
  daysBetween: (from, to) => sql<number | null>`(cast(${to} as date) - cast(${from} as date))`,
  packedList: (expression) => sql<string | null>`string_agg(cast(${expression} as text), ',')`,
  lastIssuedId: (table) => sql<number | null>`pg_sequence_last_value(cast(pg_get_serial_sequence(${table}, 'id') as regclass))`,
  unindexed: (term) => term,
  inOrder: sql``,
  perRow: sql`offset 0`,
  // A table of its own (server migration 0003); EXCLUSIVE waits for itself, never for readers.
  trailLock: sql`lock table trail_lock in exclusive mode`,
};

/**
 * Wait until no other transaction is appending to the audit trail, and keep it until this one
 * ends. Taken before a transaction's first read (a serialisable transaction sees what was
 * committed when it first read, so the lock must come before that to see the trail's true end).
 * Nothing on the file: one PC writes it, one call at a time.
 */
export async function holdTrail(trx: Kysely<Database> | Transaction<Database>, dialect: SqlDialect): Promise<void> {
  // Once per transaction: the lock is kept to its end (the gate takes it first, the append finds it held).
  if (!dialect.trailLock || holding.has(trx)) return;
  await dialect.trailLock.execute(trx);
  if (trx.isTransaction) holding.add(trx);
}

/** The transactions that hold the trail's lock (each until it ends; forgotten with it). */
const holding = new WeakSet<object>();
