import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { VAULT_FILES } from '../../electron/core/vault/vault.ts';
import { benchCopy, PASSWORD } from './case-records.ts';
import type { BackupSummary } from '../../electron/contract/index.ts';

/*
 * Backup figures on the seeded vault: a backup (copy, checksum, reopen and check), checking it
 * (key derivation, checksums, integrity_check, counts), changing the data key (copy, re-key,
 * check, swap), and restoring the backup made before (check, copy, migrate, check, swap).
 */

const round = (value: number) => Math.round(value * 10) / 10;

async function timedMs<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

export async function backupFigures(clients: number, log: (line: string) => void) {
  const { work, core, call, remove } = await benchCopy('backup', clients, log);
  const usb = mkdtempSync(join(tmpdir(), 'dh-bench-usb-'));
  try {
    const admin = { username: 'quantri', password: PASSWORD };
    await call('auth.login', admin);
    const databaseMb = statSync(join(work, VAULT_FILES.database)).size / 1_048_576;

    log(`Timing a backup of ${round(databaseMb)} MB…`);
    // Step by step as the screen does it; the longest step is the longest the app cannot answer.
    const steps: number[] = [];
    /** A job through the gate to its end (start, then its steps), each step's time kept in `into`. */
    const runJob = async (channel: string, input: unknown, path: string, into: number[]) => {
      const { jobId } = await call<{ jobId: string }>(channel, input, { path });
      for (;;) {
        const step = await timedMs(() => call<{ backup: BackupSummary | null }>('backup.next', { jobId }));
        into.push(step.ms);
        if (step.value.backup) return step.value.backup;
      }
    };
    const made = await timedMs(() => runJob('backup.start', {}, usb, steps));
    const folder = join(usb, made.value.folderName);

    log('Timing a check of that backup…');
    const checkSteps: number[] = [];
    const checked = await timedMs(() => runJob('backup.verify', { credentials: admin }, folder, checkSteps));

    log('Timing a change of the data key…');
    const begun = await call<{ recoveryCode: string; confirmGroup: number }>('vault.rotateBegin', {});
    const rotated = await timedMs(() => call('vault.rotateKey', { password: PASSWORD, confirmation: begun.recoveryCode.split('-')[begun.confirmGroup - 1], confirm: true }));

    log('Timing a restore of the backup made before…');
    await call('auth.login', admin);
    const restoreSteps: number[] = [];
    const restored = await timedMs(() => runJob('backup.restore', { credentials: admin, confirm: true }, folder, restoreSteps));
    await core.shutdown();

    return {
      backup_database_mb: round(databaseMb),
      backup_ms: round(made.ms),
      backup_mb_per_s: round(databaseMb / (made.ms / 1000)),
      backup_steps: steps.length,
      backup_longest_step_ms: round(Math.max(...steps)),
      backup_verify_ms: round(checked.ms),
      backup_verify_steps: checkSteps.length,
      backup_verify_longest_step_ms: round(Math.max(...checkSteps)),
      key_rotation_ms: round(rotated.ms),
      restore_ms: round(restored.ms),
      restore_steps: restoreSteps.length,
      restore_longest_step_ms: round(Math.max(...restoreSteps)),
    };
  } finally {
    rmSync(usb, { recursive: true, force: true });
    remove();
  }
}
