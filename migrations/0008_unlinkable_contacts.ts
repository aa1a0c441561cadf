import { randomInt } from 'node:crypto';
import { sql, type Kysely } from 'kysely';

/*
 * Anonymous contacts that cannot be tied together. The visits of a client who withdrew or was
 * erased became contacts inserted in one run: consecutive ids, a shared origin marker, no
 * worker, exact dates. Now every anonymous contact (walk-ins too, so nothing marks the
 * others) has a random id, only its month (the finest period any report or the dashboard
 * counts by), and no origin, recorder or time of recording; its services are keyed by the
 * contact, without row numbers of their own. Counts by month, sex, age band, place and
 * service are unchanged. Frozen in time: never import app code here.
 */

const ID_LIMIT = 2 ** 47;

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table anonymous_contact_next (
    id integer primary key,
    contact_on text not null check (contact_on glob '[0-9][0-9][0-9][0-9]-[0-1][0-9]-01'),
    age_band text not null,
    sex text not null,
    place text not null)`.execute(db);
  await sql`create table anonymous_service_next (
    contact_id integer not null references anonymous_contact_next (id),
    service_type_id integer not null references service_type (id),
    primary key (contact_id, service_type_id)) without rowid`.execute(db);

  const contacts = (await sql<{ id: number; contact_on: string; age_band: string; sex: string; place: string }>`
    select id, contact_on, age_band, sex, place from anonymous_contact`.execute(db)).rows;
  const services = (await sql<{ contact_id: number; service_type_id: number }>`
    select contact_id, service_type_id from anonymous_service`.execute(db)).rows;
  const newId = new Map<number, number>();
  const taken = new Set<number>();
  // Shuffled, so not even the order of insertion follows the old ids.
  for (let i = contacts.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [contacts[i], contacts[j]] = [contacts[j]!, contacts[i]!];
  }
  for (const contact of contacts) {
    let id = randomInt(1, ID_LIMIT);
    while (taken.has(id)) id = randomInt(1, ID_LIMIT);
    taken.add(id);
    newId.set(contact.id, id);
  }
  for (let start = 0; start < contacts.length; start += 200) {
    const rows = contacts.slice(start, start + 200).map((c) => sql`(${newId.get(c.id)}, ${`${c.contact_on.slice(0, 7)}-01`}, ${c.age_band}, ${c.sex}, ${c.place})`);
    await sql`insert into anonymous_contact_next (id, contact_on, age_band, sex, place) values ${sql.join(rows)}`.execute(db);
  }
  for (let start = 0; start < services.length; start += 300) {
    const rows = services.slice(start, start + 300).map((s) => sql`(${newId.get(s.contact_id)}, ${s.service_type_id})`);
    // A contact's service types were distinct from the start (the forms refuse a repeat).
    await sql`insert or ignore into anonymous_service_next (contact_id, service_type_id) values ${sql.join(rows)}`.execute(db);
  }

  await sql`drop table anonymous_service`.execute(db);
  await sql`drop table anonymous_contact`.execute(db);
  await sql`alter table anonymous_contact_next rename to anonymous_contact`.execute(db);
  await sql`alter table anonymous_service_next rename to anonymous_service`.execute(db);
  await sql`create index anonymous_contact_on on anonymous_contact (contact_on)`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('The unlinkable-contacts migration cannot be undone.');
}
