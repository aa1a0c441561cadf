import { assertUnchanged, clientDetailsVersion, identityVersion } from '../records/versions.ts';
import { normalizeCode } from '../../contract/client-code.ts';
import { AppError } from '../app-error.ts';
import { today } from '../clock.ts';
import type { HandlerMap } from '../gate/types.ts';
import { readSettings } from '../settings/centre-settings.ts';
import { cancelPendingOffers } from '../records/holding.ts';
import { recordConsent } from './consent.ts';
import { eraseClient } from '../erasure/erasure.ts';
import { recordChanges } from '../records/history.ts';
import { listClients } from './list.ts';
import { clientIndexOf, indexCounterRead } from './client-index.ts';
import { clientPage, identityView, readIdentity } from './page.ts';
import { assertMayChange, assertNotFuture, assertOpen, childNow, clientForWriting, clientWithRestriction, getClient, isAssignedTo, lastEventOn, readsClientFirst, requireConsent, stamp, REVEALED_CLIENTS } from '../records/access.ts';
import { holdersOfCode, identityRow, isEmptyIdentity, registerClient } from './register.ts';
import { stateReason } from '../audit/stated-reasons.ts';
import type { Feature } from '../feature.ts';

type ClientChannels =
  | 'clients.checkCode'
  | 'clients.register'
  | 'clients.list'
  | 'clients.get'
  | 'clients.identity'
  | 'clients.updateIdentity'
  | 'clients.update'
  | 'clients.close'
  | 'clients.reopen'
  | 'consent.record'
  | 'consent.renew'
  | 'consent.setPaperPlace'
  | 'consent.withdraw';

export const clientsHandlers: Pick<HandlerMap, ClientChannels> = {
  'clients.checkCode': async (input, { db, core }) => {
    const [holder] = await holdersOfCode(db, await clientIndexOf(core), normalizeCode(input.code));
    return { exists: holder !== undefined, clientId: holder?.id ?? null };
  },

  'clients.register': async (input, ctx) => {
    const by = stamp(ctx);
    const result = await registerClient(ctx.db, ctx.core.vault.columns, await clientIndexOf(ctx.core), input, by);
    ctx.note({ targetType: 'client', targetId: result.clientId });
    return result;
  },

  'clients.list': async (input, ctx) => {
    // On the server: the change counter as this transaction sees it (read ahead), so the index
    // counts the hits only when it holds exactly what the transaction sees.
    const seenHere = ctx.core.vault.kind === 'server' ? Number((await indexCounterRead().execute(ctx.db)).rows[0]?.n ?? -1) : null;
    const settings = await readSettings(ctx.db);
    const index = await clientIndexOf(ctx.core);
    return listClients(ctx.db, input, ctx.requireSession().id, today(ctx.core.clock), settings, { columns: ctx.core.vault.columns, index, countInIndex: index !== null && index.seen === seenHere });
  },

  'clients.get': async (input, ctx) => {
    const session = ctx.requireSession();
    const viewer = { id: session.id, revealed: ctx.core.state.get(REVEALED_CLIENTS).has(input.clientId), managesCaseload: session.permissions.includes('caseload.manage') };
    return clientPage(ctx.db, ctx.core.vault.columns, input.clientId, viewer, today(ctx.core.clock));
  },

  'clients.identity': async (input, ctx) => {
    const session = ctx.requireSession();
    const client = await getClient(ctx.db, ctx.core.vault.columns, input.clientId);
    ctx.note({ targetType: 'client', targetId: client.id });
    if (!isAssignedTo(client, session)) {
      // Break the glass: someone else's client. The reason is kept (in the encrypted database,
      // not in the audit detail) and listed for managers.
      if (!input.reason) throw new AppError('REASON_REQUIRED');
      await stateReason(ctx.db, ctx.core.vault.columns, { kind: 'identity', clientId: client.id, userId: session.id, reason: input.reason, at: ctx.core.nowIso() });
      ctx.note({ detail: { brokeGlass: true } });
      ctx.onCommitted(() => {
        ctx.core.state.get(REVEALED_CLIENTS).add(client.id);
      });
    }
    return identityView(ctx.db, ctx.core.vault.columns, client.id, today(ctx.core.clock));
  },

  'clients.updateIdentity': async (input, ctx) => {
    const by = stamp(ctx);
    const client = await clientForWriting(ctx, input.clientId, by.today);
    if (!isAssignedTo(client, ctx.requireSession())) throw new AppError('NOT_ASSIGNED');
    if (input.identity.phone) await requireConsent(ctx.db, client.id, 'contact', by.today);
    const before = await readIdentity(ctx.db, ctx.core.vault.columns, client.id);
    assertUnchanged(input.version, identityVersion(client.id, before));
    const changed = await recordChanges(ctx.db, ctx.core.vault.columns, {
      clientId: client.id,
      entity: 'identity',
      entityId: client.id,
      before: { legalName: before?.legal_name ?? null, phone: before?.phone ?? null, idNumber: before?.id_number ?? null, address: before?.address ?? null },
      after: { legalName: input.identity.legalName, phone: input.identity.phone, idNumber: input.identity.idNumber, address: input.identity.address },
      restricted: true,
      by,
    });
    ctx.note({ detail: { changedFields: changed } });
    await ctx.db.deleteFrom('client_identity').where('client_id', '=', client.id).execute();
    if (!isEmptyIdentity(input.identity)) {
      await ctx.db
        .insertInto('client_identity')
        .values({ client_id: client.id, ...identityRow(ctx.core.vault.columns, client.id, input.identity), updated_at: by.at, updated_by: by.userId })
        .execute();
    }
    return identityView(ctx.db, ctx.core.vault.columns, client.id, by.today);
  },

  'clients.update': async (input, ctx) => {
    const by = stamp(ctx);
    const client = await clientForWriting(ctx, input.clientId, by.today);
    assertUnchanged(input.version, clientDetailsVersion(client));
    const changed = await recordChanges(ctx.db, ctx.core.vault.columns, {
      clientId: client.id,
      entity: 'client',
      entityId: client.id,
      before: { alias: client.alias, wardCode: client.ward_code, provinceCode: client.province_code, workSetting: client.work_setting },
      after: { alias: input.alias, wardCode: input.wardCode, provinceCode: input.provinceCode, workSetting: input.workSetting },
      restricted: false,
      by,
    });
    ctx.note({ detail: { changedFields: changed } });
    await ctx.db
      .updateTable('client')
      .set({
        alias: ctx.core.vault.columns.seal('client', 'alias', client.id, input.alias),
        alias_folded: ctx.core.vault.columns.searchCopy(input.alias) ?? undefined,
        ward_code: input.wardCode,
        province_code: input.provinceCode,
        work_setting: input.workSetting,
      })
      .where('id', '=', client.id)
      .execute();
    return {};
  },

  'clients.close': async (input, ctx) => {
    const by = stamp(ctx);
    const { client, restricted } = await clientWithRestriction(ctx.db, ctx.core.vault.columns, input.clientId);
    ctx.note({ targetType: 'client', targetId: client.id, detail: { reason: input.reason } });
    assertMayChange(ctx, client);
    assertOpen(client);
    if (restricted) throw new AppError('CLIENT_RESTRICTED');
    assertNotFuture(input.on, by.today);
    // Not before what already happened in the case: an early date would send it to retention at once.
    if (input.on < (await lastEventOn(ctx.db, client))) throw new AppError('VALIDATION', { issues: [{ path: 'on', message: 'closeBeforeLastEvent' }] });
    await ctx.db.updateTable('client').set({ status: 'closed' }).where('id', '=', client.id).execute();
    await cancelPendingOffers(ctx.db, { clientId: client.id }, by.at);
    await ctx.db
      .insertInto('case_event')
      .values({ client_id: client.id, kind: 'closed', reason: input.reason, worker_id: client.assigned_worker_id, on_date: input.on, by_user: by.userId, at: by.at })
      .execute();
    return {};
  },

  'clients.reopen': async (input, ctx) => {
    const by = stamp(ctx);
    const { client, restricted, consented } = await clientWithRestriction(ctx.db, ctx.core.vault.columns, input.clientId, by.today);
    ctx.note({ targetType: 'client', targetId: client.id });
    assertMayChange(ctx, client);
    if (client.status === 'open') return {};
    if (restricted) throw new AppError('CLIENT_RESTRICTED');
    assertNotFuture(input.on, by.today);
    if (input.on < (await lastEventOn(ctx.db, client))) throw new AppError('VALIDATION', { issues: [{ path: 'on', message: 'reopenBeforeClose' }] });
    if (!consented) throw new AppError('CONSENT_REQUIRED');
    await ctx.db.updateTable('client').set({ status: 'open' }).where('id', '=', client.id).execute();
    await ctx.db
      .insertInto('case_event')
      .values({ client_id: client.id, kind: 'reopened', reason: null, worker_id: client.assigned_worker_id, on_date: input.on, by_user: by.userId, at: by.at })
      .execute();
    return {};
  },

  'consent.record': async (input, ctx) => {
    const by = stamp(ctx);
    const { client, restricted, consented } = await clientWithRestriction(ctx.db, ctx.core.vault.columns, input.clientId, by.today);
    ctx.note({ targetType: 'client', targetId: client.id, detail: { purpose: input.purpose } });
    assertMayChange(ctx, client);
    if (restricted) throw new AppError('CLIENT_RESTRICTED');
    // Case-record consent may be given again on a closed case (to reopen it); nothing else.
    if (input.purpose !== 'case_record') {
      assertOpen(client);
      if (!consented) throw new AppError('CONSENT_REQUIRED');
    }
    if (input.partnerId !== null) {
      const partner = await ctx.db.selectFrom('partner').select('id').where('id', '=', input.partnerId).executeTakeFirst();
      if (!partner) throw new AppError('PARTNER_NOT_FOUND');
    }
    const consentId = await recordConsent(ctx.db, ctx.core.vault.columns, {
      clientId: client.id,
      purpose: input.purpose,
      partnerId: input.partnerId,
      scope: input.purpose === 'share_partner' ? input.scope : [],
      input: input.consent,
      childPath: childNow(client, by.today),
      recordedBy: by.userId,
      at: by.at,
      today: by.today,
      registeredOn: client.registered_on,
    });
    return { consentId };
  },

  'consent.renew': async (input, ctx) => {
    const by = stamp(ctx);
    const previous = await ctx.db.selectFrom('consent').selectAll().where('id', '=', input.consentId).executeTakeFirst();
    if (!previous) throw new AppError('CONSENT_NOT_FOUND');
    const { client, restricted, consented } = await clientWithRestriction(ctx.db, ctx.core.vault.columns, previous.client_id, by.today);
    ctx.note({ targetType: 'client', targetId: client.id, detail: { purpose: previous.purpose } });
    assertMayChange(ctx, client);
    if (restricted) throw new AppError('CLIENT_RESTRICTED');
    if (previous.purpose !== 'case_record') {
      assertOpen(client);
      if (!consented) throw new AppError('CONSENT_REQUIRED');
    }
    const consentId = await recordConsent(ctx.db, ctx.core.vault.columns, {
      clientId: client.id,
      purpose: previous.purpose as 'case_record',
      partnerId: previous.partner_id,
      scope: previous.scope ? (JSON.parse(previous.scope) as string[]) : [],
      input: input.consent,
      childPath: childNow(client, by.today),
      recordedBy: by.userId,
      at: by.at,
      today: by.today,
      replacesId: previous.id,
      registeredOn: client.registered_on,
    });
    return { consentId };
  },

  'consent.setPaperPlace': async (input, ctx) => {
    const consent = await ctx.db.selectFrom('consent').selectAll().where('id', '=', input.consentId).executeTakeFirst();
    if (!consent || consent.withdrawn_on) throw new AppError('CONSENT_NOT_FOUND');
    if (consent.method !== 'written') throw new AppError('CONSENT_NOT_WRITTEN');
    ctx.note({ targetType: 'client', targetId: consent.client_id, detail: { purpose: consent.purpose } });
    const { client, restricted } = await clientWithRestriction(ctx.db, ctx.core.vault.columns, consent.client_id);
    if (restricted) throw new AppError('CLIENT_RESTRICTED');
    assertMayChange(ctx, client);
    await ctx.db.updateTable('consent').set({ paper_kept_at: ctx.core.vault.columns.seal('consent', 'paper_kept_at', consent.id, input.keptAt) }).where('id', '=', consent.id).execute();
    return {};
  },

  'consent.withdraw': async (input, ctx) => {
    const by = stamp(ctx);
    const consent = await ctx.db.selectFrom('consent').selectAll().where('id', '=', input.consentId).executeTakeFirst();
    if (!consent || consent.withdrawn_on) throw new AppError('CONSENT_NOT_FOUND');
    assertNotFuture(input.on, by.today);
    if (input.on < consent.given_on) throw new AppError('VALIDATION', { issues: [{ path: 'on', message: 'withdrawBeforeGiven' }] });
    ctx.note({ targetType: 'client', targetId: consent.client_id, detail: { purpose: consent.purpose } });
    const client = await getClient(ctx.db, ctx.core.vault.columns, consent.client_id);
    if (consent.purpose === 'case_record') {
      // Erasure cannot be undone: only her own worker does it, with her.
      if (!isAssignedTo(client, ctx.requireSession())) throw new AppError('NOT_ASSIGNED');
      await eraseClient(ctx, consent.client_id, 'consent_withdrawn');
      ctx.note({ detail: { purpose: consent.purpose, deidentified: true } });
      return { deidentified: true };
    }
    assertMayChange(ctx, client);
    await ctx.db.updateTable('consent').set({ withdrawn_on: input.on, withdrawn_by: by.userId }).where('client_id', '=', consent.client_id).where('purpose', '=', consent.purpose).where('withdrawn_on', 'is', null).where((eb) => (consent.partner_id === null ? eb('partner_id', 'is', null) : eb('partner_id', '=', consent.partner_id))).execute();
    // Without consent to be contacted, the phone number goes, from the files too.
    if (consent.purpose === 'contact') {
      await ctx.db.updateTable('client_identity').set({ phone: null }).where('client_id', '=', consent.client_id).execute();
      // Earlier numbers in the history of corrections go too.
      await ctx.db.deleteFrom('change_history').where('client_id', '=', consent.client_id).where('field', '=', 'phone').execute();
      ctx.onCommitted(() => ctx.core.purgeErasedPages());
    }
    return { deidentified: false };
  },
};

/** Clients: their codes, registration, the list and the client page, identity, consent. */
export const clientsFeature: Feature = {
  handlers: clientsHandlers,
  // Changes to her record read her first.
  readsAhead: {
    // The list reads the server's change counter first (the file has none: a read ahead does nothing there).
    'clients.list': (_input, ctx) => (ctx.core.vault.kind === 'server' ? [{ compile: () => indexCounterRead().compile(ctx.db) }] : []),
    'clients.update': readsClientFirst((input) => input.clientId),
    'clients.updateIdentity': readsClientFirst((input) => input.clientId),
  },
};
