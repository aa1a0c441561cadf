import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely, Migration } from 'kysely';
import { AppError, storageFailure } from '../app-error.ts';
import type { Database } from '../db/schema.ts';
import { sha256Of } from '../files.ts';
import { configure, kyselyFor, migrate, openEncrypted, rekey, type SqliteHandle } from './database.ts';
import type { FileSwitch } from './file-switch.ts';
import { sealedSlotFor, sealPasswordSlot, sealRecoverySlot, writeKeyring, type Keyring, type KeySlot } from './key-slots.ts';
import { normalizeRecoveryCode } from './recovery-code.ts';
import { VAULT_FILES } from './vault-files.ts';

/*
 * Copies of the vault made beside the live files, whole and checked before anything switches
 * to them (file-switch.ts): a restored backup brought to this version, and the database
 * re-encrypted under a new data key with its new keyring.
 */

/** A checked backup as a restore stages it: each file's hash from its manifest, and its data key. */
export interface StagedBackup {
  manifest: { files: { database: { sha256: string }; keyring: { sha256: string } } };
  dataKey: Buffer;
}

/** What a key rotation carried over, and whose slots it could not (they need a new password). */
export interface RotationPlan {
  carriedSlotIds: string[];
  droppedSlotIds: string[];
}

/** The recovery slot for a code (one the app generated: it always normalises). */
export async function recoverySlotFor(keyring: Keyring, code: string, dataKey: Buffer) {
  const canonical = normalizeRecoveryCode(code);
  if (!canonical) throw new Error('generated recovery code does not normalise');
  return sealRecoverySlot(keyring, canonical, dataKey);
}

/**
 * Copy a checked backup beside the live files, bring it to this version (migrations), check
 * it again, and let `prepare` write into it (the restore's own audit entry). The live files
 * are not touched. The copy is left self-contained (no write-ahead log).
 */
export async function stageRestore(
  files: FileSwitch,
  target: { dataDir: string; migrations: Readonly<Record<string, Migration>> },
  folder: string,
  checked: StagedBackup,
  prepare: (db: Kysely<Database>) => Promise<void>,
): Promise<void> {
  const { staged } = files;
  files.removeStaged();
  try {
    // On a new PC the data folder may not exist yet.
    mkdirSync(target.dataDir, { recursive: true });
    copyFileSync(join(folder, VAULT_FILES.database), staged.database);
    copyFileSync(join(folder, VAULT_FILES.keyring), staged.keyring);
    if (sha256Of(staged.database) !== checked.manifest.files.database.sha256 || sha256Of(staged.keyring) !== checked.manifest.files.keyring.sha256) throw new AppError('BACKUP_CORRUPT');
    const sqlite = openEncrypted(staged.database, checked.dataKey);
    const db = kyselyFor(sqlite);
    try {
      configure(sqlite);
      await migrate(sqlite, target.migrations);
      if (sqlite.pragma('integrity_check', { simple: true }) !== 'ok') throw new AppError('BACKUP_CORRUPT');
      await prepare(db);
      sqlite.pragma('journal_mode = DELETE');
    } finally {
      await db.destroy();
    }
  } catch (error) {
    files.removeStaged();
    throw storageFailure(error);
  }
}

/**
 * Stage a copy of the database re-encrypted under a new data key, with a new keyring: the
 * administrator's slot, every other person's slot carried over sealed to her key pair (those
 * without one, or unproven, are dropped: they need a new password), and a new recovery code.
 * Only the slots of active accounts are carried: a keyring put back from before someone left
 * still holds hers, and she must not receive the new key. `prepare` writes into the copy (the
 * rotation's audit entry, accounts whose slots were dropped) before it is re-keyed. The live
 * files are not touched.
 */
export async function stageRotation(
  files: FileSwitch,
  open: { keyring: Keyring; dataKey: Buffer; sqlite: SqliteHandle; active: ReadonlySet<string>; unproven: ReadonlySet<string> },
  admin: { username: string; password: string; slotId: string | null },
  recoveryCode: string,
  prepare: (db: Kysely<Database>, plan: RotationPlan) => Promise<void>,
): Promise<RotationPlan> {
  const { staged } = files;
  const newKey = randomBytes(32);
  const base: Keyring = { ...open.keyring, slots: [] };
  try {
    const adminSlot = await sealPasswordSlot(base, admin.username, admin.password, newKey);
    if (adminSlot.id !== admin.slotId) throw new AppError('WRONG_CREDENTIALS');
    const plan: RotationPlan = { carriedSlotIds: [], droppedSlotIds: [] };
    const slots: KeySlot[] = [adminSlot];
    for (const slot of open.keyring.slots) {
      if (slot.kind === 'recovery' || slot.id === adminSlot.id || !open.active.has(slot.id)) continue;
      if (open.unproven.has(slot.id)) {
        plan.droppedSlotIds.push(slot.id);
        continue;
      }
      const sealed = sealedSlotFor(base, slot, newKey);
      if (sealed) {
        slots.push(sealed);
        plan.carriedSlotIds.push(slot.id);
      } else plan.droppedSlotIds.push(slot.id);
    }
    slots.push(await recoverySlotFor(base, recoveryCode, newKey));
    const rotated: Keyring = { ...base, slots };

    files.removeStaged();
    open.sqlite.prepare('vacuum into ?').run(staged.database);
    const copy = openEncrypted(staged.database, open.dataKey);
    const db = kyselyFor(copy);
    try {
      copy.pragma('journal_mode = DELETE');
      copy.pragma('foreign_keys = ON');
      await prepare(db, plan);
      rekey(copy, newKey);
    } finally {
      await db.destroy();
    }
    // Reopened with the new key only: proves the copy is whole under it.
    const check = openEncrypted(staged.database, newKey, { readonly: true });
    try {
      if (check.pragma('integrity_check', { simple: true }) !== 'ok') throw new AppError('STORAGE_FAILED');
    } finally {
      check.close();
    }
    writeKeyring(staged.keyring, rotated, newKey);
    return plan;
  } catch (error) {
    files.removeStaged();
    throw storageFailure(error);
  } finally {
    newKey.fill(0);
  }
}
