import type { BackupSummary } from '../../electron/contract/index.ts';
import type { Gate } from '../../electron/core/gate/gate.ts';

type Made = { ok: true; value: { saved: boolean; backup: BackupSummary | null; steps: number } } | { ok: false; error: { code: string } };

/**
 * A backup through the gate as the backup screen makes it: `backup.start` into the folder the
 * dialog gave, then `backup.next` until the last step returns the backup.
 */
export async function makeBackup(gate: Gate, folder: string | null): Promise<Made> {
  const started = await gate.invoke('backup.start', {}, { path: folder });
  if (!started.ok) return started;
  const { jobId } = started.value as { jobId: string | null };
  if (!jobId) return { ok: true, value: { saved: false, backup: null, steps: 0 } };
  for (let steps = 1; ; steps++) {
    const next = await gate.invoke('backup.next', { jobId });
    if (!next.ok) return next;
    const { backup } = next.value as { backup: BackupSummary | null };
    if (backup) return { ok: true, value: { saved: true, backup, steps } };
  }
}
