import type { ControlledTransaction, Kysely, Migration, RawBuilder } from 'kysely';
import type { ErrorCode } from '../../contract/errors.ts';
import type { Database, Db } from '../db/schema.ts';
import type { SqlDialect } from '../db/dialect.ts';
import type { PreparedVault } from './creation.ts';
import type { SwitchKind } from './file-switch.ts';
import type { Keyring } from './key-slots.ts';
import type { RestoreStaging, RotationPlan, StagedBackup } from './staging.ts';
import type { PendingEvent } from './unlock-state.ts';
import type { SqliteHandle } from './database.ts';
import type { ColumnSealer } from './column-sealers.ts';
import type { CopyDown } from './copy-down.ts';

/*
 * The store: where the centre's records are kept and how they are opened. Two are planned
 * (DESIGN.md §8): the encrypted file on this PC (vault.ts, `FileVault`) and the centre's
 * PostgreSQL server. The kernel and the features reach the records only through this interface
 * and Kysely; none of them knows which store runs. What differs between the two (opening,
 * keys, backups, cleanup after an erasure, the SQL functions of raw fragments) is here.
 */

export type StoreKind = 'file' | 'server';

export type VaultPresence = { state: 'absent' } | { state: 'present' } | { state: 'broken'; problem: ErrorCode };

/** What a backup of the file copies: the open database, the keyring file, the data key (for the check). */
export interface FileBackupSource {
  kind: 'file';
  sqlite: SqliteHandle;
  keyringPath: string;
  dataKey: Buffer;
}

/** What a backup of the server copies: every record in one snapshot, into a file of the one-PC format (copy-down.ts). */
export interface ServerBackupSource {
  kind: 'server';
  /** A new copy, begun by the backup's first step (it holds its own copy of the key). */
  copy: () => CopyDown;
}

export type BackupSource = FileBackupSource | ServerBackupSource;

/**
 * A keyring change prepared in memory (the slow key derivation done), written by `saveKeyring`
 * as the last step of the transaction that records it, so the database and keyring agree.
 */
export interface KeyringChange {
  keyring: Keyring;
  slotId: string | null;
}

/** The calls that open a vault with a person's password. */
export type PasswordUnlock = 'auth.login' | 'auth.serverSwitch';

export interface Store {
  readonly kind: StoreKind;
  /** The SQL functions that differ between the stores, for the few raw fragments (db/dialect.ts). */
  readonly dialect: SqlDialect;
  /** Sealing and opening the columns with words about a person (column-sealers.ts); open stores only on a server. */
  readonly columns: ColumnSealer;

  // ---- Presence and opening ----
  presence(): VaultPresence;
  /** Where the records are kept when not on this PC: the centre's server and its database (null for the file). */
  place(): { host: string; port: number; database: string } | null;
  /** Is this a training vault? Readable while locked: the login screen says so too. */
  isTraining(): boolean;
  readonly isOpen: boolean;
  /** The open database; NOT_AUTHENTICATED when locked (the gate checks first; this is the backstop). */
  readonly db: Kysely<Database>;
  /**
   * Begin the transaction a call runs in. On the server it is serialisable: when another PC's
   * transaction got in the way, it fails with a conflict (`isConflict`) and the gate runs the
   * call again, so no change is ever made on what another PC had already changed.
   */
  begin(): Promise<ControlledTransaction<Database>>;
  /** A failure that says only that another PC's transaction got in the way: the call may run again. */
  isConflict(error: unknown): boolean;
  /** A failure of the store said as the app says it (the server lost, unreachable), or the error itself. */
  explain(error: unknown): unknown;
  /** Generate keys and slots in memory; nothing is written until `create`. */
  prepare(admin: { username: string; password: string }, recoveryCode: string): Promise<PreparedVault>;
  /**
   * Write the prepared vault and keep it open. Takes ownership of the data key. `seed` writes
   * the first content within the store's own transaction (all of it, or nothing).
   */
  create(prepared: PreparedVault, seed: (trx: Db) => Promise<void>): Promise<void>;
  /** Open with a person's password; returns the slot id the accounts table links to. */
  /** `action`: what a wrong password is recorded as (a login, or moving this PC to another server). */
  unlockWithPassword(username: string, password: string, action?: PasswordUnlock): Promise<string>;
  unlockWithRecoveryCode(code: string, username: string): Promise<void>;
  /** Failed attempts recorded while locked, with the usernames unsealed, for the audit trail. */
  takePendingEvents(): Promise<{ events: (PendingEvent & { username: string | null })[]; droppedEvents: number }>;
  recordLockedEvent(event: PendingEvent): void;
  /** Close the database and overwrite the key in memory. Safe to call when already locked. */
  close(): Promise<void>;

  // ---- Key slots (open) ----
  verifyPassword(username: string, password: string, slotId: string | null): Promise<boolean>;
  stagePassword(username: string, password: string, replacing: string | null): Promise<KeyringChange>;
  stageRemoval(slotId: string | null): KeyringChange;
  stageRecoveryCode(code: string): Promise<KeyringChange>;
  /**
   * Write the keyring as the last step of the call's transaction (`db`): undone if the commit
   * fails; `done` once it held.
   */
  saveKeyring(change: KeyringChange, db: Db): Promise<{ undo(): void; done(): void }>;
  readonly vaultId: string;
  /** The key-derivation parameters new slots get (for the processing register). */
  readonly kdf: { N: number; r: number; p: number };
  /** This version's migrations of the store. */
  readonly migrations: Readonly<Record<string, Migration>>;
  /** This version's migrations of the one-PC file: what every backup is (made from either store), and is checked against. */
  readonly backupMigrations: Readonly<Record<string, Migration>>;

  // ---- The schema and erasure ----
  /** Does the open database have this table? (A database from before a migration, in tests.) */
  hasTable(name: string): Promise<boolean>;
  /** After an erasure committed: no page, log or free space of the store keeps the erased content. */
  purgeErasedPages(log: (line: string) => void): void;

  // ---- Backups, restores, key rotation ----
  /** What a backup copies, read when each of its steps runs (the vault must be open then). */
  backupSource(): BackupSource;
  restoreStaging(folder: string, checked: StagedBackup): RestoreStaging;
  /** Slots a rotation can carry over: those of active accounts (as `db`, the call's transaction, says), holding a key pair. */
  rotatableSlotIds(db: Db): Promise<string[]>;
  /**
   * Change the data key: the file stages a re-encrypted copy (put in place by `switchTo`, once
   * the store is closed); the server seals every sealed column again and swaps its keyring
   * (nothing left to switch). `prepare` writes, under the new key, what the change's own
   * transaction must hold (accounts whose slots were dropped, the audit entry).
   */
  stageRotation(db: Db, admin: { username: string; password: string; slotId: string | null }, recoveryCode: string, prepare: (db: Db, plan: RotationPlan) => Promise<void>): Promise<RotationPlan>;
  /** A key change cut short waits to be finished by the person who just unlocked (server only; always false on the file). */
  readonly keyChangeToFinish: boolean;
  /** Finish that change (the server's `stageRotation` from where it stopped). */
  finishKeyChange(prepare: (db: Db, plan: RotationPlan) => Promise<void>): Promise<RotationPlan>;
  /**
   * Within a call's transaction: is the key this PC holds still the centre's? On a server
   * another PC may be changing it, or have changed it (KEY_CHANGE_UNDER_WAY, KEY_CHANGED).
   * `keyState` is read as a column of the gate's first read in the call (no trip of its own),
   * and `checkKeyState` judges what it read; null on the file, where nothing can change it.
   */
  readonly keyState: RawBuilder<string | null> | null;
  checkKeyState(state: unknown): void;
  /** Is a switch to a staged copy under way (begun and neither finished nor put back)? */
  readonly switchUnderWay: boolean;
  /** Put the staged copy in the place of the live data. The store must be closed. */
  switchTo(kind: SwitchKind): void;
  /** After a restore has opened at a login: the copy of the data before it goes. */
  removeDataOfBeforeRestore(): void;
}
