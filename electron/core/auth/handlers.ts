import { AppError, isAppError } from '../app-error.ts';
import { KEY_ROTATED, MOVED_UP, RESTORED_FROM } from '../backup/login-notices.ts';
import { keyChangeWrites } from '../backup/handlers.ts';
import type { HandlerMap } from '../gate/types.ts';
import { PENDING_SETUP } from '../setup/handlers.ts';
import { findUserByUsername, getUser, rolesOf } from '../users/accounts.ts';
import type { Feature } from '../feature.ts';
import { sessionSlot } from '../session-state.ts';
import { checkConnectionFile } from '../vault/server-vault.ts';
import type { ServerConnection } from '../vault/server-provision.ts';

/** The other server's connection file picked on the login screen, until an administrator's login moves this PC there. */
const PENDING_MOVE = sessionSlot<ServerConnection | null>('auth.otherServer', () => null);

const placeName = (place: { host: string; port: number; database: string } | null) => (place ? `${place.host}:${place.port}/${place.database}` : null);

type AuthChannels =
  | 'session.get'
  | 'session.touch'
  | 'auth.serverLook'
  | 'auth.serverSwitch'
  | 'auth.login'
  | 'auth.recover'
  | 'auth.logout'
  | 'auth.lock'
  | 'auth.changePassword'
  | 'me.setLanguage';

export const authHandlers: Pick<HandlerMap, AuthChannels> = {
  'session.get': async (_input, { core }) => {
    const presence = core.vault.presence();
    const vault =
      core.session && core.vault.isOpen
        ? 'unlocked'
        : core.betweenSessions.get(PENDING_SETUP)
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
      trainingData: core.vault.isTraining(),
      restoredFrom: core.session ? null : core.betweenSessions.get(RESTORED_FROM),
      keyRotated: core.session ? false : core.betweenSessions.get(KEY_ROTATED),
      movedUp: core.session ? false : core.betweenSessions.get(MOVED_UP),
      server: core.vault.place(),
    };
  },

  'session.touch': async () => ({}),

  'auth.login': async (input, ctx) => {
    const { core } = ctx;
    await core.endSessionForSwitch();
    // The same person coming back to her locked session: recorded as an unlock.
    const unlock = core.lockedUsername === input.username;
    let slotId = await core.vault.unlockWithPassword(input.username, input.password);
    return core.completeUnlock(ctx, async () => {
      await core.flushLockedEvents();
      let user = await findUserByUsername(core.vault.db, input.username);
      ctx.note({ targetType: 'user', targetId: user?.id ?? '', ...(unlock ? { detail: { unlock: true } } : {}) });
      if (!user || user.active !== 1 || user.key_slot_id !== slotId) throw new AppError('ACCOUNT_DISABLED');
      if (core.vault.keyChangeToFinish) {
        // A change of the centre's key was cut short (server): an administrator's login finishes
        // it, then opens with the new key; nobody else may work until then.
        if (!(await rolesOf(core.vault.db, user.id)).includes('admin')) throw new AppError('KEY_CHANGE_UNDER_WAY');
        const detail = { finishedAtLogin: true };
        await core.vault.finishKeyChange(keyChangeWrites(core, user.id, detail));
        await core.vault.close();
        slotId = await core.vault.unlockWithPassword(input.username, input.password);
        user = await findUserByUsername(core.vault.db, input.username);
        if (!user || user.active !== 1 || user.key_slot_id !== slotId) throw new AppError('ACCOUNT_DISABLED');
      }
      return core.startSession(user);
    });
  },

  'auth.serverLook': async (_input, { core, chosenPath }) => {
    core.serverToMove();
    return checkConnectionFile(core.betweenSessions, PENDING_MOVE, chosenPath);
  },

  /**
   * This PC works with the server just looked at from now on, when it holds this centre's records
   * and an administrator logs in to it here; otherwise the old connection stays, and nothing else
   * changed. The move is recorded in the new server's trail (from where, to where).
   */
  'auth.serverSwitch': async (input, ctx) => {
    const { core } = ctx;
    const connection = core.betweenSessions.get(PENDING_MOVE);
    if (!connection) throw new AppError('SETUP_NOT_STARTED');
    const server = core.serverToMove();
    await core.endSessionForSwitch();
    const from = placeName(server.place());
    let move: { keep(): void; drop(): void } | null = null;
    try {
      move = await server.moveToServer(connection);
      const slotId = await core.vault.unlockWithPassword(input.username, input.password, 'auth.serverSwitch');
      return await core.completeUnlock(ctx, async () => {
        const user = await findUserByUsername(core.vault.db, input.username);
        ctx.note({ targetType: 'user', targetId: user?.id ?? '', detail: { fromServer: from, toServer: placeName(server.place()) } });
        if (!user || user.active !== 1 || user.key_slot_id !== slotId) throw new AppError('ACCOUNT_DISABLED');
        if (!(await rolesOf(core.vault.db, user.id)).includes('admin')) throw new AppError('SERVER_SWITCH_NOT_ADMIN');
        // A key change cut short there is finished by an ordinary login, once this PC works with it.
        if (core.vault.keyChangeToFinish) throw new AppError('KEY_CHANGE_UNDER_WAY');
        // Proven: this PC works with that server from now on (its file says so).
        move?.keep();
        await core.flushLockedEvents();
        core.betweenSessions.set(PENDING_MOVE, null);
        return core.startSession(user);
      });
    } catch (error) {
      move?.drop();
      // Refused before any server opened (another centre's, or none known): noted for this PC's
      // server's trail at its next unlock, as a wrong password is.
      if (!core.vault.isOpen && isAppError(error) && (error.code === 'SERVER_OTHER_CENTRE' || error.code === 'SERVER_CENTRE_UNKNOWN')) {
        core.vault.recordLockedEvent({ at: core.nowIso(), action: 'auth.serverSwitch', outcome: 'failed', errorCode: error.code, sealedUsername: null });
      }
      throw error;
    }
  },

  'auth.recover': async (input, ctx) => {
    const { core } = ctx;
    await core.endSessionForSwitch();
    await core.vault.unlockWithRecoveryCode(input.recoveryCode, input.username);
    return core.completeUnlock(ctx, async () => {
      await core.flushLockedEvents();
      const db = core.vault.db;
      const user = await findUserByUsername(db, input.username);
      ctx.note({ targetType: 'user', targetId: user?.id ?? '' });
      if (!user || user.active !== 1 || !(await rolesOf(db, user.id)).includes('admin')) {
        throw new AppError('RECOVERY_NOT_ADMIN');
      }
      const change = await core.vault.stagePassword(user.username, input.newPassword, user.key_slot_id);
      let saved: Awaited<ReturnType<typeof core.vault.saveKeyring>> | null = null;
      try {
        await db.transaction().execute(async (trx) => {
          await trx
            .updateTable('user')
            .set({ key_slot_id: change.slotId, must_change_password: 0 })
            .where('id', '=', user.id)
            .execute();
          saved = await core.vault.saveKeyring(change, trx);
        });
      } catch (error) {
        // The commit failed after the keyring was written: the old one goes back.
        (saved as Awaited<ReturnType<typeof core.vault.saveKeyring>> | null)?.undo();
        throw error;
      }
      (saved as Awaited<ReturnType<typeof core.vault.saveKeyring>> | null)?.done();
      return core.startSession(await getUser(db, user.id));
    });
  },

  'auth.logout': async (_input, ctx) => {
    ctx.whenDone(() => ctx.core.endSession('logout'));
    return {};
  },

  'auth.lock': async (_input, ctx) => {
    ctx.note({ detail: { reason: 'manual' } });
    ctx.whenDone(() => ctx.core.endSession('manual'));
    return {};
  },

  /** Rewraps only this person's slot; the old password stops working when the call commits. */
  'auth.changePassword': async (input, ctx) => {
    const session = ctx.requireSession();
    const { vault } = ctx.core;
    const user = await getUser(ctx.db, session.id);
    ctx.note({ targetType: 'user', targetId: session.id });
    if (!(await vault.verifyPassword(session.username, input.currentPassword, user.key_slot_id))) {
      throw new AppError('WRONG_PASSWORD');
    }
    if (input.currentPassword === input.newPassword) throw new AppError('PASSWORD_UNCHANGED');
    const change = await vault.stagePassword(session.username, input.newPassword, user.key_slot_id);
    await ctx.db
      .updateTable('user')
      .set({ key_slot_id: change.slotId, must_change_password: 0 })
      .where('id', '=', session.id)
      .execute();
    ctx.atCommit(() => vault.saveKeyring(change, ctx.db));
    return ctx.core.refreshSessionOnCommit(ctx);
  },

  'me.setLanguage': async (input, ctx) => {
    const session = ctx.requireSession();
    ctx.note({ targetType: 'user', targetId: session.id, detail: { language: input.language } });
    await ctx.db.updateTable('user').set({ language: input.language }).where('id', '=', session.id).execute();
    return ctx.core.refreshSessionOnCommit(ctx);
  },
};

/** Logging in, out and back to a locked session; a person's own password and language. */
export const authFeature: Feature = { handlers: authHandlers };
