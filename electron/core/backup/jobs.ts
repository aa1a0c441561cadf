import type { BackupJobStep } from '../../contract/backup.ts';
import { appendAudit, type AuditRecord } from '../audit/trail.ts';
import { AppError } from '../app-error.ts';
import type { Core } from '../core.ts';
import { sessionSlot, type SessionSlot, type SessionState } from '../session-state.ts';
import type { CheckJob } from './backup-check.ts';
import { backupDetail, folderForTrail, type BackupJob } from './backup-files.ts';
import type { RestoreJob } from './restore-job.ts';

/*
 * The backup job under way in a session (one at a time): a backup being made, checked or
 * restored, each a SteppedJob that `backup.next` moves on by one step. Its end, or a failed
 * step, is recorded in the trail under the action that names the work; its steps are not.
 */

export type BackupWork =
  | { kind: 'make'; job: BackupJob; markMade: (made: NonNullable<BackupJob['made']>) => Promise<void> }
  | { kind: 'check'; job: CheckJob; folder: string; with: 'password' | 'recoveryCode' }
  | { kind: 'restore'; job: RestoreJob; folder: string };

/** The job of this session; an unfinished one is let go at lock and logout (its half-written files removed). */
export const BACKUP_WORK = sessionSlot<BackupWork | null>('backup.job', () => null, (work) => work?.job.discard());

/** Setting up a new computer from a backup (kept between sessions: nobody can log in yet); let go at shutdown. */
export const NEW_COMPUTER = sessionSlot<(BackupWork & { kind: 'restore' }) | null>('setup.restore', () => null, (work) => work?.job.discard());

const ACTION = { make: 'backup.create', check: 'backup.verify', restore: 'backup.restore' } as const;

/** Replace the job kept in `store` (one at a time: the one before is let go). */
export function startWork<W extends BackupWork>(store: SessionState, slot: SessionSlot<W | null>, work: W): BackupJobStep & { jobId: string } {
  try {
    store.release(slot);
  } finally {
    store.set(slot, work);
  }
  return { jobId: work.job.id, ...stepOf(work) };
}

export function stopWork<W extends BackupWork>(store: SessionState, slot: SessionSlot<W | null>, jobId: string): void {
  if (store.get(slot)?.job.id !== jobId) return;
  store.release(slot);
}

function stepOf(work: BackupWork): BackupJobStep {
  const { done, total, stage } = work.job.progress;
  return { done, total, stage, backup: null, checked: false, restored: false, dataBefore: null };
}

/**
 * The next step of the job `jobId` in `slot`. While it runs the job is held by this call, not
 * the session (a restore's last step ends the session, which would let it go). A failure is
 * recorded and thrown; after the last step, the end is recorded and the result returned.
 */
export async function nextStep<W extends BackupWork>(core: Core, store: SessionState, slot: SessionSlot<W | null>, jobId: string, actorId: number | null): Promise<BackupJobStep> {
  const work = store.get(slot);
  if (!work || work.job.id !== jobId) throw new AppError('BACKUP_NOT_RUNNING');
  store.set(slot, null);
  try {
    await work.job.step();
  } catch (error) {
    await recordFailure(core, work, actorId, error as AppError);
    throw error;
  }
  if (!work.job.finished) {
    store.set(slot, work);
    return stepOf(work);
  }
  const step = stepOf(work);
  switch (work.kind) {
    case 'make': {
      const made = work.job.made;
      if (!made) throw new AppError('STORAGE_FAILED');
      await work.markMade(made);
      await audit(core, { actorId, action: 'backup.create', outcome: 'ok', errorCode: null, detail: backupDetail(made) });
      return { ...step, backup: made };
    }
    case 'check': {
      const backup = work.job.check.summary;
      await audit(core, { actorId, action: 'backup.verify', outcome: 'ok', errorCode: null, detail: { ...backupDetail(backup), with: work.with } });
      return { ...step, backup, checked: true };
    }
    case 'restore':
      // Recorded in the restored trail (the live one is gone); the session has ended.
      return { ...step, backup: work.job.summary, restored: work.job.restored, dataBefore: work.job.dataBefore };
  }
}

/** What the trail says of a job that failed: the backup's facts as far as they were read, never a path. */
async function recordFailure(core: Core, work: BackupWork, actorId: number | null, error: AppError): Promise<void> {
  let detail: Record<string, unknown>;
  if (work.kind === 'make') detail = { backup: work.job.name, trigger: work.job.trigger };
  else {
    const known = work.job.check.known;
    detail = { backup: folderForTrail(work.folder), ...(known ? backupDetail(known) : {}) };
    if (work.kind === 'check') detail.with = work.with;
    else if (work.job.dataBefore) detail.dataBefore = work.job.dataBefore.folderName;
  }
  try {
    await audit(core, { actorId, action: ACTION[work.kind], outcome: 'failed', errorCode: error.code ?? 'INTERNAL', detail });
  } catch {
    core.log(`[backup] the failure of ${ACTION[work.kind]} could not be recorded`);
  }
}

/** An entry in the live trail (while it is open: on a new computer there is none yet). */
async function audit(core: Core, entry: Omit<AuditRecord, 'at' | 'targetType'>): Promise<void> {
  if (!core.vault.isOpen) return;
  await appendAudit(core.vault.db, core.vault.dialect, { ...entry, at: core.nowIso(), targetType: 'backup' });
}
