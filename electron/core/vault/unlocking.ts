import { AppError } from '../app-error.ts';
import { isoNow, type Clock } from '../clock.ts';
import type { SqliteHandle } from './database.ts';
import { checkProof, withSlot, type Keyring, type KeySlot } from './key-slots.ts';
import { keptKeyring, proofHolds, settleKeptKeyring, slotProven, takeOverUnprovenKeyring } from './key-file.ts';
import { seal } from './sealed-box.ts';
import type { UnlockStateFile } from './unlock-state.ts';
import type { PasswordUnlock } from './store.ts';

/*
 * Opening the vault with a password or the recovery code: throttled after failed attempts,
 * trying the live keyring and one kept by an interrupted keyring write, refusing a keyring
 * whose proof does not hold (changed outside the app), and, once open, settling which keyring
 * stays, taking over a keyring from before proofs, and renewing a slot sealed at a rotation.
 */

/** What unlocking needs of the vault: its files, opening and closing, and the open parts. */
export interface UnlockTarget {
  readonly keyringPath: string;
  readonly clock: Clock;
  readonly unlockState: UnlockStateFile;
  /** The live keyring; refused when the vault is absent or broken. */
  readKeyring(): Keyring;
  openDatabase(keyring: Keyring, dataKey: Buffer): Promise<void>;
  close(): Promise<void>;
  open(): { keyring: Keyring; dataKey: Buffer; sqlite: SqliteHandle };
  /** The keyring settled on after an interrupted write. */
  keep(keyring: Keyring): void;
  saveKeyring(change: { keyring: Keyring; slotId: string | null }): { undo(): void; done(): void };
  activeSlotIds(): Promise<ReadonlySet<string>>;
}

export type Opened = { dataKey: Buffer; slotId: string | null; renewed?: KeySlot | null };

export async function unlock(
  target: UnlockTarget,
  open: (keyring: Keyring) => Promise<Opened | null>,
  action: PasswordUnlock | 'auth.recover',
  failure: 'WRONG_CREDENTIALS' | 'RECOVERY_CODE_INVALID',
  username: string,
): Promise<{ slotId: string | null }> {
  const waitMs = target.unlockState.retryAfterMs();
  if (waitMs > 0) throw new AppError('LOCKED_OUT', { retryAfterSeconds: Math.ceil(waitMs / 1000) });
  const current = target.readKeyring();
  let unproven = false;
  for (const keyring of [current, ...keptKeyring(target.keyringPath)]) {
    const opened = await open(keyring);
    if (!opened) continue;
    // Nothing else in the file is used before it is proven.
    if (checkProof(keyring, opened.dataKey) === 'false') {
      opened.dataKey.fill(0);
      unproven = true;
      continue;
    }
    await target.openDatabase(keyring, opened.dataKey);
    const { dataKey, sqlite } = target.open();
    if (!proofHolds(keyring, dataKey, sqlite)) {
      await target.close();
      unproven = true;
      continue;
    }
    const settled = settleKeptKeyring({ keyringPath: target.keyringPath, dataKey, sqlite }, await target.activeSlotIds(), opened.slotId);
    if (settled.keyring) target.keep(settled.keyring);
    if (settled.outcome !== 'settled') {
      await target.close();
      if (settled.outcome === 'unproven') throw new AppError('KEYRING_UNPROVEN');
      break;
    }
    const takenOver = takeOverUnprovenKeyring({ keyringPath: target.keyringPath, clock: target.clock, ...target.open() }, await target.activeSlotIds());
    if (takenOver) target.saveKeyring({ keyring: takenOver, slotId: null }).done();
    if (opened.renewed) renewSlot(target, opened.renewed);
    return { slotId: opened.slotId };
  }
  // A keyring changed outside the app is refused as such, and counts as no failed attempt.
  if (unproven) throw new AppError('KEYRING_UNPROVEN');
  target.unlockState.recordFailure({ at: isoNow(target.clock), action, outcome: 'failed', errorCode: failure, sealedUsername: seal(current.auditKey, username) });
  throw new AppError(failure);
}

/**
 * Put an ordinary slot in place of one sealed at a rotation (or one without a key pair). The
 * old slot opens the same key, so a failure here loses nothing: it is tried at the next login.
 */
function renewSlot(target: UnlockTarget, slot: KeySlot): void {
  try {
    target.saveKeyring({ keyring: withSlot(target.open().keyring, slot), slotId: slot.id }).done();
    slotProven(target.open().sqlite, target.clock, slot.id);
  } catch {
    // Left as it was: still opens.
  }
}
