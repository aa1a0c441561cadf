import type { CentreSettings, SettingsGroup } from '../../contract/settings.ts';
import type { HandlerContext, HandlerMap } from '../gate/types.ts';
import { confirmedRecoveryCode, issueRecoveryCode, shownOnce, type PendingRecoveryCode } from '../vault/recovery-code.ts';
import { readSettings, writeSettings, type SettingValues } from './centre-settings.ts';
import { sessionSlot } from '../session-state.ts';
import type { Feature } from '../feature.ts';

/** A new recovery code, shown once, until it is confirmed (the old one works until then). */
const PENDING_RECOVERY_CODE = sessionSlot<PendingRecoveryCode | null>('settings.recoveryCode', () => null);

type SettingsChannels = 'settings.get' | 'settings.update' | 'settings.updateCaseload' | 'settings.updateReports' | 'recovery.begin' | 'recovery.complete';

type Describe = (changed: (keyof SettingValues)[], settings: CentreSettings) => Record<string, unknown>;
const withValues: Describe = (changed, settings) => Object.fromEntries(changed.map((name) => [name, settings[name]]));

/**
 * Write what changed of one form's group, if nobody changed the group since the form was
 * opened, and say in the audit entry what changed (by default: those settings with their new values).
 */
async function updateSettings(ctx: HandlerContext, group: SettingsGroup, input: Partial<SettingValues> & { version: string }, describe: Describe = withValues): Promise<CentreSettings> {
  const { version, ...patch } = input;
  const changed = await writeSettings(ctx.db, group, version, patch, { userId: ctx.requireSession().id, at: ctx.core.nowIso() });
  const settings = await readSettings(ctx.db);
  ctx.note({ detail: describe(changed, settings) });
  return settings;
}

export const settingsHandlers: Pick<HandlerMap, SettingsChannels> = {
  'settings.get': async (_input, { db }) => readSettings(db),

  'settings.update': async (input, ctx) => {
    const settings = await updateSettings(ctx, input.retentionYears === undefined ? 'centre' : 'retention', input);
    ctx.onCommitted(() => {
      ctx.core.lockTimeoutMinutes = settings.lockTimeoutMinutes;
    });
    return settings;
  },

  'settings.updateCaseload': async (input, ctx) => updateSettings(ctx, 'caseload', input),

  // Names, headings and code lists are long: the entry says which changed and the new k, not the texts.
  'settings.updateReports': async (input, ctx) => updateSettings(ctx, 'reports', input, (changed, settings) => ({ changed, ...(changed.includes('reportK') ? { reportK: settings.reportK } : {}) })),

  /** Shown once; the old code keeps working until the new one is confirmed. */
  'recovery.begin': async (_input, { core }) => {
    const pending = issueRecoveryCode();
    core.state.set(PENDING_RECOVERY_CODE, pending);
    return shownOnce(pending);
  },

  'recovery.complete': async (input, ctx) => {
    const { core } = ctx;
    const recoveryCode = confirmedRecoveryCode(core.state.get(PENDING_RECOVERY_CODE), input.confirmation);
    const change = await core.vault.stageRecoveryCode(recoveryCode);
    ctx.atCommit(() => core.vault.saveKeyring(change, ctx.db));
    ctx.onCommitted(() => {
      core.state.set(PENDING_RECOVERY_CODE, null);
    });
    return {};
  },
};

/** The centre's settings, and a new recovery code. */
export const settingsFeature: Feature = { handlers: settingsHandlers };
