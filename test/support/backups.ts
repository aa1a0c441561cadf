import type { BackupJobStep, BackupSummary } from '../../electron/contract/index.ts';
import type { Gate } from '../../electron/core/gate/gate.ts';

type Made = { ok: true; value: { saved: boolean; backup: BackupSummary | null; steps: number } } | { ok: false; error: { code: string } };

/**
 * A backup through the gate as the backup screen makes it: `backup.start` into the folder the
 * dialog gave, then `backup.next` until the last step returns the backup.
 */
export async function makeBackup(gate: Gate, folder: string | null): Promise<Made> {
  const ended = await runBackupJob(gate, 'backup.start', {}, folder);
  if (!ended.ok) return { ok: false, error: ended.error };
  const { backup } = ended.value as { backup?: BackupSummary | null };
  return { ok: true, value: { saved: Boolean(backup), backup: backup ?? null, steps: ended.steps.length } };
}

type Ended = { ok: true; value: BackupJobStep | { jobId: null; done: number; total: number }; steps: BackupJobStep[] } | { ok: false; error: { code: string }; steps: BackupJobStep[] };

/**
 * A backup job through the gate as the backup screen (or the new computer's setup) runs it:
 * `channel` starts it with the folder the dialog gave, then its next step is asked for until
 * the last one returns the backup made, checked or restored. Every step's answer is kept.
 */
export async function runBackupJob(gate: Gate, channel: 'backup.start' | 'backup.verify' | 'backup.restore' | 'setup.restore', input: unknown, folder: string | null): Promise<Ended> {
  const steps: BackupJobStep[] = [];
  const started = await gate.invoke(channel, input, { path: folder });
  if (!started.ok) return { ...started, steps };
  const value = started.value as { jobId: string | null; done: number; total: number };
  if (!value.jobId) return { ok: true, value: { ...value, jobId: null }, steps };
  const next = channel === 'setup.restore' ? 'setup.restoreNext' : 'backup.next';
  for (;;) {
    const step = await gate.invoke(next, { jobId: value.jobId });
    if (!step.ok) return { ...step, steps };
    steps.push(step.value as BackupJobStep);
    if ((step.value as BackupJobStep).backup) return { ok: true, value: step.value as BackupJobStep, steps };
  }
}
