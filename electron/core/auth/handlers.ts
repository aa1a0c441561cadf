import { AppError } from '../app-error.ts';
import type { HandlerContext, HandlerMap } from '../gate/types.ts';
import { findUserByUsername, rolesOf } from '../users/accounts.ts';

type AuthChannels =
  | 'session.get'
  | 'session.touch'
  | 'auth.login'
  | 'auth.recover'
  | 'auth.logout'
  | 'auth.lock'
  | 'auth.changePassword'
  | 'me.setLanguage';

/** Close the vault again after a refused unlock (account gone or not allowed), once audited. */
function refuseAfterUnlock(ctx: HandlerContext, code: 'ACCOUNT_DISABLED' | 'RECOVERY_NOT_ADMIN'): never {
  ctx.afterAudit(() => ctx.core.endSession('logout'));
  throw new AppError(code);
}

export const authHandlers: Pick<HandlerMap, AuthChannels> = {
  'session.get': async (_input, { core }) => {
    const presence = core.vault.presence();
    const vault =
      core.session && core.vault.isOpen
        ? 'unlocked'
        : core.pendingSetup
          ? 'setup-pending'
          : presence.state === 'present'
            ? 'locked'
            : presence.state;
    return {
      vault,
      problem: presence.state === 'broken' ? presence.problem : null,
      user: core.session,
      lockedUsername: core.session ? null : core.lockedUsername,
      lockTimeoutMinutes: core.lockTimeoutMinutes,
    };
  },

  'session.touch': async () => ({}),

  'auth.login': async (input, ctx) => {
    const { core } = ctx;
    if (core.session) await core.endSession('logout');
    // The same person coming back to her locked session: recorded as an unlock.
    const unlock = core.lockedUsername === input.username;
    const slotId = await core.vault.unlockWithPassword(input.username, input.password);
    await core.flushLockedEvents();
    const user = await findUserByUsername(core.vault.db, input.username);
    ctx.note({ targetType: 'user', targetId: user?.id ?? '', ...(unlock ? { detail: { unlock: true } } : {}) });
    if (!user || user.active !== 1 || user.key_slot_id !== slotId) refuseAfterUnlock(ctx, 'ACCOUNT_DISABLED');
    return core.startSession(user);
  },

  'auth.recover': async (input, ctx) => {
    const { core } = ctx;
    if (core.session) await core.endSession('logout');
    await core.vault.unlockWithRecoveryCode(input.recoveryCode);
    await core.flushLockedEvents();
    const db = core.vault.db;
    const user = await findUserByUsername(db, input.username);
    ctx.note({ targetType: 'user', targetId: user?.id ?? '' });
    if (!user || user.active !== 1 || !(await rolesOf(db, user.id)).includes('admin')) {
      refuseAfterUnlock(ctx, 'RECOVERY_NOT_ADMIN');
    }
    const slotId = await core.vault.setPassword(user.username, input.newPassword);
    await db
      .updateTable('user')
      .set({ key_slot_id: slotId, must_change_password: 0 })
      .where('id', '=', user.id)
      .execute();
    return core.startSession({ ...user, key_slot_id: slotId, must_change_password: 0 });
  },

  'auth.logout': async (_input, ctx) => {
    ctx.afterAudit(() => ctx.core.endSession('logout'));
    return {};
  },

  'auth.lock': async (_input, ctx) => {
    ctx.note({ detail: { reason: 'manual' } });
    ctx.afterAudit(() => ctx.core.endSession('manual'));
    return {};
  },

  'auth.changePassword': async (input, ctx) => {
    const session = ctx.requireSession();
    ctx.note({ targetType: 'user', targetId: session.id });
    if (!(await ctx.core.vault.verifyPassword(session.username, input.currentPassword))) {
      throw new AppError('WRONG_PASSWORD');
    }
    if (input.currentPassword === input.newPassword) throw new AppError('PASSWORD_UNCHANGED');
    const slotId = await ctx.core.vault.setPassword(session.username, input.newPassword);
    await ctx.db
      .updateTable('user')
      .set({ key_slot_id: slotId, must_change_password: 0 })
      .where('id', '=', session.id)
      .execute();
    return ctx.core.refreshSession(ctx.db);
  },

  'me.setLanguage': async (input, ctx) => {
    const session = ctx.requireSession();
    ctx.note({ targetType: 'user', targetId: session.id, detail: { language: input.language } });
    await ctx.db.updateTable('user').set({ language: input.language }).where('id', '=', session.id).execute();
    return ctx.core.refreshSession(ctx.db);
  },
};
