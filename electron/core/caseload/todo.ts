import { sql, type RawBuilder } from 'kysely';
import { TODO_KINDS, type TodoItem, type TodoKind } from '../../contract/caseload.ts';
import type { CentreSettings } from '../../contract/settings.ts';
import { OPEN_REFERRAL_STATUSES, type ConsentPurpose } from '../../contract/vocabulary.ts';
import { addToDate, daysBetween, localDate } from '../clock.ts';
import { childNow } from '../records/access.ts';
import { CONSENT_EXPIRY_WARNING_DAYS } from '../clients/page.ts';
import type { Db, Sealed } from '../db/schema.ts';
import type { ColumnSealer } from '../vault/column-sealers.ts';
import type { SqlDialect } from '../db/dialect.ts';

/*
 * The to-do rules, over open cases only:
 * - follow_up: the next follow-up is due today or earlier (in a worker's own list: or within
 *   the coming days, the setting `todoAheadDays`);
 * - referral_overdue: an open referral (proposed, sent, received) whose due date has passed
 *   (in a worker's own list: or falls within the coming days);
 * - consent_expired: the case-record consent in force has expired (nothing can be written);
 * - consent_expiring: a consent in force expires within 30 days (case record, contact, reports;
 *   sharing with a partner only while a referral to that partner is open);
 * - no_contact: no visit for the warning number of days (counting from registration when
 *   there was none); the urgent threshold is the same item at its higher level;
 * - offer: a colleague offers her a case (in the offeree's list).
 * Each rule is one SELECT of the same columns, so the worker's list and the manager's counts
 * per worker are the same query, scoped or grouped.
 */

export type TodoThresholds = Pick<CentreSettings, 'noContactWarnDays' | 'noContactUrgentDays'> & Partial<Pick<CentreSettings, 'todoAheadDays'>>;

interface RuleRow {
  client_id: number;
  worker_id: number;
  kind: Exclude<TodoKind, 'offer'>;
  due_on: string;
  ref_id: number;
  /** The consent's purpose, or the referral's service type. */
  detail: string | number | null;
  level: number | null;
}

const OPEN = sql.join(OPEN_REFERRAL_STATUSES);

/**
 * The rules for one worker's open cases, or (workerId null) everyone's. SQLite has no statistics
 * here (ANALYZE would copy sample values into the file), so the plan is steered: for one worker
 * every rule starts from her cases (the client_worker index), the referral and consent terms
 * kept off their own indexes with a unary `+`; for everyone, each rule starts from its own
 * date index (due referrals, expiring consents, due follow-ups) and the case status is only
 * checked.
 */
function ruleParts(dialect: SqlDialect, workerId: number | null, today: string, thresholds: TodoThresholds, aheadUntil: string | null = null): RawBuilder<RuleRow>[] {
  const one = workerId !== null;
  // Due now (the managers' counts), or also what falls due by `aheadUntil` (a worker's own list).
  const followUpBy = aheadUntil ?? today;
  const referralDue = (column: RawBuilder<unknown>) => (aheadUntil ? sql`${column} <= ${aheadUntil}` : sql`${column} < ${today}`);
  const scope = one ? sql`client.status = 'open' and client.assigned_worker_id = ${workerId}` : sql`${dialect.unindexed(sql`client.status`)} = 'open'`;
  const steer = (term: RawBuilder<unknown>) => (one ? dialect.unindexed(term) : term);
  // A date of her record's summary, for one worker tested on her own cases only: PostgreSQL
  // otherwise joined the date's index over everyone's cases to hers (18,000 entries read for
  // 38 follow-ups due among her 500). A null date is never due either way.
  const summaryDate = (column: RawBuilder<unknown>) => (one ? sql`coalesce(${column}, '9999-12-31')` : column);
  const soon = addToDate(today, { days: CONSENT_EXPIRY_WARNING_DAYS });
  const warnCutoff = addToDate(today, { days: -thresholds.noContactWarnDays });
  const urgentCutoff = addToDate(today, { days: -thresholds.noContactUrgentDays });
  const lastContact = sql`coalesce(client.last_contact_on, client.registered_on)`;
  // For everyone, "no contact" reads the whole table in order: grouped by worker, SQLite would
  // otherwise walk the worker index and fetch every row from it (about 7 times slower).
  const columns = (kind: RawBuilder<unknown>, dueOn: RawBuilder<unknown>, refId: RawBuilder<unknown>, detail: RawBuilder<unknown>, level: RawBuilder<unknown>) =>
    sql`client.id as client_id, client.assigned_worker_id as worker_id, ${kind} as kind, ${dueOn} as due_on, ${refId} as ref_id, cast(${detail} as text) as detail, cast(${level} as integer) as level`;
  return [
    sql<RuleRow>`
    select ${columns(sql`'follow_up'`, sql`client.next_follow_up_on`, sql`client.id`, sql`null`, sql`null`)}
    from client where ${scope} and ${summaryDate(sql`client.next_follow_up_on`)} <= ${followUpBy}`,
    sql<RuleRow>`
    select ${columns(sql`'referral_overdue'`, sql`referral.due_on`, sql`referral.id`, sql`referral.service_type_id`, sql`null`)}
    from client join referral on referral.client_id = client.id
    where ${scope} and ${referralDue(summaryDate(sql`client.next_referral_due_on`))}
      and ${steer(sql`referral.status`)} in (${OPEN}) and ${referralDue(steer(sql`referral.due_on`))}`,
    sql<RuleRow>`
    select ${columns(sql`case when consent.expires_on < ${today} then 'consent_expired' else 'consent_expiring' end`, sql`consent.expires_on`, sql`consent.id`, sql`consent.purpose`, sql`null`)}
    from client join consent on consent.client_id = client.id
    where ${scope} and consent.withdrawn_on is null and ${steer(sql`consent.expires_on`)} <= ${soon}
      and (consent.expires_on >= ${today} or consent.purpose = 'case_record')
      and not exists (select 1 from consent as newer where newer.client_id = consent.client_id and newer.purpose = consent.purpose
        and newer.partner_id is not distinct from consent.partner_id and newer.id > consent.id ${dialect.perRow})
      and (consent.purpose <> 'share_partner' or exists (select 1 from referral where referral.client_id = consent.client_id
        and referral.partner_id = consent.partner_id and referral.status in (${OPEN}) ${dialect.perRow}))`,
    sql<RuleRow>`
    select ${columns(sql`'no_contact'`, lastContact, sql`client.id`, sql`null`, sql`case when ${lastContact} <= ${urgentCutoff} then ${thresholds.noContactUrgentDays} else ${thresholds.noContactWarnDays} end`)}
    from client ${one ? sql`` : dialect.inOrder} where ${scope} and ${lastContact} <= ${warnCutoff}`,
  ];
}

/** The rules as one list of rows (one worker's list). */
function rules(dialect: SqlDialect, workerId: number | null, today: string, thresholds: TodoThresholds, aheadUntil: string | null = null): RawBuilder<RuleRow> {
  return sql<RuleRow>`${sql.join(ruleParts(dialect, workerId, today, thresholds, aheadUntil), sql` union all `)}`;
}

const KIND_ORDER = new Map(TODO_KINDS.map((kind, index) => [kind, index]));

/**
 * One worker's list: what is due today or overdue, then what is coming up within the setting's
 * days (an expiring consent, still ahead, among those); a child's items first in each, then
 * the most overdue (or soonest).
 */
export async function todoList(db: Db, store: { columns: ColumnSealer; dialect: SqlDialect }, workerId: number, today: string, thresholds: TodoThresholds): Promise<TodoItem[]> {
  const { columns } = store;
  const aheadUntil = addToDate(today, { days: thresholds.todoAheadDays ?? 0 });
  const rows = (
    await sql<RuleRow & { code: Sealed; alias: Sealed; birth_year: number; child_path: number }>`
      select rule.*, client.code, client.alias, client.birth_year, client.child_path
      from (${rules(store.dialect, workerId, today, thresholds, aheadUntil)}) as rule join client on client.id = rule.client_id`.execute(db)
  ).rows;
  const referralIds = rows.filter((row) => row.kind === 'referral_overdue').map((row) => row.ref_id);
  const partners = new Map(
    referralIds.length
      ? (
          await db
            .selectFrom('referral')
            .leftJoin('partner', 'partner.id', 'referral.partner_id')
            .select(['referral.id', 'partner.name'])
            .where('referral.id', 'in', referralIds)
            .execute()
        ).map((row) => [row.id, row.name])
      : [],
  );
  const items: TodoItem[] = rows.map((row) => {
    const dueOn = row.kind === 'no_contact' ? addToDate(row.due_on, { days: row.level ?? 0 }) : row.due_on;
    return {
      ...blankItem(),
      key: `${row.kind}:${row.ref_id}`,
      kind: row.kind,
      clientId: row.client_id,
      clientCode: columns.open('client', 'code', row.client_id, row.code),
      alias: columns.open('client', 'alias', row.client_id, row.alias),
      childPath: childNow(row, today),
      dueOn,
      daysOverdue: daysBetween(dueOn, today),
      upcoming: (row.kind === 'follow_up' || row.kind === 'referral_overdue') && dueOn > today,
      referralId: row.kind === 'referral_overdue' ? row.ref_id : null,
      serviceTypeId: row.kind === 'referral_overdue' ? Number(row.detail) : null,
      partnerName: row.kind === 'referral_overdue' ? (partners.get(row.ref_id) ?? null) : null,
      consentId: row.kind.startsWith('consent') ? row.ref_id : null,
      consentPurpose: row.kind.startsWith('consent') ? (row.detail as ConsentPurpose) : null,
      noContactDays: row.kind === 'no_contact' ? row.level : null,
      lastContactOn: row.kind === 'no_contact' ? row.due_on : null,
    };
  });
  items.push(...(await offerItems(db, columns, workerId, today)));
  const ahead = (item: TodoItem) => (item.daysOverdue < 0 ? 1 : 0);
  return items.sort(
    (a, b) =>
      ahead(a) - ahead(b) ||
      Number(b.childPath) - Number(a.childPath) ||
      (a.dueOn < b.dueOn ? -1 : a.dueOn > b.dueOn ? 1 : 0) ||
      (KIND_ORDER.get(a.kind) ?? 0) - (KIND_ORDER.get(b.kind) ?? 0) ||
      a.clientCode.localeCompare(b.clientCode),
  );
}

function blankItem(): Omit<TodoItem, 'key' | 'kind' | 'clientId' | 'clientCode' | 'alias' | 'childPath' | 'dueOn' | 'daysOverdue'> {
  return { upcoming: false, referralId: null, serviceTypeId: null, partnerName: null, consentId: null, consentPurpose: null, noContactDays: null, lastContactOn: null, offerId: null, offeredBy: null };
}

async function offerItems(db: Db, columns: ColumnSealer, workerId: number, today: string): Promise<TodoItem[]> {
  const offers = await db
    .selectFrom('case_offer')
    .innerJoin('client', 'client.id', 'case_offer.client_id')
    .leftJoin('user', 'user.id', 'case_offer.from_user')
    .select(['case_offer.id', 'case_offer.offered_at', 'client.id as client_id', 'client.code', 'client.alias', 'client.birth_year', 'client.child_path', 'user.display_name'])
    .where('case_offer.to_user', '=', workerId)
    .where('case_offer.status', '=', 'pending')
    .execute();
  return offers.map((offer) => {
    const dueOn = localDate(new Date(offer.offered_at));
    return {
      ...blankItem(),
      key: `offer:${offer.id}`,
      kind: 'offer' as const,
      clientId: offer.client_id,
      clientCode: columns.open('client', 'code', offer.client_id, offer.code),
      alias: columns.open('client', 'alias', offer.client_id, offer.alias),
      childPath: childNow(offer, today),
      dueOn,
      daysOverdue: daysBetween(dueOn, today),
      offerId: offer.id,
      offeredBy: offer.display_name,
    };
  });
}

export type TodoCounts = Record<TodoKind, number>;

export function noCounts(): TodoCounts {
  return Object.fromEntries(TODO_KINDS.map((kind) => [kind, 0])) as TodoCounts;
}

export function countByKind(items: readonly TodoItem[]): TodoCounts {
  const counts = noCounts();
  for (const item of items) counts[item.kind]++;
  return counts;
}

/** Every worker's counts at once, for the dashboard: the same rules, grouped. */
export async function todoCountsByWorker(db: Db, dialect: SqlDialect, today: string, thresholds: TodoThresholds): Promise<Map<number, TodoCounts & { noContactUrgent: number }>> {
  // Each rule counted on its own: SQLite then streams it into a few groups, where the rules'
  // union would first be written out whole (about 130,000 rows at the benchmark's size).
  const rows: { worker_id: number; kind: TodoKind; level: number | null; n: number }[] = [];
  for (const part of ruleParts(dialect, null, today, thresholds)) {
    rows.push(...(await sql<{ worker_id: number; kind: TodoKind; level: number | null; n: number }>`
      select worker_id, kind, level, count(*) as n from (${part}) as rule group by worker_id, kind, level`.execute(db)).rows);
  }
  const offers = await db
    .selectFrom('case_offer')
    .select(['to_user', (eb) => eb.fn.countAll<number>().as('n')])
    .where('status', '=', 'pending')
    .groupBy('to_user')
    .execute();
  const byWorker = new Map<number, TodoCounts & { noContactUrgent: number }>();
  const entry = (workerId: number) => {
    let counts = byWorker.get(workerId);
    if (!counts) byWorker.set(workerId, (counts = { ...noCounts(), noContactUrgent: 0 }));
    return counts;
  };
  for (const row of rows) {
    const counts = entry(row.worker_id);
    counts[row.kind] += Number(row.n);
    if (row.kind === 'no_contact' && row.level === thresholds.noContactUrgentDays) counts.noContactUrgent += Number(row.n);
  }
  for (const offer of offers) entry(offer.to_user).offer += Number(offer.n);
  return byWorker;
}
