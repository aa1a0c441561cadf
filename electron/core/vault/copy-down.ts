import { sql, type ControlledTransaction, type Kysely, type Migration } from 'kysely';
import { BACKUP_COUNTED_TABLES, type BackupManifest } from '../../contract/backup.ts';
import { AppError } from '../app-error.ts';
import type { Database } from '../db/schema.ts';
import { FILE_ONLY_COLUMNS, ROW_KEY, SEALED_COLUMNS, type SealedTable } from '../db/sealed-columns.ts';
import { writeFileAtomic } from '../files.ts';
import { fileSealer, SECRET_SETTINGS, ServerSealer } from './column-sealers.ts';
import type { Statement } from 'better-sqlite3-multiple-ciphers';
import { migrate, openEncrypted, type SqliteHandle } from './database.ts';
import { checkProof, parseKeyring } from './key-slots.ts';
import { serverFailure } from './server-connection.ts';
import { canonical, tablesInOrder } from './move-up.ts';

/*
 * A backup of the centre's server (DESIGN.md §8): the inverse of moving up. Every record is read
 * in one snapshot of the server (a read-only, repeatable-read transaction: what other PCs
 * commit meanwhile is not in it, and nothing of it is half there), its sealed words opened, and
 * written into a new database of the one-PC format, encrypted as a whole under the centre's
 * data key, beside the server's keyring of that moment. So a backup of a server is what a
 * backup of a one-PC vault is: the same manifest, the same check, the same passwords and
 * recovery code open it, and it restores on a PC as today, or onto a server by moving up.
 * The words are in the clear only inside that encrypted file, and in this PC's memory.
 */

/** Rows read from the server and written per step: a step stays well under a second. */
const BATCH = 2_000;

/**
 * The file's tables its own triggers fill from others' rows (migration 0012): made, not copied,
 * then compared with the server's (added up by their keys, however the server keeps them).
 */
const MADE_BY_TRIGGERS = { service_month: ['month', 'service_type_id'], referral_month: ['month', 'service_type_id', 'status', 'days'] } as const;

/** The file's columns that fold another for its SQL search (alias_folded from alias). */
const FOLDED_FROM: Record<string, Record<string, string>> = Object.fromEntries(
  Object.entries(FILE_ONLY_COLUMNS).map(([table, columns]) => [table, Object.fromEntries(columns.map((column) => [column, column.replace(/_folded$/, '')]))]),
);

/** A step of the copy: its share of the copy's time (rows), and its work. */
export interface CopyStep {
  weight: number;
  run: () => Promise<void>;
}

export interface CopiedDown {
  counts: BackupManifest['counts'];
  schema: string;
}

/**
 * One copy, step by step: `begin` opens the snapshot, makes the new database and plans a step
 * per batch of rows; `end` finishes the file and says what it holds. `discard` lets everything
 * go (the transaction, the file's handle, the key's copy); the caller removes the files.
 */
export class CopyDown {
  readonly #server: Kysely<Database>;
  readonly #sealer: ServerSealer;
  readonly #dataKey: Buffer;
  readonly #fileMigrations: Readonly<Record<string, Migration>>;
  #trx: ControlledTransaction<Database> | null = null;
  #sqlite: SqliteHandle | null = null;
  #counts: BackupManifest['counts'] | null = null;

  constructor(server: Kysely<Database>, dataKey: Buffer, fileMigrations: Readonly<Record<string, Migration>>) {
    this.#server = server;
    // Its own copies: the store may lock (and wipe its key) while the job is let go.
    this.#dataKey = Buffer.from(dataKey);
    this.#sealer = new ServerSealer(this.#dataKey);
    this.#fileMigrations = fileMigrations;
  }

  /** The key the new database is encrypted under (this copy's own, wiped by `discard`). */
  get dataKey(): Buffer {
    return this.#dataKey;
  }

  /**
   * Open the snapshot, write the keyring of that moment, make the new database at this
   * version, and plan the copy: one step per batch of each table's rows, weighed by rows.
   */
  async begin(paths: { database: string; keyring: string }): Promise<CopyStep[]> {
    return said(() => this.#begin(paths));
  }

  async #begin(paths: { database: string; keyring: string }): Promise<CopyStep[]> {
    const trx = await this.#server.startTransaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute();
    this.#trx = trx;
    const keyrings = (await sql<{ id: number; body: string }>`select id, body from keyring order by id`.execute(trx)).rows;
    const keyring = keyrings.find((row) => row.id === 1);
    if (!keyring) throw new AppError('SERVER_NOT_SET_UP');
    // A key change under way, or done since this PC unlocked: its rows are (partly) under another key.
    if (keyrings.some((row) => row.id === 2)) throw new AppError('KEY_CHANGE_UNDER_WAY');
    if (checkProof(parseKeyring(keyring.body), this.#dataKey) !== 'proven') throw new AppError('KEY_CHANGED');
    writeFileAtomic(paths.keyring, keyring.body);
    const sqlite = openEncrypted(paths.database, this.#dataKey, { create: true });
    this.#sqlite = sqlite;
    await migrate(sqlite, this.#fileMigrations);
    // References are checked once, at the end: the rows come table by table, each in its own order.
    sqlite.pragma('foreign_keys = off');
    sqlite.pragma('secure_delete = on');
    // Whatever SQLite sorts aside (an index being built) stays in memory, never in a file of its own.
    sqlite.pragma('temp_store = MEMORY');
    const tables = tablesInOrder(sqlite).filter((table) => !(table in MADE_BY_TRIGGERS));
    // What the migrations put in a new database (the catalogue, the settings' first values) makes way for the server's.
    sqlite.transaction(() => {
      for (const table of tables) if (table !== 'audit_event') sqlite.prepare(`delete from "${table}"`).run();
    })();
    const rows = new Map<string, number>();
    for (const table of tables) rows.set(table, Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(trx)).rows[0]?.n ?? 0));
    this.#counts = Object.fromEntries(BACKUP_COUNTED_TABLES.map((table) => [table, rows.get(table) ?? 0])) as BackupManifest['counts'];
    const steps: CopyStep[] = [];
    for (const table of tables) {
      const plan = tablePlan(sqlite, table);
      const n = rows.get(table) ?? 0;
      steps.push({ weight: 1, run: () => said(() => this.#declare(plan)) });
      for (let done = 0; done < n; done += BATCH) steps.push({ weight: Math.min(BATCH, n - done), run: () => said(() => this.#copyBatch(plan)) });
    }
    return steps;
  }

  async #declare(plan: TablePlan): Promise<void> {
    await sql`declare ${sql.id(plan.cursor)} no scroll cursor for select * from ${sql.table(plan.table)}`.execute(this.#openTrx());
  }

  /** The next batch of a table's rows: their words opened, the file's search copies made, written in one transaction. */
  async #copyBatch(plan: TablePlan): Promise<void> {
    const { table, columns, sealed, folded, rowKey, insert } = plan;
    const { rows } = await sql<Record<string, unknown>>`fetch forward ${sql.lit(BATCH)} from ${sql.id(plan.cursor)}`.execute(this.#openTrx());
    if (!rows.length) return;
    for (const column of columns) {
      if (!(column in rows[0]!) && !(column in folded)) throw new AppError('INTERNAL', {}, { cause: new Error(`the server has no ${table}.${column}`) });
    }
    const values = rows.map((row) => {
      const opened: Record<string, unknown> = { ...row };
      if (rowKey) {
        const rowId = Number(row[rowKey]);
        for (const column of sealed) opened[column] = this.#sealer.open(table as SealedTable, column as never, rowId, (row[column] ?? null) as never);
      }
      for (const [column, from] of Object.entries(folded)) opened[column] = fileSealer.searchCopy((opened[from] ?? null) as string | null);
      // The file keeps its secret settings as they are: the whole file is the seal.
      if (table === 'setting' && SECRET_SETTINGS.includes(String(row.key))) opened.value = JSON.stringify(this.#sealer.openSecretSetting(String(row.key), JSON.parse(String(row.value)) as unknown));
      return columns.map((column) => opened[column] ?? null);
    });
    this.#openFile().transaction(() => {
      for (const row of values) insert.run(row);
    })();
  }

  /**
   * The copy's end: each table's counter goes on from the server's (an erased client's number
   * is never given again), the monthly counts the file's triggers made are the server's, and
   * the snapshot closes. What the backup holds, for its manifest. (That every reference holds is
   * checked with each table, `referencesHold`.)
   */
  async end(): Promise<CopiedDown> {
    return said(() => this.#end());
  }

  async #end(): Promise<CopiedDown> {
    const sqlite = this.#openFile();
    const trx = this.#openTrx();
    const counted = (sqlite.prepare(`select name from sqlite_master where type = 'table' and sql like '%autoincrement%'`).pluck().all() as string[]);
    for (const table of counted) {
      const [row] = (await sql<{ last: string | null }>`select coalesce(pg_sequence_last_value(pg_get_serial_sequence(${table}, 'id')), 0) as last`.execute(trx)).rows;
      const last = Number(row?.last ?? 0);
      const kept = Number(sqlite.prepare('select seq from sqlite_sequence where name = ?').pluck().get(table) ?? 0);
      if (last > kept) {
        sqlite.prepare('delete from sqlite_sequence where name = ?').run(table);
        sqlite.prepare('insert into sqlite_sequence (name, seq) values (?, ?)').run(table, last);
      }
    }
    // The file's triggers made its monthly counts from the rows: they must be the server's.
    for (const [table, keys] of Object.entries(MADE_BY_TRIGGERS)) {
      const made = (sqlite.prepare(`select ${keys.join(', ')}, n from "${table}" where n <> 0`).all() as Record<string, unknown>[]).map(canonical).sort();
      const columns = sql.join(keys.map((key) => sql.ref(key)));
      const kept = (await sql<Record<string, unknown>>`select ${columns}, sum(n) as n from ${sql.table(table)} group by ${columns} having sum(n) <> 0`.execute(trx)).rows.map(canonical).sort();
      if (JSON.stringify(made) !== JSON.stringify(kept)) throw new AppError('SERVER_INCONSISTENT', {}, { cause: new Error(`the copy's ${table} differs from the server's`) });
    }
    const schema = String(sqlite.prepare('select max(name) from kysely_migration').pluck().get() ?? '');
    await trx.rollback().execute();
    this.#trx = null;
    sqlite.pragma('foreign_keys = on');
    sqlite.close();
    this.#sqlite = null;
    if (!this.#counts) throw new AppError('INTERNAL');
    return { counts: this.#counts, schema };
  }

  /** Let go of the snapshot, the file and the key (safe to call twice). */
  async discard(): Promise<void> {
    const trx = this.#trx;
    this.#trx = null;
    try {
      this.#sqlite?.close();
    } finally {
      this.#sqlite = null;
      this.#sealer.wipe();
      this.#dataKey.fill(0);
      await trx?.rollback().execute().catch(() => {});
    }
  }

  #openTrx(): ControlledTransaction<Database> {
    if (!this.#trx) throw new AppError('STORAGE_FAILED');
    return this.#trx;
  }

  #openFile(): SqliteHandle {
    if (!this.#sqlite) throw new AppError('STORAGE_FAILED');
    return this.#sqlite;
  }
}

/** How one table's rows are copied: the file's columns, which are sealed on the server or folded here, its insert. */
interface TablePlan {
  table: string;
  cursor: string;
  columns: string[];
  sealed: readonly string[];
  folded: Record<string, string>;
  rowKey: 'id' | 'client_id' | null;
  insert: Statement;
}

function tablePlan(sqlite: SqliteHandle, table: string): TablePlan {
  const columns = sqlite.prepare('select name from pragma_table_info(?)').pluck().all(table) as string[];
  const sealed: readonly string[] = (SEALED_COLUMNS as Record<string, readonly string[]>)[table] ?? [];
  return {
    table,
    cursor: `copy_${table}`,
    columns,
    sealed,
    folded: FOLDED_FROM[table] ?? {},
    rowKey: sealed.length ? ROW_KEY[table as SealedTable] : null,
    insert: sqlite.prepare(`insert into "${table}" (${columns.map((column) => `"${column}"`).join(', ')}) values (${columns.map(() => '?').join(', ')})`),
  };
}

/** A failure of the server said as the app says it (the connection lost); the file's own failures as they are. */
async function said<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw serverFailure(error);
  }
}

/** Every row of a table in the copy refers to a row that is there (the copy wrote with references unchecked). */
export function referencesHold(sqlite: SqliteHandle, table: string): boolean {
  return (sqlite.pragma(`foreign_key_check("${table}")`) as unknown[]).length === 0;
}
