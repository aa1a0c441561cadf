import { sql } from 'kysely';
import { INDICATORS, REFERRAL_TYPES, REFERRAL_TYPE_WORDS, SERVICE_GROUP_WORDS, type IndicatorId, type ReferralType, type Shape } from '../../contract/indicators.ts';
import type { Period } from '../../contract/periods.ts';
import { ageBandOf, SERVICE_GROUPS, type ServiceGroup } from '../../contract/vocabulary.ts';
import type { Db } from '../users/accounts.ts';
import { listTable, sexByAge, type RawTable } from './tables.ts';

/*
 * The counts behind each indicator, for one period, as full tables (totals included) before
 * any suppression. Only clients who consented to reports are counted (see indicators.ts); they
 * are gathered once into a temporary table (in memory) that every count joins.
 */

const indicator = (id: IndicatorId) => INDICATORS.find((each) => each.id === id) as (typeof INDICATORS)[number];
/** The columns of a list-shaped indicator. */
function columnsOf(id: IndicatorId) {
  const shape: Shape = indicator(id).shape;
  if (shape.kind !== 'list') throw new Error(`${id} is not a list`);
  return shape.columns;
}
const OUTCOME_GROUPS = { persons_vocational_training: 'vocational_training', persons_job_placement: 'job_placement', persons_loan: 'loan' } as const;
const REPORTED_GROUPS = SERVICE_GROUPS.filter((group) => group !== 'child_protection');
const referralTypeOf = (group: ServiceGroup): ReferralType | null =>
  group === 'child_protection' ? null : ((Object.keys(REFERRAL_TYPES) as ReferralType[]).find((type) => (REFERRAL_TYPES[type] as readonly string[]).includes(group)) ?? 'other');

interface Person {
  sex: string;
  birth_year: number;
}

/** Everything a report's counts need, read once at the start. */
export interface Counting {
  /** The database of the current call (each step runs in its own transaction). */
  db: Db;
  period: Period;
  types: { id: number; code: string; group: ServiceGroup; nameVi: string; nameEn: string; active: boolean }[];
  /** Clients left out for want of consent, who had services in the period. */
  withoutConsent: number;
}

export async function startCounting(db: Db, period: Period): Promise<Counting> {
  await sql`create temp table if not exists report_client (id integer primary key, sex text not null, birth_year integer not null)`.execute(db);
  await sql`delete from temp.report_client`.execute(db);
  await sql`insert into temp.report_client (id, sex, birth_year)
    select client.id, client.sex, client.birth_year from client
    where exists (select 1 from consent where consent.client_id = client.id and consent.purpose = 'reports'
      and consent.given_on <= ${period.to} and consent.expires_on >= ${period.from} and consent.withdrawn_on is null)`.execute(db);
  const without = await sql<{ n: number }>`select count(distinct client_id) as n from service
    where service_on between ${period.from} and ${period.to} and client_id not in (select id from temp.report_client)`.execute(db);
  const types = await db.selectFrom('service_type').select(['id', 'code', 'service_group', 'name_vi', 'name_en', 'active']).orderBy('sort_order').orderBy('id').execute();
  return {
    db,
    period,
    types: types.map((type) => ({ id: type.id, code: type.code, group: type.service_group as ServiceGroup, nameVi: type.name_vi, nameEn: type.name_en, active: type.active === 1 })),
    withoutConsent: Number(without.rows[0]?.n ?? 0),
  };
}

/** Persons by sex and age band (age on the period's last day). */
function personTable(id: IndicatorId, people: readonly (Person & { n?: number })[], to: string): RawTable {
  const counts = new Map<string, number>();
  for (const person of people) {
    const key = `${person.sex}|${ageBandOf(person.birth_year, to)}`;
    counts.set(key, (counts.get(key) ?? 0) + Number(person.n ?? 1));
  }
  return sexByAge(indicator(id), (sex, age) => counts.get(`${sex}|${age}`) ?? 0);
}

/** Grouped by sex and birth year in SQL: few rows, whatever the size of the centre. */
async function peopleWhere(c: Counting, condition: ReturnType<typeof sql>): Promise<(Person & { n: number })[]> {
  return (await sql<Person & { n: number }>`select sex, birth_year, count(*) as n from temp.report_client as person where ${condition} group by sex, birth_year`.execute(c.db)).rows;
}

const inPeriod = (c: Counting, column: ReturnType<typeof sql>) => sql`${column} between ${c.period.from} and ${c.period.to}`;

type Count = (c: Counting) => Promise<RawTable>;

export const COUNTS: Record<IndicatorId, Count> = {
  persons_reached: async (c) =>
    personTable('persons_reached', await peopleWhere(c, sql`exists (select 1 from service where service.client_id = person.id and ${inPeriod(c, sql`service.service_on`)})`), c.period.to),

  persons_registered: async (c) =>
    personTable('persons_registered', await peopleWhere(c, sql`person.id in (select id from client where ${inPeriod(c, sql`client.registered_on`)})`), c.period.to),

  anonymous_contacts: async (c) => {
    const rows = (
      await sql<{ sex: string; age_band: string; n: number }>`select sex, age_band, count(*) as n from anonymous_contact
        where ${inPeriod(c, sql`contact_on`)} group by sex, age_band`.execute(c.db)
    ).rows;
    return sexByAge(indicator('anonymous_contacts'), (sex, age) => Number(rows.find((row) => row.sex === sex && row.age_band === age)?.n ?? 0));
  },

  services_by_type: async (c) => {
    const rows = (
      await sql<{ type: number; n: number }>`
        select service_type_id as type, count(*) as n from service
        where ${inPeriod(c, sql`service_on`)} and client_id in (select id from temp.report_client) group by service_type_id
        union all
        select anonymous_service.service_type_id, count(*) from anonymous_contact join anonymous_service on anonymous_service.contact_id = anonymous_contact.id
        where ${inPeriod(c, sql`anonymous_contact.contact_on`)} group by anonymous_service.service_type_id`.execute(c.db)
    ).rows;
    const byType = new Map<number, number>();
    for (const row of rows) byType.set(row.type, (byType.get(row.type) ?? 0) + Number(row.n));
    const types = c.types.filter((type) => type.group !== 'child_protection' && (type.active || byType.has(type.id)));
    return listTable(indicator('services_by_type'), types.map((type) => ({ key: type.code, label: { vi: type.nameVi, en: type.nameEn } })), columnsOf('services_by_type'), true, (row) =>
      byType.get(types.find((type) => type.code === row)?.id ?? 0) ?? 0,
    );
  },

  persons_by_service_group: async (c) => {
    // Distinct persons per group: someone with two service types of one group counts once.
    const rows = (
      await sql<{ group: string; n: number }>`select "group", count(*) as n from (
          select distinct service.client_id, service_type.service_group as "group" from service
          join service_type on service_type.id = service.service_type_id
          where ${inPeriod(c, sql`service.service_on`)} and service.client_id in (select id from temp.report_client))
        group by "group"`.execute(c.db)
    ).rows;
    return listTable(indicator('persons_by_service_group'), REPORTED_GROUPS.map((group) => ({ key: group, label: SERVICE_GROUP_WORDS[group] })), columnsOf('persons_by_service_group'), false, (row) =>
      Number(rows.find((each) => each.group === row)?.n ?? 0),
    );
  },

  referrals_by_type: async (c) => {
    const counted = sql`client_id in (select id from temp.report_client)`;
    const rows = (
      await sql<{ type: number; column: string; n: number }>`
        select service_type_id as type, 'made' as "column", count(*) as n from referral where ${inPeriod(c, sql`proposed_on`)} and ${counted} group by service_type_id
        union all
        select service_type_id, 'completed', count(*) from referral where ${inPeriod(c, sql`completed_on`)} and ${counted} group by service_type_id`.execute(c.db)
    ).rows;
    const totals = new Map<string, number>();
    for (const row of rows) {
      const group = c.types.find((type) => type.id === row.type)?.group ?? 'other';
      const type = referralTypeOf(group);
      if (type) totals.set(`${type}|${row.column}`, (totals.get(`${type}|${row.column}`) ?? 0) + Number(row.n));
    }
    const types = Object.keys(REFERRAL_TYPES) as ReferralType[];
    return listTable(indicator('referrals_by_type'), types.map((type) => ({ key: type, label: REFERRAL_TYPE_WORDS[type] })), columnsOf('referrals_by_type'), true, (row, column) =>
      totals.get(`${row}|${column}`) ?? 0,
    );
  },

  persons_vocational_training: (c) => outcomePersons(c, 'persons_vocational_training'),
  persons_job_placement: (c) => outcomePersons(c, 'persons_job_placement'),
  persons_loan: (c) => outcomePersons(c, 'persons_loan'),

  cases_reintegrated: async (c) =>
    personTable(
      'cases_reintegrated',
      await peopleWhere(c, sql`person.id in (select client_id from case_event where kind = 'closed' and reason = 'reintegrated' and ${inPeriod(c, sql`on_date`)})`),
      c.period.to,
    ),

  child_protection_referrals: async (c) => {
    const types = c.types.filter((type) => type.group === 'child_protection').map((type) => type.id);
    const count = async (column: 'proposed_on' | 'completed_on') =>
      types.length
        ? Number(
            (
              await sql<{ n: number }>`select count(*) as n from referral where service_type_id in (${sql.join(types)}) and ${inPeriod(c, sql.ref(column))}
                and client_id in (select id from temp.report_client)`.execute(c.db)
            ).rows[0]?.n ?? 0,
          )
        : 0;
    const made = await count('proposed_on');
    const completed = await count('completed_on');
    return listTable(indicator('child_protection_referrals'), [{ key: 'children', label: { vi: 'Trẻ em dưới 18 tuổi', en: 'Children under 18' } }], columnsOf('child_protection_referrals'), false, (_row, column) =>
      column === 'made' ? made : completed,
    );
  },
};

/** Persons with a completed referral, or a service, of the outcome's group in the period. */
async function outcomePersons(c: Counting, id: keyof typeof OUTCOME_GROUPS): Promise<RawTable> {
  const types = c.types.filter((type) => type.group === OUTCOME_GROUPS[id]).map((type) => type.id);
  if (types.length === 0) return personTable(id, [], c.period.to);
  const list = sql.join(types);
  return personTable(
    id,
    await peopleWhere(
      c,
      sql`(exists (select 1 from referral where referral.client_id = person.id and referral.service_type_id in (${list}) and ${inPeriod(c, sql`referral.completed_on`)})
        or exists (select 1 from service where service.client_id = person.id and service.service_type_id in (${list}) and ${inPeriod(c, sql`service.service_on`)}))`,
    ),
    c.period.to,
  );
}
