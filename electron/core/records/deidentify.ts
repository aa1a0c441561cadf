import { randomInt } from 'node:crypto';
import { ageBandOf } from '../../contract/vocabulary.ts';
import { insertAnonymousContact } from '../db/anonymous-contacts.ts';
import type { Db } from '../db/schema.ts';

/**
 * De-identify a client after she withdraws case-record consent: each visit becomes an
 * anonymous contact (date, age band, sex, place, services), and everything else about her is
 * deleted: identity, notes, contact details, consents, referrals, follow-ups, case events, who
 * held her case, offers of it, managers' reviews, the history of corrections and restrictions.
 * `secure_delete` overwrites the deleted content; the caller checkpoints the log after commit,
 * so none of it stays in the database file or its WAL.
 */
/** Every table whose rows belong to one client (by `client_id`), children before parents; group attendance aside. */
export const CLIENT_TABLES = ['service', 'follow_up', 'referral', 'visit', 'consent', 'case_event', 'identity_access', 'client_identity', 'assignment', 'case_offer', 'case_review', 'change_history', 'restriction'] as const;

export async function deidentifyClient(db: Db, clientId: number): Promise<void> {
  const client = await db.selectFrom('client').select(['birth_year', 'sex']).where('id', '=', clientId).executeTakeFirstOrThrow();
  // In random order, with random ids and only their months (see db/anonymous-contacts.ts),
  // so nothing ties the contacts back together or to her.
  const visits = (await db.selectFrom('visit').select(['id', 'visit_on', 'place']).where('client_id', '=', clientId).execute())
    .map((visit) => ({ visit, order: randomInt(1 << 30) }))
    .sort((a, b) => a.order - b.order)
    .map(({ visit }) => visit);
  for (const visit of visits) {
    const services = await db.selectFrom('service').select('service_type_id').where('visit_id', '=', visit.id).execute();
    await insertAnonymousContact(db, {
      on: visit.visit_on,
      ageBand: ageBandOf(client.birth_year, visit.visit_on),
      sex: client.sex,
      place: visit.place,
      serviceTypeIds: services.map((service) => service.service_type_id),
    });
  }
  // Her attendance at group sessions stays in their counts, among the others (sex and age band only).
  const attended = await db
    .selectFrom('group_attendance')
    .innerJoin('group_session', 'group_session.id', 'group_attendance.session_id')
    .select(['group_session.id', 'group_session.held_on'])
    .where('group_attendance.client_id', '=', clientId)
    .execute();
  for (const session of attended) {
    await db
      .insertInto('group_others')
      .values({ session_id: session.id, sex: client.sex, age_band: ageBandOf(client.birth_year, session.held_on), count: 1 })
      .onConflict((conflict) => conflict.columns(['session_id', 'sex', 'age_band']).doUpdateSet((eb) => ({ count: eb('group_others.count', '+', 1) })))
      .execute();
  }
  await db.deleteFrom('group_attendance').where('client_id', '=', clientId).execute();
  for (const table of CLIENT_TABLES) {
    await db.deleteFrom(table).where('client_id', '=', clientId).execute();
  }
  // Numbers of records merged into hers lead nowhere now.
  await db.deleteFrom('merged_client').where('into_id', '=', clientId).execute();
  await db.deleteFrom('client').where('id', '=', clientId).execute();
}
