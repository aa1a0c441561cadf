import BetterSqlite3 from 'better-sqlite3-multiple-ciphers';
import { accessSync, constants, existsSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  Kysely,
  Migrator,
  SqliteAdapter,
  SqliteDialect,
  type DialectAdapter,
  type Migration,
  type MigrationProvider,
} from 'kysely';
import { AppError, storageFailure } from '../app-error.ts';
import type { Database } from '../db/schema.ts';

export type SqliteHandle = BetterSqlite3.Database;

const CORRUPTION_CODES = new Set(['SQLITE_NOTADB', 'SQLITE_CORRUPT', 'SQLITE_CORRUPT_VTAB', 'SQLITE_IOERR_SHORT_READ']);

export function isCorruption(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (CORRUPTION_CODES.has(code) || code.startsWith('SQLITE_CORRUPT'));
}

/**
 * Open the database file with the raw 256-bit data key (SQLCipher 4 format through
 * SQLite3MultipleCiphers; the key is given as `x'…'`, so no passphrase KDF runs). The key text
 * is built in a Buffer and wiped afterwards rather than kept in an immutable JS string;
 * `dataKey` itself is only read, never kept or changed, so callers need no copy of it.
 */
export function openEncrypted(
  path: string,
  dataKey: Buffer,
  options: { create?: boolean; readonly?: boolean } = {},
): SqliteHandle {
  if (!options.create && !existsSync(path)) throw new AppError('VAULT_INCOMPLETE');
  let db: SqliteHandle;
  try {
    db = new BetterSqlite3(path, {
      fileMustExist: !options.create,
      readonly: options.readonly ?? false,
    });
  } catch (error) {
    throw openFailure(error, path);
  }
  const keyText = rawKeyText(dataKey);
  try {
    db.pragma(`cipher='sqlcipher'`);
    db.pragma('legacy=4');
    db.key(keyText);
    // Reading the schema proves the key fits and the first page is whole.
    db.prepare('select count(*) from sqlite_master').get();
    if (!options.create) assertWhole(db, path);
    return db;
  } catch (error) {
    db.close();
    if (error instanceof AppError) throw error;
    throw openFailure(error, path);
  } finally {
    keyText.fill(0);
  }
}

/**
 * Re-encrypt every page under a new key (SQLite3MultipleCiphers' rekey). Not possible in WAL
 * mode: the caller switches the file to a rollback journal first.
 */
export function rekey(db: SqliteHandle, newKey: Buffer): void {
  const keyText = rawKeyText(newKey);
  try {
    db.rekey(keyText);
  } finally {
    keyText.fill(0);
  }
}

/**
 * Why a database would not open: damaged, or the disk. SQLite says only "cannot open" when
 * the folder is read-only (it cannot make its WAL index there); the folder is asked directly.
 */
function openFailure(error: unknown, path: string): AppError {
  if (isCorruption(error)) return new AppError('DATABASE_CORRUPT', {}, { cause: error });
  if ((error as { code?: unknown } | null)?.code === 'SQLITE_CANTOPEN' && !writable(dirname(path))) return new AppError('STORAGE_READ_ONLY', {}, { cause: error });
  return storageFailure(error);
}

function writable(folder: string): boolean {
  try {
    accessSync(folder, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function rawKeyText(dataKey: Buffer): Buffer {
  const hex = '0123456789abcdef';
  const text = Buffer.alloc(3 + dataKey.length * 2);
  text[0] = 0x78; // x
  text[1] = 0x27; // '
  for (let i = 0; i < dataKey.length; i++) {
    const byte = dataKey[i] ?? 0;
    text[2 + i * 2] = hex.charCodeAt(byte >> 4);
    text[3 + i * 2] = hex.charCodeAt(byte & 15);
  }
  text[text.length - 1] = 0x27;
  return text;
}

/**
 * A database file cut short (a truncated copy, a failed USB write) can still open, because
 * SQLite reads pages lazily. Compare the size the database says it has with the file, when
 * no write-ahead log holds the missing pages.
 */
function assertWhole(db: SqliteHandle, path: string): void {
  const walPath = `${path}-wal`;
  if (existsSync(walPath) && statSync(walPath).size > 0) return;
  const pageSize = Number(db.pragma('page_size', { simple: true }));
  const pageCount = Number(db.pragma('page_count', { simple: true }));
  if (statSync(path).size < pageSize * pageCount) throw new AppError('DATABASE_CORRUPT');
}

export function configure(db: SqliteHandle): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  // Deleted content is overwritten, not left in free pages; temp data never touches the disk.
  db.pragma('secure_delete = ON');
  db.pragma('temp_store = MEMORY');
  // Every page read from disk is decrypted; a larger cache keeps the working set decrypted
  // in memory (it is freed when the vault locks). 64 MiB holds a centre of 100,000 clients'
  // client table and indexes.
  db.pragma('cache_size = -65536');
}

/** Refuse a database written by a newer app version: it has migrations this version does not know. */
export function assertNotNewer(db: SqliteHandle, migrations: Readonly<Record<string, Migration>>): void {
  const table = db
    .prepare(`select 1 from sqlite_master where type = 'table' and name = 'kysely_migration'`)
    .get();
  if (!table) return;
  const executed = db.prepare('select name from kysely_migration').all() as { name: string }[];
  if (executed.some((row) => !Object.prototype.hasOwnProperty.call(migrations, row.name))) {
    throw new AppError('DATABASE_NEWER');
  }
}

class TransactionalSqliteAdapter extends SqliteAdapter {
  // SQLite does support transactional DDL; Kysely's adapter is conservative. All pending
  // migrations then run in one transaction: either all apply or none.
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class MigratingSqliteDialect extends SqliteDialect {
  override createAdapter(): DialectAdapter {
    return new TransactionalSqliteAdapter();
  }
}

export async function migrate(db: SqliteHandle, migrations: Readonly<Record<string, Migration>>): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => migrations };
  // A Kysely that does not own the handle: destroying it must not close the database.
  const kysely = new Kysely<unknown>({
    dialect: new MigratingSqliteDialect({ database: { close: () => {}, prepare: (sql: string) => db.prepare(sql) } }),
  });
  try {
    const { error } = await new Migrator({ db: kysely, provider }).migrateToLatest();
    if (error) throw storageFailure(error);
  } finally {
    await kysely.destroy();
  }
}

export function kyselyFor(db: SqliteHandle): Kysely<Database> {
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: db }) });
}

/**
 * Open the vault's database with its key and bring it to this version. First a read-only look:
 * a database from a newer version is refused before anything (not even a checkpoint of its log)
 * can write to it; a read-only look at a WAL database leaves an empty log and an index behind,
 * and when the open is refused exactly those go, so a refused file is left as it was found.
 */
export async function openVaultDatabase(path: string, dataKey: Buffer, migrations: Readonly<Record<string, Migration>>): Promise<{ sqlite: SqliteHandle; db: Kysely<Database> }> {
  const had = { wal: existsSync(`${path}-wal`), shm: existsSync(`${path}-shm`) };
  try {
    const probe = openEncrypted(path, dataKey, { readonly: true });
    try {
      assertNotNewer(probe, migrations);
    } finally {
      probe.close();
    }
  } catch (error) {
    const wal = `${path}-wal`;
    if (!had.wal && existsSync(wal) && statSync(wal).size === 0) {
      rmSync(wal, { force: true });
      if (!had.shm) rmSync(`${path}-shm`, { force: true });
    }
    throw error;
  }
  const sqlite = openEncrypted(path, dataKey);
  try {
    configure(sqlite);
    await migrate(sqlite, migrations);
  } catch (error) {
    sqlite.close();
    throw error;
  }
  return { sqlite, db: kyselyFor(sqlite) };
}
