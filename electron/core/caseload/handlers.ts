import { sql } from 'kysely';
import { savedFiltersSchema } from '../../contract/caseload.ts';
import { foldForSearch } from '../../contract/text.ts';
import { AppError } from '../app-error.ts';
import { today } from '../clock.ts';
import { assertOpen, clientWithRestriction, isAssignedTo, stamp } from '../records/access.ts';
import type { HandlerContext, HandlerMap } from '../gate/types.ts';
import { givenId } from '../vault/column-sealers.ts';
import { readSettings } from '../settings/centre-settings.ts';
import { vietnameseCollator } from '../text.ts';
import type { Db } from '../db/schema.ts';
import { dashboard } from './dashboard.ts';
import { REVIEW_DUE, reviewCutoff } from '../records/review-due.ts';
import { countByKind, todoList } from './todo.ts';
import { acceptOffer, assertActiveWorker, reassign } from '../records/holding.ts';
import type { Feature } from '../feature.ts';
import { assertUnchanged, savedFilterVersion } from '../records/versions.ts';

type CaseloadChannels =
  | 'todo.list'
  | 'todo.count'
  | 'caseload.workers'
  | 'caseload.offer'
  | 'caseload.withdrawOffer'
  | 'caseload.respond'
  | 'caseload.reassign'
  | 'dashboard.get'
  | 'reviews.record'
  | 'reviews.due'
  | 'savedFilters.list'
  | 'savedFilters.save'
  | 'savedFilters.delete';

async function pendingOffer(db: Db, offerId: number) {
  const offer = await db.selectFrom('case_offer').selectAll().where('id', '=', offerId).executeTakeFirst();
  if (!offer || offer.status !== 'pending') throw new AppError('OFFER_NOT_FOUND');
  return offer;
}

/** A saved filter as stored; one saved by an older version keeps what still makes sense. */
function savedFilterView(row: { id: number; name: string; filters: string }) {
  const parsed = savedFiltersSchema.safeParse(JSON.parse(row.filters));
  return { id: row.id, name: row.name, filters: parsed.success ? parsed.data : savedFiltersSchema.parse({}), version: savedFilterVersion(row) };
}

/** A person's own working lists, opened (name and filters as stored). */
async function ownLists(ctx: HandlerContext, userId: number) {
  return ctx.core.vault.columns.openRows('saved_filter', await ctx.db.selectFrom('saved_filter').select(['id', 'name', 'filters']).where('user_id', '=', userId).execute());
}

export const caseloadHandlers: Pick<HandlerMap, CaseloadChannels> = {
  'todo.list': async (_input, ctx) => {
    const settings = await readSettings(ctx.db);
    const items = await todoList(ctx.db, ctx.core.vault, ctx.requireSession().id, today(ctx.core.clock), settings);
    return { items, counts: countByKind(items), aheadDays: settings.todoAheadDays };
  },

  // The badge counts what needs doing now; what is only coming up is on the list, not in the count.
  'todo.count': async (_input, ctx) => ({
    total: (await todoList(ctx.db, ctx.core.vault, ctx.requireSession().id, today(ctx.core.clock), await readSettings(ctx.db))).filter((item) => !item.upcoming).length,
  }),

  'caseload.workers': async (input, { db }) => {
    const rows = await db
      .selectFrom('user')
      .select(['user.id', 'user.display_name', 'user.active'])
      .select((eb) => [
        eb.selectFrom('client').select(eb.fn.countAll<number>().as('n')).whereRef('client.assigned_worker_id', '=', 'user.id').where('client.status', '=', 'open').as('open_cases'),
        eb.selectFrom('client').select(eb.fn.countAll<number>().as('n')).whereRef('client.assigned_worker_id', '=', 'user.id').as('cases'),
      ])
      .where((eb) => {
        const activeWorker = eb.and([
          eb('user.active', '=', 1),
          eb.exists(eb.selectFrom('user_role').select('user_role.user_id').whereRef('user_role.user_id', '=', 'user.id').where('user_role.role', '=', 'worker')),
        ]);
        return input.holders ? eb.or([activeWorker, eb.exists(eb.selectFrom('client').select('client.id').whereRef('client.assigned_worker_id', '=', 'user.id'))]) : activeWorker;
      })
      .execute();
    return rows
      .map((row) => ({ id: row.id, displayName: row.display_name, active: row.active === 1, openCases: Number(row.open_cases ?? 0), cases: Number(row.cases ?? 0) }))
      .sort((a, b) => vietnameseCollator.compare(a.displayName, b.displayName));
  },

  'caseload.offer': async (input, ctx) => {
    const by = stamp(ctx);
    const { client, restricted } = await clientWithRestriction(ctx.db, ctx.core.vault.columns, input.clientId);
    ctx.note({ targetType: 'client', targetId: client.id, detail: { toUserId: input.toUserId } });
    if (!isAssignedTo(client, ctx.requireSession())) throw new AppError('NOT_ASSIGNED');
    assertOpen(client);
    if (restricted) throw new AppError('CLIENT_RESTRICTED');
    if (input.toUserId === by.userId) throw new AppError('OFFER_TO_SELF');
    await assertActiveWorker(ctx.db, input.toUserId);
    const pending = await ctx.db.selectFrom('case_offer').select('id').where('client_id', '=', client.id).where('status', '=', 'pending').executeTakeFirst();
    if (pending) throw new AppError('OFFER_PENDING');
    const { columns } = ctx.core.vault;
    const offerId = await columns.newId(ctx.db, 'case_offer');
    const { id } = await ctx.db
      .insertInto('case_offer')
      .values({
        ...givenId(offerId),
        client_id: client.id,
        from_user: by.userId,
        to_user: input.toUserId,
        message: columns.seal('case_offer', 'message', offerId, input.message),
        status: 'pending',
        offered_at: by.at,
        responded_at: null,
        response_reason: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { offerId: id };
  },

  'caseload.withdrawOffer': async (input, ctx) => {
    const by = stamp(ctx);
    const offer = await pendingOffer(ctx.db, input.offerId);
    ctx.note({ targetType: 'client', targetId: offer.client_id, detail: { offerId: offer.id } });
    if (offer.from_user !== by.userId) throw new AppError('OFFER_NOT_FOUND');
    await ctx.db.updateTable('case_offer').set({ status: 'withdrawn', responded_at: by.at }).where('id', '=', offer.id).execute();
    return {};
  },

  'caseload.respond': async (input, ctx) => {
    const by = stamp(ctx);
    const offer = await pendingOffer(ctx.db, input.offerId);
    ctx.note({ targetType: 'client', targetId: offer.client_id, detail: { offerId: offer.id, accepted: input.accept } });
    if (offer.to_user !== by.userId) throw new AppError('OFFER_NOT_FOUND');
    if (input.accept) {
      const { client, restricted } = await clientWithRestriction(ctx.db, ctx.core.vault.columns, offer.client_id);
      assertOpen(client);
      // An offer made before her record was frozen waits (declining it stays possible).
      if (restricted) throw new AppError('CLIENT_RESTRICTED');
      await acceptOffer(ctx.db, offer, by);
    } else {
      await ctx.db
        .updateTable('case_offer')
        .set({ status: 'declined', responded_at: by.at, response_reason: ctx.core.vault.columns.seal('case_offer', 'response_reason', offer.id, input.reason) })
        .where('id', '=', offer.id)
        .execute();
    }
    return { clientId: offer.client_id };
  },

  'caseload.reassign': async (input, ctx) => {
    const by = stamp(ctx);
    const selection = input.selection;
    const listed = selection.kind === 'clients' ? selection.clientIds : null;
    // Ids only; a long list is summed up by its count (each move is kept in the assignment history).
    const detail = {
      selection: selection.kind,
      ...(selection.kind === 'worker' ? { fromWorkerId: selection.workerId, status: selection.status } : {}),
      ...(listed && listed.length <= 50 ? { clientIds: listed } : {}),
      ...(input.toUserId === by.userId ? { selfAssignment: true } : {}),
    };
    ctx.note({ targetType: 'user', targetId: input.toUserId, detail });
    await assertActiveWorker(ctx.db, input.toUserId);
    const reassigned = await reassign(ctx.db, ctx.core.vault.columns, selection, input.toUserId, by, input.reason);
    ctx.note({ detail: { ...detail, reassigned } });
    return { reassigned };
  },

  'dashboard.get': async (input, ctx) => dashboard(ctx.db, ctx.core.vault.dialect, input, today(ctx.core.clock), await readSettings(ctx.db)),

  'reviews.record': async (input, ctx) => {
    const by = stamp(ctx);
    const { client, restricted } = await clientWithRestriction(ctx.db, ctx.core.vault.columns, input.clientId);
    ctx.note({ targetType: 'client', targetId: client.id, detail: { comment: input.comment !== null } });
    if (restricted) throw new AppError('CLIENT_RESTRICTED');
    const { columns } = ctx.core.vault;
    const reviewId = await columns.newId(ctx.db, 'case_review');
    const { id } = await ctx.db
      .insertInto('case_review')
      .values({ ...givenId(reviewId), client_id: client.id, reviewer_id: by.userId, reviewed_on: by.today, comment: columns.seal('case_review', 'comment', reviewId, input.comment), at: by.at })
      .returning('id')
      .executeTakeFirstOrThrow();
    await ctx.db.updateTable('client').set({ last_reviewed_on: by.today }).where('id', '=', client.id).execute();
    return { reviewId: id };
  },

  'reviews.due': async (input, ctx) => {
    const todayDate = today(ctx.core.clock);
    const months = input.months ?? (await readSettings(ctx.db)).reviewIntervalMonths;
    const cutoff = reviewCutoff(todayDate, months);
    let query = ctx.db.selectFrom('client').where('client.status', '=', 'open').where(REVIEW_DUE(cutoff));
    if (input.workerId !== null) query = query.where('client.assigned_worker_id', '=', input.workerId);
    const { total } = await query.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
    const rows = await query
      .leftJoin('user', 'user.id', 'client.assigned_worker_id')
      .select(['client.id', 'client.code', 'user.display_name', 'client.registered_on', 'client.last_reviewed_on', 'client.last_contact_on'])
      .orderBy(sql`coalesce(client.last_reviewed_on, client.registered_on)`)
      .orderBy('client.id')
      .limit(input.limit)
      .offset(input.offset)
      .execute();
    return {
      total: Number(total),
      months,
      before: cutoff,
      rows: ctx.core.vault.columns.openRows('client', rows).map((row) => ({ clientId: row.id, code: row.code, workerName: row.display_name, registeredOn: row.registered_on, lastReviewedOn: row.last_reviewed_on, lastContactOn: row.last_contact_on })),
    };
  },

  'savedFilters.list': async (_input, ctx) => {
    return (await ownLists(ctx, ctx.requireSession().id)).map(savedFilterView).sort((a, b) => a.name.localeCompare(b.name, 'vi'));
  },

  'savedFilters.save': async (input, ctx) => {
    const by = stamp(ctx);
    const { columns } = ctx.core.vault;
    const mine = await ownLists(ctx, by.userId);
    if (input.id !== null) {
      const list = mine.find((row) => row.id === input.id);
      if (!list) throw new AppError('SAVED_FILTER_NOT_FOUND');
      // Changed (renamed, replaced) at another PC since she chose it: nothing is saved over it.
      assertUnchanged(input.version ?? '', savedFilterVersion(list));
    }
    // Names are told apart as people read them: "Quá hạn" and "qua han" are the same list.
    if (mine.some((row) => row.id !== input.id && foldForSearch(row.name) === foldForSearch(input.name))) throw new AppError('SAVED_FILTER_NAME_TAKEN');
    const filters = JSON.stringify(input.filters);
    let id = input.id;
    if (id === null) {
      const newId = await columns.newId(ctx.db, 'saved_filter');
      ({ id } = await ctx.db
        .insertInto('saved_filter')
        .values({ ...givenId(newId), user_id: by.userId, name: columns.seal('saved_filter', 'name', newId, input.name), filters: columns.seal('saved_filter', 'filters', newId, filters), created_at: by.at })
        .returning('id')
        .executeTakeFirstOrThrow());
    } else {
      await ctx.db
        .updateTable('saved_filter')
        .set({ name: columns.seal('saved_filter', 'name', id, input.name), filters: columns.seal('saved_filter', 'filters', id, filters) })
        .where('id', '=', id)
        .execute();
    }
    ctx.note({ targetType: 'saved_filter', targetId: id });
    return savedFilterView({ id, name: input.name, filters });
  },

  'savedFilters.delete': async (input, ctx) => {
    ctx.note({ targetType: 'saved_filter', targetId: input.id });
    const list = (await ownLists(ctx, ctx.requireSession().id)).find((row) => row.id === input.id);
    if (!list) throw new AppError('SAVED_FILTER_NOT_FOUND');
    // Not a list she has not seen as it is now (changed at another PC since).
    assertUnchanged(input.version, savedFilterVersion(list));
    await ctx.db.deleteFrom('saved_filter').where('id', '=', input.id).execute();
    return {};
  },
};

/** A worker's caseload: the to-do list, the dashboard, offers and reassignments, reviews, saved filters. */
export const caseloadFeature: Feature = { handlers: caseloadHandlers };
