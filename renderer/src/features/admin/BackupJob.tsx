import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { BackupJobStep } from '../../../../electron/contract/index.ts';
import { call, type CallResult, type ClientErrorPayload } from '../../api.ts';

/*
 * A backup job as the screens run it (making, checking or restoring a backup, or setting a new
 * computer up from one): started, then asked for its next step until the last one answers,
 * with its stage and percentage shown, and a button to stop it.
 */

type Started = CallResult<{ jobId: string | null; done: number; total: number }>;

export type JobEnd = { ended: BackupJobStep } | { error: ClientErrorPayload } | { cancelled: true } | { stopped: true };

/** `newComputer`: the set-up-from-a-backup job, before anyone has logged in (its own channels). */
export function useBackupJob(newComputer = false) {
  const [progress, setProgress] = useState<Pick<BackupJobStep, 'done' | 'total' | 'stage'> | null>(null);
  const [running, setRunning] = useState(false);
  const job = useRef<string | null>(null);
  // Each run has its number; a stop (or leaving the screen) moves it on, and a run whose number
  // has moved on touches nothing of the next one's.
  const current = useRef(0);

  const cancel = (jobId: string) => (newComputer ? call('setup.restoreCancel', { jobId }) : call('backup.cancel', { jobId }));
  const next = (jobId: string) => (newComputer ? call('setup.restoreNext', { jobId }) : call('backup.next', { jobId }));

  // A job left by leaving the screen is stopped (its half-made files go).
  useEffect(
    () => () => {
      current.current += 1;
      if (job.current) void cancel(job.current);
      job.current = null;
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [],
  );

  /** Start with `start`, then step to the end; `firstStage`: what the bar says until the first step answers. */
  const run = async (start: () => Promise<Started>, firstStage: BackupJobStep['stage']): Promise<JobEnd> => {
    const mine = ++current.current;
    const stillMine = () => current.current === mine;
    setRunning(true);
    try {
      const started = await start();
      if (!started.ok) return { error: started.error };
      const { jobId } = started.value;
      if (!jobId) return { cancelled: true };
      if (!stillMine()) {
        // Stopped while it was starting: the job just started goes too.
        await cancel(jobId);
        return { stopped: true };
      }
      job.current = jobId;
      setProgress({ done: 0, total: started.value.total, stage: firstStage });
      for (;;) {
        const step = await next(jobId);
        // A job that ended is reported as ended, even if Stop came during its last step.
        if (step.ok && step.value.backup) return { ended: step.value };
        if (!stillMine()) return { stopped: true };
        if (!step.ok) return { error: step.error };
        setProgress(step.value);
      }
    } finally {
      if (stillMine()) {
        job.current = null;
        setProgress(null);
        setRunning(false);
      }
    }
  };

  /** Stop the job under way: the screen lets go of it at once, and it is cancelled after the step under way. */
  const stop = async () => {
    current.current += 1;
    const jobId = job.current;
    job.current = null;
    setProgress(null);
    setRunning(false);
    if (jobId) await cancel(jobId);
  };

  return { progress, running, run, stop };
}

/** The stage under way and how far the job has come, as words, a percentage and a bar. */
export function JobProgress({ progress, stopLabel, onStop }: { progress: Pick<BackupJobStep, 'done' | 'total' | 'stage'> | null; stopLabel: string; onStop: () => void }) {
  const { t } = useTranslation();
  const stopButton = useRef<HTMLButtonElement | null>(null);
  const shown = progress !== null;
  // The button that started the job is now disabled, and took the keyboard's focus with it:
  // the focus goes to Stop, the one thing that can be done meanwhile.
  useEffect(() => {
    if (shown && (document.activeElement === null || document.activeElement === document.body)) stopButton.current?.focus();
  }, [shown]);
  if (!progress) return null;
  const label = t(`backup.stage.${progress.stage}`);
  return (
    <>
      <div className="report-progress" role="status">
        <span>
          {label} {t('backup.percent', { percent: Math.floor((100 * progress.done) / Math.max(1, progress.total)) })}
        </span>
        <progress aria-label={label} max={progress.total} value={progress.done} />
      </div>
      <div className="actions">
        <button type="button" ref={stopButton} onClick={onStop}>
          {stopLabel}
        </button>
      </div>
    </>
  );
}
