import type { HistoryRow } from '../../contract/rights.ts';
import type { ChangeHistoryTable } from '../db/schema.ts';
import type { Db } from '../db/schema.ts';
import { givenId, type ColumnSealer } from '../vault/column-sealers.ts';

/*
 * Corrections keep their history: one row per field that changed, with what it was and what
 * it became, who changed it and when. Values of restricted fields (identity) are restricted
 * in the history too, and go with the record when it is erased (or, for a phone number, when
 * consent to be contacted is withdrawn).
 */

type Value = string | number | null;

export async function recordChanges(
  db: Db,
  columns: ColumnSealer,
  change: { clientId: number; entity: ChangeHistoryTable['entity']; entityId: number; before: Record<string, Value>; after: Record<string, Value>; restricted: boolean; by: { userId: number; at: string } },
): Promise<number> {
  const fields = Object.keys(change.after).filter((field) => (change.before[field] ?? null) !== (change.after[field] ?? null));
  const ids = await columns.newIds(db, 'change_history', fields.length);
  const rows = fields.map((field, index) => {
    const id = ids[index];
    return {
      ...givenId(id),
      client_id: change.clientId,
      entity: change.entity,
      entity_id: change.entityId,
      field,
      old_value: columns.seal('change_history', 'old_value', id, textOf(change.before[field] ?? null)),
      new_value: columns.seal('change_history', 'new_value', id, textOf(change.after[field] ?? null)),
      restricted: change.restricted ? 1 : 0,
      changed_by: change.by.userId,
      changed_at: change.by.at,
    };
  });
  if (rows.length) await db.insertInto('change_history').values(rows).execute();
  return rows.length;
}

const textOf = (value: Value) => (value === null ? null : String(value));

/** Newest first. Restricted values are shown only to whoever may read her restricted parts. */
export async function historyOf(db: Db, columns: ColumnSealer, clientId: number, restrictedVisible: boolean): Promise<HistoryRow[]> {
  const sealed = await db
    .selectFrom('change_history')
    .leftJoin('user', 'user.id', 'change_history.changed_by')
    .leftJoin('visit', (join) => join.onRef('visit.id', '=', 'change_history.entity_id').on('change_history.entity', '=', 'visit'))
    .selectAll('change_history')
    .select(['user.display_name as changer', 'visit.visit_on as visit_on'])
    .where('change_history.client_id', '=', clientId)
    .orderBy('change_history.changed_at', 'desc')
    .orderBy('change_history.id', 'desc')
    .execute();
  return sealed.map((row) => {
    const hidden = row.restricted === 1 && !restrictedVisible;
    return {
      id: row.id,
      entity: row.entity,
      field: row.field,
      oldValue: hidden ? null : columns.open('change_history', 'old_value', row.id, row.old_value),
      newValue: hidden ? null : columns.open('change_history', 'new_value', row.id, row.new_value),
      restricted: row.restricted === 1,
      changedByName: row.changer,
      changedAt: row.changed_at,
      visitOn: row.visit_on,
    };
  });
}
