import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ControlledTransaction, Kysely, Migration } from 'kysely';
import { AppError, isAppError } from '../app-error.ts';
import { type Clock } from '../clock.ts';
import type { Database, Db } from '../db/schema.ts';
import { openVaultDatabase, type SqliteHandle } from './database.ts';
import { prepareVault, writeNewVault, type PreparedVault } from './creation.ts';
import { FileSwitch, type SwitchKind } from './file-switch.ts';
import { type ScryptParams } from './kdf.ts';
import { openPasswordSlot, openRecoverySlot, readKeyring, type Keyring } from './key-slots.ts';
import {
  unprovenSlotIds,
  writeKeyringKeepingOld,
  type ActiveSlotIds,
} from './key-file.ts';
import { normalizeRecoveryCode } from './recovery-code.ts';
import { RestoreStaging, rotatableSlots, stageRotation, type RotationPlan, type StagedBackup } from './staging.ts';
import { takePendingEvents, UnlockStateFile, type PendingEvent } from './unlock-state.ts';
import { unlock, type UnlockTarget } from './unlocking.ts';
import { VAULT_FILES } from './vault-files.ts';
import { OpenKeys } from './open-keys.ts';
import type { FileBackupSource, KeyringChange, PasswordUnlock, Store, VaultPresence } from './store.ts';
import { sqliteDialect } from '../db/dialect.ts';
import { fileSealer } from './column-sealers.ts';

export { SWITCH_FILES, VAULT_FILES } from './vault-files.ts';
export { SEALING_KEY_SETTING, type ActiveSlotIds } from './key-file.ts';
export type { RotationPlan, StagedBackup } from './staging.ts';
export type { PreparedVault } from './creation.ts';
export type { BackupSource, FileBackupSource, KeyringChange, VaultPresence } from './store.ts';

export interface VaultOptions {
  dataDir: string;
  clock: Clock;
  migrations: Readonly<Record<string, Migration>>;
  /** How new vaults choose KDF parameters; tests pass the floor to skip the measurement. */
  calibrateKdf?: () => Promise<ScryptParams>;
  /** Create vaults marked as training data (the seed tool). */
  training?: boolean;
  /** The key slots the database links to active accounts (the vault knows no accounts). */
  activeSlotIds: ActiveSlotIds;
}

/**
 * The encrypted file on this PC, and its keys: the store of a one-PC centre (store.ts). Knows
 * files, keys and slots; knows nothing of accounts, sessions or permissions (those live in the
 * features above it). The keyring file's rules are in key-file.ts, staged copies in
 * staging.ts, switching to them in file-switch.ts.
 */
export class Vault extends OpenKeys implements Store {
  readonly kind = 'file';
  readonly dialect = sqliteDialect;
  readonly columns = fileSealer;
  readonly paths: { database: string; keyring: string; unlockState: string };
  readonly unlockState: UnlockStateFile;
  readonly #files: FileSwitch;
  #sqlite: SqliteHandle | null = null;

  constructor(private readonly options: VaultOptions) {
    super();
    this.paths = {
      database: join(options.dataDir, VAULT_FILES.database),
      keyring: join(options.dataDir, VAULT_FILES.keyring),
      unlockState: join(options.dataDir, VAULT_FILES.unlockState),
    };
    this.unlockState = new UnlockStateFile(this.paths.unlockState, () => options.clock.now());
    this.#files = new FileSwitch(this.paths, options.dataDir, options.clock);
    this.#files.finishInterrupted();
    // A keyring kept beside the live one (`.previous`) means the app stopped between a keyring
    // write and its commit: which of the two the database agrees with is settled at the first
    // unlock (unlocking.ts), since only then can the database be read.
  }

  /** One PC writes the file, one call at a time (the core's queue): nothing else gets in the way. */
  begin(): Promise<ControlledTransaction<Database>> {
    return this.db.startTransaction().execute();
  }

  isConflict(): boolean {
    return false;
  }

  explain(error: unknown): unknown {
    return error;
  }

  place(): null {
    return null;
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

  /** Is this a training vault? Readable while locked: the login screen says so too. */
  isTraining(): boolean {
    // While open, the proven keyring held in memory says.
    if (this.keyringIfOpen) return this.keyringIfOpen.training === true;
    if (this.presence().state !== 'present') return false;
    return readKeyring(this.paths.keyring).training === true;
  }

  get sqlite(): SqliteHandle {
    if (!this.#sqlite) throw new AppError('NOT_AUTHENTICATED');
    return this.#sqlite;
  }

  // ---- Creating -----------------------------------------------------------------------------

  /** Generate keys and slots in memory; nothing touches the disk until `create` (creation.ts). */
  async prepare(admin: { username: string; password: string }, recoveryCode: string): Promise<PreparedVault> {
    if (this.presence().state !== 'absent') throw new AppError('VAULT_EXISTS');
    return prepareVault(this.options, admin, recoveryCode);
  }

  /** Write the prepared vault, its keyring last, and keep it open. Takes ownership of the data key. */
  async create(prepared: PreparedVault, seed: (trx: Db) => Promise<void>): Promise<void> {
    if (this.presence().state !== 'absent') throw new AppError('VAULT_EXISTS');
    const { sqlite, db } = await writeNewVault(this.paths, this.options, prepared, seed);
    this.#adopt(prepared.keyring, prepared.dataKey, sqlite, db);
  }

  // ---- Unlocking ----------------------------------------------------------------------------

  /** Open with a person's password. Returns the slot id, which the accounts table links to. */
  async unlockWithPassword(username: string, password: string, action: PasswordUnlock = 'auth.login'): Promise<string> {
    const opened = await unlock(this.#unlockTarget(), (keyring) => openPasswordSlot(keyring, username, password), action, 'WRONG_CREDENTIALS', username);
    return opened.slotId ?? '';
  }

  async unlockWithRecoveryCode(code: string, username: string): Promise<void> {
    const canonical = normalizeRecoveryCode(code);
    await unlock(
      this.#unlockTarget(),
      async (keyring) => {
        const dataKey = canonical ? await openRecoverySlot(keyring, canonical) : null;
        return dataKey ? { dataKey, slotId: null } : null;
      },
      'auth.recover',
      'RECOVERY_CODE_INVALID',
      username,
    );
  }

  /** What unlocking (unlocking.ts) may do with this vault. */
  #unlockTarget(): UnlockTarget {
    return {
      keyringPath: this.paths.keyring,
      clock: this.options.clock,
      unlockState: this.unlockState,
      readKeyring: () => {
        const presence = this.presence();
        if (presence.state === 'absent') throw new AppError('VAULT_ABSENT');
        if (presence.state === 'broken') throw new AppError(presence.problem);
        return readKeyring(this.paths.keyring);
      },
      openDatabase: (keyring, dataKey) => this.#openDatabase(keyring, dataKey),
      close: () => this.close(),
      open: () => ({ keyring: this.keyring, dataKey: this.dataKey, sqlite: this.sqlite }),
      keep: (keyring) => {
        this.keyring = keyring;
      },
      saveKeyring: (change) => this.#writeKeyring(change),
      activeSlotIds: () => this.#active(),
    };
  }

  /** Failed attempts recorded while locked, with the usernames unsealed, for the audit trail. */
  takePendingEvents(): Promise<{ events: (PendingEvent & { username: string | null })[]; droppedEvents: number }> {
    return takePendingEvents(this.db, this.unlockState, this.columns);
  }

  recordLockedEvent(event: PendingEvent): void {
    this.unlockState.recordEvent(event);
  }

  // ---- Slots (vault must be open): verify and stage in open-keys.ts ------------------------

  /** Write the keyring, the old one kept until the commit holds (key-file.ts); the file's keyring is beside the database, not in the call's transaction. */
  async saveKeyring(change: KeyringChange, _db?: Db): Promise<{ undo(): void; done(): void }> {
    return this.#writeKeyring(change);
  }

  #writeKeyring(change: KeyringChange): { undo(): void; done(): void } {
    const previous = this.keyring;
    const written = writeKeyringKeepingOld(this.paths.keyring, change.keyring, this.dataKey);
    this.keyring = change.keyring;
    return {
      undo: () => {
        written.undo();
        this.keyring = previous;
      },
      done: written.done,
    };
  }

  // ---- Locking ------------------------------------------------------------------------------

  /** Close the database and overwrite the key in memory. Safe to call when already locked. */
  async close(): Promise<void> {
    const sqlite = this.#sqlite;
    this.#sqlite = null;
    const db = this.dropOpen();
    if (sqlite?.open) {
      try {
        sqlite.pragma('wal_checkpoint(TRUNCATE)');
      } catch {
        // A failed checkpoint loses nothing: the log is replayed at the next open.
      }
    }
    await db?.destroy();
  }

  // ---- The schema and erasure ----------------------------------------------------------------

  async hasTable(name: string): Promise<boolean> {
    return this.sqlite.prepare(`select 1 from sqlite_master where type = 'table' and name = ?`).get(name) !== undefined;
  }

  /**
   * After an erasure: copy every page out of the write-ahead log into the database (where
   * secure_delete has already overwritten the erased content) and truncate the log, so no old
   * page keeps it. A checkpoint that could not finish is logged; the next one completes it.
   */
  purgeErasedPages(log: (line: string) => void): void {
    const [result] = this.sqlite.pragma('wal_checkpoint(TRUNCATE)') as { busy: number; log: number; checkpointed: number }[];
    if (!result || result.busy !== 0 || result.log !== result.checkpointed) log('[core] checkpoint after erasure did not complete');
  }

  // ---- Backups ------------------------------------------------------------------------------

  /** What a backup copies, read when each of its steps runs (the vault must be open then). */
  backupSource(): FileBackupSource {
    return { kind: 'file', sqlite: this.sqlite, keyringPath: this.paths.keyring, dataKey: this.dataKey };
  }

  get migrations(): Readonly<Record<string, Migration>> {
    return this.options.migrations;
  }

  /** What a backup is checked against: this version's migrations, this runtime's native module. */
  get backupMigrations(): Readonly<Record<string, Migration>> {
    return this.options.migrations;
  }

  /** Copying a checked backup beside the live files and bringing it to this version, in steps (staging.ts). */
  restoreStaging(folder: string, checked: StagedBackup): RestoreStaging {
    return new RestoreStaging(this.#files, this.options, folder, checked);
  }

  // ---- Rotating the data key ---------------------------------------------------------------

  /** Slots a rotation can carry over: those of active accounts (as the database says), holding a key pair. */
  async rotatableSlotIds(db: Db): Promise<string[]> {
    const active = await this.options.activeSlotIds(db);
    return rotatableSlots(this.keyring, active, unprovenSlotIds(this.sqlite));
  }

  /** The key slots of active accounts, as the database says through the function the vault was given. */
  #active(): Promise<ReadonlySet<string>> {
    // Outside any call's transaction (unlocking): the vault's own connection.
    return this.options.activeSlotIds(this.db);
  }

  /** Stage the database re-encrypted under a new data key, with its new keyring (staging.ts). */
  async stageRotation(db: Db, admin: { username: string; password: string; slotId: string | null }, recoveryCode: string, prepare: (db: Kysely<Database>, plan: RotationPlan) => Promise<void>): Promise<RotationPlan> {
    const open = { keyring: this.keyring, dataKey: this.dataKey, sqlite: this.sqlite, active: await this.options.activeSlotIds(db), unproven: unprovenSlotIds(this.sqlite) };
    return stageRotation(this.#files, open, admin, recoveryCode, prepare);
  }

  /** One PC: nobody else can change the key meanwhile. */
  readonly keyChangeToFinish = false;

  finishKeyChange(): Promise<RotationPlan> {
    throw new AppError('INTERNAL');
  }

  readonly keyState = null;

  checkKeyState(): void {}

  /** Is a switch to a staged copy under way (begun and neither finished nor put back)? */
  get switchUnderWay(): boolean {
    return this.#files.underWay;
  }

  /** Put the staged copy in the place of the live files (file-switch.ts). The vault must be closed. */
  switchTo(kind: SwitchKind): void {
    if (this.isOpen) throw new Error('close the vault before switching');
    this.#files.switchTo(kind);
  }

  /**
   * After a restore, once the restored data has opened at a login: the copy of before goes, so
   * no unmanaged copy of the database outlives erasures and the retention rule. (The screen
   * warned that changes since the backup would be gone; when an automatic backup folder is
   * set, a backup of them was made there first.)
   */
  removeDataOfBeforeRestore(): void {
    if (this.#files.underWay) return;
    this.#files.removeAside();
  }

  // ---- Internals ----------------------------------------------------------------------------

  async #openDatabase(keyring: Keyring, dataKey: Buffer): Promise<void> {
    await this.close();
    try {
      const { sqlite, db } = await openVaultDatabase(this.paths.database, dataKey, this.options.migrations);
      this.#adopt(keyring, dataKey, sqlite, db);
    } catch (error) {
      dataKey.fill(0);
      throw error;
    }
  }

  #adopt(keyring: Keyring, dataKey: Buffer, sqlite: SqliteHandle, db: Kysely<Database>): void {
    this.#sqlite = sqlite;
    this.holdOpen(keyring, dataKey, db);
  }

}
