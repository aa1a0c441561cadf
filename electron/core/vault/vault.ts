import { randomBytes } from 'node:crypto';
import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely, Migration } from 'kysely';
import type { ErrorCode } from '../../contract/errors.ts';
import { AppError, isAppError } from '../app-error.ts';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/schema.ts';
import { assertNotNewer, configure, kyselyFor, migrate, openEncrypted, type OpenOptions, type SqliteHandle } from './database.ts';
import { calibrate, deriveKey, type ScryptParams } from './kdf.ts';
import {
  findSlot,
  newKeyring,
  openSlot,
  readKeyring,
  RECOVERY_SLOT_ID,
  sealSlot,
  slotIdForUsername,
  withoutSlot,
  withSlot,
  writeKeyring,
  type Keyring,
} from './keyring.ts';
import { normalizeRecoveryCode } from './recovery-code.ts';
import { UnlockStateFile, type PendingEvent } from './unlock-state.ts';

/** Neutral file names: nothing says what the centre's clients do. */
export const VAULT_FILES = {
  database: 'dong-hanh.db',
  keyring: 'dong-hanh.keyring',
  unlockState: 'dong-hanh.state',
} as const;

export type VaultPresence = { state: 'absent' } | { state: 'present' } | { state: 'broken'; problem: ErrorCode };

export interface VaultOptions extends OpenOptions {
  dataDir: string;
  clock: Clock;
  migrations: Readonly<Record<string, Migration>>;
  /** How new vaults choose KDF parameters; tests pass the floor to skip the measurement. */
  calibrateKdf?: () => Promise<ScryptParams>;
}

export interface PreparedVault {
  keyring: Keyring;
  dataKey: Buffer;
  adminSlotId: string;
}

/**
 * The encrypted store and its keys. Knows files, keys and slots; knows nothing of accounts,
 * sessions or permissions (those live in the features above it).
 */
export class Vault {
  readonly paths: { database: string; keyring: string; unlockState: string };
  readonly unlockState: UnlockStateFile;
  #keyring: Keyring | null = null;
  #dataKey: Buffer | null = null;
  #sqlite: SqliteHandle | null = null;
  #db: Kysely<Database> | null = null;

  constructor(private readonly options: VaultOptions) {
    this.paths = {
      database: join(options.dataDir, VAULT_FILES.database),
      keyring: join(options.dataDir, VAULT_FILES.keyring),
      unlockState: join(options.dataDir, VAULT_FILES.unlockState),
    };
    this.unlockState = new UnlockStateFile(this.paths.unlockState, () => options.clock.now());
  }

  presence(): VaultPresence {
    const hasDb = existsSync(this.paths.database);
    const hasKeyring = existsSync(this.paths.keyring);
    if (!hasDb && !hasKeyring) return { state: 'absent' };
    if (!hasDb || !hasKeyring) return { state: 'broken', problem: 'VAULT_INCOMPLETE' };
    try {
      readKeyring(this.paths.keyring);
    } catch (error) {
      return { state: 'broken', problem: isAppError(error) ? error.code : 'KEYRING_CORRUPT' };
    }
    return { state: 'present' };
  }

  get isOpen(): boolean {
    return this.#db !== null;
  }

  /** The open database; NOT_AUTHENTICATED when locked (the gate checks first; this is the backstop). */
  get db(): Kysely<Database> {
    if (!this.#db) throw new AppError('NOT_AUTHENTICATED');
    return this.#db;
  }

  get sqlite(): SqliteHandle {
    if (!this.#sqlite) throw new AppError('NOT_AUTHENTICATED');
    return this.#sqlite;
  }

  // ---- Creating -----------------------------------------------------------------------------

  /** Generate keys and slots in memory; nothing touches the disk until `create`. */
  async prepare(admin: { username: string; password: string }, recoveryCode: string): Promise<PreparedVault> {
    if (this.presence().state !== 'absent') throw new AppError('VAULT_EXISTS');
    const kdf = await (this.options.calibrateKdf ?? (async () => (await calibrate()).params))();
    const dataKey = randomBytes(32);
    let keyring = newKeyring(kdf);
    const adminSlotId = slotIdForUsername(keyring, admin.username);
    keyring = withSlot(
      keyring,
      await sealSlot({ keyring, id: adminSlotId, kind: 'password', secret: Buffer.from(admin.password, 'utf8'), dataKey }),
    );
    keyring = withSlot(keyring, await this.#recoverySlot(keyring, recoveryCode, dataKey));
    return { keyring, dataKey, adminSlotId };
  }

  /**
   * Write the prepared vault: database first (so a crash leaves no keyring pointing at
   * nothing), then the keyring. On failure, remove what this call created and nothing else.
   */
  async create(prepared: PreparedVault): Promise<void> {
    if (this.presence().state !== 'absent') throw new AppError('VAULT_EXISTS');
    let sqlite: SqliteHandle | null = null;
    try {
      sqlite = openEncrypted(this.paths.database, prepared.dataKey, { ...this.#openOptions(), create: true });
      configure(sqlite);
      await migrate(sqlite, this.options.migrations);
      writeKeyring(this.paths.keyring, prepared.keyring);
    } catch (error) {
      sqlite?.close();
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${this.paths.database}${suffix}`, { force: true });
      throw isAppError(error) ? error : new AppError('STORAGE_FAILED', {}, { cause: error });
    }
    // The vault now owns the data key buffer and wipes it when it locks.
    this.#adopt(prepared.keyring, prepared.dataKey, sqlite);
  }

  // ---- Unlocking ----------------------------------------------------------------------------

  /** Open with a person's password. Returns the slot id, which the accounts table links to. */
  async unlockWithPassword(username: string, password: string): Promise<string> {
    this.#assertNotThrottled();
    const keyring = this.#readKeyringOrThrow();
    const slotId = slotIdForUsername(keyring, username);
    const slot = findSlot(keyring, slotId);
    const secret = Buffer.from(password, 'utf8');
    let dataKey: Buffer | null = null;
    try {
      if (slot && slot.kind === 'password') {
        dataKey = await openSlot(keyring, slot, secret);
      } else {
        // Same work for an unknown name, so timing does not tell which usernames exist.
        await deriveKey(secret, randomBytes(16), keyring.kdf);
      }
    } finally {
      secret.fill(0);
    }
    if (!dataKey) {
      this.#recordUnlockFailure('auth.login', 'WRONG_CREDENTIALS', slot ? slotId : null);
      throw new AppError('WRONG_CREDENTIALS');
    }
    await this.#openDatabase(keyring, dataKey);
    return slotId;
  }

  async unlockWithRecoveryCode(code: string): Promise<void> {
    this.#assertNotThrottled();
    const keyring = this.#readKeyringOrThrow();
    const canonical = normalizeRecoveryCode(code);
    const slot = findSlot(keyring, RECOVERY_SLOT_ID);
    let dataKey: Buffer | null = null;
    if (canonical && slot) {
      const secret = Buffer.from(canonical, 'utf8');
      try {
        dataKey = await openSlot(keyring, slot, secret);
      } finally {
        secret.fill(0);
      }
    }
    if (!dataKey) {
      this.#recordUnlockFailure('auth.recover', 'RECOVERY_CODE_INVALID', null);
      throw new AppError('RECOVERY_CODE_INVALID');
    }
    await this.#openDatabase(keyring, dataKey);
  }

  /** Failed attempts recorded while locked, handed to the audit trail once it is open. */
  takePendingEvents(): { events: PendingEvent[]; droppedEvents: number } {
    return this.unlockState.takePendingAndReset();
  }

  recordLockedEvent(event: PendingEvent): void {
    this.unlockState.recordEvent(event);
  }

  // ---- Slots (vault must be open) -----------------------------------------------------------

  slotIdFor(username: string): string {
    return slotIdForUsername(this.#openKeyring(), username);
  }

  /** Does this password open this person's slot? (Used to confirm the current password.) */
  async verifyPassword(username: string, password: string): Promise<boolean> {
    const keyring = this.#openKeyring();
    const slot = findSlot(keyring, slotIdForUsername(keyring, username));
    if (!slot) return false;
    const secret = Buffer.from(password, 'utf8');
    try {
      const key = await openSlot(keyring, slot, secret);
      key?.fill(0);
      return key !== null;
    } finally {
      secret.fill(0);
    }
  }

  /** Wrap the data key under a (new) password for this person; only their slot changes. */
  async setPassword(username: string, password: string): Promise<string> {
    const keyring = this.#openKeyring();
    const id = slotIdForUsername(keyring, username);
    const secret = Buffer.from(password, 'utf8');
    try {
      const slot = await sealSlot({ keyring, id, kind: 'password', secret, dataKey: this.#openDataKey() });
      this.#saveKeyring(withSlot(keyring, slot));
    } finally {
      secret.fill(0);
    }
    return id;
  }

  removePasswordSlot(username: string): void {
    const keyring = this.#openKeyring();
    this.#saveKeyring(withoutSlot(keyring, slotIdForUsername(keyring, username)));
  }

  /** Replace the recovery slot: the old code stops working at once. */
  async replaceRecoveryCode(code: string): Promise<void> {
    const keyring = this.#openKeyring();
    this.#saveKeyring(withSlot(keyring, await this.#recoverySlot(keyring, code, this.#openDataKey())));
  }

  // ---- Locking ------------------------------------------------------------------------------

  /** Close the database and overwrite the key in memory. Safe to call when already locked. */
  async close(): Promise<void> {
    const db = this.#db;
    const sqlite = this.#sqlite;
    this.#db = null;
    this.#sqlite = null;
    this.#keyring = null;
    this.#dataKey?.fill(0);
    this.#dataKey = null;
    if (sqlite?.open) {
      try {
        sqlite.pragma('wal_checkpoint(TRUNCATE)');
      } catch {
        // A failed checkpoint loses nothing: the log is replayed at the next open.
      }
    }
    await db?.destroy();
  }

  // ---- Internals ----------------------------------------------------------------------------

  #openOptions(): OpenOptions {
    return { nativeBinding: this.options.nativeBinding };
  }

  async #recoverySlot(keyring: Keyring, code: string, dataKey: Buffer) {
    const canonical = normalizeRecoveryCode(code);
    if (!canonical) throw new Error('generated recovery code does not normalise');
    const secret = Buffer.from(canonical, 'utf8');
    try {
      return await sealSlot({ keyring, id: RECOVERY_SLOT_ID, kind: 'recovery', secret, dataKey });
    } finally {
      secret.fill(0);
    }
  }

  #assertNotThrottled(): void {
    const waitMs = this.unlockState.retryAfterMs();
    if (waitMs > 0) throw new AppError('LOCKED_OUT', { retryAfterSeconds: Math.ceil(waitMs / 1000) });
  }

  #recordUnlockFailure(action: string, errorCode: ErrorCode, slotRef: string | null): void {
    this.unlockState.recordFailure({
      at: new Date(this.options.clock.now()).toISOString(),
      action,
      outcome: 'failed',
      errorCode,
      slotRef,
    });
  }

  #readKeyringOrThrow(): Keyring {
    const presence = this.presence();
    if (presence.state === 'absent') throw new AppError('VAULT_ABSENT');
    if (presence.state === 'broken') throw new AppError(presence.problem);
    return readKeyring(this.paths.keyring);
  }

  async #openDatabase(keyring: Keyring, dataKey: Buffer): Promise<void> {
    await this.close();
    try {
      // First a read-only look: a database from a newer version is refused before anything
      // (not even a checkpoint of its log) can write to it.
      const sidecarsBefore = this.#sidecarsPresent();
      try {
        const probe = openEncrypted(this.paths.database, dataKey, { ...this.#openOptions(), readonly: true });
        try {
          assertNotNewer(probe, this.options.migrations);
        } finally {
          probe.close();
        }
      } catch (error) {
        this.#removeSidecarsCreatedSince(sidecarsBefore);
        throw error;
      }
      const sqlite = openEncrypted(this.paths.database, dataKey, this.#openOptions());
      try {
        configure(sqlite);
        await migrate(sqlite, this.options.migrations);
      } catch (error) {
        sqlite.close();
        throw error;
      }
      this.#adopt(keyring, dataKey, sqlite);
    } catch (error) {
      dataKey.fill(0);
      throw error;
    }
  }

  #sidecarsPresent(): { wal: boolean; shm: boolean } {
    return { wal: existsSync(`${this.paths.database}-wal`), shm: existsSync(`${this.paths.database}-shm`) };
  }

  /**
   * A read-only look at a WAL database leaves an empty log and an index file behind. When
   * the open is refused, remove exactly those, so a refused file is left as it was found.
   */
  #removeSidecarsCreatedSince(before: { wal: boolean; shm: boolean }): void {
    const wal = `${this.paths.database}-wal`;
    if (!before.wal && existsSync(wal) && statSync(wal).size === 0) {
      rmSync(wal, { force: true });
      if (!before.shm) rmSync(`${this.paths.database}-shm`, { force: true });
    }
  }

  #adopt(keyring: Keyring, dataKey: Buffer, sqlite: SqliteHandle): void {
    this.#keyring = keyring;
    this.#dataKey = dataKey;
    this.#sqlite = sqlite;
    this.#db = kyselyFor(sqlite);
  }

  #openKeyring(): Keyring {
    if (!this.#keyring) throw new AppError('NOT_AUTHENTICATED');
    return this.#keyring;
  }

  #openDataKey(): Buffer {
    if (!this.#dataKey) throw new AppError('NOT_AUTHENTICATED');
    return this.#dataKey;
  }

  #saveKeyring(keyring: Keyring): void {
    writeKeyring(this.paths.keyring, keyring);
    this.#keyring = keyring;
  }
}
