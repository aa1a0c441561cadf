import { sql } from 'kysely';
import { AppError } from '../app-error.ts';
import type { Db } from '../db/schema.ts';
import { FILE_ONLY_COLUMNS, LOOKUP_COLUMNS, ROW_KEY, SEALED_COLUMNS, type SealedTable } from '../db/sealed-columns.ts';
import { SECRET_SETTINGS, type ColumnSealer } from './column-sealers.ts';
import type { SqliteHandle } from './database.ts';

/*
 * Moving up (DESIGN.md §8): everything a one-PC vault holds, copied into the centre server's new
 * database within the transaction that writes the server's keyring. Row by row as it is, ids
 * included, so every reference and the audit chain hold as they were; the columns with words
 * about a person sealed on the way (the server never receives them as text); the file's search
 * copies left behind (the server searches in each PC's memory); the monthly counts copied as
 * the file kept them and checked against the rows (the server's triggers stand aside meanwhile:
 * server migration 0004). Each record
 * table's counter goes on from where the file's stopped (the trail's entries carry their own
 * numbers, as every append on the server gives them).
 */

const BATCH = 500;

/** The file's tables, each after the tables it refers to (the server checks references at once). */
export function tablesInOrder(sqlite: SqliteHandle): string[] {
  const virtual = sqlite.prepare(`select name from sqlite_master where type = 'table' and sql like 'create virtual table%'`).pluck().all() as string[];
  const names = (sqlite.prepare(`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'kysely_%' order by name`).pluck().all() as string[]).filter(
    (name) => !virtual.some((table) => name === table || name.startsWith(`${table}_`)),
  );
  const ordered: string[] = [];
  const visiting = new Set<string>();
  const visit = (name: string) => {
    if (ordered.includes(name) || visiting.has(name)) return;
    visiting.add(name);
    const references = sqlite.prepare(`select "table" from pragma_foreign_key_list(?)`).pluck().all(name) as string[];
    for (const referenced of references) if (referenced !== name && names.includes(referenced)) visit(referenced);
    visiting.delete(name);
    ordered.push(name);
  };
  for (const name of names) visit(name);
  return ordered;
}

export interface MovedUp {
  /** Rows copied, table by table. */
  rows: Record<string, number>;
  /** All of them. */
  total: number;
}

/**
 * Copy the open file's rows into the server's transaction: all of them, the settings too (the
 * sealing key and the keyring proof the server's creation wrote go with the rest of what it
 * wrote, and come back from the file, the same values; the secret ones sealed).
 */
export async function copyFileToServer(sqlite: SqliteHandle, trx: Db, sealer: ColumnSealer): Promise<MovedUp> {
  const rows: Record<string, number> = {};
  const counters = new Map((sqlite.prepare('select name, seq from sqlite_sequence').all() as { name: string; seq: number }[]).map((row) => [row.name, row.seq]));
  const counted = new Set(
    (await sql<{ name: string }>`select table_name as name from information_schema.columns where table_schema = 'public' and column_name = 'id' and is_identity = 'YES'`.execute(trx)).rows.map((row) => row.name),
  );
  const tables = tablesInOrder(sqlite);
  // The triggers that keep counts and index numbers stand aside while the rows come (server
  // migration 0004): row by row in one transaction they would be quadratic.
  await sql`select set_config('dh.moving_up', 'on', true)`.execute(trx);
  // What the server's migrations put in a new database (the catalogue of services, the
  // settings' first values) makes way for the file's, which the centre may have changed since.
  // The server's trail is empty (and can only grow).
  for (const table of [...tables].reverse()) if (table !== 'audit_event') await sql`delete from ${sql.table(table)}`.execute(trx);
  for (const table of tables) {
    const dropped: readonly string[] = (FILE_ONLY_COLUMNS as Record<string, readonly string[]>)[table] ?? [];
    const sealed: readonly string[] = (SEALED_COLUMNS as Record<string, readonly string[]>)[table] ?? [];
    const lookups: Record<string, string> = (LOOKUP_COLUMNS as Record<string, Record<string, string>>)[table] ?? {};
    const rowKey = sealed.length ? ROW_KEY[table as SealedTable] : null;
    let columns: string[] | null = null;
    let batch: unknown[][] = [];
    let count = 0;
    const flush = async () => {
      if (!batch.length || !columns) return;
      const names = columns;
      await sql`insert into ${sql.table(table)} (${sql.join(names.map((name) => sql.ref(name)))}) values ${sql.join(batch.map((values) => sql`(${sql.join(values)})`))}`.execute(trx);
      batch = [];
    };
    for (const source of sqlite.prepare(`select * from "${table}"`).iterate() as Iterable<Record<string, unknown>>) {
      const row: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(source)) if (!dropped.includes(name)) row[name] = value;
      for (const [column, lookup] of Object.entries(lookups)) row[lookup] = sealer.codeLookup(String(source[column]));
      if (table === 'setting' && SECRET_SETTINGS.includes(String(source.key))) {
        const text = sealer.openSecretSetting(String(source.key), JSON.parse(String(source.value)) as unknown);
        if (text !== null) row.value = JSON.stringify(sealer.secretSetting(String(source.key), text));
      }
      if (rowKey) {
        const rowId = Number(source[rowKey]);
        for (const column of sealed) {
          row[column] = sealer.seal(table as SealedTable, column as never, rowId, (source[column] ?? null) as string | null);
        }
      }
      columns ??= Object.keys(row);
      batch.push(columns.map((name) => row[name]));
      count++;
      if (batch.length === BATCH) await flush();
    }
    await flush();
    rows[table] = count;
    // The counter goes on from the file's (which may be past the last row: the trail's check).
    // The trail's entries carry their own numbers; its counter is not the app's to move.
    if (!counted.has(table) || table === 'audit_event') continue;
    const last = counters.get(table) ?? (count ? Number(sqlite.prepare(`select max(id) from "${table}"`).pluck().get()) : 0);
    if (last > 0) await sql`select setval(pg_get_serial_sequence(${table}, 'id'), ${last})`.execute(trx);
  }
  // The client index's numbers, in one statement each: every client, then every identity.
  await sql`update client set index_seq = numbered.n from (select id, row_number() over (order by id) as n from client) as numbered where client.id = numbered.id`.execute(trx);
  await sql`update client_identity set index_seq = numbered.n + (select count(*) from client)
    from (select client_id, row_number() over (order by client_id) as n from client_identity) as numbered where client_identity.client_id = numbered.client_id`.execute(trx);
  await sql`update index_counter set n = (select count(*) from client) + (select count(*) from client_identity) where id = 1`.execute(trx);
  await sql`select set_config('dh.moving_up', 'off', true)`.execute(trx);
  // The monthly counts came as the file kept them: they must be what the services say, or nothing moves.
  const kept = (await sql<Record<string, unknown>>`select month, service_type_id, n from service_month where n <> 0`.execute(trx)).rows.map(canonical).sort();
  const fromRows = (await sql<Record<string, unknown>>`select substr(service_on, 1, 7) as month, service_type_id, count(*) as n from service group by 1, 2`.execute(trx)).rows.map(canonical).sort();
  if (JSON.stringify(kept) !== JSON.stringify(fromRows)) throw new AppError('INTERNAL', {}, { cause: new Error('service_month differs from the services after moving up') });
  const [referrals] = (await sql<{ kept: number; counted: number }>`select (select coalesce(sum(n), 0) from referral_month) as kept, (select count(*) from referral) as counted`.execute(trx)).rows;
  if (Number(referrals?.kept) !== Number(referrals?.counted)) throw new AppError('INTERNAL', {}, { cause: new Error('referral_month differs from the referrals after moving up') });
  return { rows, total: Object.values(rows).reduce((sum, n) => sum + n, 0) };
}

/** A row as comparable text: its columns in name order, whole numbers as numbers on both stores. */
export function canonical(row: Record<string, unknown>): string {
  return JSON.stringify(
    Object.keys(row)
      .sort()
      .map((key) => [key, typeof row[key] === 'string' && /^-?\d+$/.test(row[key]) ? Number(row[key]) : row[key]]),
  );
}
