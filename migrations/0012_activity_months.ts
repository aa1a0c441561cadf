import { sql, type Kysely } from 'kysely';

/*
 * Monthly counts of services and referrals, kept by triggers as rows come, change and go
 * (corrections, erasure), so the manager's dashboard reads a year from a few hundred rows
 * instead of walking some 700,000 services. Counts only: no client, no person. Filled once here
 * from the rows already there. Frozen in time: never import app code here.
 */

const REFERRAL_DAYS = (row: 'new' | 'old') =>
  `case when ${row}.status = 'completed' then coalesce(cast(round(julianday(${row}.completed_on) - julianday(${row}.proposed_on)) as integer), -1) else -1 end`;

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table service_month (
    month text not null,
    service_type_id integer not null,
    n integer not null,
    primary key (month, service_type_id)
  ) without rowid`.execute(db);
  await sql`insert into service_month (month, service_type_id, n)
    select substr(service_on, 1, 7), service_type_id, count(*) from service group by 1, 2`.execute(db);
  const addService = (row: 'new') =>
    `insert into service_month (month, service_type_id, n) values (substr(${row}.service_on, 1, 7), ${row}.service_type_id, 1)
      on conflict (month, service_type_id) do update set n = n + 1;`;
  const removeService = (row: 'old') => `update service_month set n = n - 1 where month = substr(${row}.service_on, 1, 7) and service_type_id = ${row}.service_type_id;`;
  await sql.raw(`create trigger service_month_add after insert on service begin ${addService('new')} end`).execute(db);
  await sql.raw(`create trigger service_month_remove after delete on service begin ${removeService('old')} end`).execute(db);
  await sql.raw(`create trigger service_month_change after update of service_on, service_type_id on service begin ${removeService('old')} ${addService('new')} end`).execute(db);

  // By the month proposed: made, what became of them (status), and for completed ones the days it took.
  await sql`create table referral_month (
    month text not null,
    service_type_id integer not null,
    status text not null,
    days integer not null,
    n integer not null,
    primary key (month, service_type_id, status, days)
  ) without rowid`.execute(db);
  await sql
    .raw(
      `insert into referral_month (month, service_type_id, status, days, n)
       select substr(proposed_on, 1, 7), service_type_id, status, ${REFERRAL_DAYS('new').replaceAll('new.', '')}, count(*) from referral group by 1, 2, 3, 4`,
    )
    .execute(db);
  const addReferral = `insert into referral_month (month, service_type_id, status, days, n)
      values (substr(new.proposed_on, 1, 7), new.service_type_id, new.status, ${REFERRAL_DAYS('new')}, 1)
      on conflict (month, service_type_id, status, days) do update set n = n + 1;`;
  const removeReferral = `update referral_month set n = n - 1
      where month = substr(old.proposed_on, 1, 7) and service_type_id = old.service_type_id and status = old.status and days = ${REFERRAL_DAYS('old')};`;
  await sql.raw(`create trigger referral_month_add after insert on referral begin ${addReferral} end`).execute(db);
  await sql.raw(`create trigger referral_month_remove after delete on referral begin ${removeReferral} end`).execute(db);
  await sql
    .raw(`create trigger referral_month_change after update of proposed_on, service_type_id, status, completed_on on referral begin ${removeReferral} ${addReferral} end`)
    .execute(db);
}

export async function down(): Promise<void> {
  throw new Error('The monthly counts cannot be undone.');
}
