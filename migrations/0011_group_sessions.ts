import { sql, type Kysely } from 'kysely';

/*
 * Group sessions (peer groups, self-help clubs, awareness sessions, classes): the session; the
 * registered clients who attended, each tied to the visit that gave her the session's service;
 * and the others who came, as counts by sex and age band only. Frozen in time: never import
 * app code here.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table group_session (
    id integer primary key,
    held_on text not null check (held_on glob '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    kind text not null,
    place text not null,
    topic text not null,
    led_by text,
    service_type_id integer not null references service_type (id),
    recorded_by integer not null references user (id),
    recorded_at text not null
  )`.execute(db);
  await sql`create index group_session_held on group_session (held_on)`.execute(db);
  await sql`create table group_attendance (
    session_id integer not null references group_session (id),
    client_id integer not null references client (id),
    visit_id integer not null references visit (id),
    primary key (session_id, client_id)
  ) without rowid`.execute(db);
  await sql`create index group_attendance_client on group_attendance (client_id)`.execute(db);
  await sql`create table group_others (
    session_id integer not null references group_session (id),
    sex text not null,
    age_band text not null,
    count integer not null check (count > 0),
    primary key (session_id, sex, age_band)
  ) without rowid`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('The group-session migration cannot be undone.');
}
