import { sql, type Insertable } from 'kysely';
import { AppError } from '../app-error.ts';
import { runWithNext, type SqlDialect } from '../db/dialect.ts';
import type { Db, VisitTable } from '../db/schema.ts';
import { reusable } from '../db/reusable.ts';
import { type ColumnSealer } from '../vault/column-sealers.ts';

/** `assertServiceTypes`'s read (none for no ids), to be read ahead (db/dialect.ts `readAhead`). */
export const serviceTypesRead = (db: Db, ids: readonly number[]) => (ids.length === 0 ? [] : [serviceTypes(db, { ids })]);
const serviceTypes = reusable((db: Db, { ids }: { ids: readonly number[] }) => db.selectFrom('service_type').select(['id', 'active']).where('id', 'in', ids));

/** Each of these service types is in the catalogue and still offered. */
export async function assertServiceTypes(db: Db, ids: readonly number[]): Promise<void> {
  const [read] = serviceTypesRead(db, ids);
  if (!read) return;
  const rows = await read.execute();
  if (rows.length !== ids.length) throw new AppError('SERVICE_TYPE_NOT_FOUND');
  if (rows.some((row) => row.active !== 1)) throw new AppError('SERVICE_TYPE_INACTIVE');
}

/**
 * A visit with its services, as every way of recording one writes it (a visit on her page, her
 * attendance at a group session), settling the follow-ups that were set before it: a visit
 * entered late does not settle follow-ups arranged after it happened. Its service types are
 * checked here, in the insert; the other checks (consent, the record-access rule, dates) are
 * the caller's.
 */
export async function insertVisit(
  db: Db,
  columns: ColumnSealer,
  dialect: SqlDialect,
  visit: {
    clientId: number;
    visitOn: string;
    place: string;
    outcome: string | null;
    note: string | null;
    workerId: number;
    at: string;
    serviceTypeIds: readonly number[];
    /** Her record's summary has a follow-up still open (`next_follow_up_on`): only then is there one to settle. */
    openFollowUps: boolean;
  },
): Promise<{ visitId: number; followUpsChanged: boolean }> {
  // On the server the id is taken first (read ahead with the call's first read, as are the
  // service types: care/handlers.ts), so the visit and its services need no answer and go with
  // her summary, the audit entry and the COMMIT: two trips while the trail is held. On the file,
  // the insert gives the id, unless a sealed value must name it.
  const held = dialect.withNext !== null;
  const id = held || visit.outcome !== null || visit.note !== null ? await columns.newId(db, 'visit') : undefined;
  const row = {
    client_id: visit.clientId,
    visit_on: visit.visitOn,
    place: visit.place,
    outcome: columns.seal('visit', 'outcome', id, visit.outcome),
    note: columns.seal('visit', 'note', id, visit.note),
    worker_id: visit.workerId,
    recorded_at: visit.at,
  };
  const services = { clientId: visit.clientId, visitOn: visit.visitOn, workerId: visit.workerId, serviceTypeIds: visit.serviceTypeIds };
  let visitId: number;
  if (held && id !== undefined) {
    // Checked first, in the transaction's one snapshot: the insert then takes exactly these.
    await assertServiceTypes(db, visit.serviceTypeIds);
    await runWithNext(db, visitInsertWithId(db, { ...row, id }));
    if (visit.serviceTypeIds.length > 0) await runWithNext(db, servicesInsert(db, { ...services, visitId: id }));
    visitId = id;
  } else {
    // On the file the insert gives the id, unless a sealed value needed it first.
    if (id === undefined) visitId = (await visitInsert(db, row).executeTakeFirst())!.id;
    else await visitInsertWithId(db, { ...row, id: (visitId = id) }).execute();
    const inserted = visit.serviceTypeIds.length === 0 ? 0 : Number((await servicesInsert(db, { ...services, visitId }).run()).numAffectedRows);
    if (inserted !== visit.serviceTypeIds.length) {
      // Which one, and why: the call fails whole, nothing it wrote stays.
      await assertServiceTypes(db, visit.serviceTypeIds);
      throw new AppError('SERVICE_TYPE_NOT_FOUND');
    }
  }
  // Her record's summary says whether any follow-up is open (the to-do list reads it so too).
  if (!visit.openFollowUps) return { visitId, followUpsChanged: false };
  // Nobody reads how many it settled (her summary's next follow-up is worked out again): on the
  // server it goes with her summary, the audit entry and the COMMIT.
  await runWithNext(db, followUpsSettled(db, { clientId: visit.clientId, visitOn: visit.visitOn }));
  return { visitId, followUpsChanged: true };
}

/*
 * A visit's statements, made at every visit: built once (db/reusable.ts).
 */

type VisitRow = Omit<Insertable<VisitTable>, 'id'>;
const visitInsert = reusable((db: Db, row: VisitRow) => db.insertInto('visit').values(row).returning('id'));
const visitInsertWithId = reusable((db: Db, row: VisitRow & { id: number }) => db.insertInto('visit').values(row));

/** The services, each of a type the catalogue has and offers. */
const servicesInsert = reusable((db: Db, v: { visitId: number; clientId: number; visitOn: string; workerId: number; serviceTypeIds: readonly number[] }) =>
  db
    .insertInto('service')
    .columns(['visit_id', 'client_id', 'service_type_id', 'service_on', 'worker_id'])
    .expression(
      db
        .selectFrom('service_type')
        // Typed, so PostgreSQL does not take the values for text.
        .select([
          sql<number>`cast(${v.visitId} as integer)`.as('visit_id'),
          sql<number>`cast(${v.clientId} as integer)`.as('client_id'),
          'service_type.id',
          sql<string>`cast(${v.visitOn} as text)`.as('service_on'),
          sql<number>`cast(${v.workerId} as integer)`.as('worker_id'),
        ])
        .where('service_type.id', 'in', v.serviceTypeIds)
        .where('service_type.active', '=', 1)
        .orderBy('service_type.id'),
    ),
);

/** Her open follow-ups a visit on `visitOn` settles (not those arranged at a later visit). */
const followUpsSettled = reusable((db: Db, { clientId, visitOn }: { clientId: number; visitOn: string }) =>
  db
    .updateTable('follow_up')
    .set({ done_on: visitOn })
    .where('client_id', '=', clientId)
    .where('done_on', 'is', null)
    .where((eb) =>
      eb.or([eb('follow_up.visit_id', 'is', null), eb(eb.selectFrom('visit').select('visit.visit_on').whereRef('visit.id', '=', 'follow_up.visit_id'), '<=', visitOn)]),
    ),
);
