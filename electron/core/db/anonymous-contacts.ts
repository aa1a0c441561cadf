import { randomInt } from 'node:crypto';
import type { Db } from './schema.ts';

/*
 * How an anonymous contact is stored, whether a walk-in who will not register or a visit of a
 * client who withdrew or was erased: a random id (no run of ids ties one person's contacts
 * together), the first day of its month (reports and the dashboard count by month, so nothing
 * finer is needed), and its age band, sex, place and services. Nothing says where it came
 * from, who recorded it or when.
 */

const ID_LIMIT = 2 ** 47;

export interface AnonymousContact {
  on: string;
  ageBand: string;
  sex: string;
  place: string;
  serviceTypeIds: readonly number[];
}

/** The month a contact is kept under: `2026-03-17` → `2026-03-01`. */
export const contactMonth = (date: string): string => `${date.slice(0, 7)}-01`;

export async function insertAnonymousContact(db: Db, contact: AnonymousContact): Promise<number> {
  for (;;) {
    const id = randomInt(1, ID_LIMIT);
    const inserted = await db
      .insertInto('anonymous_contact')
      .values({ id, contact_on: contactMonth(contact.on), age_band: contact.ageBand, sex: contact.sex, place: contact.place })
      .onConflict((conflict) => conflict.column('id').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) continue; // one chance in 10^14 per contact already stored: draw again
    const types = [...new Set(contact.serviceTypeIds)];
    if (types.length) await db.insertInto('anonymous_service').values(types.map((typeId) => ({ contact_id: id, service_type_id: typeId }))).execute();
    return id;
  }
}
