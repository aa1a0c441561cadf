import { sql, type RawBuilder } from 'kysely';
import type { Dashboard, WorkerLoad } from '../../contract/caseload.ts';
import type { CentreSettings } from '../../contract/settings.ts';
import { CLOSE_REASONS, SERVICE_GROUPS, type ServiceGroup } from '../../contract/vocabulary.ts';
import { addToDate } from '../clock.ts';
import { contactMonth } from '../db/anonymous-contacts.ts';
import { vietnameseCollator } from '../text.ts';
import type { Db } from '../db/schema.ts';
import type { SqlDialect } from '../db/dialect.ts';
import { REVIEW_DUE, reviewCutoff } from '../records/review-due.ts';
import { noCounts, todoCountsByWorker } from './todo.ts';

/*
 * The manager's dashboard: counts only, never a person. Caseload figures (open cases, what is
 * overdue, what is unreviewed) are as of today; activity figures belong to the period:
 * - new clients: registered in the period;
 * - services: delivered in the period, to registered clients and at anonymous contacts;
 * - referrals: made (proposed) in the period, and what has become of those since; the median
 *   days from proposal to completion is over those completed;
 * - closures: cases closed in the period, by reason (a case closed twice counts twice).
 */

/** The calendar months a period touches, `yyyy-MM`. */
export function monthsOf(from: string, to: string): string[] {
  const months: string[] = [];
  for (let month = from.slice(0, 7); month <= to.slice(0, 7); month = addToDate(`${month}-01`, { months: 1 }).slice(0, 7)) months.push(month);
  return months;
}

/**
 * A period as whole calendar months (the first and the last, `yyyy-MM`; null when it holds
 * none) and the days at either end outside them.
 */
export function splitPeriod(from: string, to: string): { months: [string, string] | null; days: { from: string; to: string }[] } {
  const lastDayOf = (month: string) => addToDate(addToDate(`${month}-01`, { months: 1 }), { days: -1 });
  const first = from.endsWith('-01') ? from.slice(0, 7) : addToDate(`${from.slice(0, 7)}-01`, { months: 1 }).slice(0, 7);
  const last = to === lastDayOf(to.slice(0, 7)) ? to.slice(0, 7) : addToDate(`${to.slice(0, 7)}-01`, { months: -1 }).slice(0, 7);
  if (first > last) return { months: null, days: [{ from, to }] };
  const days: { from: string; to: string }[] = [];
  if (from.slice(0, 7) < first) days.push({ from, to: lastDayOf(from.slice(0, 7)) });
  if (to.slice(0, 7) > last) days.push({ from: `${to.slice(0, 7)}-01`, to });
  return { months: [first, last], days };
}

/** The median of values given as a histogram (value → how many). */
export function medianOf(histogram: ReadonlyMap<number, number>): number | null {
  const total = [...histogram.values()].reduce((sum, n) => sum + n, 0);
  if (total === 0) return null;
  const sorted = [...histogram.entries()].sort((a, b) => a[0] - b[0]);
  const valueAt = (rank: number) => {
    let seen = 0;
    for (const [value, n] of sorted) {
      seen += n;
      if (rank < seen) return value;
    }
    return sorted.at(-1)?.[0] ?? 0;
  };
  return total % 2 === 1 ? valueAt((total - 1) / 2) : (valueAt(total / 2 - 1) + valueAt(total / 2)) / 2;
}

async function serviceGroups(db: Db): Promise<Map<number, ServiceGroup>> {
  const rows = await db.selectFrom('service_type').select(['id', 'service_group']).execute();
  return new Map(rows.map((row) => [row.id, row.service_group as ServiceGroup]));
}

async function workerLoads(db: Db, dialect: SqlDialect, today: string, settings: CentreSettings): Promise<WorkerLoad[]> {
  const cutoff = reviewCutoff(today, settings.reviewIntervalMonths);
  const holdings = (
    await sql<{ worker_id: number; open: number; not_reviewed: number }>`
      select assigned_worker_id as worker_id, count(*) as open, sum(case when ${REVIEW_DUE(cutoff)} then 1 else 0 end) as not_reviewed
      from client where assigned_worker_id is not null and ${dialect.unindexed(sql`status`)} = 'open' group by assigned_worker_id`.execute(db)
  ).rows;
  const todo = await todoCountsByWorker(db, dialect, today, settings);
  const held = new Map(holdings.map((row) => [row.worker_id, row]));
  // Every active worker, and anyone else who still holds open cases (e.g. someone who left).
  const people = await db
    .selectFrom('user')
    .select(['user.id', 'user.display_name', 'user.active'])
    .where((eb) =>
      eb.or([
        eb.and([eb('user.active', '=', 1), eb.exists(eb.selectFrom('user_role').select('user_id').whereRef('user_role.user_id', '=', 'user.id').where('user_role.role', '=', 'worker'))]),
        eb('user.id', 'in', holdings.length ? holdings.map((row) => row.worker_id) : [0]),
      ]),
    )
    .execute();
  return people
    .map((person) => {
      const { noContactUrgent, ...counts } = todo.get(person.id) ?? { ...noCounts(), noContactUrgent: 0 };
      return {
        workerId: person.id,
        name: person.display_name,
        active: person.active === 1,
        openCases: Number(held.get(person.id)?.open ?? 0),
        todo: counts,
        noContactUrgent,
        notReviewed: Number(held.get(person.id)?.not_reviewed ?? 0),
      };
    })
    // Someone who left but still holds cases comes first: those cases need a new holder.
    .sort((a, b) => Number(a.active) - Number(b.active) || vietnameseCollator.compare(a.name, b.name));
}

export async function dashboard(db: Db, dialect: SqlDialect, period: { from: string; to: string }, today: string, settings: CentreSettings): Promise<Dashboard> {
  const { from, to } = period;
  const months = monthsOf(from, to);
  const groups = await serviceGroups(db);
  const groupOf = (typeId: number): ServiceGroup => groups.get(typeId) ?? 'other';

  const newClients = (
    await sql<{ month: string; n: number }>`
      select substr(registered_on, 1, 7) as month, count(*) as n from client
      where registered_on between ${from} and ${to} group by month`.execute(db)
  ).rows;

  // Whole months come from the monthly counts (kept by triggers, migration 0012), the days at
  // either end of the period from the rows. Anonymous contacts are kept by month: a period that
  // starts in a month counts that month's.
  const { months: whole, days } = splitPeriod(from, to);
  const fromRows = (rows: (range: { from: string; to: string }) => RawBuilder<unknown>) => days.map((range) => sql` union all ${rows(range)}`);
  const serviceRows = (
    await sql<{ month: string; type: number; n: number }>`
      select month, service_type_id as type, n from service_month where month between ${whole?.[0] ?? ''} and ${whole?.[1] ?? ''} and n > 0
      ${sql.join(
        fromRows((range) => sql`select substr(service_on, 1, 7), service_type_id, count(*) from service where service_on between ${range.from} and ${range.to} group by 1, 2`),
        sql``,
      )}
      union all
      select substr(anonymous_contact.contact_on, 1, 7), anonymous_service.service_type_id, count(*)
      from anonymous_contact join anonymous_service on anonymous_service.contact_id = anonymous_contact.id
      where anonymous_contact.contact_on between ${contactMonth(from)} and ${to} group by 1, 2`.execute(db)
  ).rows;
  const services = new Map<string, number>();
  for (const row of serviceRows) {
    const key = `${row.month}|${groupOf(row.type)}`;
    services.set(key, (services.get(key) ?? 0) + Number(row.n));
  }

  // Made in the period, what became of them, and (completed) the days it took; -1: not completed.
  const referralRows = (
    await sql<{ type: number; status: string; days: number; n: number }>`
      select service_type_id as type, status, days, n from referral_month where month between ${whole?.[0] ?? ''} and ${whole?.[1] ?? ''} and n > 0
      ${sql.join(
        fromRows(
          (range) => sql`select service_type_id, status,
            case when status = 'completed' then coalesce(${dialect.daysBetween(sql`proposed_on`, sql`completed_on`)}, -1) else -1 end, count(*)
            from referral where proposed_on between ${range.from} and ${range.to} group by 1, 2, 3`,
        ),
        sql``,
      )}`.execute(db)
  ).rows;
  const referrals = new Map<ServiceGroup, { made: number; completed: number; declined: number; lost: number; open: number; days: Map<number, number> }>();
  const referralEntry = (group: ServiceGroup) => {
    let entry = referrals.get(group);
    if (!entry) referrals.set(group, (entry = { made: 0, completed: 0, declined: 0, lost: 0, open: 0, days: new Map() }));
    return entry;
  };
  for (const row of referralRows) {
    const entry = referralEntry(groupOf(row.type));
    const n = Number(row.n);
    entry.made += n;
    if (row.status === 'completed' || row.status === 'declined' || row.status === 'lost') entry[row.status] += n;
    else entry.open += n;
    if (row.status === 'completed' && Number(row.days) >= 0) entry.days.set(Number(row.days), (entry.days.get(Number(row.days)) ?? 0) + n);
  }

  const closures = (
    await sql<{ reason: string; n: number }>`
      select reason, count(*) as n from case_event where kind = 'closed' and on_date between ${from} and ${to} group by reason`.execute(db)
  ).rows;

  const workers = await workerLoads(db, dialect, today, settings);
  const referralList = SERVICE_GROUPS.filter((group) => referrals.has(group)).map((group) => {
    const { days, ...counts } = referrals.get(group) ?? referralEntry(group);
    return { group, ...counts, medianDays: medianOf(days) };
  });
  const closureList = CLOSE_REASONS.map((reason) => ({ reason, count: Number(closures.find((row) => row.reason === reason)?.n ?? 0) })).filter((row) => row.count > 0);
  const serviceList = months.flatMap((month) =>
    SERVICE_GROUPS.filter((group) => services.has(`${month}|${group}`)).map((group) => ({ month, group, count: services.get(`${month}|${group}`) ?? 0 })),
  );
  const newClientList = months.map((month) => ({ month, count: Number(newClients.find((row) => row.month === month)?.n ?? 0) }));
  return {
    from,
    to,
    months,
    workers,
    newClients: newClientList,
    services: serviceList,
    referrals: referralList,
    closures: closureList,
    totals: {
      openCases: workers.reduce((sum, worker) => sum + worker.openCases, 0),
      newClients: newClientList.reduce((sum, row) => sum + row.count, 0),
      services: serviceList.reduce((sum, row) => sum + row.count, 0),
      referralsMade: referralList.reduce((sum, row) => sum + row.made, 0),
      referralsCompleted: referralList.reduce((sum, row) => sum + row.completed, 0),
      closures: closureList.reduce((sum, row) => sum + row.count, 0),
    },
    reviewIntervalMonths: settings.reviewIntervalMonths,
  };
}
