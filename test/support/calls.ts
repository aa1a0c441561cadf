import { openPasswordSlot, readKeyring } from '../../electron/core/vault/key-slots.ts';
import { runBackupJob } from './backups.ts';
import type { TestApp } from './vault-fixture.ts';

/* Small helpers the core tests share: a call with a path from the shell, look-ups, key checks. */

/** A call through the gate as if the shell's dialog gave `path` (null: cancelled); the error's code on refusal. */
export async function invoke<T>(app: TestApp, channel: string, input: unknown, path: string | null): Promise<T | { error: string }> {
  const result = await app.gate.invoke(channel, input, { path });
  if (!result.ok) return { error: result.error.code };
  return result.value as T;
}

/**
 * A backup job (checking or restoring a backup, or setting up from one) started as if the
 * shell's dialog gave `path` and run step by step to its end: its last answer, or the error's code.
 */
export async function invokeJob<T>(app: TestApp, channel: 'backup.verify' | 'backup.restore' | 'setup.restore', input: unknown, path: string | null): Promise<T | { error: string }> {
  const result = await runBackupJob(app.gate, channel, input, path);
  if (!result.ok) return { error: result.error.code };
  return result.value as T;
}

/** A service type's id by its code (the catalogue as the logged-in person sees it); an unknown code fails the test. */
export async function typeId(app: TestApp, code: string): Promise<number> {
  const type = (await app.ok('catalogue.list', {})).find((row) => row.code === code);
  if (!type) throw new Error(`no service type ${code}`);
  return type.id;
}

/** One group of a recovery code ("ABCD-EFGH-…"), counted from 1, as the confirmation asks for it. */
export const groupOf = (code: string, group: number): string => code.split('-')[group - 1] ?? '';

/** The data key a person's password opens in a keyring file, or null. */
export async function keyOf(keyringPath: string, person: { username: string; password: string }): Promise<Buffer | null> {
  return (await openPasswordSlot(readKeyring(keyringPath), person.username, person.password))?.dataKey ?? null;
}
