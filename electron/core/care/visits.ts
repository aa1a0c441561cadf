import type { Db } from '../db/schema.ts';
import { givenId, type ColumnSealer } from '../vault/column-sealers.ts';

/**
 * A visit with its services, as every way of recording one writes it (a visit on her page, her
 * attendance at a group session), settling the follow-ups that were set before it: a visit
 * entered late does not settle follow-ups arranged after it happened. Checks (consent, the
 * record-access rule, dates, service types) are the caller's.
 */
export async function insertVisit(
  db: Db,
  columns: ColumnSealer,
  visit: { clientId: number; visitOn: string; place: string; outcome: string | null; note: string | null; workerId: number; at: string; serviceTypeIds: readonly number[] },
): Promise<number> {
  const id = await columns.newId(db, 'visit');
  const { id: visitId } = await db
    .insertInto('visit')
    .values({
      ...givenId(id),
      client_id: visit.clientId,
      visit_on: visit.visitOn,
      place: visit.place,
      outcome: columns.seal('visit', 'outcome', id, visit.outcome),
      note: columns.seal('visit', 'note', id, visit.note),
      worker_id: visit.workerId,
      recorded_at: visit.at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('service')
    .values(visit.serviceTypeIds.map((typeId) => ({ visit_id: visitId, client_id: visit.clientId, service_type_id: typeId, service_on: visit.visitOn, worker_id: visit.workerId })))
    .execute();
  await db
    .updateTable('follow_up')
    .set({ done_on: visit.visitOn })
    .where('client_id', '=', visit.clientId)
    .where('done_on', 'is', null)
    .where((eb) =>
      eb.or([
        eb('follow_up.visit_id', 'is', null),
        eb(eb.selectFrom('visit').select('visit.visit_on').whereRef('visit.id', '=', 'follow_up.visit_id'), '<=', visit.visitOn),
      ]),
    )
    .execute();
  return visitId;
}
