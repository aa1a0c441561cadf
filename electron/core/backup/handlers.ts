import { existsSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { appendAudit } from '../audit/trail.ts';
import { AppError, storageFailure } from '../app-error.ts';
import type { Core, FeatureHooks } from '../core.ts';
import { sessionSlot } from '../session-state.ts';
import type { HandlerContext, HandlerMap } from '../gate/types.ts';
import type { Db } from '../db/schema.ts';
import { confirmedRecoveryCode, issueRecoveryCode, shownOnce, type PendingRecoveryCode } from '../vault/recovery-code.ts';
import { BACKUP_JOB, BackupJob, checkBackup, isBackupFolderName, listBackups, pruneBackups, summaryOf } from './backup-files.ts';
import { adoptLedgerBesideBackup, keepLedgerBesideBackups, saveErasureLedger } from '../erasure/erasure.ts';
import type { BackupSummary } from '../../contract/index.ts';

type BackupChannels = 'backup.start' | 'backup.next' | 'backup.cancel' | 'backup.verify' | 'backup.restore' | 'setup.restore' | 'backup.setFolder' | 'backup.status' | 'backup.updateSettings' | 'vault.rotateBegin' | 'vault.rotateKey';

/** Active accounts whose key slot has no key pair yet: a rotation cannot carry them over. */
async function accountsWithoutKeyPair(ctx: HandlerContext): Promise<{ id: number; displayName: string; slotId: string }[]> {
  const carried = new Set(ctx.core.vault.rotatableSlotIds());
  const actor = ctx.requireSession();
  const rows = await ctx.db.selectFrom('user').select(['id', 'display_name', 'key_slot_id']).where('active', '=', 1).where('key_slot_id', 'is not', null).orderBy('display_name').execute();
  return rows
    .filter((row) => row.id !== actor.id && row.key_slot_id !== null && !carried.has(row.key_slot_id))
    .map((row) => ({ id: row.id, displayName: row.display_name, slotId: row.key_slot_id ?? '' }));
}

/* Backup settings live in the database (a restore brings back those of its time). */
const KEYS = { folder: 'backup.folder', everyHours: 'backup.everyHours', keep: 'backup.keep', atExit: 'backup.atExit', lastAt: 'backup.lastAt' } as const;
const DEFAULTS = { folder: null as string | null, everyHours: 24, keep: 10, atExit: true, lastAt: null as string | null };
type BackupSettings = typeof DEFAULTS;

export async function readBackupSettings(db: Db): Promise<BackupSettings> {
  const rows = await db.selectFrom('setting').select(['key', 'value']).where('key', 'like', 'backup.%').execute();
  const value = (key: string) => rows.find((row) => row.key === key)?.value;
  const parsed = <T>(key: string, fallback: T): T => {
    const text = value(key);
    return text === undefined ? fallback : (JSON.parse(text) as T);
  };
  return {
    folder: parsed(KEYS.folder, DEFAULTS.folder),
    everyHours: parsed(KEYS.everyHours, DEFAULTS.everyHours),
    keep: parsed(KEYS.keep, DEFAULTS.keep),
    atExit: parsed(KEYS.atExit, DEFAULTS.atExit),
    lastAt: parsed(KEYS.lastAt, DEFAULTS.lastAt),
  };
}

async function writeBackupSetting(db: Db, name: keyof typeof KEYS, value: unknown, by: { userId: number | null; at: string }): Promise<void> {
  const text = JSON.stringify(value);
  await db
    .insertInto('setting')
    .values({ key: KEYS[name], value: text, updated_at: by.at, updated_by: by.userId })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: text, updated_at: by.at, updated_by: by.userId }))
    .execute();
}

function folderChosen(ctx: HandlerContext): string | null {
  const folder = ctx.chosenPath;
  if (folder && !(existsSync(folder) && statSync(folder).isDirectory())) throw new AppError('STORAGE_FAILED');
  return folder;
}

/**
 * A backup folder's name for the trail: the app's own names (a time) only. A folder the person
 * picked or renamed could be called anything, a client's name included; the path never goes in.
 */
const folderForTrail = (folder: string) => (isBackupFolderName(basename(folder)) ? basename(folder) : 'renamed');

/** The facts of a backup for its audit entry: when it was made and its folder's name. */
const backupDetail = (summary: { folderName: string; createdAt: string; trigger: string }) => ({ backup: folderForTrail(summary.folderName), createdAt: summary.createdAt, trigger: summary.trigger });

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
  if (trigger === 'exit' && !settings.atExit) return false;
  if (trigger === 'scheduled') {
    if (settings.everyHours === 0) return false;
    const last = settings.lastAt ? Date.parse(settings.lastAt) : 0;
    if (core.clock.now() - last < settings.everyHours * 3_600_000) return false;
  }
  const at = core.nowIso();
  const actorId = core.session.id;
  try {
    await writeBackupSetting(db, 'lastAt', at, { userId: null, at });
    const summary = new BackupJob(settings.folder, new Date(core.clock.now()), trigger, () => core.vault.backupSource()).runToEnd();
    await keepLedgerBesideBackups(core, db, settings.folder, at);
    const removed = pruneBackups(settings.folder, core.vault.vaultId, settings.keep);
    await appendAudit(db, { at, actorId, action: 'backup.create', outcome: 'ok', errorCode: null, targetType: 'backup', detail: { ...backupDetail(summary), removed: removed.length } });
    return true;
  } catch (error) {
    const failure = storageFailure(error);
    core.log(`[backup] ${trigger} backup failed: ${failure.code}`);
    // Not done: the schedule tries again at its next check. On a full disk these writes may
    // fail too; the log line above is then all there is, and the app goes on.
    try {
      await writeBackupSetting(db, 'lastAt', settings.lastAt, { userId: null, at });
      await appendAudit(db, { at, actorId, action: 'backup.create', outcome: 'failed', errorCode: failure.code, targetType: 'backup', detail: { trigger } });
    } catch (again) {
      core.log(`[backup] the failure could not be recorded: ${storageFailure(again).code}`);
    }
    return false;
  }
}

export const backupHandlers: Pick<HandlerMap, BackupChannels> = {
  'backup.start': async (_input, ctx) => {
    const { core } = ctx;
    const folder = folderChosen(ctx);
    core.state.get(BACKUP_JOB)?.discard();
    core.state.set(BACKUP_JOB, null);
    if (!folder) return { jobId: null, done: 0, total: 0 };
    const job = new BackupJob(folder, new Date(core.clock.now()), 'manual', () => core.vault.backupSource());
    core.state.set(BACKUP_JOB, job);
    return { jobId: job.id, done: 0, total: job.progress.total };
  },

  'backup.next': async (input, ctx) => {
    const { core } = ctx;
    const job = core.state.get(BACKUP_JOB);
    if (!job || job.id !== input.jobId) throw new AppError('BACKUP_NOT_RUNNING');
    const actorId = ctx.requireSession().id;
    try {
      job.step();
    } catch (error) {
      core.state.set(BACKUP_JOB, null);
      const failure = storageFailure(error);
      await appendAudit(core.vault.db, { at: core.nowIso(), actorId, action: 'backup.create', outcome: 'failed', errorCode: failure.code, targetType: 'backup', detail: { backup: job.name, trigger: job.trigger } });
      throw failure;
    }
    const progress = job.progress;
    if (progress.backup) {
      core.state.set(BACKUP_JOB, null);
      // Only a backup made counts as the last one (one stopped or failed does not).
      await writeBackupSetting(core.vault.db, 'lastAt', job.at.toISOString(), { userId: actorId, at: core.nowIso() });
      await keepLedgerBesideBackups(core, core.vault.db, job.parent, core.nowIso());
      await appendAudit(core.vault.db, { at: core.nowIso(), actorId, action: 'backup.create', outcome: 'ok', errorCode: null, targetType: 'backup', detail: backupDetail(progress.backup) });
    }
    return progress;
  },

  'backup.cancel': async (input, ctx) => {
    const job = ctx.core.state.get(BACKUP_JOB);
    if (job?.id === input.jobId) {
      job.discard();
      ctx.core.state.set(BACKUP_JOB, null);
    }
    return {};
  },

  'backup.verify': async (input, ctx) => {
    const folder = folderChosen(ctx);
    if (!folder) return { checked: false, backup: null };
    ctx.note({ targetType: 'backup', detail: { backup: folderForTrail(folder), with: 'recoveryCode' in input.credentials ? 'recoveryCode' : 'password' } });
    const checked = await checkBackup(folder, input.credentials, ctx.core.vault.migrations);
    checked.dataKey.fill(0);
    const summary = summaryOf(basename(folder), checked.manifest);
    ctx.note({ detail: { ...backupDetail(summary), with: 'recoveryCode' in input.credentials ? 'recoveryCode' : 'password' } });
    return { checked: true, backup: summary };
  },

  'backup.restore': async (input, ctx) => {
    const { core } = ctx;
    const folder = folderChosen(ctx);
    if (!folder) return { restored: false, backup: null, dataBefore: null };
    ctx.note({ targetType: 'backup', detail: { backup: folderForTrail(folder) } });
    const actor = ctx.requireSession();
    const checked = await checkBackup(folder, input.credentials, core.vault.migrations);
    const summary = summaryOf(basename(folder), checked.manifest);
    ctx.note({ detail: backupDetail(summary) });
    let dataBefore: BackupSummary | null = null;
    try {
      // Another centre's (or another install's) data does not replace this one's.
      if (checked.manifest.vaultId !== core.vault.vaultId) throw new AppError('BACKUP_FOREIGN');
      // The erasures made here must outlive the swap: the ledger beside the database is written
      // now, and the restore does not go ahead without it; so are those beside the backup.
      await saveErasureLedger(core);
      adoptLedgerBesideBackup(core, folder);
      // What the restore replaces, backed up first where automatic backups go.
      const { folder: automaticFolder } = await readBackupSettings(ctx.db);
      if (automaticFolder) {
        dataBefore = new BackupJob(automaticFolder, new Date(core.clock.now()), 'before_restore', () => core.vault.backupSource()).runToEnd();
        await keepLedgerBesideBackups(core, ctx.db, automaticFolder, core.nowIso());
        await appendAudit(ctx.db, { at: core.nowIso(), actorId: actor.id, action: 'backup.create', outcome: 'ok', errorCode: null, targetType: 'backup', detail: backupDetail(dataBefore) });
        ctx.note({ detail: { ...backupDetail(summary), dataBefore: dataBefore.folderName } });
      }
      // The restored trail says it was restored, when, by whom (if she existed then) and from what.
      await core.vault.stageRestore(folder, checked, async (db) => {
        const existed = await db.selectFrom('user').select('id').where('id', '=', actor.id).executeTakeFirst();
        await appendAudit(db, { at: core.nowIso(), actorId: existed ? actor.id : null, action: 'backup.restore', outcome: 'ok', errorCode: null, targetType: 'backup', detail: backupDetail(summary) });
      });
    } finally {
      checked.dataKey.fill(0);
    }
    // The session ends and the files swap (the data of before goes at the first login after).
    await core.endSession('logout');
    core.vault.switchTo('restore');
    core.restoredFrom = summary.createdAt;
    return { restored: true, backup: summary, dataBefore };
  },

  'setup.restore': async (input, ctx) => {
    const { core } = ctx;
    if (core.vault.presence().state !== 'absent') throw new AppError('VAULT_EXISTS');
    const folder = folderChosen(ctx);
    if (!folder) return { restored: false, backup: null };
    core.discardPendingSetup();
    const checked = await checkBackup(folder, input.credentials, core.vault.migrations);
    const summary = summaryOf(basename(folder), checked.manifest);
    try {
      // Whoever was erased after this backup was made, on the PC before this one, is erased
      // again at the first login: the ledger kept beside the backups comes along (before
      // anything is staged, so a failure to write it leaves nothing behind).
      adoptLedgerBesideBackup(core, folder);
      // The restored trail says it was set up from this backup on a new computer.
      await core.vault.stageRestore(folder, checked, async (db) => {
        await appendAudit(db, { at: core.nowIso(), actorId: null, action: 'backup.restore', outcome: 'ok', errorCode: null, targetType: 'backup', detail: { ...backupDetail(summary), newComputer: true } });
      });
    } finally {
      checked.dataKey.fill(0);
    }
    core.vault.switchTo('restore');
    core.restoredFrom = summary.createdAt;
    return { restored: true, backup: summary };
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
    };
  },

  'vault.rotateBegin': async (_input, ctx) => {
    const { core } = ctx;
    const pending = issueRecoveryCode();
    core.state.set(PENDING_ROTATION, pending);
    const needNewPassword = (await accountsWithoutKeyPair(ctx)).map(({ id, displayName }) => ({ id, displayName }));
    return { ...shownOnce(pending), needNewPassword };
  },

  'vault.rotateKey': async (input, ctx) => {
    const { core } = ctx;
    const actor = ctx.requireSession();
    const recoveryCode = confirmedRecoveryCode(core.state.get(PENDING_ROTATION), input.confirmation);
    const user = await ctx.db.selectFrom('user').select(['username', 'key_slot_id']).where('id', '=', actor.id).executeTakeFirstOrThrow();
    if (!(await core.vault.verifyPassword(user.username, input.password, user.key_slot_id))) throw new AppError('WRONG_CREDENTIALS');
    const at = core.nowIso();
    const plan = await core.vault.stageRotation({ username: user.username, password: input.password, slotId: user.key_slot_id }, recoveryCode, async (db, plan) => {
      // Accounts left without a slot need a new password from an administrator, as after a reset.
      let needNewPassword: number[] = [];
      if (plan.droppedSlotIds.length) {
        const dropped = await db.selectFrom('user').select('id').where('key_slot_id', 'in', plan.droppedSlotIds).execute();
        needNewPassword = dropped.map((row) => row.id);
        await db.updateTable('user').set({ key_slot_id: null, must_change_password: 1 }).where('key_slot_id', 'in', plan.droppedSlotIds).execute();
      }
      await appendAudit(db, { at, actorId: actor.id, action: 'vault.rotateKey', outcome: 'ok', errorCode: null, targetType: null, detail: { carried: plan.carriedSlotIds.length, needNewPassword } });
    });
    ctx.note({ detail: { carried: plan.carriedSlotIds.length, needNewPassword: plan.droppedSlotIds.length } });
    // The live database (and its trail) is removed once the copy is in place: the entry lives in the copy.
    await core.endSession('logout');
    core.vault.switchTo('rotate');
    core.keyRotated = true;
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
