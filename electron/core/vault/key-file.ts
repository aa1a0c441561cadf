import { existsSync, linkSync, renameSync, rmSync } from 'node:fs';
import { isoNow, type Clock } from '../clock.ts';
import { putSettingOn, settingValueOn } from '../db/setting-store.ts';
import type { SqliteHandle } from './database.ts';
import type { Db } from '../db/schema.ts';
import { checkProof, isPersonSlot, readKeyring, writeKeyring, type Keyring, type KeySlot } from './key-slots.ts';
import { publicKeyOf } from './sealed-box.ts';
import { KEYRING_PROOF_SETTING } from './vault-files.ts';

/*
 * The keyring file beside the database: writing it so that a failed commit can put the old one
 * back, settling which of two keyrings holds after a stop between the write and the commit, and
 * taking over a keyring from before proofs. The database's word on which key slots belong to
 * active accounts comes from outside (the vault is given it): the vault knows no accounts.
 */

/** The keyring being replaced, kept until the change has committed. */
const KEPT_KEYRING = '.previous';
/** The setting row holding the private half of the key that seals usernames of failed logins. */
export const SEALING_KEY_SETTING = 'vault.sealingKey';
/** Sealed slots kept at a take-over: their public keys are unproven, so no rotation carries them. */
export const UNPROVEN_SLOTS_SETTING = 'vault.unprovenSealedSlots';

/** The key slots the database links to active accounts: the only person slots it vouches for. */
export type ActiveSlotIds = (db: Db) => Promise<ReadonlySet<string>>;

/** The open vault's parts a keyring decision reads. */
export interface OpenParts {
  keyringPath: string;
  keyring: Keyring;
  dataKey: Buffer;
  sqlite: SqliteHandle;
  clock: Clock;
}

/** Does this keyring's proof hold under the open data key (no proof: only while the database has never required one)? */
export function proofHolds(keyring: Keyring, dataKey: Buffer, sqlite: SqliteHandle): boolean {
  const proof = checkProof(keyring, dataKey);
  if (proof === 'absent') return settingValueOn(sqlite, KEYRING_PROOF_SETTING) === undefined;
  return proof === 'proven';
}

/** Sealed slots kept at a take-over, whose owners have not logged in since (see takeOverUnprovenKeyring). */
export function unprovenSlotIds(sqlite: SqliteHandle): Set<string> {
  const ids = settingValueOn(sqlite, UNPROVEN_SLOTS_SETTING);
  return new Set(Array.isArray(ids) ? (ids as string[]) : []);
}

/** Her own password made this slot's key pair: a rotation may carry it again. */
export function slotProven(sqlite: SqliteHandle, clock: Clock, slotId: string): void {
  const unproven = unprovenSlotIds(sqlite);
  if (unproven.delete(slotId)) putSettingOn(sqlite, UNPROVEN_SLOTS_SETTING, [...unproven], isoNow(clock));
}

/** The keyring kept beside the live one by a write whose commit did not follow, if any. */
export function keptKeyring(keyringPath: string): Keyring[] {
  const kept = `${keyringPath}${KEPT_KEYRING}`;
  if (!existsSync(kept)) return [];
  try {
    return [readKeyring(kept)];
  } catch {
    return [];
  }
}

/**
 * Write the keyring. The file it replaces is kept under a second name (a hard link: no space
 * needed) until the commit has held, so that a commit that fails on a full disk can put it
 * back by a rename, which needs no space either; once the commit holds it is removed (it may
 * hold the slot of someone just removed).
 */
export function writeKeyringKeepingOld(keyringPath: string, keyring: Keyring, dataKey: Buffer): { undo(): void; done(): void } {
  const kept = `${keyringPath}${KEPT_KEYRING}`;
  rmSync(kept, { force: true });
  linkSync(keyringPath, kept);
  try {
    writeKeyring(keyringPath, keyring, dataKey);
  } catch (error) {
    rmSync(kept, { force: true });
    throw error;
  }
  return { undo: () => renameSync(kept, keyringPath), done: () => rmSync(kept, { force: true }) };
}

/**
 * After a stop between a keyring write and its commit, two keyrings: the one written, and the
 * one it replaced. The database says which holds: every active account's slot must be in it,
 * and of two that hold, the one with no password slot the database does not know (a person
 * added or a password changed whose commit never came). The other goes. A keyring whose
 * proof fails is never kept. Says which keyring is kept, and whether the slot that unlocked is
 * in it (if not, or if neither holds, the caller closes the vault again).
 */
export function settleKeptKeyring(
  open: Omit<OpenParts, 'keyring' | 'clock'>,
  active: ReadonlySet<string>,
  unlockedSlot: string | null,
): { outcome: 'settled' | 'slot-gone' | 'unproven'; keyring: Keyring | null } {
  const keptPath = `${open.keyringPath}${KEPT_KEYRING}`;
  if (!existsSync(keptPath)) return { outcome: 'settled', keyring: null };
  const [kept] = keptKeyring(open.keyringPath);
  const live = readKeyring(open.keyringPath);
  const holds = (keyring: Keyring) => proofHolds(keyring, open.dataKey, open.sqlite);
  const people = (keyring: Keyring) => keyring.slots.filter(isPersonSlot);
  // Only a keyring whose proof holds (or one from before proofs, while the database has known none) may be kept.
  const fits = (keyring: Keyring) => holds(keyring) && [...active].every((id) => keyring.slots.some((slot) => slot.id === id));
  const unknown = (keyring: Keyring) => people(keyring).filter((slot) => !active.has(slot.id)).length;
  const keepOld = kept !== undefined && fits(kept) && (!fits(live) || unknown(kept) < unknown(live));
  // The live keyring was changed outside the app, and the kept one does not hold: nothing changes.
  if (!keepOld && !holds(live)) return { outcome: 'unproven', keyring: null };
  if (keepOld) renameSync(keptPath, open.keyringPath);
  else rmSync(keptPath, { force: true });
  const chosen = keepOld && kept ? kept : live;
  return { outcome: unlockedSlot === null || chosen.slots.some((slot) => slot.id === unlockedSlot) ? 'settled' : 'slot-gone', keyring: chosen };
}

/**
 * A keyring from release 0.1.0 carries no proof. Once its slot has opened the database, it is
 * taken over keeping only what the database vouches for: the recovery slot and the slots of
 * active accounts; their key pairs are dropped (a public key cannot be proven without its
 * owner's password; each person gets a new pair at her next login, as slots made before key
 * pairs do), and the audit key is put back from its private half in the database. A slot sealed
 * at a rotation keeps its key pair (its owner could not log in otherwise), but is listed as
 * unproven: no rotation carries it until her next login replaces it. Returns the keyring to
 * write with its proof (null when there is nothing to take over); the database notes that
 * proofs are required from now on.
 */
export function takeOverUnprovenKeyring(open: OpenParts, active: ReadonlySet<string>): Keyring | null {
  const { keyring, sqlite } = open;
  if (checkProof(keyring, open.dataKey) !== 'absent') return null;
  const sealedKept: string[] = [];
  const sealing = settingValueOn(sqlite, SEALING_KEY_SETTING) as string | undefined;
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
  const auditKey = sealing ? publicKeyOf(sealing) : keyring.auditKey;
  putSettingOn(sqlite, UNPROVEN_SLOTS_SETTING, sealedKept, isoNow(open.clock));
  putSettingOn(sqlite, KEYRING_PROOF_SETTING, 'required', isoNow(open.clock));
  return { ...keyring, auditKey, slots };
}
