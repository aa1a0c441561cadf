import { sql, type CompiledQuery } from 'kysely';
import { isChildNow, OPEN_REFERRAL_STATUSES, type ConsentPurpose } from '../../contract/vocabulary.ts';
import { AppError } from '../app-error.ts';
import { sessionSlot } from '../session-state.ts';
import { today } from '../clock.ts';
import type { ClientRow, ConsentRow } from '../db/schema.ts';
import { reusable } from '../db/reusable.ts';
import { runWithNext } from '../db/dialect.ts';
import type { ColumnSealer, Opened } from '../vault/column-sealers.ts';
import type { Session } from '../core.ts';
import type { AuditNote, HandlerContext } from '../gate/types.ts';
import type { Db } from '../db/schema.ts';

/* Reading and keeping a client's record consistent; shared by the case-record handlers. */

/** Clients whose restricted parts the logged-in person opened this session by stating a reason. */
export const REVEALED_CLIENTS = sessionSlot<Set<number>>('records.revealed', () => new Set());

/** A client's row as the features read it: code and alias opened; without the file's search copy. */
export type ClientView = Opened<Omit<ClientRow, 'alias_folded' | 'code_lookup'>>;

export async function getClient(db: Db, columns: ColumnSealer, id: number): Promise<ClientView> {
  return (await clientWithRestriction(db, columns, id)).client;
}

/**
 * The client, whether she is frozen now (a request of hers is being handled: nothing about her
 * changes, no referral goes out; the caller refuses with CLIENT_RESTRICTED) and, given a date,
 * whether her case-record consent is in force on it (`activeConsent`'s rule), in one read: each
 * write to her record asks all three.
 */
export async function clientWithRestriction(db: Db, columns: ColumnSealer, id: number, consentOn?: string): Promise<{ client: ClientView; restricted: boolean; consented: boolean }> {
  const found = await clientWithRestrictionQuery(db, id, consentOn).executeTakeFirst();
  if (!found) {
    // A record merged into another: its number leads there.
    const into = await mergedInto(db, id);
    throw into === null ? new AppError('CLIENT_NOT_FOUND') : new AppError('CLIENT_MERGED', { clientId: into });
  }
  // The server's keyed hash of the code, and the file's folded alias, are not the record's.
  const { alias_folded: _folded, code_lookup: _lookup, restricted, consented, ...row } = found as typeof found & { code_lookup?: string };
  return { client: columns.openRows('client', [row])[0]!, restricted: Boolean(restricted), consented: consentOn !== undefined && Number(consented) === 1 };
}

/** `clientWithRestriction`'s one read (made by most calls about her: built once, db/reusable.ts). */
function clientWithRestrictionQuery(db: Db, id: number, consentOn?: string) {
  return consentOn === undefined ? clientRead(db, { id }) : clientReadWithConsent(db, { id, consentOn });
}

const clientReadOf = (db: Db, id: number) =>
  db
    .selectFrom('client')
    .selectAll('client')
    .select((eb) => eb.exists(eb.selectFrom('restriction').select('restriction.id').whereRef('restriction.client_id', '=', 'client.id').where('restriction.ended_at', 'is', null)).as('restricted'))
    .where('client.id', '=', id);
const clientRead = reusable((db: Db, { id }: { id: number }) => clientReadOf(db, id).$castTo<ClientRow & { restricted: unknown; consented?: unknown }>());
const clientReadWithConsent = reusable((db: Db, { id, consentOn }: { id: number; consentOn: string }) =>
  clientReadOf(db, id)
    .select((eb) =>
      eb
        .selectFrom('consent')
        .select(sql<number>`case when consent.withdrawn_on is null and consent.expires_on >= ${consentOn} then 1 else 0 end`.as('in_force'))
        .whereRef('consent.client_id', '=', 'client.id')
        .where('consent.purpose', '=', 'case_record')
        .where('consent.partner_id', 'is', null)
        .orderBy('consent.id', 'desc')
        .limit(1)
        .as('consented'),
    )
    .$castTo<ClientRow & { restricted: unknown; consented?: unknown }>(),
);

/**
 * For a call whose first read is `clientForWriting`'s: that read, to go with the gate's first
 * read in one trip on the server (db/dialect.ts `readAhead`). `clientId` names her in the input;
 * `then` adds what the call reads next, when its input says.
 */
export function readsClientFirst<I>(clientId: (input: I) => number, then: (input: I, ctx: HandlerContext) => readonly { compile(): CompiledQuery }[] = () => []) {
  return (input: I, ctx: HandlerContext) => [clientWithRestrictionQuery(ctx.db, clientId(input), today(ctx.core.clock)), ...then(input, ctx)];
}

/** Where a merged record's number leads now (null: it was never merged, or the record it went into is gone). */
export async function mergedInto(db: Db, clientId: number): Promise<number | null> {
  const row = await db
    .selectFrom('merged_client')
    .innerJoin('client', 'client.id', 'merged_client.into_id')
    .select('merged_client.into_id')
    .where('merged_client.client_id', '=', clientId)
    .executeTakeFirst();
  return row ? row.into_id : null;
}

export function assertOpen(client: ClientView): void {
  if (client.status !== 'open') throw new AppError('CASE_CLOSED');
}

/** Who writes, when, and the centre's calendar date: what every write to a record stamps. */
export function stamp(ctx: HandlerContext) {
  return { userId: ctx.requireSession().id, at: ctx.core.nowIso(), today: today(ctx.core.clock) };
}

/**
 * The client a write is about, named in its audit entry (so a refusal is recorded against her
 * too); refused while the case is closed, restricted, or without case-record consent in force.
 */
export async function clientForWriting(ctx: HandlerContext, clientId: number, todayDate: string, detail?: AuditNote['detail']): Promise<ClientView> {
  const { client, restricted, consented } = await clientWithRestriction(ctx.db, ctx.core.vault.columns, clientId, todayDate);
  ctx.note({ targetType: 'client', targetId: client.id, ...(detail ? { detail } : {}) });
  assertMayChange(ctx, client);
  assertOpen(client);
  if (restricted) throw new AppError('CLIENT_RESTRICTED');
  if (!consented) throw new AppError('CONSENT_REQUIRED');
  return client;
}

/** What the access rules read of a client (no sealed column). */
type Holder = Pick<ClientRow, 'id' | 'assigned_worker_id'>;

export function isAssignedTo(client: Holder, session: Session): boolean {
  return client.assigned_worker_id === session.id;
}

/**
 * Who may change a client's record, checked here in core for every channel that writes to it
 * (the window's checks are for convenience): the worker who holds the case, or someone who
 * stated a reason for it this session (recorded, and listed for managers). The same rule as for
 * reading her restricted parts.
 */
export function assertMayChange(ctx: HandlerContext, client: Holder): void {
  if (!mayReadRestricted(client, ctx.requireSession(), ctx.core.state.get(REVEALED_CLIENTS))) throw new AppError('NOT_ASSIGNED');
}

/** Restricted parts (identity, notes) are for the assigned worker, or whoever stated a reason this session. */
export function mayReadRestricted(client: Holder, session: Session, revealed: ReadonlySet<number>): boolean {
  return isAssignedTo(client, session) || revealed.has(client.id);
}

/** The latest date anything happened in a case: registration, a visit, a referral, a case event. */
export async function lastEventOn(db: Db, client: Pick<ClientRow, 'id' | 'registered_on' | 'last_contact_on'>): Promise<string> {
  const row = await db
    .selectNoFrom((eb) => [
      eb.selectFrom('case_event').select((s) => s.fn.max('on_date').as('d')).where('client_id', '=', client.id).as('events'),
      eb.selectFrom('referral').select((s) => s.fn.max('proposed_on').as('d')).where('client_id', '=', client.id).as('referrals'),
    ])
    .executeTakeFirstOrThrow();
  return [client.registered_on, client.last_contact_on, row.events, row.referrals].reduce<string>((latest, date) => (date && date > latest ? date : latest), client.registered_on);
}

export function childNow(client: Pick<ClientRow, 'birth_year' | 'child_path'>, today: string): boolean {
  return isChildNow(client.birth_year, client.child_path === 1, today);
}

/** The consent in force for a purpose (and partner), if any: the latest, not withdrawn, not expired. */
export async function activeConsent(
  db: Db,
  clientId: number,
  purpose: ConsentPurpose,
  today: string,
  partnerId: number | null = null,
): Promise<ConsentRow | undefined> {
  let query = db.selectFrom('consent').selectAll().where('client_id', '=', clientId).where('purpose', '=', purpose);
  query = partnerId === null ? query.where('partner_id', 'is', null) : query.where('partner_id', '=', partnerId);
  const latest = await query.orderBy('id', 'desc').limit(1).executeTakeFirst();
  if (!latest || latest.withdrawn_on !== null || latest.expires_on < today) return undefined;
  return latest;
}

/** No case-record consent in force, no writing to the record. */
export async function requireConsent(
  db: Db,
  clientId: number,
  purpose: ConsentPurpose,
  today: string,
  partnerId: number | null = null,
): Promise<ConsentRow> {
  const consent = await activeConsent(db, clientId, purpose, today, partnerId);
  if (!consent) throw new AppError('CONSENT_REQUIRED');
  return consent;
}

export function assertNotFuture(date: string, today: string): void {
  if (date > today) throw new AppError('DATE_IN_FUTURE');
}

/**
 * Recompute what the client list shows for one client (last contact, next follow-up, open
 * referrals and the earliest of their due dates), so the list and the to-do list can sort and
 * filter 100,000 clients on indexed columns. A write names the parts it can have changed (all
 * when it does not say).
 */
export async function refreshClientSummary(db: Db, clientId: number, parts: readonly SummaryPart[] = SUMMARY_PARTS): Promise<void> {
  // Nothing reads its answer: on the server it goes with the call's next statement (usually its COMMIT).
  await runWithNext(db, summaryRefresh(db, { clientId }, SUMMARY_PARTS.filter((part) => parts.includes(part))));
}

/** `refreshClientSummary`'s statement (every write to a record makes it: built once, db/reusable.ts). */
const summaryRefresh = reusable((db: Db, { clientId }: { clientId: number }, parts: readonly SummaryPart[]) =>
  db
    .updateTable('client')
    .set({
      ...(parts.includes('contact') ? { last_contact_on: sql<string | null>`(select max(visit_on) from visit where client_id = ${clientId})` } : {}),
      ...(parts.includes('followUps') ? { next_follow_up_on: sql<string | null>`(select min(due_on) from follow_up where client_id = ${clientId} and done_on is null)` } : {}),
      ...(parts.includes('referrals')
        ? {
            open_referrals: sql<number>`(select count(*) from referral where client_id = ${clientId} and status in (${sql.join(OPEN_REFERRAL_STATUSES)}))`,
            next_referral_due_on: sql<string | null>`(select min(due_on) from referral where client_id = ${clientId} and status in (${sql.join(OPEN_REFERRAL_STATUSES)}))`,
          }
        : {}),
    })
    .where('id', '=', clientId),
);

/** What the summary keeps: her last contact (visits), her next follow-up, her open referrals and their earliest due date. */
const SUMMARY_PARTS = ['contact', 'followUps', 'referrals'] as const;
type SummaryPart = (typeof SUMMARY_PARTS)[number];
