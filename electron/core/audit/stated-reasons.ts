import type { Role } from '../../contract/permissions.ts';
import type { StatedReasonKind } from '../../contract/vocabulary.ts';
import { localDayStart } from '../clock.ts';
import type { Db } from '../db/schema.ts';
import { givenId, type ColumnSealer } from '../vault/column-sealers.ts';

/*
 * Stated reasons: whenever someone comes to see or hold what no one else gave her, she says
 * why, and managers see it in the access review. Breaking the glass on a client who is not
 * hers, giving herself cases, changing her own roles. The reason stays in the encrypted
 * database (it may name a person); the audit trail says only that one was given.
 */

export interface StatedReason {
  kind: StatedReasonKind;
  clientId: number | null;
  userId: number;
  reason: string;
  at: string;
  roles?: { before: readonly Role[]; after: readonly Role[] };
}

/** The row for one stated reason (the roles, for a change of one's own, as JSON); the reason sealed. */
const rowOf = (columns: ColumnSealer, id: number | undefined, entry: StatedReason) => ({
  ...givenId(id),
  kind: entry.kind,
  client_id: entry.clientId,
  user_id: entry.userId,
  reason: columns.seal('identity_access', 'reason', id, entry.reason),
  detail: entry.roles ? JSON.stringify(entry.roles) : null,
  at: entry.at,
});

export async function stateReason(db: Db, columns: ColumnSealer, entry: StatedReason): Promise<void> {
  await db.insertInto('identity_access').values(rowOf(columns, await columns.newId(db, 'identity_access'), entry)).execute();
}

/** One row per case she gave herself, so that each client's page and the review name it. */
export async function stateReasonForCases(db: Db, columns: ColumnSealer, clientIds: readonly number[], entry: Omit<StatedReason, 'clientId' | 'kind' | 'roles'>): Promise<void> {
  for (let start = 0; start < clientIds.length; start += 300) {
    const batch = clientIds.slice(start, start + 300);
    const ids = await columns.newIds(db, 'identity_access', batch.length);
    const rows = batch.map((clientId, index) => rowOf(columns, ids[index], { ...entry, kind: 'self_assignment', clientId }));
    await db.insertInto('identity_access').values(rows).execute();
  }
}

export interface StatedReasonQuery {
  from?: string | undefined;
  to?: string | undefined;
  offset: number;
  limit: number;
}

/** The access review, newest first: one page and the number of all. */
export async function listStatedReasons(db: Db, columns: ColumnSealer, input: StatedReasonQuery) {
  let query = db
    .selectFrom('identity_access')
    .leftJoin('user', 'user.id', 'identity_access.user_id')
    .leftJoin('client', 'client.id', 'identity_access.client_id')
    .select(['identity_access.id', 'identity_access.kind', 'identity_access.at', 'user.display_name', 'identity_access.client_id', 'client.code', 'identity_access.reason', 'identity_access.detail']);
  if (input.from) query = query.where('identity_access.at', '>=', localDayStart(input.from));
  if (input.to) query = query.where('identity_access.at', '<', localDayStart(input.to, 1));
  const { total } = await query.clearSelect().select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
  const rows = await query.orderBy('identity_access.id', 'desc').limit(input.limit).offset(input.offset).execute();
  return {
    total: Number(total),
    rows: rows.map((row) => ({
      id: row.id,
      kind: row.kind,
      at: row.at,
      userName: row.display_name,
      clientId: row.client_id,
      clientCode: row.client_id === null ? null : columns.open('client', 'code', row.client_id, row.code),
      reason: columns.open('identity_access', 'reason', row.id, row.reason),
      roles: row.kind === 'own_roles' && row.detail ? (JSON.parse(row.detail) as { before: Role[]; after: Role[] }) : null,
    })),
  };
}
