import { assertUnchanged, partnerVersion, serviceTypeVersion, visitVersion } from '../records/versions.ts';
import { recordChanges } from '../records/history.ts';
import { REFERRAL_NEXT, type ReferralStatus, type ServiceGroup } from '../../contract/vocabulary.ts';
import type { Partner, ServiceType } from '../../contract/care.ts';
import { AppError } from '../app-error.ts';
import { addToDate, today } from '../clock.ts';
import { recordConsent } from '../clients/consent.ts';
import { referralView, referralsOf } from '../clients/page.ts';
import { activeConsent, assertNotFuture, childNow, clientForWriting, clientWithRestriction, getClient, mayReadRestricted, readsClientFirst, refreshClientSummary, requireConsent, stamp, REVEALED_CLIENTS } from '../records/access.ts';
import type { HandlerContext, HandlerMap } from '../gate/types.ts';
import { readSettings } from '../settings/centre-settings.ts';
import type { Db } from '../db/schema.ts';
import { listStatedReasons } from '../audit/stated-reasons.ts';
import { insertAnonymousContact } from '../db/anonymous-contacts.ts';
import { assertServiceTypes, insertVisit, serviceTypesRead } from './visits.ts';
import { runWithNext } from '../db/dialect.ts';
import type { PartnerTable, ServiceTypeTable } from '../db/schema.ts';
import { sql, type Selectable } from 'kysely';
import type { Feature } from '../feature.ts';
import { givenId } from '../vault/column-sealers.ts';

type CareChannels =
  | 'visits.record'
  | 'visits.correct'
  | 'referrals.create'
  | 'referrals.setStatus'
  | 'referrals.slip'
  | 'anonymous.record'
  | 'catalogue.list'
  | 'catalogue.frequent'
  | 'catalogue.save'
  | 'catalogue.setActive'
  | 'partners.list'
  | 'partners.save'
  | 'partners.add'
  | 'identityAccess.list';

/** How far back, and how many, a worker's frequent services are looked for. */
const FREQUENT_DAYS = 90;
const FREQUENT_COUNT = 5;

function toServiceType(row: Selectable<ServiceTypeTable>, used: number): ServiceType {
  return { id: row.id, code: row.code, group: row.service_group as ServiceGroup, nameVi: row.name_vi, nameEn: row.name_en, active: row.active === 1, used, version: serviceTypeVersion(row) };
}

function toPartner(row: Selectable<PartnerTable>): Partner {
  return { id: row.id, name: row.name, kind: row.kind as Partner['kind'], wardCode: row.ward_code, contact: row.contact, active: row.active === 1, version: partnerVersion(row) };
}

async function serviceType(db: Db, id: number): Promise<ServiceType> {
  const row = await db.selectFrom('service_type').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new AppError('SERVICE_TYPE_NOT_FOUND');
  const used = await db
    .selectNoFrom((eb) => [
      eb.selectFrom('service').select((s) => s.fn.countAll<number>().as('n')).where('service_type_id', '=', id).as('services'),
      eb.selectFrom('anonymous_service').select((s) => s.fn.countAll<number>().as('n')).where('service_type_id', '=', id).as('anonymous'),
      eb.selectFrom('referral').select((s) => s.fn.countAll<number>().as('n')).where('service_type_id', '=', id).as('referrals'),
    ])
    .executeTakeFirstOrThrow();
  return toServiceType(row, Number(used.services) + Number(used.anonymous) + Number(used.referrals));
}

async function partnerView(db: Db, id: number): Promise<Partner> {
  const row = await db.selectFrom('partner').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new AppError('PARTNER_NOT_FOUND');
  return toPartner(row);
}

async function referralFor(ctx: HandlerContext, referralId: number) {
  const row = await ctx.db.selectFrom('referral').selectAll().where('id', '=', referralId).executeTakeFirst();
  if (!row) throw new AppError('REFERRAL_NOT_FOUND');
  return row;
}

async function viewReferral(ctx: HandlerContext, clientId: number, referralId: number) {
  const client = await getClient(ctx.db, ctx.core.vault.columns, clientId);
  const restricted = mayReadRestricted(client, ctx.requireSession(), ctx.core.state.get(REVEALED_CLIENTS));
  const row = (await referralsOf(ctx.db, clientId)).find((referral) => referral.id === referralId);
  if (!row) throw new AppError('REFERRAL_NOT_FOUND');
  return referralView(ctx.core.vault.columns, row, restricted, today(ctx.core.clock));
}

const STATUS_DATE: Record<Exclude<ReferralStatus, 'proposed'>, 'sent_on' | 'received_on' | 'completed_on' | 'declined_on' | 'lost_on'> = {
  sent: 'sent_on',
  received: 'received_on',
  completed: 'completed_on',
  declined: 'declined_on',
  lost: 'lost_on',
};

export const careHandlers: Pick<HandlerMap, CareChannels> = {
  /** One visit, several services; it settles the follow-ups that were due, and may set the next. */
  'visits.record': async (input, ctx) => {
    const by = stamp(ctx);
    const client = await clientForWriting(ctx, input.clientId, by.today, { services: input.serviceTypeIds.length });
    assertNotFuture(input.visitOn, by.today);
    const { visitId, followUpsChanged } = await insertVisit(ctx.db, ctx.core.vault.columns, ctx.core.vault.dialect, {
      clientId: client.id,
      visitOn: input.visitOn,
      place: input.place,
      outcome: input.outcome,
      note: input.note,
      workerId: by.userId,
      at: by.at,
      serviceTypeIds: input.serviceTypeIds,
      openFollowUps: client.next_follow_up_on !== null,
    });
    if (input.nextFollowUpOn) {
      // Nothing reads its answer: on the server it goes with the summary, the audit entry and the COMMIT.
      await runWithNext(
        ctx.db,
        ctx.db.insertInto('follow_up').values({ client_id: client.id, due_on: input.nextFollowUpOn, done_on: null, visit_id: visitId, created_by: by.userId }),
      );
    }
    // A visit changes her last contact, and her follow-ups when it settled or set one; never her referrals.
    await refreshClientSummary(ctx.db, client.id, followUpsChanged || input.nextFollowUpOn ? ['contact', 'followUps'] : ['contact']);
    return { visitId };
  },

  /**
   * Correct a visit: her worker (or whoever stated a reason to see the note) puts right what
   * was recorded wrongly. Each changed field goes into the history of corrections, the old and
   * new outcome and note restricted there as they are on her page. The services move with the visit's date;
   * follow-ups already settled by it stay as they are.
   */
  'visits.correct': async (input, ctx) => {
    const by = stamp(ctx);
    const { columns } = ctx.core.vault;
    const [visit] = columns.openRows('visit', await ctx.db.selectFrom('visit').selectAll().where('id', '=', input.visitId).execute());
    if (!visit) throw new AppError('VISIT_NOT_FOUND');
    const client = await getClient(ctx.db, ctx.core.vault.columns, visit.client_id);
    ctx.note({ targetType: 'client', targetId: client.id });
    if (!mayReadRestricted(client, ctx.requireSession(), ctx.core.state.get(REVEALED_CLIENTS))) throw new AppError('CORRECTION_NOT_ALLOWED');
    await clientForWriting(ctx, client.id, by.today);
    assertNotFuture(input.visitOn, by.today);
    const services = await ctx.db.selectFrom('service').select('service_type_id').where('visit_id', '=', visit.id).orderBy('service_type_id').execute();
    const before = services.map((row) => row.service_type_id);
    const after = [...input.serviceTypeIds].sort((a, b) => a - b);
    // A service type retired since may stay on the visit it was given at; a new one must be active.
    await assertServiceTypes(ctx.db, after.filter((id) => !before.includes(id)));
    assertUnchanged(input.version, visitVersion(visit, before));
    const history = { clientId: client.id, entity: 'visit' as const, entityId: visit.id, by };
    const changed =
      (await recordChanges(ctx.db, columns, {
        ...history,
        before: { visitOn: visit.visit_on, place: visit.place, services: before.join(',') },
        after: { visitOn: input.visitOn, place: input.place, services: after.join(',') },
        restricted: false,
      })) +
      // The outcome and the note are free text, restricted like the note on her page.
      (await recordChanges(ctx.db, columns, { ...history, before: { outcome: visit.outcome, note: visit.note }, after: { outcome: input.outcome, note: input.note }, restricted: true }));
    ctx.note({ detail: { visitId: visit.id, changedFields: changed } });
    if (changed === 0) return { visitId: visit.id, changedFields: 0 };
    await ctx.db
      .updateTable('visit')
      .set({ visit_on: input.visitOn, place: input.place, outcome: columns.seal('visit', 'outcome', visit.id, input.outcome), note: columns.seal('visit', 'note', visit.id, input.note) })
      .where('id', '=', visit.id)
      .execute();
    // The services given at this visit, as corrected; each keeps who gave it.
    await ctx.db.deleteFrom('service').where('visit_id', '=', visit.id).execute();
    await ctx.db
      .insertInto('service')
      .values(after.map((typeId) => ({ visit_id: visit.id, client_id: client.id, service_type_id: typeId, service_on: input.visitOn, worker_id: visit.worker_id })))
      .execute();
    await refreshClientSummary(ctx.db, client.id);
    return { visitId: visit.id, changedFields: changed };
  },

  /** A referral needs the client's consent to share with that partner (recordable here). */
  'referrals.create': async (input, ctx) => {
    const by = stamp(ctx);
    const todayDate = by.today;
    const client = await clientForWriting(ctx, input.clientId, todayDate);
    assertNotFuture(input.proposedOn, todayDate);
    await assertServiceTypes(ctx.db, [input.serviceTypeId]);
    const partner = await partnerView(ctx.db, input.partnerId);
    if (!partner.active) throw new AppError('PARTNER_NOT_FOUND');
    let consent = await activeConsent(ctx.db, client.id, 'share_partner', todayDate, partner.id);
    if (!consent && input.shareConsent) {
      await recordConsent(ctx.db, ctx.core.vault.columns, {
        clientId: client.id,
        purpose: 'share_partner',
        partnerId: partner.id,
        scope: [],
        input: input.shareConsent,
        childPath: childNow(client, todayDate),
        recordedBy: by.userId,
        at: by.at,
        today: todayDate,
        field: 'shareConsent',
        registeredOn: client.registered_on,
      });
      consent = await activeConsent(ctx.db, client.id, 'share_partner', todayDate, partner.id);
    }
    if (!consent) throw new AppError('CONSENT_REQUIRED');
    const { columns } = ctx.core.vault;
    const referralId = await columns.newId(ctx.db, 'referral');
    const { id } = await ctx.db
      .insertInto('referral')
      .values({
        ...givenId(referralId),
        client_id: client.id,
        partner_id: partner.id,
        service_type_id: input.serviceTypeId,
        consent_id: consent.id,
        status: 'proposed',
        proposed_on: input.proposedOn,
        due_on: input.dueOn,
        note: columns.seal('referral', 'note', referralId, input.note),
        created_by: by.userId,
        created_at: by.at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    ctx.note({ detail: { referralId: id } });
    await refreshClientSummary(ctx.db, client.id);
    return viewReferral(ctx, client.id, id);
  },

  'referrals.setStatus': async (input, ctx) => {
    const todayDate = today(ctx.core.clock);
    const referral = await referralFor(ctx, input.referralId);
    const client = await clientForWriting(ctx, referral.client_id, todayDate, { referralId: referral.id, status: input.status });
    const allowed = REFERRAL_NEXT[referral.status as ReferralStatus] ?? [];
    if (input.status === 'proposed' || !allowed.includes(input.status)) throw new AppError('REFERRAL_STATUS_INVALID');
    assertNotFuture(input.on, todayDate);
    // Each step is on or after the steps before it.
    const latest = [referral.proposed_on, referral.sent_on, referral.received_on].filter((date): date is string => date !== null).sort().at(-1) ?? referral.proposed_on;
    if (input.on < latest) throw new AppError('REFERRAL_STATUS_INVALID');
    // Sending is when her details leave the centre: the consent to share with that partner must still hold.
    if ((input.status === 'sent' || input.status === 'received') && referral.partner_id !== null) {
      await requireConsent(ctx.db, client.id, 'share_partner', todayDate, referral.partner_id);
    }
    await ctx.db
      .updateTable('referral')
      .set({ status: input.status, [STATUS_DATE[input.status]]: input.on })
      .where('id', '=', referral.id)
      .execute();
    await refreshClientSummary(ctx.db, client.id);
    return viewReferral(ctx, client.id, referral.id);
  },

  /**
   * The slip carries code, alias, service, partner and date; the legal name or phone only if
   * consent allows, and only for someone who may read her restricted parts.
   */
  'referrals.slip': async (input, ctx) => {
    const todayDate = today(ctx.core.clock);
    const referral = await referralFor(ctx, input.referralId);
    const { client, restricted: frozen } = await clientWithRestriction(ctx.db, ctx.core.vault.columns, referral.client_id);
    const restricted = mayReadRestricted(client, ctx.requireSession(), ctx.core.state.get(REVEALED_CLIENTS));
    ctx.note({ targetType: 'client', targetId: client.id, detail: { referralId: referral.id } });
    if (frozen) throw new AppError('CLIENT_RESTRICTED');
    const partner = referral.partner_id === null ? null : await partnerView(ctx.db, referral.partner_id);
    // Child protection is a duty of the centre, addressed before any partner is named.
    const consent = partner ? await activeConsent(ctx.db, client.id, 'share_partner', todayDate, partner.id) : undefined;
    if (partner && !consent) throw new AppError('CONSENT_REQUIRED');
    const scope = restricted && consent?.scope ? (JSON.parse(consent.scope) as string[]) : [];
    const [identity] = scope.length
      ? ctx.core.vault.columns.openRows('client_identity', await ctx.db.selectFrom('client_identity').select(['client_id', 'legal_name', 'phone']).where('client_id', '=', client.id).execute())
      : [];
    const phoneAllowed = scope.includes('phone') && (await activeConsent(ctx.db, client.id, 'contact', todayDate)) !== undefined;
    return {
      code: client.code,
      alias: client.alias,
      serviceTypeId: referral.service_type_id,
      partnerName: partner?.name ?? null,
      partnerContact: partner?.contact ?? null,
      proposedOn: referral.proposed_on,
      dueOn: referral.due_on,
      legalName: scope.includes('legal_name') ? (identity?.legal_name ?? null) : null,
      phone: phoneAllowed ? (identity?.phone ?? null) : null,
      centreName: (await readSettings(ctx.db)).centreName,
    };
  },

  /** Someone who will not register is served all the same: services are counted, not the person. */
  'anonymous.record': async (input, ctx) => {
    assertNotFuture(input.contactOn, today(ctx.core.clock));
    await assertServiceTypes(ctx.db, input.serviceTypeIds);
    const id = await insertAnonymousContact(ctx.db, {
      on: input.contactOn,
      ageBand: input.ageBand,
      sex: input.sex,
      place: input.place,
      serviceTypeIds: input.serviceTypeIds,
    });
    ctx.note({ targetType: 'anonymous_contact', targetId: id, detail: { services: input.serviceTypeIds.length } });
    return { contactId: id };
  },

  'catalogue.frequent': async (_input, ctx) => {
    const since = addToDate(today(ctx.core.clock), { days: -FREQUENT_DAYS });
    const rows = await ctx.db
      .selectFrom('service')
      .innerJoin('visit', 'visit.id', 'service.visit_id')
      .innerJoin('service_type', 'service_type.id', 'service.service_type_id')
      .select(['service.service_type_id as id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('visit.worker_id', '=', ctx.requireSession().id)
      .where('service.service_on', '>=', since)
      .where('service_type.active', '=', 1)
      .groupBy('service.service_type_id')
      .orderBy('n', 'desc')
      .orderBy('service.service_type_id')
      .limit(FREQUENT_COUNT)
      .execute();
    return { serviceTypeIds: rows.map((row) => row.id) };
  },

  'catalogue.list': async (_input, { db }) => {
    const rows = await db.selectFrom('service_type').selectAll().orderBy('sort_order').orderBy('id').execute();
    const used = new Map(
      (
        await sql<{ id: number; n: number }>`
          select service_type_id as id, count(*) as n from (
            select service_type_id from service union all
            select service_type_id from anonymous_service union all
            select service_type_id from referral) as uses
          group by service_type_id`.execute(db)
      ).rows.map((row) => [row.id, Number(row.n)]),
    );
    return rows.map((row) => toServiceType(row, used.get(row.id) ?? 0));
  },

  'catalogue.save': async (input, ctx) => {
    const { db } = ctx;
    if (input.id === null) {
      const last = await db.selectFrom('service_type').select((eb) => eb.fn.max('sort_order').as('max')).executeTakeFirst();
      const { id } = await db
        .insertInto('service_type')
        .values({
          code: `custom_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6).toString(36)}`,
          service_group: input.group,
          name_vi: input.nameVi,
          name_en: input.nameEn,
          active: 1,
          sort_order: Number(last?.max ?? 0) + 10,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      ctx.note({ targetType: 'service_type', targetId: id, detail: { group: input.group } });
      return serviceType(db, id);
    }
    const current = await serviceType(db, input.id);
    // Renamed at another PC (or in another window) since the form opened: nothing is saved.
    assertUnchanged(input.version ?? '', current.version);
    // A type in use keeps its group: moving it would rewrite past reports.
    const group = current.used > 0 ? current.group : input.group;
    await db.updateTable('service_type').set({ name_vi: input.nameVi, name_en: input.nameEn, service_group: group }).where('id', '=', input.id).execute();
    ctx.note({ targetType: 'service_type', targetId: input.id, detail: { group } });
    return serviceType(db, input.id);
  },

  'catalogue.setActive': async (input, ctx) => {
    await serviceType(ctx.db, input.id);
    await ctx.db.updateTable('service_type').set({ active: input.active ? 1 : 0 }).where('id', '=', input.id).execute();
    ctx.note({ targetType: 'service_type', targetId: input.id, detail: { active: input.active } });
    return serviceType(ctx.db, input.id);
  },

  'partners.list': async (_input, { db }) => {
    const rows = await db.selectFrom('partner').selectAll().orderBy('active', 'desc').orderBy('name').execute();
    return rows.map(toPartner);
  },

  'partners.add': async (input, ctx) => {
    const { id } = await ctx.db
      .insertInto('partner')
      .values({ name: input.name, kind: input.kind, ward_code: input.wardCode, contact: input.contact, active: 1, created_at: ctx.core.nowIso() })
      .returning('id')
      .executeTakeFirstOrThrow();
    ctx.note({ targetType: 'partner', targetId: id, detail: { kind: input.kind } });
    return partnerView(ctx.db, id);
  },

  'partners.save': async (input, ctx) => {
    const values = { name: input.name, kind: input.kind, ward_code: input.wardCode, contact: input.contact, active: input.active ? 1 : 0 };
    let id = input.id;
    if (id === null) {
      ({ id } = await ctx.db.insertInto('partner').values({ ...values, created_at: ctx.core.nowIso() }).returning('id').executeTakeFirstOrThrow());
    } else {
      // Changed at another PC (or in another window) since the form opened: nothing is saved.
      assertUnchanged(input.version ?? '', (await partnerView(ctx.db, id)).version);
      await ctx.db.updateTable('partner').set(values).where('id', '=', id).execute();
    }
    ctx.note({ targetType: 'partner', targetId: id, detail: { kind: input.kind, active: input.active } });
    return partnerView(ctx.db, id);
  },

  'identityAccess.list': async (input, { core, db }) => listStatedReasons(db, core.vault.columns, input),
};

/** Visits, services, referrals and anonymous contacts recorded; the service catalogue and partners. */
export const careFeature: Feature = {
  handlers: careHandlers,
  // A visit and a referral are about the client named in the input, read first. On the server a
  // visit then takes its id and checks its service types (care/visits.ts `insertVisit`).
  readsAhead: {
    'visits.record': readsClientFirst(
      (input) => input.clientId,
      (input, ctx) => [...ctx.core.vault.columns.newIdsRead(ctx.db, 'visit', 1), ...serviceTypesRead(ctx.db, input.serviceTypeIds)],
    ),
    'referrals.create': readsClientFirst((input) => input.clientId),
  },
};
