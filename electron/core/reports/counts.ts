import { sql } from 'kysely';
import { GROUP_KINDS } from '../../contract/groups.ts';
import { GROUP_KIND_WORDS, INDICATORS, REFERRAL_TYPES, REFERRAL_TYPE_WORDS, SERVICE_GROUP_WORDS, type IndicatorId, type ReferralType, type Shape } from '../../contract/indicators.ts';
import type { Period } from '../../contract/periods.ts';
import { AGE_BANDS, ageBandOf, SERVICE_GROUPS, SEXES, type AgeBand, type ServiceGroup, type Sex } from '../../contract/vocabulary.ts';
import type { Db } from '../db/schema.ts';
import type { SqlDialect } from '../db/dialect.ts';
import { listTable, sexByAge, type RawTable } from './tables.ts';

/*
 * The counts behind each indicator, for one period, as full tables (totals included) before
 * any suppression. Only clients who consented to reports are counted (see indicators.ts).
 *
 * The first step reads, once: who may be counted (into a temporary table, in memory, that the
 * referral counts join, and into an array by client id of each person's sex-by-age cell) and
 * every service of the period in one pass over the (date, type, client) index, which gives
 * services by type and, by client id, the service groups she received (so persons reached and
 * persons per group) at once. A year at a large centre is some 700,000 services: they are read
 * as one packed list into typed arrays, never one object per service.
 */

const indicator = (id: IndicatorId) => INDICATORS.find((each) => each.id === id) as (typeof INDICATORS)[number];
/** The columns of a list-shaped indicator. */
function columnsOf(id: IndicatorId) {
  const shape: Shape = indicator(id).shape;
  if (shape.kind !== 'list') throw new Error(`${id} is not a list`);
  return shape.columns;
}
const groupKindLines = GROUP_KINDS.map((kind) => ({ key: kind, label: GROUP_KIND_WORDS[kind] }));
const OUTCOME_GROUPS = { persons_vocational_training: 'vocational_training', persons_job_placement: 'job_placement', persons_loan: 'loan' } as const;
const REPORTED_GROUPS = SERVICE_GROUPS.filter((group) => group !== 'child_protection');
const referralTypeOf = (group: ServiceGroup): ReferralType | null =>
  group === 'child_protection' ? null : ((Object.keys(REFERRAL_TYPES) as ReferralType[]).find((type) => (REFERRAL_TYPES[type] as readonly string[]).includes(group)) ?? 'other');

/** Bit `i` stands for SERVICE_GROUPS[i] (16 groups: one Uint16 per client). */
const GROUP_BIT = new Map(SERVICE_GROUPS.map((group, index) => [group, 1 << index]));
const CELLS = SEXES.length * AGE_BANDS.length;

/** Everything a report's counts need, read in the first step. */
export interface Counting {
  /** The database of the current call (each step runs in its own transaction). */
  db: Db;
  period: Period;
  types: { id: number; code: string; group: ServiceGroup; nameVi: string; nameEn: string; active: boolean }[];
  /**
   * Who may be counted (clients with consent to reports), by client id: the person's cell in a
   * sex-by-age table (sex × age band on the period's last day) plus one; 0 for anyone not counted.
   */
  cellOf: Uint8Array;
  /** Services of the period to counted clients: how many of each type, and by client id the groups she received (bits). */
  services: { byType: Map<number, number>; groupsOf: Uint16Array };
  /** Clients left out for want of consent, who had services in the period. */
  withoutConsent: number;
}

/**
 * An id widened before it is packed with other small numbers: PostgreSQL's `integer` is 32 bits,
 * so `id * 32768` overflows from client 65,536 on ("integer out of range"); a `bigint` holds it.
 * (SQLite's integers are 64 bits already; the cast changes nothing there.)
 */
const wide = (column: ReturnType<typeof sql>) => sql`cast(${column} as bigint)`;

/**
 * Each number of a list of whole numbers the database joined with commas (the dialect's
 * `packedList`), read in place: a year's list is some 700,000 numbers, and making a string of
 * each would cost more than the rest. (A number bound as a parameter is a REAL to SQLite: it is
 * written into the statement as a whole-number literal instead, or "36.0" comes back.)
 */
function forEachNumber(packed: string | null | undefined, each: (value: number) => void): void {
  if (!packed) return;
  let value = 0;
  for (let index = 0; index < packed.length; index++) {
    const code = packed.charCodeAt(index);
    if (code === 44) {
      each(value);
      value = 0;
    } else if (code >= 48 && code <= 57) value = value * 10 + (code - 48);
    else throw new Error('not a list of whole numbers');
  }
  each(value);
}

export async function startCounting(db: Db, dialect: SqlDialect, period: Period): Promise<Counting> {
  // Dropped and made again: much quicker than deleting a large centre's rows one by one.
  await sql`drop table if exists report_client`.execute(db);
  await sql`create temp table report_client (id integer primary key, sex text not null, birth_year integer not null)`.execute(db);
  await sql`insert into report_client (id, sex, birth_year)
    select client.id, client.sex, client.birth_year from client
    where exists (select 1 from consent where consent.client_id = client.id and consent.purpose = 'reports'
      and consent.given_on <= ${period.to} and consent.expires_on >= ${period.from} and consent.withdrawn_on is null)`.execute(db);
  const typeRows = await db.selectFrom('service_type').select(['id', 'code', 'service_group', 'name_vi', 'name_en', 'active']).orderBy('sort_order').orderBy('id').execute();
  const types = typeRows.map((type) => ({ id: type.id, code: type.code, group: type.service_group as ServiceGroup, nameVi: type.name_vi, nameEn: type.name_en, active: type.active === 1 }));

  // Rows are costly to hand over one by one; both reads come back as one packed list of
  // numbers instead (same connection, same transaction as `db`), kept in arrays by client id.
  const size = Number((await sql<{ top: number | null }>`select max(id) as top from client`.execute(db)).rows[0]?.top ?? 0) + 1;
  const cellOf = new Uint8Array(size);
  const sexIndex = sql.raw(`case sex ${SEXES.map((sex, index) => `when '${sex}' then ${index}`).join(' ')} else ${SEXES.indexOf('other')} end`);
  const bandOfYear = new Map<number, number>();
  const packedPeople = (await sql<{ packed: string | null }>`select ${dialect.packedList(sql`${wide(sql`id`)} * 32768 + ${sexIndex} * 4096 + birth_year`)} as packed from report_client`.execute(db)).rows[0]?.packed;
  forEachNumber(packedPeople, (number) => {
    const rest = number % 32768;
    const birthYear = rest % 4096;
    let band = bandOfYear.get(birthYear);
    if (band === undefined) bandOfYear.set(birthYear, (band = AGE_BANDS.indexOf(ageBandOf(birthYear, period.to))));
    cellOf[Math.floor(number / 32768)] = Math.floor(rest / 4096) * AGE_BANDS.length + band + 1;
  });

  const maxType = Math.max(0, ...types.map((type) => type.id)) + 1;
  const typeCounts = new Float64Array(maxType);
  const bitOfType = new Uint16Array(maxType);
  for (const type of types) bitOfType[type.id] = GROUP_BIT.get(type.group) ?? 0;
  const groupsOf = new Uint16Array(size);
  const left = new Uint8Array(size);
  let withoutConsent = 0;
  const packed = (
    await sql<{ packed: string | null }>`select ${dialect.packedList(sql`${wide(sql`client_id`)} * ${sql.lit(maxType)} + service_type_id`)} as packed
      from service where service_on between ${period.from} and ${period.to}`.execute(db)
  ).rows[0]?.packed;
  forEachNumber(packed, (number) => {
    const client = Math.floor(number / maxType);
    const type = number % maxType;
    if (cellOf[client] === 0) {
      if (left[client] === 0) withoutConsent++;
      left[client] = 1;
      return;
    }
    typeCounts[type]! += 1;
    groupsOf[client]! |= bitOfType[type] ?? 0;
  });
  const byType = new Map<number, number>();
  typeCounts.forEach((n, type) => n > 0 && byType.set(type, n));
  return { db, period, types, cellOf, services: { byType, groupsOf }, withoutConsent };
}

/** Persons by sex and age band (age on the period's last day): the counted clients `include` accepts. */
function personTable(id: IndicatorId, c: Counting, include: (clientId: number) => boolean): RawTable {
  const counts = new Float64Array(CELLS);
  for (let clientId = 0; clientId < c.cellOf.length; clientId++) {
    const cell = c.cellOf[clientId] ?? 0;
    if (cell !== 0 && include(clientId)) counts[cell - 1]! += 1;
  }
  return sexByAge(indicator(id), (sex, age) => counts[SEXES.indexOf(sex as Sex) * AGE_BANDS.length + AGE_BANDS.indexOf(age as AgeBand)] ?? 0);
}

const among = (ids: Iterable<number>) => {
  const set = new Set(ids);
  return (clientId: number) => set.has(clientId);
};
const inGroup = (c: Counting, group: ServiceGroup) => {
  const bit = GROUP_BIT.get(group) ?? 0;
  return (clientId: number) => ((c.services.groupsOf[clientId] ?? 0) & bit) !== 0;
};

const inPeriod = (c: Counting, column: ReturnType<typeof sql>) => sql`${column} between ${c.period.from} and ${c.period.to}`;
/** Only counted clients. The unary `+` keeps SQLite on the date index rather than walking every counted client. */
const counted = sql`+client_id in (select id from report_client)`;

async function clientIds(c: Counting, query: ReturnType<typeof sql>): Promise<number[]> {
  return (await sql<{ id: number }>`${query}`.execute(c.db)).rows.map((row) => row.id);
}

type Count = (c: Counting) => Promise<RawTable>;

export const COUNTS: Record<IndicatorId, Count> = {
  persons_reached: async (c) => personTable('persons_reached', c, (clientId) => (c.services.groupsOf[clientId] ?? 0) !== 0),

  persons_registered: async (c) => personTable('persons_registered', c, among(await clientIds(c, sql`select id from client where ${inPeriod(c, sql`registered_on`)}`))),

  anonymous_contacts: async (c) => {
    const rows = (
      await sql<{ sex: string; age_band: string; n: number }>`select sex, age_band, count(*) as n from anonymous_contact
        where ${inPeriod(c, sql`contact_on`)} group by sex, age_band`.execute(c.db)
    ).rows;
    return sexByAge(indicator('anonymous_contacts'), (sex, age) => Number(rows.find((row) => row.sex === sex && row.age_band === age)?.n ?? 0));
  },

  services_by_type: async (c) => {
    const anonymous = (
      await sql<{ type: number; n: number }>`select anonymous_service.service_type_id as type, count(*) as n
        from anonymous_contact join anonymous_service on anonymous_service.contact_id = anonymous_contact.id
        where ${inPeriod(c, sql`anonymous_contact.contact_on`)} group by anonymous_service.service_type_id`.execute(c.db)
    ).rows;
    const byType = new Map(c.services.byType);
    for (const row of anonymous) byType.set(row.type, (byType.get(row.type) ?? 0) + Number(row.n));
    const types = c.types.filter((type) => type.group !== 'child_protection' && (type.active || byType.has(type.id)));
    return listTable(indicator('services_by_type'), types.map((type) => ({ key: type.code, label: { vi: type.nameVi, en: type.nameEn }, group: type.group })), columnsOf('services_by_type'), true, (row) =>
      byType.get(types.find((type) => type.code === row)?.id ?? 0) ?? 0,
    );
  },

  // Distinct persons per group: someone with two service types of one group counts once.
  persons_by_service_group: async (c) => {
    const persons = new Map<ServiceGroup, number>();
    for (const group of REPORTED_GROUPS) {
      const bit = GROUP_BIT.get(group) ?? 0;
      let n = 0;
      for (let clientId = 0; clientId < c.services.groupsOf.length; clientId++) if (((c.services.groupsOf[clientId] ?? 0) & bit) !== 0) n++;
      persons.set(group, n);
    }
    return listTable(indicator('persons_by_service_group'), REPORTED_GROUPS.map((group) => ({ key: group, label: SERVICE_GROUP_WORDS[group] })), columnsOf('persons_by_service_group'), false, (row) =>
      persons.get(row as ServiceGroup) ?? 0,
    );
  },

  referrals_by_type: async (c) => {
    const rows = (
      await sql<{ type: number; column: string; n: number }>`
        select service_type_id as type, 'made' as "column", count(*) as n from referral where ${inPeriod(c, sql`proposed_on`)} and ${counted} group by service_type_id
        union all
        select service_type_id, 'completed', count(*) from referral where ${inPeriod(c, sql`completed_on`)} and ${counted} group by service_type_id`.execute(c.db)
    ).rows;
    const totals = new Map<string, number>();
    for (const row of rows) {
      const type = referralTypeOf(c.types.find((each) => each.id === row.type)?.group ?? 'other');
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
    personTable('cases_reintegrated', c, among(await clientIds(c, sql`select distinct client_id as id from case_event where kind = 'closed' and ${inPeriod(c, sql`on_date`)} and reason = 'reintegrated'`))),

  group_sessions: async (c) => {
    const rows = (await sql<{ kind: string; n: number }>`select kind, count(*) as n from group_session where ${inPeriod(c, sql`held_on`)} group by kind`.execute(c.db)).rows;
    return listTable(indicator('group_sessions'), groupKindLines, columnsOf('group_sessions'), true, (row) => Number(rows.find((each) => each.kind === row)?.n ?? 0));
  },

  // Registered attendees only with consent to reports (as in every table); others always, as counts.
  group_attendances: async (c) => {
    const rows = (
      await sql<{ kind: string; column: string; n: number }>`
        select group_session.kind as kind, 'registered' as "column", count(*) as n
          from group_session join group_attendance on group_attendance.session_id = group_session.id
          where ${inPeriod(c, sql`group_session.held_on`)} and group_attendance.client_id in (select id from report_client)
          group by group_session.kind
        union all
        select group_session.kind, 'others', sum(group_others.count)
          from group_session join group_others on group_others.session_id = group_session.id
          where ${inPeriod(c, sql`group_session.held_on`)}
          group by group_session.kind`.execute(c.db)
    ).rows;
    return listTable(
      indicator('group_attendances'),
      groupKindLines,
      columnsOf('group_attendances'),
      true,
      (row, column) => Number(rows.find((each) => each.kind === row && each.column === column)?.n ?? 0),
      true,
    );
  },

  child_protection_referrals: async (c) => {
    const types = c.types.filter((type) => type.group === 'child_protection').map((type) => type.id);
    const count = async (column: 'proposed_on' | 'completed_on') =>
      types.length
        ? Number(
            (await sql<{ n: number }>`select count(*) as n from referral where ${inPeriod(c, sql.ref(column))} and service_type_id in (${sql.join(types)}) and ${counted}`.execute(c.db)).rows[0]?.n ?? 0,
          )
        : 0;
    const made = await count('proposed_on');
    const completed = await count('completed_on');
    return listTable(indicator('child_protection_referrals'), [{ key: 'children', label: { vi: 'Trẻ em dưới 18 tuổi', en: 'Children under 18' } }], columnsOf('child_protection_referrals'), false, (_row, column) =>
      column === 'made' ? made : completed,
    );
  },
};

/** Persons with a service, or a completed referral, of the outcome's group in the period. */
async function outcomePersons(c: Counting, id: keyof typeof OUTCOME_GROUPS): Promise<RawTable> {
  const group = OUTCOME_GROUPS[id];
  const served = inGroup(c, group);
  const types = c.types.filter((type) => type.group === group).map((type) => type.id);
  const referred = among(
    types.length ? await clientIds(c, sql`select distinct client_id as id from referral where ${inPeriod(c, sql`completed_on`)} and service_type_id in (${sql.join(types)})`) : [],
  );
  return personTable(id, c, (clientId) => served(clientId) || referred(clientId));
}
