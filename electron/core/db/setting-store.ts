import type BetterSqlite3 from 'better-sqlite3-multiple-ciphers';
import type { Db } from './schema.ts';

type SqliteHandle = BetterSqlite3.Database;

/*
 * The `setting` table's one reader and writer: one row per key, its value as JSON, with who
 * changed it and when. Each part of the app owns its keys (the centre's settings, the backup
 * schedule, the erasure ledger's folders, the vault's own); none touches the table directly.
 * Through Kysely inside a call's transaction, or on a raw handle where the vault works below it.
 */

/** Who changed a setting, and when (null: the app itself). */
export interface SettingChange {
  userId: number | null;
  at: string;
}

/** One setting's value (undefined when it was never set). */
export async function settingValue(db: Db, key: string): Promise<unknown> {
  const row = await db.selectFrom('setting').select('value').where('key', '=', key).executeTakeFirst();
  return row === undefined ? undefined : (JSON.parse(row.value) as unknown);
}

/** The values of the settings whose keys begin with `prefix` ('' for all), by key. */
export async function settingValues(db: Db, prefix: string): Promise<Map<string, unknown>> {
  // A few dozen rows: read them all rather than trust LIKE with the dots and underscores of keys.
  const rows = await db.selectFrom('setting').select(['key', 'value']).execute();
  return new Map(rows.filter((row) => row.key.startsWith(prefix)).map((row) => [row.key, JSON.parse(row.value) as unknown]));
}

/** Set one setting (created, or its value replaced). */
export async function putSetting(db: Db, key: string, value: unknown, by: SettingChange): Promise<void> {
  const text = JSON.stringify(value);
  await db
    .insertInto('setting')
    .values({ key, value: text, updated_at: by.at, updated_by: by.userId })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: text, updated_at: by.at, updated_by: by.userId }))
    .execute();
}

/** One setting's value on a raw handle (the vault's own, below Kysely; a backup's database being checked). */
export function settingValueOn(sqlite: SqliteHandle, key: string): unknown {
  const value = sqlite.prepare('select value from setting where key = ?').pluck().get(key) as string | undefined;
  return value === undefined ? undefined : (JSON.parse(value) as unknown);
}

/** Set one setting on a raw handle, by the app itself. */
export function putSettingOn(sqlite: SqliteHandle, key: string, value: unknown, at: string): void {
  sqlite
    .prepare('insert into setting (key, value, updated_at, updated_by) values (?, ?, ?, null) on conflict (key) do update set value = excluded.value, updated_at = excluded.updated_at')
    .run(key, JSON.stringify(value), at);
}
