import { AppError } from '../app-error.ts';
import type { HandlerMap } from '../gate/types.ts';
import { assertAnotherActiveAdmin, getUser, insertUser, listUsers, rolesOf, setRoles, toSummary } from './accounts.ts';

type UserChannels = 'users.list' | 'users.create' | 'users.update' | 'users.deactivate' | 'users.reactivate' | 'users.resetPassword';

export const usersHandlers: Pick<HandlerMap, UserChannels> = {
  'users.list': async (_input, { db }) => listUsers(db),

  'users.create': async (input, { core, db, note, requireSession }) => {
    const admin = requireSession();
    const id = await insertUser(db, {
      username: input.username,
      displayName: input.displayName,
      roles: input.roles,
      mustChangePassword: true,
      createdBy: admin.id,
      at: core.nowIso(),
    });
    note({ targetType: 'user', targetId: id, detail: { username: input.username, roles: input.roles } });
    const slotId = await core.vault.setPassword(input.username, input.temporaryPassword);
    await db.updateTable('user').set({ key_slot_id: slotId }).where('id', '=', id).execute();
    return toSummary(db, await getUser(db, id));
  },

  'users.update': async (input, { core, db, note, requireSession }) => {
    const actor = requireSession();
    const user = await getUser(db, input.id);
    note({ targetType: 'user', targetId: user.id, detail: { roles: input.roles } });
    const wasAdmin = (await rolesOf(db, user.id)).includes('admin');
    if (wasAdmin && !input.roles.includes('admin') && user.active === 1) await assertAnotherActiveAdmin(db, user.id);
    await db.updateTable('user').set({ display_name: input.displayName }).where('id', '=', user.id).execute();
    await setRoles(db, user.id, input.roles);
    if (user.id === actor.id) await core.refreshSession(db);
    return toSummary(db, await getUser(db, user.id));
  },

  /** The person's key slot is removed: her password no longer unwraps the data key. */
  'users.deactivate': async (input, { core, db, note, requireSession }) => {
    const actor = requireSession();
    const user = await getUser(db, input.id);
    note({ targetType: 'user', targetId: user.id });
    if (user.id === actor.id) throw new AppError('CANNOT_CHANGE_SELF');
    if (user.active !== 1) throw new AppError('USER_INACTIVE');
    if ((await rolesOf(db, user.id)).includes('admin')) await assertAnotherActiveAdmin(db, user.id);
    await db
      .updateTable('user')
      .set({ active: 0, key_slot_id: null, deactivated_at: core.nowIso() })
      .where('id', '=', user.id)
      .execute();
    core.vault.removePasswordSlot(user.username);
    return toSummary(db, await getUser(db, user.id));
  },

  'users.reactivate': async (input, { core, db, note }) => {
    const user = await getUser(db, input.id);
    note({ targetType: 'user', targetId: user.id });
    const slotId = await core.vault.setPassword(user.username, input.temporaryPassword);
    await db
      .updateTable('user')
      .set({ active: 1, key_slot_id: slotId, must_change_password: 1, deactivated_at: null })
      .where('id', '=', user.id)
      .execute();
    return toSummary(db, await getUser(db, user.id));
  },

  /** A new temporary password; the old one stops working at once. Own password: change it instead. */
  'users.resetPassword': async (input, { core, db, note, requireSession }) => {
    const actor = requireSession();
    const user = await getUser(db, input.id);
    note({ targetType: 'user', targetId: user.id });
    if (user.id === actor.id) throw new AppError('CANNOT_CHANGE_SELF');
    if (user.active !== 1) throw new AppError('USER_INACTIVE');
    const slotId = await core.vault.setPassword(user.username, input.temporaryPassword);
    await db
      .updateTable('user')
      .set({ key_slot_id: slotId, must_change_password: 1 })
      .where('id', '=', user.id)
      .execute();
    return toSummary(db, await getUser(db, user.id));
  },
};
