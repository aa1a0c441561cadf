import { sql } from 'kysely';
import { AppError } from '../app-error.ts';
import type { Db } from '../db/schema.ts';
import { FILE_ONLY_COLUMNS, LOOKUP_COLUMNS, ROW_KEY, SEALED_COLUMNS, type SealedTable } from '../db/sealed-columns.ts';
import type { ColumnSealer } from './column-sealers.ts';
import type { SqliteHandle } from './database.ts';

/*
 * Moving up (DESIGN.md §8): everything a one-PC vault holds, copied into the centre server's new
 * database within the transaction that writes the server's keyring. Row by row as it is, ids
 * included, so every reference and the audit chain hold as they were; the columns with words
 * about a person sealed on the way (the server never receives them as text); the file's search
 * copies left behind (the server searches in each PC's memory); the monthly counts rebuilt by
 * the server's own triggers as the rows arrive, then compared with the file's. Each record
 * table's counter goes on from where the file's stopped (the trail's entries carry their own
 * numbers, as every append on the server gives them).
 */

/** Tables the server keeps up itself from the rows copied (its triggers): compared, not copied. */
const KEPT_BY_TRIGGERS = ['service_month', 'referral_month'] as const;

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
  /** Rows copied, table by table (and the monthly counts as the server rebuilt them). */
  rows: Record<string, number>;
}

/**
 * Copy the open file's rows into the server's transaction. `skipSettings`: the settings the
 * server's creation writes itself (the sealing key, the keyring proof), the same values.
 */
export async function copyFileToServer(sqlite: SqliteHandle, trx: Db, sealer: ColumnSealer, skipSettings: readonly string[]): Promise<MovedUp> {
  const rows: Record<string, number> = {};
  const counters = new Map((sqlite.prepare('select name, seq from sqlite_sequence').all() as { name: string; seq: number }[]).map((row) => [row.name, row.seq]));
  const counted = new Set(
    (await sql<{ name: string }>`select table_name as name from information_schema.columns where table_schema = 'public' and column_name = 'id' and is_identity = 'YES'`.execute(trx)).rows.map((row) => row.name),
  );
  const tables = tablesInOrder(sqlite).filter((table) => !(KEPT_BY_TRIGGERS as readonly string[]).includes(table));
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
      if (table === 'setting' && skipSettings.includes(String(source.key))) continue;
      const row: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(source)) if (!dropped.includes(name)) row[name] = value;
      for (const [column, lookup] of Object.entries(lookups)) row[lookup] = sealer.codeLookup(String(source[column]));
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
  // The monthly counts the server kept as the rows came: the same as the file's, or nothing moves.
  for (const table of KEPT_BY_TRIGGERS) {
    const fromFile = (sqlite.prepare(`select * from "${table}" where n <> 0`).all() as Record<string, unknown>[]).map(canonical).sort();
    const onServer = (await sql<Record<string, unknown>>`select * from ${sql.table(table)} where n <> 0`.execute(trx)).rows.map(canonical).sort();
    if (JSON.stringify(fromFile) !== JSON.stringify(onServer)) throw new AppError('INTERNAL', {}, { cause: new Error(`${table} differs after moving up`) });
    rows[table] = onServer.length;
  }
  return { rows };
}

/** A row as comparable text: its columns in name order, whole numbers as numbers on both stores. */
function canonical(row: Record<string, unknown>): string {
  return JSON.stringify(
    Object.keys(row)
      .sort()
      .map((key) => [key, typeof row[key] === 'string' && /^-?\d+$/.test(row[key]) ? Number(row[key]) : row[key]]),
  );
}
