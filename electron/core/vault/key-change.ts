import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import type { Database, Db } from '../db/schema.ts';
import { ROW_KEY, SEALED_COLUMNS, type SealedTable } from '../db/sealed-columns.ts';
import { sessionSlot } from '../session-state.ts';
import type { ServerSealer } from './column-sealers.ts';
import type { RotationPlan } from './staging.ts';

/*
 * Changing the data key of a centre's server (migrations/server/0006_key_change.ts): the new
 * keyring waits in row 2 of `keyring` while every sealed column is sealed again under the new
 * key, a batch of rows per transaction, each batch noting how far it came in the same
 * transaction. A change cut short goes on from there at an administrator's next login. Other
 * PCs are refused from the moment row 2 exists (`checkKeyState`), so nothing is written
 * under the old key meanwhile; at the end row 2 takes row 1's place in one transaction.
 */

/** After a key change: everyone logs in again with her own password (the login screen says so). */
export const KEY_ROTATED = sessionSlot<boolean>('vault.keyRotated', () => false);

const TABLES = Object.keys(SEALED_COLUMNS) as SealedTable[];
const COLUMNS = SEALED_COLUMNS as { readonly [T in SealedTable]: readonly string[] };

/** How far a change has come, in row 2's `progress`: slot ids, table names and row numbers only. */
export const keyChangeProgressSchema = z
  .object({
    carried: z.array(z.string()),
    dropped: z.array(z.string()),
    /** The table being sealed again (null once all are). */
    table: z
      .string()
      .refine((name) => (TABLES as readonly string[]).includes(name))
      .nullable(),
    /** Rows up to this key of that table are sealed under the new key. */
    after: z.number().int(),
  })
  .strict();
export type KeyChangeProgress = z.infer<typeof keyChangeProgressSchema>;


/** Rows sealed again per transaction: about 1,000 rows × 4 values in one statement. */
export const KEY_CHANGE_BATCH = 1_000;

export function firstProgress(plan: RotationPlan): KeyChangeProgress {
  return { carried: plan.carriedSlotIds, dropped: plan.droppedSlotIds, table: TABLES[0] ?? null, after: 0 };
}

/**
 * Seal every sealed column again, from `progress` on: opened under the old key (`from`), sealed
 * under the new one (`to`), the client code's keyed hash made anew. Each batch is a transaction
 * of its own that also moves `progress` on, so whatever happens between two batches, row 2
 * says exactly which rows are under which key. The triggers that number rows for the PCs'
 * client indexes stand aside (`dh.moving_up`, as when moving up): every PC builds its index
 * afresh at its next login, which the change requires anyway.
 */
export async function sealAgain(db: Kysely<Database>, from: ServerSealer, to: ServerSealer, progress: KeyChangeProgress, onBatch?: (rows: number) => void): Promise<KeyChangeProgress> {
  let current = progress;
  while (current.table !== null) {
    const table = current.table as SealedTable;
    const next = await db.transaction().execute(async (trx) => {
      await sql`set local dh.moving_up = 'on'`.execute(trx);
      const last = await sealBatch(trx, table, from, to, current.after);
      const moved: KeyChangeProgress = last === null ? { ...current, table: TABLES[TABLES.indexOf(table) + 1] ?? null, after: 0 } : { ...current, after: last.key };
      await sql`update keyring set progress = ${JSON.stringify(moved)} where id = 2`.execute(trx);
      if (last) onBatch?.(last.rows);
      return moved;
    });
    current = next;
  }
  return current;
}

/** One batch of a table: the rows after `after`, each sealed column again; null when none is left. */
async function sealBatch(trx: Db, table: SealedTable, from: ServerSealer, to: ServerSealer, after: number): Promise<{ key: number; rows: number } | null> {
  const key = ROW_KEY[table];
  const columns = COLUMNS[table];
  const withLookup = table === 'client';
  const { rows } = await sql<Record<string, Buffer | number | null>>`select ${sql.ref(key)} as row_key, ${sql.join(columns.map((column) => sql.ref(column)))}
    from ${sql.table(table)} where ${sql.ref(key)} > ${after} order by ${sql.ref(key)} limit ${KEY_CHANGE_BATCH}`.execute(trx);
  if (rows.length === 0) return null;
  const open = from.open.bind(from) as (table: SealedTable, column: string, rowId: number, value: unknown) => string | null;
  const seal = to.seal.bind(to) as (table: SealedTable, column: string, rowId: number, text: string | null) => unknown;
  const values = rows.map((row) => {
    const rowId = Number(row.row_key);
    const opened = columns.map((column) => open(table, column, rowId, row[column]));
    const sealed = columns.map((column, at) => sql`${seal(table, column, rowId, opened[at] ?? null)}::bytea`);
    const code = withLookup ? opened[columns.indexOf('code')] : null;
    const lookup = withLookup ? [sql`${code === null || code === undefined ? null : to.codeLookup(code)}::text`] : [];
    return sql`(${rowId}::integer, ${sql.join([...sealed, ...lookup])})`;
  });
  const names = [...columns, ...(withLookup ? ['code_lookup'] : [])];
  await sql`update ${sql.table(table)} as t set ${sql.join(names.map((name) => sql`${sql.ref(name)} = ${sql.ref(`v.${name}`)}`))}
    from (values ${sql.join(values)}) as v (row_key, ${sql.join(names.map((name) => sql.ref(name)))})
    where ${sql.ref(`t.${key}`)} = v.row_key`.execute(trx);
  return { key: Number(rows[rows.length - 1]!.row_key), rows: rows.length };
}
