import { readConnectionFile } from '../vault/server-vault.ts';
import { existsSync, statSync } from 'node:fs';
import { appendAudit } from '../audit/trail.ts';
import { AppError, storageFailure } from '../app-error.ts';
import type { Core, FeatureHooks } from '../core.ts';
import { sessionSlot } from '../session-state.ts';
import type { HandlerContext, HandlerMap } from '../gate/types.ts';
import { confirmedRecoveryCode, issueRecoveryCode, shownOnce, type PendingRecoveryCode } from '../vault/recovery-code.ts';
import { CheckJob } from './backup-check.ts';
import { readBackupSettings, writeBackupSetting } from './backup-settings.ts';
import { backupDetail, BackupJob, listBackups, pruneBackups } from './backup-files.ts';
import { BACKUP_WORK, NEW_COMPUTER, nextStep, startWork, stopWork } from './jobs.ts';
import { KEY_ROTATED, MOVED_UP } from './login-notices.ts';
import { PENDING_SETUP } from '../setup/handlers.ts';
import { RestoreJob } from './restore-job.ts';
import { keepLedgerBesideBackups } from '../erasure/erasure.ts';
import type { Feature } from '../feature.ts';
import type { Db } from '../db/schema.ts';
import type { RotationPlan } from '../vault/staging.ts';

type BackupChannels =
  | 'backup.start'
  | 'backup.next'
  | 'backup.cancel'
  | 'backup.verify'
  | 'backup.restore'
  | 'setup.restore'
  | 'setup.restoreNext'
  | 'setup.restoreCancel'
  | 'backup.setFolder'
  | 'backup.status'
  | 'backup.updateSettings'
  | 'vault.moveUp'
  | 'vault.rotateBegin'
  | 'vault.rotateKey';

/** Active accounts whose key slot has no key pair yet: a rotation cannot carry them over. */
async function accountsWithoutKeyPair(ctx: HandlerContext): Promise<{ id: number; displayName: string; slotId: string }[]> {
  const carried = new Set(await ctx.core.vault.rotatableSlotIds(ctx.db));
  const actor = ctx.requireSession();
  const rows = await ctx.db.selectFrom('user').select(['id', 'display_name', 'key_slot_id']).where('active', '=', 1).where('key_slot_id', 'is not', null).orderBy('display_name').execute();
  return rows
    .filter((row) => row.id !== actor.id && row.key_slot_id !== null && !carried.has(row.key_slot_id))
    .map((row) => ({ id: row.id, displayName: row.display_name, slotId: row.key_slot_id ?? '' }));
}

function folderChosen(ctx: HandlerContext): string | null {
  const folder = ctx.chosenPath;
  if (folder && !(existsSync(folder) && statSync(folder).isDirectory())) throw new AppError('STORAGE_FAILED');
  return folder;
}

const NOT_STARTED = { jobId: null, done: 0, total: 0 };

/**
 * A backup now (scheduled or at exit) into the settings' folder, when one is set, the vault is
 * open and (for the schedule) one is due; old automatic backups beyond `keep` are removed.
 * Runs in the request queue, so no request writes meanwhile. Failures are logged (codes only)
 * and recorded in the trail; they never stop the app.
 */
/** A key rotation's new recovery code, shown once, until the rotation is confirmed. */
const PENDING_ROTATION = sessionSlot<PendingRecoveryCode | null>('vault.rotation', () => null);

/** The backup feature's part in the kernel's day: a scheduled backup on the timer, the last one at exit. */
export const backupHooks: FeatureHooks = {
  onTimer: (core) => automaticBackup(core, 'scheduled'),
  beforeShutdown: (core) => automaticBackup(core, 'exit'),
};

export async function automaticBackup(core: Core, trigger: 'scheduled' | 'exit'): Promise<boolean> {
  if (!core.vault.isOpen || !core.session) return false;
  const db = core.vault.db;
  const settings = await readBackupSettings(db);
  if (!settings.folder) return false;
  // On the centre's server every PC closing would back up the whole centre: the schedule does it there.
  if (trigger === 'exit' && (!settings.atExit || core.vault.kind === 'server')) return false;
  if (trigger === 'scheduled') {
    // Not while a backup job is under way in the session (it may be writing into the same folder).
    if (settings.everyHours === 0 || core.state.get(BACKUP_WORK)) return false;
    const last = settings.lastAt ? Date.parse(settings.lastAt) : 0;
    if (core.clock.now() - last < settings.everyHours * 3_600_000) return false;
  }
  const at = core.nowIso();
  const actorId = core.session.id;
  try {
    // Several PCs on one server run the same schedule: the one that takes the slot makes the backup.
    if (!(await takeSlot(core, settings.lastAt, at))) return false;
    const summary = await new BackupJob(settings.folder, new Date(core.clock.now()), trigger, () => core.vault.backupSource()).makeNow();
    await keepLedgerBesideBackups(core, db, settings.folder, at);
    const removed = pruneBackups(settings.folder, core.vault.vaultId, settings.keep);
    await appendAudit(db, core.vault.dialect, { at, actorId, action: 'backup.create', outcome: 'ok', errorCode: null, targetType: 'backup', detail: { ...backupDetail(summary), removed: removed.length } });
    return true;
  } catch (error) {
    const failure = storageFailure(error);
    core.log(`[backup] ${trigger} backup failed: ${failure.code}`);
    // Not done: the schedule tries again at its next check. On a full disk these writes may
    // fail too; the log line above is then all there is, and the app goes on.
    try {
      await writeBackupSetting(db, 'lastAt', settings.lastAt, { userId: null, at });
      await appendAudit(db, core.vault.dialect, { at, actorId, action: 'backup.create', outcome: 'failed', errorCode: failure.code, targetType: 'backup', detail: { trigger } });
    } catch (again) {
      core.log(`[backup] the failure could not be recorded: ${storageFailure(again).code}`);
    }
    return false;
  }
}

/**
 * Note this backup as the last one, if no other PC did since `seen` was read: in one transaction
 * (serialisable on the server), so of two PCs whose schedules fall due together one makes it.
 */
async function takeSlot(core: Core, seen: string | null, at: string): Promise<boolean> {
  const trx = await core.vault.begin();
  try {
    if ((await readBackupSettings(trx)).lastAt !== seen) {
      await trx.rollback().execute();
      return false;
    }
    await writeBackupSetting(trx, 'lastAt', at, { userId: null, at });
    await trx.commit().execute();
    return true;
  } catch (error) {
    await trx.rollback().execute().catch(() => {});
    if (core.vault.isConflict(error)) return false;
    throw error;
  }
}

/**
 * What a key change writes under the new key, in its own transaction (the file's staged copy,
 * the server's last one): accounts left without a slot need a new password from an
 * administrator, as after a reset; the change's entry in the trail.
 */
export function keyChangeWrites(core: Core, actorId: number, detail: Record<string, unknown>): (db: Db, plan: RotationPlan) => Promise<void> {
  return async (db, plan) => {
    let needNewPassword: number[] = [];
    if (plan.droppedSlotIds.length) {
      const dropped = await db.selectFrom('user').select('id').where('key_slot_id', 'in', plan.droppedSlotIds).execute();
      needNewPassword = dropped.map((row) => row.id);
      await db.updateTable('user').set({ key_slot_id: null, must_change_password: 1 }).where('key_slot_id', 'in', plan.droppedSlotIds).execute();
    }
    await appendAudit(db, core.vault.dialect, { at: core.nowIso(), actorId, action: 'vault.rotateKey', outcome: 'ok', errorCode: null, targetType: null, detail: { ...detail, carried: plan.carriedSlotIds.length, needNewPassword } });
  };
}

export const backupHandlers: Pick<HandlerMap, BackupChannels> = {
  'backup.start': async (_input, ctx) => {
    const { core } = ctx;
    const folder = folderChosen(ctx);
    if (!folder) {
      // The dialog cancelled: a backup started before goes (as the screen shows none); a check or restore stays.
      const held = core.state.get(BACKUP_WORK);
      if (held?.kind === 'make') stopWork(core.state, BACKUP_WORK, held.job.id);
      return NOT_STARTED;
    }
    const job = new BackupJob(folder, new Date(core.clock.now()), 'manual', () => core.vault.backupSource());
    const actorId = ctx.requireSession().id;
    // Only a backup made counts as the last one (one stopped or failed does not).
    const markMade = async () => {
      await writeBackupSetting(core.vault.db, 'lastAt', job.at.toISOString(), { userId: actorId, at: core.nowIso() });
      await keepLedgerBesideBackups(core, core.vault.db, job.parent, core.nowIso());
    };
    return startWork(core.state, BACKUP_WORK, { kind: 'make', job, markMade });
  },

  'backup.next': async (input, ctx) => nextStep(ctx.core, ctx.core.state, BACKUP_WORK, input.jobId, ctx.requireSession().id),

  'backup.cancel': async (input, ctx) => {
    stopWork(ctx.core.state, BACKUP_WORK, input.jobId);
    return {};
  },

  'backup.verify': async (input, ctx) => {
    const folder = folderChosen(ctx);
    if (!folder) return NOT_STARTED;
    const job = new CheckJob(folder, input.credentials, ctx.core.vault.backupMigrations);
    return startWork(ctx.core.state, BACKUP_WORK, { kind: 'check', job, folder, with: 'recoveryCode' in input.credentials ? 'recoveryCode' : 'password' });
  },

  'backup.restore': async (input, ctx) => {
    const { core } = ctx;
    const folder = folderChosen(ctx);
    if (!folder) return NOT_STARTED;
    const { folder: dataBeforeFolder } = await readBackupSettings(ctx.db);
    const job = new RestoreJob(core, folder, input.credentials, { newComputer: false, actorId: ctx.requireSession().id, dataBeforeFolder, migrations: core.vault.backupMigrations });
    return startWork(core.state, BACKUP_WORK, { kind: 'restore', job, folder });
  },

  'setup.restore': async (input, ctx) => {
    const { core } = ctx;
    if (core.vault.presence().state !== 'absent') throw new AppError('VAULT_EXISTS');
    const folder = folderChosen(ctx);
    if (!folder) return NOT_STARTED;
    core.betweenSessions.release(PENDING_SETUP);
    const job = new RestoreJob(core, folder, input.credentials, { newComputer: true, actorId: null, dataBeforeFolder: null, migrations: core.vault.backupMigrations });
    return startWork(core.betweenSessions, NEW_COMPUTER, { kind: 'restore', job, folder });
  },

  'setup.restoreNext': async (input, ctx) => nextStep(ctx.core, ctx.core.betweenSessions, NEW_COMPUTER, input.jobId, null),

  'setup.restoreCancel': async (input, ctx) => {
    stopWork(ctx.core.betweenSessions, NEW_COMPUTER, input.jobId);
    return {};
  },

  'backup.setFolder': async (_input, ctx) => {
    const folder = folderChosen(ctx);
    if (!folder) return { folder: (await readBackupSettings(ctx.db)).folder };
    // The folder's path is kept in the encrypted database only; the trail says that it changed.
    await writeBackupSetting(ctx.db, 'folder', folder, { userId: ctx.requireSession().id, at: ctx.core.nowIso() });
    ctx.note({ detail: { folderChanged: true } });
    return { folder };
  },

  'backup.status': async (_input, ctx) => {
    const settings = await readBackupSettings(ctx.db);
    return {
      folder: settings.folder,
      everyHours: settings.everyHours,
      keep: settings.keep,
      atExit: settings.atExit,
      lastBackupAt: settings.lastAt,
      backups: settings.folder ? listBackups(settings.folder, ctx.core.vault.vaultId) : [],
      onServer: ctx.core.vault.kind === 'server',
    };
  },

  /** Everything moves up to the centre's server; this PC works against it from now on (core.moveUp). */
  'vault.moveUp': async (_input, ctx) => {
    const actor = ctx.requireSession();
    if (!ctx.chosenPath) return { moved: false, tables: 0, rows: 0 };
    // Already on a server: there is nothing to move up.
    if (ctx.core.vault.kind !== 'file') throw new AppError('VAULT_EXISTS');
    const connection = readConnectionFile(ctx.chosenPath);
    const moved = await ctx.core.moveUp(connection, actor.id);
    ctx.core.betweenSessions.set(MOVED_UP, true);
    const tables = Object.keys(moved.rows).length;
    ctx.note({ detail: { tables, rows: moved.total } });
    return { moved: true, tables, rows: moved.total };
  },

  'vault.rotateBegin': async (_input, ctx) => {
    const { core } = ctx;
    // A backup job under way stops first: a restore's staged copy and the key change's are the same files.
    core.state.release(BACKUP_WORK);
    const pending = issueRecoveryCode();
    core.state.set(PENDING_ROTATION, pending);
    const needNewPassword = (await accountsWithoutKeyPair(ctx)).map(({ id, displayName }) => ({ id, displayName }));
    return { ...shownOnce(pending), needNewPassword };
  },

  'vault.rotateKey': async (input, ctx) => {
    const { core } = ctx;
    const actor = ctx.requireSession();
    const recoveryCode = confirmedRecoveryCode(core.state.get(PENDING_ROTATION), input.confirmation);
    core.state.release(BACKUP_WORK);
    const user = await ctx.db.selectFrom('user').select(['username', 'key_slot_id']).where('id', '=', actor.id).executeTakeFirstOrThrow();
    if (!(await core.vault.verifyPassword(user.username, input.password, user.key_slot_id))) throw new AppError('WRONG_CREDENTIALS');
    const plan = await core.vault.stageRotation(ctx.db, { username: user.username, password: input.password, slotId: user.key_slot_id }, recoveryCode, keyChangeWrites(core, actor.id, {}));
    ctx.note({ detail: { carried: plan.carriedSlotIds.length, needNewPassword: plan.droppedSlotIds.length } });
    // The file: the live database (and its trail) is removed once the copy is in place, the entry
    // lives in the copy. The server: done, its keyring row holds the new key; all log in again.
    await core.endSession('logout');
    core.vault.switchTo('rotate');
    core.betweenSessions.set(KEY_ROTATED, true);
    return { rotated: true, carried: plan.carriedSlotIds.length, needNewPassword: plan.droppedSlotIds.length };
  },

  'backup.updateSettings': async (input, ctx) => {
    const by = { userId: ctx.requireSession().id, at: ctx.core.nowIso() };
    await writeBackupSetting(ctx.db, 'everyHours', input.backupEveryHours, by);
    await writeBackupSetting(ctx.db, 'keep', input.backupKeep, by);
    await writeBackupSetting(ctx.db, 'atExit', input.backupAtExit, by);
    ctx.note({ detail: input });
    return {};
  },
};

/** Backups: made, checked and restored step by step; the key change; a scheduled backup on the timer and the last one at exit. */
export const backupFeature: Feature = { handlers: backupHandlers, hooks: backupHooks };
