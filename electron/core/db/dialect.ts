import { sql, type CompiledQuery, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import pg from 'pg';
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
  /**
   * A statement whose answer nobody reads (the trail's lock, a record's summary, the gate's audit
   * entry), held to go with the transaction's next statement in one trip to the server
   * (vault/server-connection.ts), or null: run it as it is. For a statement of Kysely's builder,
   * whose every value is a parameter.
   */
  readonly withNext: ((query: CompiledQuery) => RawBuilder<unknown>) | null;
  /**
   * A read the call will make, sent ahead with the transaction's next statement (the gate's
   * first read) in one trip while the trail is held, its answer kept to be given when the call
   * makes it (vault/server-connection.ts), or null: nothing is read ahead.
   */
  readonly readAhead: ((query: CompiledQuery) => RawBuilder<unknown>) | null;
}

/**
 * How a statement held for the next one begins (a comment: sent on its own, it runs at once, as
 * written). A statement of the builder also carries itself and its values, packed into that
 * comment (`/* with the next <packed> *\/ <the statement, its values written in>`), so that a
 * connection which has parsed it can send it by its name instead (vault/server-connection.ts).
 */
export const WITH_NEXT = '/* with the next ';

/**
 * How a read sent ahead is passed to the connection: its statement and values, packed into a
 * comment (sent on its own, it reads nothing).
 */
export const READ_AHEAD = '/* read ahead ';
export const packReadAhead = (query: CompiledQuery) => `${READ_AHEAD}${packStatement(query)} */ select null`;
export const unpackReadAhead = (text: string) => unpackStatement(text, READ_AHEAD);
export const unpackHeld = (text: string) => unpackStatement(text, WITH_NEXT);

/** A statement and its values as one word of a comment (bytes, a sealed value, as hex); null when a value is of another kind. */
function packStatement(query: CompiledQuery): string | null {
  const parameters: unknown[] = [];
  for (const value of query.parameters) {
    if (value instanceof Uint8Array) parameters.push({ hex: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex') });
    else if (value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) parameters.push(value);
    else return null;
  }
  return Buffer.from(JSON.stringify({ sql: query.sql, parameters })).toString('base64');
}

function unpackStatement(text: string, prefix: string): { sql: string; parameters: unknown[] } | null {
  const packed = text.startsWith(prefix) ? text.slice(prefix.length).split(' ', 1)[0] : undefined;
  if (!packed || packed === '*/') return null;
  try {
    const read = JSON.parse(Buffer.from(packed, 'base64').toString('utf8')) as { sql?: unknown; parameters?: unknown };
    if (typeof read.sql !== 'string' || !Array.isArray(read.parameters)) return null;
    const parameters = read.parameters.map((value: unknown) =>
      value !== null && typeof value === 'object' && typeof (value as { hex?: unknown }).hex === 'string' ? Buffer.from((value as { hex: string }).hex, 'hex') : value,
    );
    return { sql: read.sql, parameters };
  } catch {
    return null;
  }
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
  withNext: null,
  readAhead: null,
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
  // Held for the call's first read (it takes no snapshot): both go in one trip, the read after the lock.
  trailLock: sql.raw(`${WITH_NEXT}*/ lock table trail_lock in exclusive mode`),
  withNext: (query) => sql.raw(`${WITH_NEXT}${packStatement(query) ?? ''} */ ${withValues(query)}`),
  readAhead: (query) => sql.raw(packReadAhead(query)),
};

/** A statement with its values written in: it goes with the next one as text, where no parameter can. */
function withValues(query: CompiledQuery): string {
  return query.sql.replace(/\$(\d+)/g, (_, index: string) => {
    const written = sqlLiteral(query.parameters[Number(index) - 1]);
    if (written === null) throw new Error('a value that cannot be written into a statement');
    return written;
  });
}

/**
 * A value written into a statement's text: a quoted constant, which PostgreSQL takes as the type
 * its place asks for, or bytes (a sealed value) as `decode('…', 'hex')`; null: a value not
 * written so, such as a date object.
 */
export function sqlLiteral(value: unknown): string | null {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return pg.escapeLiteral(value);
  if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'bigint' || typeof value === 'boolean') return `'${String(value)}'`;
  if (value instanceof Uint8Array) return `decode('${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}', 'hex')`;
  return null;
}

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
  if (trx.isTransaction) holding.set(trx, dialect);
}

/** The transactions that hold the trail's lock, with their store's dialect (each until it ends; forgotten with it). */
const holding = new WeakMap<object, SqlDialect>();

/**
 * Run a statement whose answer the caller does not read. Within a transaction that holds the
 * trail on the server, it goes with the transaction's next statement, in one trip fewer while
 * every other PC waits (its failure is that statement's, and fails the call as its own would);
 * anywhere else it runs at once.
 */
export async function runWithNext(trx: Kysely<Database> | Transaction<Database>, query: { compile(): CompiledQuery; execute(): Promise<unknown> }): Promise<void> {
  const withNext = holding.get(trx)?.withNext;
  if (withNext) await withNext(query.compile()).execute(trx);
  else await query.execute();
}

/**
 * Send a read the call is about to make with the transaction's next statement: on the server,
 * the call's first reads go with the gate's, in one trip (one trip fewer while every other PC
 * waits, when the call holds the trail). Its answer is given when the call makes the same read
 * (the same statement, the same values) as the next thing it does; anything else in between,
 * and the call reads it again. Nothing on the file. Only values a statement's text can hold
 * (text, numbers, booleans, null) are sent ahead; a read with others is left to the call.
 */
export async function readAhead(trx: Kysely<Database> | Transaction<Database>, dialect: SqlDialect, query: { compile(): CompiledQuery }): Promise<void> {
  if (!dialect.readAhead || !trx.isTransaction) return;
  const compiled = query.compile();
  if (!compiled.parameters.every((value) => value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value)))) return;
  await dialect.readAhead(compiled).execute(trx);
}

/**
 * The trail's end as a column another read can carry: `id:hash`, or null when the trail is empty.
 * The gate's first read in a writing call brings it (`knowTrailEnd`), so the append at the end
 * of the call needs no read of its own: the call holds the trail from before that read.
 */
export const trailEndColumn = sql<string | null>`(select id || ':' || hash from audit_event order by id desc limit 1)`;

type TrailEnd = { id: number; hash: string };

/** The trail's end as a transaction that holds the trail knows it (null: empty); forgotten with the transaction. */
const knownEnds = new WeakMap<object, TrailEnd | null>();

/** What `trailEndColumn` read, within a transaction that holds the trail. */
export function knowTrailEnd(trx: Transaction<Database>, carried: unknown): void {
  if (carried === null || carried === undefined) {
    knownEnds.set(trx, null);
    return;
  }
  const [id, hash] = String(carried).split(':');
  knownEnds.set(trx, { id: Number(id), hash: hash ?? '' });
}

/** The trail's end this transaction knows (null: empty), or undefined when it must read it. */
export function knownTrailEnd(trx: Kysely<Database> | Transaction<Database>): TrailEnd | null | undefined {
  return knownEnds.get(trx);
}

/** This transaction appended: its entry is the trail's end now. */
export function trailMovedTo(trx: Kysely<Database> | Transaction<Database>, end: TrailEnd): void {
  if (trx.isTransaction) knownEnds.set(trx, end);
}
