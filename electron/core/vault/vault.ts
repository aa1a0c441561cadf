import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely, Migration } from 'kysely';
import type { ErrorCode } from '../../contract/errors.ts';
import { AppError, isAppError, storageFailure } from '../app-error.ts';
import { sha256Of } from '../files.ts';
import { writeFileAtomic } from '../files.ts';
import { isoNow, type Clock } from '../clock.ts';
import type { Database } from '../db/schema.ts';
import { assertNotNewer, configure, kyselyFor, migrate, openEncrypted, rekey, type SqliteHandle } from './database.ts';
import { calibrate, type ScryptParams } from './kdf.ts';
import {
  checkProof,
  isPersonSlot,
  newKeyring,
  openPasswordSlot,
  openRecoverySlot,
  passwordSlotKeys,
  readKeyring,
  sealedSlotFor,
  sealPasswordSlot,
  sealRecoverySlot,
  withoutSlot,
  withSlot,
  writeKeyring,
  type Keyring,
  type KeySlot,
} from './key-slots.ts';
import { normalizeRecoveryCode } from './recovery-code.ts';
import { newSealingKeyPair, open as openSealed, publicKeyOf, seal } from './sealed-box.ts';
import { UnlockStateFile, type PendingEvent } from './unlock-state.ts';

export { SWITCH_FILES, VAULT_FILES } from './vault-files.ts';
import { KEYRING_PROOF_SETTING, SWITCH_FILES, VAULT_FILES } from './vault-files.ts';

/** The keyring being replaced, kept until the change has committed. */
const KEPT_KEYRING = '.previous';

/** The setting row holding the private half of the key that seals usernames of failed logins. */
export const SEALING_KEY_SETTING = 'vault.sealingKey';
/** Sealed slots kept at a take-over: their public keys are unproven, so no rotation carries them. */
const UNPROVEN_SLOTS_SETTING = 'vault.unprovenSealedSlots';

export type VaultPresence = { state: 'absent' } | { state: 'present' } | { state: 'broken'; problem: ErrorCode };

/** What a backup copies: the open database, the keyring file, the data key (for the check). */
export interface BackupSource {
  sqlite: SqliteHandle;
  keyringPath: string;
  dataKey: Buffer;
}

/** A checked backup as a restore stages it: each file's hash from its manifest, and its data key. */
export interface StagedBackup {
  manifest: { files: { database: { sha256: string }; keyring: { sha256: string } } };
  dataKey: Buffer;
}

export interface VaultOptions {
  dataDir: string;
  clock: Clock;
  migrations: Readonly<Record<string, Migration>>;
  /** How new vaults choose KDF parameters; tests pass the floor to skip the measurement. */
  calibrateKdf?: () => Promise<ScryptParams>;
  /** Create vaults marked as training data (the seed tool). */
  training?: boolean;
}

export interface PreparedVault {
  keyring: Keyring;
  dataKey: Buffer;
  adminSlotId: string;
  sealingPrivateKey: string;
}

/**
 * A keyring change prepared in memory (the slow key derivation done), written by `saveKeyring`
 * as the last step of the transaction that records it, so the database and keyring agree.
 */
export interface KeyringChange {
  keyring: Keyring;
  slotId: string | null;
}

/** What a key rotation carried over, and whose slots it could not (they need a new password). */
interface RotationPlan {
  carriedSlotIds: string[];
  droppedSlotIds: string[];
}

type SwitchKind = 'restore' | 'rotate';

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
    this.#finishInterruptedSwitch();
    // A keyring kept beside the live one (`.previous`) means the app stopped between a keyring
    // write and its commit: which of the two the database agrees with is settled at the first
    // unlock (see #settleKeptKeyring), since only then can the database be read.
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
    if (this.#keyring) return this.#keyring.training === true;
    if (this.presence().state !== 'present') return false;
    return readKeyring(this.paths.keyring).training === true;
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
    const sealing = newSealingKeyPair();
    let keyring = newKeyring(kdf, sealing.publicKey, this.options.training ?? false);
    const adminSlot = await sealPasswordSlot(keyring, admin.username, admin.password, dataKey);
    keyring = withSlot(keyring, adminSlot);
    keyring = withSlot(keyring, await this.#recoverySlot(keyring, recoveryCode, dataKey));
    return { keyring, dataKey, adminSlotId: adminSlot.id, sealingPrivateKey: sealing.privateKey };
  }

  /**
   * Write the prepared vault: the database with its first content (`seed`), then the keyring
   * last, so a failure at any step leaves no keyring pointing at an unusable database. On
   * failure, remove what this call created and nothing else. Takes ownership of the data key.
   */
  async create(prepared: PreparedVault, seed: (db: Kysely<Database>) => Promise<void>): Promise<void> {
    if (this.presence().state !== 'absent') throw new AppError('VAULT_EXISTS');
    let sqlite: SqliteHandle | null = null;
    let db: Kysely<Database> | null = null;
    try {
      sqlite = openEncrypted(this.paths.database, prepared.dataKey, { create: true });
      configure(sqlite);
      await migrate(sqlite, this.options.migrations);
      db = kyselyFor(sqlite);
      await db
        .insertInto('setting')
        .values([
          { key: SEALING_KEY_SETTING, value: JSON.stringify(prepared.sealingPrivateKey), updated_at: isoNow(this.options.clock), updated_by: null },
          { key: KEYRING_PROOF_SETTING, value: JSON.stringify('required'), updated_at: isoNow(this.options.clock), updated_by: null },
        ])
        .execute();
      await seed(db);
      writeKeyring(this.paths.keyring, prepared.keyring, prepared.dataKey);
    } catch (error) {
      if (db) await db.destroy();
      else sqlite?.close();
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${this.paths.database}${suffix}`, { force: true });
      throw storageFailure(error);
    }
    this.#adopt(prepared.keyring, prepared.dataKey, sqlite, db);
  }

  // ---- Unlocking ----------------------------------------------------------------------------

  /** Open with a person's password. Returns the slot id, which the accounts table links to. */
  async unlockWithPassword(username: string, password: string): Promise<string> {
    this.#assertNotThrottled();
    const current = this.#readKeyringOrThrow();
    let unproven = false;
    for (const keyring of [current, ...this.#keptKeyring()]) {
      const opened = await openPasswordSlot(keyring, username, password);
      if (!opened) continue;
      // Nothing else in the file is used before it is proven.
      if (checkProof(keyring, opened.dataKey) === 'false') {
        opened.dataKey.fill(0);
        unproven = true;
        continue;
      }
      await this.#openDatabase(keyring, opened.dataKey);
      if (!this.#proofHolds(keyring)) {
        await this.close();
        unproven = true;
        continue;
      }
      const settled = this.#settleKeptKeyring(opened.slotId);
      if (settled !== 'settled') {
        await this.close();
        if (settled === 'unproven') throw new AppError('KEYRING_UNPROVEN');
        break;
      }
      await this.#takeOverUnprovenKeyring();
      if (opened.renewed) this.#renewSlot(opened.renewed);
      return opened.slotId;
    }
    // A keyring changed outside the app is refused as such, and counts as no failed password.
    if (unproven) throw new AppError('KEYRING_UNPROVEN');
    this.#recordUnlockFailure('auth.login', 'WRONG_CREDENTIALS', seal(current.auditKey, username));
    throw new AppError('WRONG_CREDENTIALS');
  }

  /** The keyring kept beside the live one by a write whose commit did not follow, if any. */
  #keptKeyring(): Keyring[] {
    const kept = `${this.paths.keyring}${KEPT_KEYRING}`;
    if (!existsSync(kept)) return [];
    try {
      return [readKeyring(kept)];
    } catch {
      return [];
    }
  }

  /**
   * After a stop between a keyring write and its commit, two keyrings: the one written, and the
   * one it replaced. The database says which holds: every active account's slot must be in it,
   * and of two that hold, the one with no password slot the database does not know (a person
   * added or a password changed whose commit never came). The other goes. A keyring whose
   * proof fails is never kept. Says whether the slot that unlocked is in the keyring kept (if
   * not, or if neither holds, the caller closes the vault again).
   */
  #settleKeptKeyring(unlockedSlot: string | null): 'settled' | 'slot-gone' | 'unproven' {
    const keptPath = `${this.paths.keyring}${KEPT_KEYRING}`;
    if (!existsSync(keptPath)) return 'settled';
    const [kept] = this.#keptKeyring();
    const live = readKeyring(this.paths.keyring);
    const referenced = this.#activeSlotIds();
    const people = (keyring: Keyring) => keyring.slots.filter(isPersonSlot);
    // Only a keyring whose proof holds (or one from before proofs, while the database has known none) may be kept.
    const fits = (keyring: Keyring) => this.#proofHolds(keyring) && [...referenced].every((id) => keyring.slots.some((slot) => slot.id === id));
    const unknown = (keyring: Keyring) => people(keyring).filter((slot) => !referenced.has(slot.id)).length;
    const keepOld = kept !== undefined && fits(kept) && (!fits(live) || unknown(kept) < unknown(live));
    // The live keyring was changed outside the app, and the kept one does not hold: nothing changes.
    if (!keepOld && !this.#proofHolds(live)) return 'unproven';
    if (keepOld) renameSync(keptPath, this.paths.keyring);
    else rmSync(keptPath, { force: true });
    const chosen = keepOld && kept ? kept : live;
    this.#keyring = chosen;
    return unlockedSlot === null || chosen.slots.some((slot) => slot.id === unlockedSlot) ? 'settled' : 'slot-gone';
  }

  /**
   * Put an ordinary slot in place of one sealed at a rotation (or one without a key pair). The
   * old slot opens the same key, so a failure here loses nothing: it is tried at the next login.
   */
  #renewSlot(slot: KeySlot): void {
    try {
      this.saveKeyring({ keyring: withSlot(this.#openKeyring(), slot), slotId: slot.id }).done();
      // Her own password made this slot's key pair: a rotation may carry it again.
      const unproven = this.#unprovenSlotIds();
      if (unproven.delete(slot.id)) this.#writeSetting(UNPROVEN_SLOTS_SETTING, [...unproven]);
    } catch {
      // Left as it was: still opens.
    }
  }

  async unlockWithRecoveryCode(code: string, username: string): Promise<void> {
    this.#assertNotThrottled();
    const current = this.#readKeyringOrThrow();
    const canonical = normalizeRecoveryCode(code);
    let unproven = false;
    for (const keyring of canonical ? [current, ...this.#keptKeyring()] : []) {
      const dataKey = await openRecoverySlot(keyring, canonical ?? '');
      if (!dataKey) continue;
      if (checkProof(keyring, dataKey) === 'false') {
        dataKey.fill(0);
        unproven = true;
        continue;
      }
      await this.#openDatabase(keyring, dataKey);
      if (!this.#proofHolds(keyring)) {
        await this.close();
        unproven = true;
        continue;
      }
      if (this.#settleKeptKeyring(null) === 'unproven') {
        await this.close();
        throw new AppError('KEYRING_UNPROVEN');
      }
      await this.#takeOverUnprovenKeyring();
      return;
    }
    if (unproven) throw new AppError('KEYRING_UNPROVEN');
    this.#recordUnlockFailure('auth.recover', 'RECOVERY_CODE_INVALID', seal(current.auditKey, username));
    throw new AppError('RECOVERY_CODE_INVALID');
  }

  /** Failed attempts recorded while locked, with the usernames unsealed, for the audit trail. */
  async takePendingEvents(): Promise<{ events: (PendingEvent & { username: string | null })[]; droppedEvents: number }> {
    const row = await this.db.selectFrom('setting').select('value').where('key', '=', SEALING_KEY_SETTING).executeTakeFirst();
    const privateKey = row ? (JSON.parse(row.value) as string) : null;
    const { events, droppedEvents } = this.unlockState.takePendingAndReset();
    return {
      droppedEvents,
      events: events.map((event) => ({
        ...event,
        username: privateKey && event.sealedUsername ? openSealed(privateKey, event.sealedUsername) : null,
      })),
    };
  }

  recordLockedEvent(event: PendingEvent): void {
    this.unlockState.recordEvent(event);
  }

  // ---- Slots (vault must be open) -----------------------------------------------------------

  /** Does this password open this person's slot? (Used to confirm the current password.) */
  async verifyPassword(username: string, password: string, slotId: string | null): Promise<boolean> {
    const keyring = this.#openKeyring();
    const slot = keyring.slots.find((s) => s.id === slotId && isPersonSlot(s));
    if (!slot) return false;
    const keys = await passwordSlotKeys(keyring, username, password, slot.kdf);
    keys.kek.fill(0);
    keys.boxKey.fill(0);
    return keys.id === slot.id;
  }

  /** A slot for this person's (new) password, replacing her previous one. Nothing is written yet. */
  async stagePassword(username: string, password: string, replacing: string | null): Promise<KeyringChange> {
    const keyring = this.#openKeyring();
    const slot = await sealPasswordSlot(keyring, username, password, this.#openDataKey());
    const without = replacing ? withoutSlot(keyring, replacing) : keyring;
    return { keyring: withSlot(without, slot), slotId: slot.id };
  }

  stageRemoval(slotId: string | null): KeyringChange {
    const keyring = this.#openKeyring();
    return { keyring: slotId ? withoutSlot(keyring, slotId) : keyring, slotId: null };
  }

  /** Replace the recovery slot: once saved, the old code stops working. */
  async stageRecoveryCode(code: string): Promise<KeyringChange> {
    const keyring = this.#openKeyring();
    return { keyring: withSlot(keyring, await this.#recoverySlot(keyring, code, this.#openDataKey())), slotId: null };
  }

  /**
   * Write the keyring. The file it replaces is kept under a second name (a hard link: no space
   * needed) until the commit has held, so that a commit that fails on a full disk can put it
   * back by a rename, which needs no space either; once the commit holds it is removed (it may
   * hold the slot of someone just removed).
   */
  saveKeyring(change: KeyringChange): { undo(): void; done(): void } {
    const previous = this.#openKeyring();
    const kept = `${this.paths.keyring}${KEPT_KEYRING}`;
    rmSync(kept, { force: true });
    linkSync(this.paths.keyring, kept);
    try {
      writeKeyring(this.paths.keyring, change.keyring, this.#openDataKey());
    } catch (error) {
      rmSync(kept, { force: true });
      throw error;
    }
    this.#keyring = change.keyring;
    return {
      undo: () => {
        renameSync(kept, this.paths.keyring);
        this.#keyring = previous;
      },
      done: () => rmSync(kept, { force: true }),
    };
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

  // ---- Backups ------------------------------------------------------------------------------

  /** What a backup copies, read when each of its steps runs (the vault must be open then). */
  backupSource(): BackupSource {
    return { sqlite: this.sqlite, keyringPath: this.paths.keyring, dataKey: this.#openDataKey() };
  }

  get vaultId(): string {
    return this.#openKeyring().vaultId;
  }

  /** The key-derivation parameters new slots get (for the processing register). */
  get kdf(): { N: number; r: number; p: number } {
    const { N, r, p } = this.#openKeyring().kdf;
    return { N, r, p };
  }

  /** What a backup is checked against: this version's migrations, this runtime's native module. */
  get migrations(): Readonly<Record<string, Migration>> {
    return this.options.migrations;
  }

  /**
   * Copy a checked backup beside the live files, bring it to this version (migrations), check
   * it again, and let `prepare` write into it (the restore's own audit entry). The live files
   * are not touched. The copy is left self-contained (no write-ahead log).
   */
  async stageRestore(folder: string, checked: StagedBackup, prepare: (db: Kysely<Database>) => Promise<void>): Promise<void> {
    const staged = this.#stagedPaths();
    this.#removeStaged();
    try {
      // On a new PC the data folder may not exist yet.
      mkdirSync(this.options.dataDir, { recursive: true });
      copyFileSync(join(folder, VAULT_FILES.database), staged.database);
      copyFileSync(join(folder, VAULT_FILES.keyring), staged.keyring);
      if (sha256Of(staged.database) !== checked.manifest.files.database.sha256 || sha256Of(staged.keyring) !== checked.manifest.files.keyring.sha256) throw new AppError('BACKUP_CORRUPT');
      const sqlite = openEncrypted(staged.database, checked.dataKey);
      const db = kyselyFor(sqlite);
      try {
        configure(sqlite);
        await migrate(sqlite, this.options.migrations);
        if (sqlite.pragma('integrity_check', { simple: true }) !== 'ok') throw new AppError('BACKUP_CORRUPT');
        await prepare(db);
        sqlite.pragma('journal_mode = DELETE');
      } finally {
        await db.destroy();
      }
    } catch (error) {
      this.#removeStaged();
      throw storageFailure(error);
    }
  }

  // ---- Rotating the data key ---------------------------------------------------------------

  /** Slots a rotation can carry over: those of active accounts (as the database says), holding a key pair. */
  rotatableSlotIds(): string[] {
    const active = this.#activeSlotIds();
    const unproven = this.#unprovenSlotIds();
    return this.#openKeyring().slots.flatMap((slot) => (isPersonSlot(slot) && slot.box && active.has(slot.id) && !unproven.has(slot.id) ? [slot.id] : []));
  }

  /** Does this keyring's proof hold under the open data key (no proof: only while the database has never required one)? */
  #proofHolds(keyring: Keyring): boolean {
    const proof = checkProof(keyring, this.#openDataKey());
    if (proof === 'absent') return this.#setting(KEYRING_PROOF_SETTING) === undefined;
    return proof === 'proven';
  }

  #setting(key: string): unknown {
    const value = this.sqlite.prepare('select value from setting where key = ?').pluck().get(key) as string | undefined;
    return value === undefined ? undefined : (JSON.parse(value) as unknown);
  }

  #writeSetting(key: string, value: unknown): void {
    this.sqlite
      .prepare('insert into setting (key, value, updated_at, updated_by) values (?, ?, ?, null) on conflict (key) do update set value = excluded.value, updated_at = excluded.updated_at')
      .run(key, JSON.stringify(value), isoNow(this.options.clock));
  }

  /** Sealed slots kept at a take-over, whose owners have not logged in since (see #takeOverUnprovenKeyring). */
  #unprovenSlotIds(): Set<string> {
    const ids = this.#setting(UNPROVEN_SLOTS_SETTING);
    return new Set(Array.isArray(ids) ? (ids as string[]) : []);
  }

  /** The key slots the database links to active accounts: the only person slots it vouches for. */
  #activeSlotIds(): Set<string> {
    return new Set(this.sqlite.prepare('select key_slot_id from user where active = 1 and key_slot_id is not null').pluck().all() as string[]);
  }

  /**
   * A keyring from release 0.1.0 carries no proof. Once its slot has opened the database, it is
   * taken over keeping only what the database vouches for: the recovery slot and the slots of
   * active accounts; their key pairs are dropped (a public key cannot be proven without its
   * owner's password; each person gets a new pair at her next login, as slots made before key
   * pairs do), and the audit key is put back from its private half in the database. A slot sealed
   * at a rotation keeps its key pair (its owner could not log in otherwise), but is listed as
   * unproven: no rotation carries it until her next login replaces it. Then the keyring is written
   * with its proof, and the database notes that proofs are required from now on.
   */
  async #takeOverUnprovenKeyring(): Promise<void> {
    const keyring = this.#openKeyring();
    if (checkProof(keyring, this.#openDataKey()) !== 'absent') return;
    const sealedKept: string[] = [];
    const active = this.#activeSlotIds();
    const sealing = this.sqlite.prepare('select value from setting where key = ?').pluck().get(SEALING_KEY_SETTING) as string | undefined;
    const slots = keyring.slots.flatMap((slot): KeySlot[] => {
      if (slot.kind === 'recovery') return [slot];
      if (!active.has(slot.id)) return [];
      if (slot.kind === 'password') {
        const { box: _unproven, ...withoutBox } = slot;
        return [withoutBox];
      }
      sealedKept.push(slot.id);
      return [slot];
    });
    const auditKey = sealing ? publicKeyOf(JSON.parse(sealing) as string) : keyring.auditKey;
    this.#writeSetting(UNPROVEN_SLOTS_SETTING, sealedKept);
    this.#writeSetting(KEYRING_PROOF_SETTING, 'required');
    this.saveKeyring({ keyring: { ...keyring, auditKey, slots }, slotId: null }).done();
  }

  /**
   * Stage a copy of the database re-encrypted under a new data key, with a new keyring: the
   * administrator's slot, every other person's slot carried over sealed to her key pair (those
   * without one are dropped: they need a new password), and a new recovery code. `prepare`
   * writes into the copy (the rotation's audit entry, accounts whose slots were dropped) before
   * it is re-keyed. The live files are not touched; `switchTo('rotate')` puts the copy in place.
   */
  async stageRotation(admin: { username: string; password: string; slotId: string | null }, recoveryCode: string, prepare: (db: Kysely<Database>, plan: RotationPlan) => Promise<void>): Promise<RotationPlan> {
    const keyring = this.#openKeyring();
    const staged = this.#stagedPaths();
    const newKey = randomBytes(32);
    const base: Keyring = { ...keyring, slots: [] };
    try {
      const adminSlot = await sealPasswordSlot(base, admin.username, admin.password, newKey);
      if (adminSlot.id !== admin.slotId) throw new AppError('WRONG_CREDENTIALS');
      const plan: RotationPlan = { carriedSlotIds: [], droppedSlotIds: [] };
      const slots: KeySlot[] = [adminSlot];
      // Only the slots of accounts the database says are active: a keyring put back from before
      // someone left still holds hers, and she must not receive the new key.
      const active = this.#activeSlotIds();
      const unproven = this.#unprovenSlotIds();
      for (const slot of keyring.slots) {
        if (slot.kind === 'recovery' || slot.id === adminSlot.id || !active.has(slot.id)) continue;
        if (unproven.has(slot.id)) {
          plan.droppedSlotIds.push(slot.id);
          continue;
        }
        const sealed = sealedSlotFor(base, slot, newKey);
        if (sealed) {
          slots.push(sealed);
          plan.carriedSlotIds.push(slot.id);
        } else plan.droppedSlotIds.push(slot.id);
      }
      slots.push(await this.#recoverySlot(base, recoveryCode, newKey));
      const rotated: Keyring = { ...base, slots };

      this.#removeStaged();
      this.sqlite.prepare('vacuum into ?').run(staged.database);
      const copy = openEncrypted(staged.database, this.#openDataKey());
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
      this.#removeStaged();
      throw storageFailure(error);
    } finally {
      newKey.fill(0);
    }
  }

  /**
   * Put the staged copy in the place of the live files (kept aside after a restore, removed
   * after a rotation). The vault must be closed. On failure the live files are put back, and
   * nothing is lost.
   */
  switchTo(kind: SwitchKind): void {
    if (this.isOpen) throw new Error('close the vault before switching');
    const marker = join(this.options.dataDir, SWITCH_FILES.marker);
    writeFileAtomic(marker, JSON.stringify({ at: isoNow(this.options.clock), kind }));
    // Each move is noted, so a failure part-way puts back exactly what was moved, in reverse.
    const moved: [from: string, to: string][] = [];
    try {
      this.#completeSwitch((from, to) => {
        renameSync(from, to);
        moved.push([from, to]);
      });
    } catch (error) {
      try {
        for (const [from, to] of moved.reverse()) renameSync(to, from);
        rmSync(marker, { force: true });
      } catch {
        // The marker stays: the next start carries the switch through (the staged copy was checked).
      }
      throw storageFailure(error);
    }
    if (kind === 'rotate') this.#removeAside();
    rmSync(marker, { force: true });
  }

  /**
   * After a restore, once the restored data has opened at a login: the copy of before goes, so
   * no unmanaged copy of the database outlives erasures and the retention rule. (The screen
   * warned that changes since the backup would be gone; when an automatic backup folder is
   * set, a backup of them was made there first.)
   */
  removeDataOfBeforeRestore(): void {
    if (existsSync(join(this.options.dataDir, SWITCH_FILES.marker))) return;
    this.#removeAside();
  }

  #stagedPaths() {
    return { database: `${this.paths.database}${SWITCH_FILES.staged}`, keyring: `${this.paths.keyring}${SWITCH_FILES.staged}` };
  }

  #asidePaths() {
    return { database: `${this.paths.database}${SWITCH_FILES.aside}`, keyring: `${this.paths.keyring}${SWITCH_FILES.aside}` };
  }

  #removeAside(): void {
    const aside = this.#asidePaths();
    for (const path of [aside.database, `${aside.database}-wal`, `${aside.database}-shm`, aside.keyring]) rmSync(path, { force: true });
  }

  #removeStaged(): void {
    const staged = this.#stagedPaths();
    for (const path of [staged.database, `${staged.database}-wal`, `${staged.database}-shm`, staged.keyring]) rmSync(path, { force: true });
  }

  /**
   * Live files aside (an older copy aside is replaced), the staged ones in their place. The
   * live database's log goes aside with it: if its last checkpoint failed, the writes it holds
   * belong to that copy.
   */
  #completeSwitch(move: (from: string, to: string) => void = renameSync): void {
    const staged = this.#stagedPaths();
    const aside = this.#asidePaths();
    const liveLog = `${this.paths.database}-wal`;
    if (existsSync(this.paths.database) && existsSync(staged.database)) {
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${aside.database}${suffix}`, { force: true });
      move(this.paths.database, aside.database);
    }
    // Its log follows it (also when a crash came between the two moves): a log left beside the
    // new file would be read into it.
    if (!existsSync(this.paths.database) && existsSync(liveLog)) {
      if (existsSync(aside.database)) move(liveLog, `${aside.database}-wal`);
      else rmSync(liveLog, { force: true });
    }
    if (existsSync(this.paths.keyring) && existsSync(staged.keyring)) {
      rmSync(aside.keyring, { force: true });
      move(this.paths.keyring, aside.keyring);
    }
    // The shared-memory index is rebuilt from the log; a stale one must not meet the new file.
    rmSync(`${this.paths.database}-shm`, { force: true });
    for (const name of ['database', 'keyring'] as const) if (existsSync(staged[name])) move(staged[name], this.paths[name]);
  }

  #undoSwitch(): void {
    const aside = this.#asidePaths();
    for (const name of ['database', 'keyring'] as const) {
      if (!existsSync(this.paths[name]) && existsSync(aside[name])) renameSync(aside[name], this.paths[name]);
    }
  }

  /**
   * At start: a switch cut short is finished (the staged copy was checked before the marker
   * was written), or undone when nothing staged is left and a live file is missing; a copy
   * staged without a switch is removed.
   */
  #finishInterruptedSwitch(): void {
    const marker = join(this.options.dataDir, SWITCH_FILES.marker);
    const staged = this.#stagedPaths();
    if (existsSync(marker)) {
      // Staged files are whole before the marker is written: any of them left means the swap
      // was under way (perhaps half done), and is carried on from where it stopped.
      if (existsSync(staged.database) || existsSync(staged.keyring)) this.#completeSwitch();
      else this.#undoSwitch();
      if (switchKindOf(marker) === 'rotate' && existsSync(this.paths.database) && existsSync(this.paths.keyring)) this.#removeAside();
      rmSync(marker, { force: true });
    }
    this.#removeStaged();
  }

  // ---- Internals ----------------------------------------------------------------------------

  async #recoverySlot(keyring: Keyring, code: string, dataKey: Buffer) {
    const canonical = normalizeRecoveryCode(code);
    if (!canonical) throw new Error('generated recovery code does not normalise');
    return sealRecoverySlot(keyring, canonical, dataKey);
  }

  #assertNotThrottled(): void {
    const waitMs = this.unlockState.retryAfterMs();
    if (waitMs > 0) throw new AppError('LOCKED_OUT', { retryAfterSeconds: Math.ceil(waitMs / 1000) });
  }

  #recordUnlockFailure(action: 'auth.login' | 'auth.recover', errorCode: ErrorCode, sealedUsername: string): void {
    this.unlockState.recordFailure({
      at: isoNow(this.options.clock),
      action,
      outcome: 'failed',
      errorCode,
      sealedUsername,
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
        const probe = openEncrypted(this.paths.database, dataKey, { readonly: true });
        try {
          assertNotNewer(probe, this.options.migrations);
        } finally {
          probe.close();
        }
      } catch (error) {
        this.#removeSidecarsCreatedSince(sidecarsBefore);
        throw error;
      }
      const sqlite = openEncrypted(this.paths.database, dataKey);
      try {
        configure(sqlite);
        await migrate(sqlite, this.options.migrations);
      } catch (error) {
        sqlite.close();
        throw error;
      }
      this.#adopt(keyring, dataKey, sqlite, kyselyFor(sqlite));
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

  #adopt(keyring: Keyring, dataKey: Buffer, sqlite: SqliteHandle, db: Kysely<Database>): void {
    this.#keyring = keyring;
    this.#dataKey = dataKey;
    this.#sqlite = sqlite;
    this.#db = db;
  }

  #openKeyring(): Keyring {
    if (!this.#keyring) throw new AppError('NOT_AUTHENTICATED');
    return this.#keyring;
  }

  #openDataKey(): Buffer {
    if (!this.#dataKey) throw new AppError('NOT_AUTHENTICATED');
    return this.#dataKey;
  }
}

/** What an interrupted switch was doing; a marker from before rotations existed means a restore. */
function switchKindOf(marker: string): SwitchKind {
  try {
    return (JSON.parse(readFileSync(marker, 'utf8')) as { kind?: SwitchKind }).kind === 'rotate' ? 'rotate' : 'restore';
  } catch {
    return 'restore';
  }
}
