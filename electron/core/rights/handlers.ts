import { CONSENT_PURPOSES, ROLE_PERMISSIONS, ROLES } from '../../contract/index.ts';
import { currentConsentText } from '../../contract/consent-texts.ts';
import { normalizeCode } from '../../contract/client-code.ts';
import { AppError } from '../app-error.ts';
import { readBackupSettings } from '../backup/backup-settings.ts';
import { today } from '../clock.ts';
import type { Session } from '../core.ts';
import type { HandlerContext, HandlerMap } from '../gate/types.ts';
import { clientPage, identityView, activeRestriction } from '../clients/page.ts';
import { getClient, type ClientView, isAssignedTo, mayReadRestricted, stamp, REVEALED_CLIENTS } from '../records/access.ts';
import { readSettings } from '../settings/centre-settings.ts';
import { eraseClient, erasureHooks } from '../erasure/erasure.ts';
import { historyOf } from '../records/history.ts';
import { closedOnOrBefore, dueCases, heldCases } from './retention.ts';
import type { Feature } from '../feature.ts';

type RightsChannels =
  | 'clients.history'
  | 'clients.accessSummary'
  | 'clients.restrict'
  | 'clients.unrestrict'
  | 'clients.erase'
  | 'retention.preview'
  | 'retention.apply'
  | 'register.get';

/** Requests about her rights are handled by her own worker, or by a manager of caseloads. */
function assertMayHandleRequests(client: ClientView, session: Session): void {
  if (!isAssignedTo(client, session) && !session.permissions.includes('caseload.manage')) throw new AppError('NOT_ASSIGNED');
}

async function clientNoted(ctx: HandlerContext, clientId: number): Promise<ClientView> {
  const client = await getClient(ctx.db, ctx.core.vault.columns, clientId);
  ctx.note({ targetType: 'client', targetId: client.id });
  return client;
}

export const rightsHandlers: Pick<HandlerMap, RightsChannels> = {
  'clients.history': async (input, ctx) => {
    const client = await getClient(ctx.db, ctx.core.vault.columns, input.clientId);
    return historyOf(ctx.db, ctx.core.vault.columns, client.id, mayReadRestricted(client, ctx.requireSession(), ctx.core.state.get(REVEALED_CLIENTS)));
  },

  'clients.accessSummary': async (input, ctx) => {
    const session = ctx.requireSession();
    const client = await clientNoted(ctx, input.clientId);
    ctx.note({ detail: { includeNotes: input.includeNotes } });
    // It carries her identity: only for someone who may read it.
    if (!mayReadRestricted(client, session, ctx.core.state.get(REVEALED_CLIENTS))) throw new AppError('REASON_REQUIRED');
    const todayDate = today(ctx.core.clock);
    const page = await clientPage(ctx.db, ctx.core.vault.columns, client.id, { id: session.id, revealed: true, managesCaseload: session.permissions.includes('caseload.manage') }, todayDate);
    // What colleagues wrote to each other about her case is not part of her record's summary.
    const withoutNotes = {
      ...page,
      visits: page.visits.map((visit) => (input.includeNotes ? visit : { ...visit, note: null, outcome: null })),
      referrals: page.referrals.map((referral) => (input.includeNotes ? referral : { ...referral, note: null })),
      offers: [],
      reviews: page.reviews.map((review) => ({ ...review, comment: null })),
    };
    return {
      centreName: (await readSettings(ctx.db)).centreName,
      generatedAt: ctx.core.nowIso(),
      includeNotes: input.includeNotes,
      client: withoutNotes,
      identity: await identityView(ctx.db, ctx.core.vault.columns, client.id, todayDate),
      // Without the notes, their corrections are left out too (outcome and note of a visit).
      history: (await historyOf(ctx.db, ctx.core.vault.columns, client.id, true)).filter((row) => input.includeNotes || !(row.entity === 'visit' && (row.field === 'note' || row.field === 'outcome'))),
      restriction: page.restriction ? { ...page.restriction, reason: page.restriction.reason as never } : null,
    };
  },

  'clients.restrict': async (input, ctx) => {
    const by = stamp(ctx);
    const client = await clientNoted(ctx, input.clientId);
    ctx.note({ detail: { reason: input.reason } });
    assertMayHandleRequests(client, ctx.requireSession());
    if (await activeRestriction(ctx.db, client.id)) throw new AppError('CLIENT_RESTRICTED');
    await ctx.db.insertInto('restriction').values({ client_id: client.id, reason: input.reason, started_by: by.userId, started_at: by.at }).execute();
    return {};
  },

  'clients.unrestrict': async (input, ctx) => {
    const by = stamp(ctx);
    const client = await clientNoted(ctx, input.clientId);
    assertMayHandleRequests(client, ctx.requireSession());
    await ctx.db.updateTable('restriction').set({ ended_by: by.userId, ended_at: by.at }).where('client_id', '=', client.id).where('ended_at', 'is', null).execute();
    return {};
  },

  'clients.erase': async (input, ctx) => {
    const client = await clientNoted(ctx, input.clientId);
    ctx.note({ detail: { reason: input.reason } });
    assertMayHandleRequests(client, ctx.requireSession());
    if (normalizeCode(input.confirmCode) !== client.code) throw new AppError('ERASE_CONFIRMATION_MISMATCH');
    await eraseClient(ctx, client.id, input.reason);
    return { erased: true };
  },

  'retention.preview': async (_input, ctx) => {
    const { retentionYears } = await readSettings(ctx.db);
    const todayDate = today(ctx.core.clock);
    return {
      years: retentionYears,
      closedBefore: closedOnOrBefore(retentionYears, todayDate),
      due: await dueCases(ctx.db, retentionYears, todayDate),
      heldFrozen: await heldCases(ctx.db, retentionYears, todayDate),
    };
  },

  'retention.apply': async (input, ctx) => {
    const { retentionYears } = await readSettings(ctx.db);
    const due = (await dueCases(ctx.db, retentionYears, today(ctx.core.clock))).map((row) => row.clientId);
    const confirmed = [...input.clientIds].sort((a, b) => a - b);
    // Exactly what was shown: a case closed, reopened or erased meanwhile means look again.
    if (due.length !== confirmed.length || [...due].sort((a, b) => a - b).some((id, index) => id !== confirmed[index])) throw new AppError('RETENTION_CHANGED');
    for (const clientId of due) await eraseClient(ctx, clientId, 'retention');
    ctx.note({ detail: { years: retentionYears, deidentified: due.length, clientIds: due } });
    return { deidentified: due.length };
  },

  'register.get': async (_input, ctx) => {
    const { db } = ctx;
    const settings = await readSettings(db);
    const backup = await readBackupSettings(db);
    const people = await db.selectFrom('user_role').innerJoin('user', 'user.id', 'user_role.user_id').select(['user_role.role']).where('user.active', '=', 1).execute();
    const count = async (query: Promise<{ n: number | string | bigint } | undefined>) => Number((await query)?.n ?? 0);
    return {
      centreName: settings.centreName,
      centreCode: settings.centreCode,
      generatedAt: ctx.core.nowIso(),
      retentionYears: settings.retentionYears,
      reportK: settings.reportK,
      lockTimeoutMinutes: settings.lockTimeoutMinutes,
      backupEveryHours: backup.everyHours,
      backupKeep: backup.keep,
      backupFolderSet: backup.folder !== null,
      kdf: ctx.core.vault.kdf,
      roles: ROLES.map((role) => ({ role, people: people.filter((row) => row.role === role).length, permissions: [...ROLE_PERMISSIONS[role]] })),
      partners: await count(db.selectFrom('partner').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst()),
      consentTexts: CONSENT_PURPOSES.map((purpose) => ({ purpose, version: currentConsentText(purpose, 'adult') })),
      counts: {
        clients: await count(db.selectFrom('client').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst()),
        openCases: await count(db.selectFrom('client').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'open').executeTakeFirst()),
        restricted: await count(db.selectFrom('restriction').select((eb) => eb.fn.countAll<number>().as('n')).where('ended_at', 'is', null).executeTakeFirst()),
        erased: await count(db.selectFrom('erasure').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst()),
      },
    };
  },
};

/** The clients' rights: access, restriction, erasure and retention; after a login, erasures made after a restored backup go again. */
export const rightsFeature: Feature = { handlers: rightsHandlers, hooks: erasureHooks };
