import { assertUnchanged, userVersion } from '../records/versions.ts';
import type { Role } from '../../contract/permissions.ts';
import { AppError } from '../app-error.ts';
import { stateReason } from '../audit/stated-reasons.ts';
import type { HandlerContext, HandlerMap } from '../gate/types.ts';
import { cancelPendingOffers } from '../records/holding.ts';
import type { UserRow } from '../db/schema.ts';
import { assertAnotherActiveAdmin, getUser, insertUser, listUsers, rolesOf, setRoles, toSummary } from './accounts.ts';
import type { Feature } from '../feature.ts';

type UserChannels = 'users.list' | 'users.create' | 'users.update' | 'users.deactivate' | 'users.reactivate' | 'users.resetPassword';

/**
 * Give someone a new temporary password: a new key slot replaces her old one, she must change
 * it at her next login, and the keyring is written as the call commits.
 */
async function setTemporaryPassword(ctx: HandlerContext, user: UserRow, password: string, fields: { active?: 1 } = {}) {
  const change = await ctx.core.vault.stagePassword(user.username, password, user.key_slot_id);
  await ctx.db
    .updateTable('user')
    .set({ key_slot_id: change.slotId, must_change_password: 1, ...(fields.active ? { active: 1, deactivated_at: null } : {}) })
    .where('id', '=', user.id)
    .execute();
  ctx.atCommit(() => ctx.core.vault.saveKeyring(change, ctx.db));
}

const sameRoles = (a: readonly Role[], b: readonly Role[]) => a.length === new Set(b).size && b.every((role) => a.includes(role));

export const usersHandlers: Pick<HandlerMap, UserChannels> = {
  'users.list': async (_input, { db }) => listUsers(db),

  'users.create': async (input, ctx) => {
    const admin = ctx.requireSession();
    const id = await insertUser(ctx.db, {
      username: input.username,
      displayName: input.displayName,
      roles: input.roles,
      mustChangePassword: true,
      createdBy: admin.id,
      at: ctx.core.nowIso(),
    });
    ctx.note({ targetType: 'user', targetId: id, detail: { username: input.username, roles: input.roles } });
    await setTemporaryPassword(ctx, await getUser(ctx.db, id), input.temporaryPassword);
    return toSummary(ctx.db, await getUser(ctx.db, id));
  },

  'users.update': async (input, ctx) => {
    const actor = ctx.requireSession();
    const { db } = ctx;
    const user = await getUser(db, input.id);
    const before = await rolesOf(db, user.id);
    // Changed by another administrator (at another PC) since the form opened: nothing is saved.
    assertUnchanged(input.version, userVersion(user, before));
    const own = user.id === actor.id && !sameRoles(before, input.roles);
    ctx.note({ targetType: 'user', targetId: user.id, detail: { roles: input.roles, ...(own ? { ownRoles: true, rolesBefore: before } : {}) } });
    if (before.includes('admin') && !input.roles.includes('admin') && user.active === 1) await assertAnotherActiveAdmin(db, user.id);
    // Her own roles: she says why, and managers see it (an administrator could otherwise make
    // herself a manager and a worker, give herself cases and read them unseen).
    if (own) {
      if (!input.reason) throw new AppError('REASON_REQUIRED');
      await stateReason(db, ctx.core.vault.columns, { kind: 'own_roles', clientId: null, userId: actor.id, reason: input.reason, at: ctx.core.nowIso(), roles: { before, after: input.roles } });
    }
    await db.updateTable('user').set({ display_name: input.displayName }).where('id', '=', user.id).execute();
    await setRoles(db, user.id, input.roles);
    // No longer a worker: offers to or from her cannot be taken up.
    if (!input.roles.includes('worker')) await cancelPendingOffers(db, { userId: user.id }, ctx.core.nowIso());
    if (user.id === actor.id) await ctx.core.refreshSessionOnCommit(ctx);
    return toSummary(db, await getUser(db, user.id));
  },

  /** Her key slot is removed: her password no longer opens the keyring. */
  'users.deactivate': async (input, ctx) => {
    const actor = ctx.requireSession();
    const { db } = ctx;
    const user = await getUser(db, input.id);
    ctx.note({ targetType: 'user', targetId: user.id });
    if (user.id === actor.id) throw new AppError('CANNOT_CHANGE_SELF');
    if (user.active !== 1) throw new AppError('USER_INACTIVE');
    if ((await rolesOf(db, user.id)).includes('admin')) await assertAnotherActiveAdmin(db, user.id);
    const change = ctx.core.vault.stageRemoval(user.key_slot_id);
    await db
      .updateTable('user')
      .set({ active: 0, key_slot_id: null, deactivated_at: ctx.core.nowIso() })
      .where('id', '=', user.id)
      .execute();
    // Her cases stay with her until a manager moves them (the dashboard lists them); offers to or from her end.
    await cancelPendingOffers(db, { userId: user.id }, ctx.core.nowIso());
    ctx.atCommit(() => ctx.core.vault.saveKeyring(change, ctx.db));
    return toSummary(db, await getUser(db, user.id));
  },

  'users.reactivate': async (input, ctx) => {
    const actor = ctx.requireSession();
    const user = await getUser(ctx.db, input.id);
    ctx.note({ targetType: 'user', targetId: user.id });
    if (user.id === actor.id) throw new AppError('CANNOT_CHANGE_SELF');
    if (user.active === 1) throw new AppError('USER_ACTIVE');
    await setTemporaryPassword(ctx, user, input.temporaryPassword, { active: 1 });
    return toSummary(ctx.db, await getUser(ctx.db, user.id));
  },

  /** A new temporary password; the old one stops working at once. Own password: change it instead. */
  'users.resetPassword': async (input, ctx) => {
    const actor = ctx.requireSession();
    const user = await getUser(ctx.db, input.id);
    ctx.note({ targetType: 'user', targetId: user.id });
    if (user.id === actor.id) throw new AppError('CANNOT_CHANGE_SELF');
    if (user.active !== 1) throw new AppError('USER_INACTIVE');
    await setTemporaryPassword(ctx, user, input.temporaryPassword);
    return toSummary(ctx.db, await getUser(ctx.db, user.id));
  },
};

/** Accounts: created, changed, deactivated and reactivated, passwords reset. */
export const usersFeature: Feature = { handlers: usersHandlers };
