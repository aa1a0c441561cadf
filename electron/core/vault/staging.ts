import { createHash, randomBytes } from 'node:crypto';
import { closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely, Migration } from 'kysely';
import { AppError, storageFailure } from '../app-error.ts';
import type { Database } from '../db/schema.ts';
import { chunkOfFile, FILE_CHUNK, sha256Of } from '../files.ts';
import { configure, kyselyFor, migrate, openEncrypted, rekey, type SqliteHandle } from './database.ts';
import type { FileSwitch } from './file-switch.ts';
import { isPersonSlot, sealedSlotFor, sealPasswordSlot, sealRecoverySlot, writeKeyring, type Keyring, type KeySlot } from './key-slots.ts';
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
 * A checked backup copied beside the live files in steps (a chunk at a time, hashed as it is
 * written), brought to this version (migrations), checked again table by table, and written
 * into by `prepare` (the restore's own audit entry). The live files are not touched; the copy
 * is left self-contained (no write-ahead log). Any failure, or `discard`, removes the copy.
 */
export class RestoreStaging {
  readonly chunks: number;
  readonly #source: string;
  #hash = createHash('sha256');
  #sqlite: SqliteHandle | null = null;

  constructor(
    readonly files: FileSwitch,
    readonly target: { dataDir: string; migrations: Readonly<Record<string, Migration>> },
    readonly folder: string,
    readonly checked: StagedBackup,
  ) {
    this.#source = join(folder, VAULT_FILES.database);
    // Planned from the file found (the check before has made sure it is the backup's).
    this.chunks = Math.max(1, Math.ceil((existsSync(this.#source) ? statSync(this.#source).size : 0) / FILE_CHUNK));
  }

  /** Copy the `chunk`th part of the database (the first starts afresh; the last checks the whole copy's hash). */
  copyChunk(chunk: number): void {
    this.#guard(() => {
      const { staged } = this.files;
      if (chunk === 0) {
        this.files.removeStaged();
        // On a new PC the data folder may not exist yet.
        mkdirSync(this.target.dataDir, { recursive: true });
        this.#hash = createHash('sha256');
      }
      const last = chunk === this.chunks - 1;
      const to = openSync(staged.database, chunk === 0 ? 'w' : 'r+', 0o600);
      try {
        chunkOfFile(this.#source, chunk, last, this.#hash, to);
        if (last) fsyncSync(to);
      } finally {
        closeSync(to);
      }
      if (last) {
        copyFileSync(join(this.folder, VAULT_FILES.keyring), staged.keyring);
        if (this.#hash.digest('hex') !== this.checked.manifest.files.database.sha256 || sha256Of(staged.keyring) !== this.checked.manifest.files.keyring.sha256) throw new AppError('BACKUP_CORRUPT');
      }
    });
  }

  /** Open the copy and bring it to this version; then its tables, with their rows (to share the check's time). */
  async migrate(): Promise<{ table: string; rows: number }[]> {
    return this.#guardAsync(async () => {
      const sqlite = openEncrypted(this.files.staged.database, this.checked.dataKey);
      this.#sqlite = sqlite;
      configure(sqlite);
      await migrate(sqlite, this.target.migrations);
      const tables = sqlite.prepare("select name from sqlite_schema where type = 'table' and name not like 'sqlite_%' order by name").pluck().all() as string[];
      return tables.map((table) => ({ table, rows: Number(sqlite.prepare(`select count(*) from "${table}"`).pluck().get()) }));
    });
  }

  /** The migrated copy is sound: one table (null: the whole database at once). */
  checkTable(table: string | null): void {
    this.#guard(() => {
      if (this.#open().pragma(table === null ? 'integrity_check' : `integrity_check("${table}")`, { simple: true }) !== 'ok') throw new AppError('BACKUP_CORRUPT');
    });
  }

  /** Let `prepare` write into the copy, then leave it self-contained and closed. */
  async finish(prepare: (db: Kysely<Database>) => Promise<void>): Promise<void> {
    await this.#guardAsync(async () => {
      const sqlite = this.#open();
      const db = kyselyFor(sqlite);
      try {
        await prepare(db);
        sqlite.pragma('journal_mode = DELETE');
      } finally {
        this.#sqlite = null;
        await db.destroy();
      }
    });
  }

  /** Stop: the copy is closed and removed. */
  discard(): void {
    const sqlite = this.#sqlite;
    this.#sqlite = null;
    try {
      sqlite?.close();
    } finally {
      this.files.removeStaged();
    }
  }

  #open(): SqliteHandle {
    if (!this.#sqlite) throw new AppError('STORAGE_FAILED');
    return this.#sqlite;
  }

  #guard(step: () => void): void {
    try {
      step();
    } catch (error) {
      this.discard();
      throw storageFailure(error);
    }
  }

  async #guardAsync<T>(step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (error) {
      this.discard();
      throw storageFailure(error);
    }
  }
}


/**
 * The keyring of a key change (both stores): the administrator's slot, every other person's
 * slot carried over sealed to her key pair (those without one, or unproven, are dropped: they
 * need a new password), and a new recovery code, all under `newKey`. Only the slots of active
 * accounts are carried: a keyring put back from before someone left still holds hers, and she
 * must not receive the new key. The password must open the administrator's own slot.
 */
export async function rotatedKeyring(
  open: { keyring: Keyring; active: ReadonlySet<string>; unproven: ReadonlySet<string> },
  admin: { username: string; password: string; slotId: string | null },
  recoveryCode: string,
  newKey: Buffer,
): Promise<{ keyring: Keyring; plan: RotationPlan }> {
  const base: Keyring = { ...open.keyring, slots: [] };
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
  return { keyring: { ...base, slots }, plan };
}

/** The person slots a key change can carry: active accounts' (as the database says), with a key pair, proven. */
export function rotatableSlots(keyring: Keyring, active: ReadonlySet<string>, unproven: ReadonlySet<string>): string[] {
  return keyring.slots.flatMap((slot) => (isPersonSlot(slot) && slot.box && active.has(slot.id) && !unproven.has(slot.id) ? [slot.id] : []));
}

/**
 * Stage a copy of the database re-encrypted under a new data key, with the new keyring
 * (`rotatedKeyring`). `prepare` writes into the copy (the rotation's audit entry, accounts
 * whose slots were dropped) before it is re-keyed. The live files are not touched.
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
  try {
    const { keyring: rotated, plan } = await rotatedKeyring(open, admin, recoveryCode, newKey);
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
