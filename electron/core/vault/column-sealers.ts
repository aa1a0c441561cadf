import { sql, type CompiledQuery } from 'kysely';
import { foldForSearch } from '../../contract/text.ts';
import type { Db, Sealed } from '../db/schema.ts';
import { ROW_KEY, SEALED_COLUMNS, type SealedColumn, type SealedTable } from '../db/sealed-columns.ts';
import { SEALING_KEY_SETTING } from './key-file.ts';

/**
 * The centre's saved ways of reading an old register (import/handlers.ts): a register's header
 * words and the words of its cells (sealed on a server: a column mapped wrongly could carry names).
 */
export const IMPORT_MAPPINGS_SETTING = 'import.mappings';
import { columnKeys, lookupHash, openText, sealText, wipe, type ColumnKeys, type SealedPlace } from './column-seal.ts';

/*
 * How the features write and read the columns with words about a person, without knowing
 * which store runs: `seal` before a value goes in, `open` when it comes out. The file store's
 * sealer hands the text through (the whole file is encrypted); the server's seals each value
 * under the data key, naming its table, column and row, so the server never holds the text.
 */
export interface ColumnSealer {
  /**
   * The value to write into a sealed column of a row. A new row's id must be known first on a
   * server (`newId`); on the file it may be undefined (its counter gives it at the insert).
   */
  seal<T extends SealedTable>(table: T, column: SealedColumn<T>, rowId: number | undefined, text: string): Sealed;
  seal<T extends SealedTable>(table: T, column: SealedColumn<T>, rowId: number | undefined, text: string | null): Sealed | null;
  /** A sealed column's text, read from a row (DATABASE_CORRUPT when it does not open there). */
  open<T extends SealedTable>(table: T, column: SealedColumn<T>, rowId: number, value: Sealed): string;
  open<T extends SealedTable>(table: T, column: SealedColumn<T>, rowId: number, value: Sealed | null): string | null;
  /** The sealed columns of rows (each with its row key selected), opened. */
  openRows<T extends SealedTable, R extends Record<string, unknown>>(table: T, rows: readonly R[]): Opened<R>[];
  /** The id a new row will have, when a sealed value must name it before the insert (undefined on the file). */
  newId(db: Db, table: SealedTable): Promise<number | undefined>;
  /** The ids `count` new rows will have (each undefined on the file). */
  newIds(db: Db, table: SealedTable, count: number): Promise<(number | undefined)[]>;
  /** `newIds`'s read, to be read ahead (db/dialect.ts `readAhead`); none on the file. */
  newIdsRead(db: Db, table: SealedTable, count: number): readonly { compile(): CompiledQuery }[];
  /** The exact-match key kept beside a sealed column (the client code's duplicate check). */
  lookup(column: 'code', value: string): string;
  /**
   * The file's folded copy of a text for its SQL search (FILE_ONLY_COLUMNS), or undefined on a
   * server, which has no such column: its search runs over the opened text in memory.
   */
  searchCopy(text: string | null): string | null | undefined;
  /** The client code's keyed hash (the server's duplicate check), or undefined on the file, whose code column is unique itself. */
  codeLookup(code: string): string | undefined;
  /**
   * A setting the server must not read (SECRET_SETTINGS) as it is stored: sealed on a server
   * (`{ sealed }`, naming the setting), the text itself on the file.
   */
  secretSetting(key: string, text: string): unknown;
  /** Its text from what is stored (a value stored before it was sealed is taken as it is); null when unset. */
  openSecretSetting(key: string, stored: unknown): string | null;
}

/**
 * Settings whose values the server must not hold in the clear: the private half of the vault's
 * sealing key, from which the erasure ledger's fingerprints are keyed (with it and a dump, the
 * codes of erased clients could be guessed back) and the usernames of failed logins opened.
 */
export const SECRET_SETTINGS: readonly string[] = [SEALING_KEY_SETTING, IMPORT_MAPPINGS_SETTING];

/** A secret setting's text, read through the store's sealer (null when unset). */
export async function secretSettingValue(db: Db, columns: ColumnSealer, key: string): Promise<string | null> {
  const row = await db.selectFrom('setting').select('value').where('key', '=', key).executeTakeFirst();
  return row === undefined ? null : columns.openSecretSetting(key, JSON.parse(row.value) as unknown);
}

const settingPlace = (key: string): SealedPlace => ({ table: 'setting', column: 'value', rowId: key });

/** The id to insert a new row with: none on the file (its counter gives it), the one taken on a server. */
export const givenId = (id: number | undefined): { id?: number } => (id === undefined ? {} : { id });

/** A row with its sealed values opened. */
export type Opened<R> = { [K in keyof R]: R[K] extends Sealed ? string : R[K] extends Sealed | null ? string | null : R[K] };

/** On this PC's file: the text itself. */
export const fileSealer: ColumnSealer = {
  seal: ((_table: SealedTable, _column: string, _rowId: number | undefined, text: string | null) => text as unknown as Sealed | null) as ColumnSealer['seal'],
  open: ((_table: SealedTable, _column: string, _rowId: number, value: Sealed | null) => value as unknown as string | null) as ColumnSealer['open'],
  openRows: <T extends SealedTable, R extends Record<string, unknown>>(_table: T, rows: readonly R[]) => rows as unknown as Opened<R>[],
  newId: async () => undefined,
  newIds: async (_db, _table, count) => Array.from({ length: count }, () => undefined),
  newIdsRead: () => [],
  lookup: (_column, value) => value,
  searchCopy: (text) => (text === null ? null : foldForSearch(text)),
  codeLookup: () => undefined,
  secretSetting: (_key, text) => text,
  openSecretSetting: (_key, stored) => (typeof stored === 'string' ? stored : null),
};

/** The ids `count` new rows of a table will have, from its counter (taken even when the rows are never added). */
const idsRead = (table: SealedTable, count: number) => sql<{ id: number }>`select nextval(pg_get_serial_sequence(${table}, 'id')) as id from generate_series(1, ${count})`;

/** On the centre's server: each value sealed under keys derived from the data key (column-seal.ts). */
export class ServerSealer implements ColumnSealer {
  readonly #keys: ColumnKeys;

  constructor(dataKey: Buffer) {
    this.#keys = columnKeys(dataKey);
  }

  seal<T extends SealedTable>(table: T, column: SealedColumn<T>, rowId: number | undefined, text: string): Sealed;
  seal<T extends SealedTable>(table: T, column: SealedColumn<T>, rowId: number | undefined, text: string | null): Sealed | null;
  seal<T extends SealedTable>(table: T, column: SealedColumn<T>, rowId: number | undefined, text: string | null): Sealed | null {
    if (text === null) return null;
    if (rowId === undefined) throw new Error('a sealed value names its row: take the id first (newId)');
    return sealText(this.#keys, { table, column, rowId }, text) as unknown as Sealed | null;
  }

  open<T extends SealedTable>(table: T, column: SealedColumn<T>, rowId: number, value: Sealed): string;
  open<T extends SealedTable>(table: T, column: SealedColumn<T>, rowId: number, value: Sealed | null): string | null;
  open<T extends SealedTable>(table: T, column: SealedColumn<T>, rowId: number, value: Sealed | null): string | null {
    return openText(this.#keys, { table, column, rowId }, value as unknown as Buffer | null);
  }

  openRows<T extends SealedTable, R extends Record<string, unknown>>(table: T, rows: readonly R[]): Opened<R>[] {
    const key = ROW_KEY[table];
    const columns = SEALED_OF[table];
    return rows.map((row) => {
      const rowId = Number(row[key]);
      const opened: Record<string, unknown> = { ...row };
      for (const column of columns) {
        if (column in row) opened[column] = openText(this.#keys, { table, column, rowId }, row[column] as Buffer | null);
      }
      return opened as Opened<R>;
    });
  }

  async newId(db: Db, table: SealedTable): Promise<number> {
    const [id] = await this.newIds(db, table, 1);
    return id!;
  }

  async newIds(db: Db, table: SealedTable, count: number): Promise<number[]> {
    if (count === 0) return [];
    const { rows } = await idsRead(table, count).execute(db);
    return rows.map((row) => Number(row.id));
  }

  newIdsRead(db: Db, table: SealedTable, count: number): readonly { compile(): CompiledQuery }[] {
    return count === 0 ? [] : [{ compile: () => idsRead(table, count).compile(db) }];
  }

  lookup(column: 'code', value: string): string {
    return lookupHash(this.#keys, column, value);
  }

  searchCopy(): undefined {
    return undefined;
  }

  codeLookup(code: string): string {
    return this.lookup('code', code);
  }

  secretSetting(key: string, text: string): { sealed: string } {
    return { sealed: sealText(this.#keys, settingPlace(key), text).toString('base64') };
  }

  openSecretSetting(key: string, stored: unknown): string | null {
    if (typeof stored === 'string') return stored;
    const sealed = (stored as { sealed?: unknown } | null)?.sealed;
    if (typeof sealed !== 'string') return null;
    return openText(this.#keys, settingPlace(key), Buffer.from(sealed, 'base64'));
  }

  /** Overwrite the keys (at lock). */
  wipe(): void {
    wipe(this.#keys);
  }
}

const SEALED_OF = SEALED_COLUMNS as { readonly [T in SealedTable]: readonly string[] };
