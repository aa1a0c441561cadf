import { sql } from 'kysely';
import { AppError } from '../app-error.ts';
import { stateReasonForCases } from '../audit/stated-reasons.ts';
import type { CaseOfferRow } from '../db/schema.ts';
import type { Db } from '../db/schema.ts';
import type { ColumnSealer } from '../vault/column-sealers.ts';

/*
 * Who holds a case. The client row names the current holder (what every identity check reads);
 * the assignment table keeps the history, one row per holding, the current one open-ended.
 * Both change together, in the caller's transaction.
 */

export interface Stamp {
  userId: number;
  at: string;
  today: string;
}

/** An active account with the worker role: the only kind of person who can hold a case. */
export async function assertActiveWorker(db: Db, userId: number): Promise<void> {
  const worker = await db
    .selectFrom('user')
    .innerJoin('user_role', 'user_role.user_id', 'user.id')
    .select('user.id')
    .where('user.id', '=', userId)
    .where('user.active', '=', 1)
    .where('user_role.role', '=', 'worker')
    .executeTakeFirst();
  if (!worker) throw new AppError('NOT_A_WORKER');
}

/** The first holding, at registration. */
export async function recordFirstHolder(db: Db, clientId: number, workerId: number, startedOn: string, by: Stamp): Promise<void> {
  await db.insertInto('assignment').values({ client_id: clientId, worker_id: workerId, started_on: startedOn, ended_on: null, how: 'registered', offer_id: null, by_user: by.userId, at: by.at }).execute();
}

/** End the holdings of the selected clients, start the new worker's, cancel offers they overtake. */
async function moveSelected(db: Db, toWorkerId: number, how: 'accepted' | 'reassigned', by: Stamp, offerId: number | null): Promise<void> {
  const selected = sql`select id from moving_case`;
  await sql`update assignment set ended_on = ${by.today} where ended_on is null and client_id in (${selected})`.execute(db);
  await sql`insert into assignment (client_id, worker_id, started_on, ended_on, how, offer_id, by_user, at)
    select id, ${toWorkerId}, ${by.today}, null, ${how}, ${offerId}, ${by.userId}, ${by.at} from moving_case`.execute(db);
  await sql`update client set assigned_worker_id = ${toWorkerId} where id in (${selected})`.execute(db);
  await sql`update case_offer set status = 'cancelled', responded_at = ${by.at}
    where status = 'pending' and client_id in (${selected}) and id is distinct from ${offerId}`.execute(db);
}

/** The cases about to move are gathered in a temporary table (in memory: temp_store is MEMORY). */
async function clearSelection(db: Db): Promise<void> {
  await sql`create temp table if not exists moving_case (id integer primary key)`.execute(db);
  await sql`delete from moving_case`.execute(db);
}

async function selectionSize(db: Db): Promise<number> {
  return Number((await sql<{ n: number }>`select count(*) as n from moving_case`.execute(db)).rows[0]?.n ?? 0);
}

/** An accepted offer: the offeree becomes the holder. */
export async function acceptOffer(db: Db, offer: CaseOfferRow, by: Stamp): Promise<void> {
  await clearSelection(db);
  await sql`insert into moving_case (id) values (${offer.client_id})`.execute(db);
  await moveSelected(db, offer.to_user, 'accepted', by, offer.id);
  await db.updateTable('case_offer').set({ status: 'accepted', responded_at: by.at }).where('id', '=', offer.id).execute();
}

export type Selection = { kind: 'clients'; clientIds: number[] } | { kind: 'worker'; workerId: number; status: 'open' | 'all' };

/**
 * A manager's reassignment: the listed clients (every one must exist), or every case a worker
 * holds. Cases the new worker already holds are left as they are. Returns how many moved.
 * Cases a manager gives herself need a reason, kept with each of them for the access review:
 * otherwise a manager who is also a worker could take any case and read its identity unseen.
 */
export async function reassign(db: Db, columns: ColumnSealer, selection: Selection, toWorkerId: number, by: Stamp, reason: string | undefined): Promise<number> {
  const toSelf = toWorkerId === by.userId;
  if (toSelf && !reason) throw new AppError('REASON_REQUIRED');
  await clearSelection(db);
  if (selection.kind === 'worker') {
    const holder = await db.selectFrom('user').select('id').where('id', '=', selection.workerId).executeTakeFirst();
    if (!holder) throw new AppError('USER_NOT_FOUND');
    await sql`insert into moving_case (id) select id from client
      where assigned_worker_id = ${selection.workerId} and (${selection.status === 'all' ? 1 : 0} = 1 or status = 'open')`.execute(db);
  } else {
    const unique = [...new Set(selection.clientIds)];
    for (let start = 0; start < unique.length; start += 500) {
      await sql`insert into moving_case (id) select id from client where id in (${sql.join(unique.slice(start, start + 500))})`.execute(db);
    }
    if ((await selectionSize(db)) !== unique.length) throw new AppError('CLIENT_NOT_FOUND');
  }
  await sql`delete from moving_case where id in (select id from client where assigned_worker_id = ${toWorkerId})`.execute(db);
  const moving = await selectionSize(db);
  if (moving > 0) await moveSelected(db, toWorkerId, 'reassigned', by, null);
  if (moving > 0 && toSelf && reason) {
    const moved = (await sql<{ id: number }>`select id from moving_case order by id`.execute(db)).rows.map((row) => row.id);
    await stateReasonForCases(db, columns, moved, { userId: by.userId, reason, at: by.at });
  }
  return moving;
}

/** Offers that can no longer be taken up (the case closed, a person left) end as cancelled. */
export async function cancelPendingOffers(db: Db, where: { clientId: number } | { userId: number }, at: string): Promise<void> {
  let query = db.updateTable('case_offer').set({ status: 'cancelled', responded_at: at }).where('status', '=', 'pending');
  query = 'clientId' in where ? query.where('client_id', '=', where.clientId) : query.where((eb) => eb.or([eb('from_user', '=', where.userId), eb('to_user', '=', where.userId)]));
  await query.execute();
}
