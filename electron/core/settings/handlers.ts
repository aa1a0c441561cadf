import { AppError } from '../app-error.ts';
import type { HandlerMap } from '../gate/types.ts';
import { confirmsGroup, generateRecoveryCode, pickConfirmGroup, RECOVERY_GROUP_COUNT } from '../vault/recovery-code.ts';
import { readSettings, writeSettings } from './centre-settings.ts';

type SettingsChannels = 'settings.get' | 'settings.update' | 'recovery.begin' | 'recovery.complete';

export const settingsHandlers: Pick<HandlerMap, SettingsChannels> = {
  'settings.get': async (_input, { db }) => readSettings(db),

  'settings.update': async (input, ctx) => {
    const actor = ctx.requireSession();
    const changed = await writeSettings(ctx.db, input, { userId: actor.id, at: ctx.core.nowIso() });
    const settings = await readSettings(ctx.db);
    ctx.note({ detail: Object.fromEntries(changed.map((name) => [name, settings[name]])) });
    ctx.onCommitted(() => {
      ctx.core.lockTimeoutMinutes = settings.lockTimeoutMinutes;
    });
    return settings;
  },

  /** Shown once; the old code keeps working until the new one is confirmed. */
  'recovery.begin': async (_input, { core }) => {
    const recoveryCode = generateRecoveryCode();
    core.pendingRecoveryCode = { recoveryCode, confirmGroup: pickConfirmGroup() };
    return { recoveryCode, confirmGroup: core.pendingRecoveryCode.confirmGroup, groupCount: RECOVERY_GROUP_COUNT };
  },

  'recovery.complete': async (input, ctx) => {
    const { core } = ctx;
    const pending = core.pendingRecoveryCode;
    if (!pending) throw new AppError('SETUP_NOT_STARTED');
    if (!confirmsGroup(pending.recoveryCode, pending.confirmGroup, input.confirmation)) {
      throw new AppError('RECOVERY_CONFIRMATION_MISMATCH');
    }
    const change = await core.vault.stageRecoveryCode(pending.recoveryCode);
    ctx.atCommit(() => core.vault.saveKeyring(change));
    ctx.onCommitted(() => {
      core.pendingRecoveryCode = null;
    });
    return {};
  },
};
