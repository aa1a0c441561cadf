import { sql } from 'kysely';
import type { GroupKind, GroupSessionView } from '../../contract/groups.ts';
import type { AgeBand, Sex } from '../../contract/vocabulary.ts';
import { AppError } from '../app-error.ts';
import { insertVisit } from '../care/visits.ts';
import { assertNotFuture, clientForWriting, mayReadRestricted, refreshClientSummary, stamp, REVEALED_CLIENTS } from '../records/access.ts';
import type { HandlerContext, HandlerMap } from '../gate/types.ts';
import type { Db } from '../db/schema.ts';
import { givenId, type ColumnSealer } from '../vault/column-sealers.ts';
import type { Feature } from '../feature.ts';
import { compareBinary } from '../text.ts';

type GroupChannels = 'groups.record' | 'groups.attend' | 'groups.list' | 'groups.get';

async function activeServiceType(db: Db, id: number): Promise<void> {
  const type = await db.selectFrom('service_type').select('active').where('id', '=', id).executeTakeFirst();
  if (!type) throw new AppError('SERVICE_TYPE_NOT_FOUND');
  if (type.active !== 1) throw new AppError('SERVICE_TYPE_INACTIVE');
}

/** The sessions with their counts: registered attendees and others (never who). */
function sessionsWithCounts(db: Db) {
  return db
    .selectFrom('group_session')
    .leftJoin('user', 'user.id', 'group_session.recorded_by')
    .selectAll('group_session')
    .select((eb) => [
      'user.display_name as recorder_name',
      eb.selectFrom('group_attendance').select((s) => s.fn.countAll<number>().as('n')).whereRef('group_attendance.session_id', '=', 'group_session.id').as('registered'),
      eb.selectFrom('group_others').select(sql<number>`coalesce(sum(count), 0)`.as('n')).whereRef('group_others.session_id', '=', 'group_session.id').as('others'),
    ]);
}

type SessionRow = Awaited<ReturnType<ReturnType<typeof sessionsWithCounts>['executeTakeFirstOrThrow']>>;

function toView(columns: ColumnSealer, row: SessionRow): GroupSessionView {
  return {
    id: row.id,
    heldOn: row.held_on,
    kind: row.kind as GroupKind,
    place: row.place as GroupSessionView['place'],
    topic: columns.open('group_session', 'topic', row.id, row.topic),
    ledBy: columns.open('group_session', 'led_by', row.id, row.led_by),
    serviceTypeId: row.service_type_id,
    registered: Number(row.registered ?? 0),
    others: Number(row.others ?? 0),
    recordedByName: row.recorder_name,
  };
}

/**
 * Her attendance: the session's service on her record, as a visit recorded by the worker who
 * holds her case (or stated a reason for it), under the same rules as any visit: case-record
 * consent in force, case open, not restricted.
 */
async function attend(ctx: HandlerContext, session: { id: number; held_on: string; place: string; service_type_id: number }, clientId: number, by: ReturnType<typeof stamp>): Promise<boolean> {
  const client = await clientForWriting(ctx, clientId, by.today);
  // Checked before asking whether she is already there: the answer is only for who may know it.
  const already = await ctx.db.selectFrom('group_attendance').select('client_id').where('session_id', '=', session.id).where('client_id', '=', client.id).executeTakeFirst();
  if (already) return false;
  const { visitId, followUpsChanged } = await insertVisit(ctx.db, ctx.core.vault.columns, ctx.core.vault.dialect, {
    clientId: client.id,
    visitOn: session.held_on,
    place: session.place,
    outcome: null,
    note: null,
    workerId: by.userId,
    at: by.at,
    serviceTypeIds: [session.service_type_id],
    openFollowUps: client.next_follow_up_on !== null,
  });
  await ctx.db.insertInto('group_attendance').values({ session_id: session.id, client_id: client.id, visit_id: visitId }).execute();
  await refreshClientSummary(ctx.db, client.id, followUpsChanged ? ['contact', 'followUps'] : ['contact']);
  return true;
}

export const groupsHandlers: Pick<HandlerMap, GroupChannels> = {
  'groups.record': async (input, ctx) => {
    const by = stamp(ctx);
    assertNotFuture(input.heldOn, by.today);
    await activeServiceType(ctx.db, input.serviceTypeId);
    const { columns } = ctx.core.vault;
    const sessionId = await columns.newId(ctx.db, 'group_session');
    const { id } = await ctx.db
      .insertInto('group_session')
      .values({
        ...givenId(sessionId),
        held_on: input.heldOn,
        kind: input.kind,
        place: input.place,
        topic: columns.seal('group_session', 'topic', sessionId, input.topic),
        led_by: columns.seal('group_session', 'led_by', sessionId, input.ledBy),
        service_type_id: input.serviceTypeId,
        recorded_by: by.userId,
        recorded_at: by.at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const session = { id, held_on: input.heldOn, place: input.place, service_type_id: input.serviceTypeId };
    // Any client refused refuses the whole session: nothing is written (the gate rolls back).
    for (const clientId of input.clientIds) await attend(ctx, session, clientId, by);
    if (input.others.length) {
      await ctx.db
        .insertInto('group_others')
        .values(input.others.map((cell) => ({ session_id: id, sex: cell.sex, age_band: cell.ageBand, count: cell.count })))
        .execute();
    }
    const others = input.others.reduce((sum, cell) => sum + cell.count, 0);
    ctx.note({ targetType: 'group_session', targetId: id, detail: { registered: input.clientIds.length, others } });
    return { sessionId: id };
  },

  'groups.attend': async (input, ctx) => {
    const by = stamp(ctx);
    const session = await ctx.db.selectFrom('group_session').selectAll().where('id', '=', input.sessionId).executeTakeFirst();
    if (!session) throw new AppError('GROUP_NOT_FOUND');
    const type = await ctx.db.selectFrom('service_type').select('active').where('id', '=', session.service_type_id).executeTakeFirstOrThrow();
    if (type.active !== 1) throw new AppError('SERVICE_TYPE_INACTIVE');
    let registered = 0;
    for (const clientId of input.clientIds) if (await attend(ctx, session, clientId, by)) registered += 1;
    ctx.note({ targetType: 'group_session', targetId: session.id, detail: { registered } });
    return { added: registered };
  },

  'groups.list': async (input, { core, db }) => {
    const { total } = await db.selectFrom('group_session').select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
    const rows = await sessionsWithCounts(db).orderBy('group_session.held_on', 'desc').orderBy('group_session.id', 'desc').limit(input.limit).offset(input.offset).execute();
    return { total: Number(total), rows: rows.map((row) => toView(core.vault.columns, row)) };
  },

  // Who attended is restricted like notes: the viewer sees the clients she holds (or stated a
  // reason for this session), and how many others there were.
  'groups.get': async (input, ctx) => {
    const row = await sessionsWithCounts(ctx.db).where('group_session.id', '=', input.sessionId).executeTakeFirst();
    if (!row) throw new AppError('GROUP_NOT_FOUND');
    ctx.note({ targetType: 'group_session', targetId: row.id });
    const session = ctx.requireSession();
    const attendees = await ctx.db
      .selectFrom('group_attendance')
      .innerJoin('client', 'client.id', 'group_attendance.client_id')
      .select(['client.id', 'client.assigned_worker_id', 'client.code', 'client.alias'])
      .where('group_attendance.session_id', '=', row.id)
      .execute();
    const visible = ctx.core.vault.columns
      .openRows('client', attendees.filter((client) => mayReadRestricted(client, session, ctx.core.state.get(REVEALED_CLIENTS))))
      .sort((a, b) => compareBinary(a.code, b.code));
    const othersByCell = await ctx.db.selectFrom('group_others').select(['sex', 'age_band', 'count']).where('session_id', '=', row.id).execute();
    return {
      ...toView(ctx.core.vault.columns, row),
      attendees: visible.map((client) => ({ clientId: client.id, code: client.code, alias: client.alias })),
      hiddenAttendees: attendees.length - visible.length,
      othersByCell: othersByCell.map((cell) => ({ sex: cell.sex as Sex, ageBand: cell.age_band as AgeBand, count: cell.count })),
    };
  },
};

/** Group activities and who attended them. */
export const groupsFeature: Feature = { handlers: groupsHandlers };
