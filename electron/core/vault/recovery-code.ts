import { randomBytes, randomInt } from 'node:crypto';
import { AppError } from '../app-error.ts';

/*
 * The recovery code: 160 random bits written as 32 Crockford base-32 characters in eight
 * groups of four, e.g. `7K3M-Q9TX-...`. Crockford's alphabet has no I, L, O or U, so a code
 * read aloud or copied by hand survives the usual confusions (O/0, I/1/L), which `normalize`
 * forgives.
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const RECOVERY_CODE_BITS = 160;
export const RECOVERY_CODE_LENGTH = RECOVERY_CODE_BITS / 5;
export const RECOVERY_GROUP_SIZE = 4;
export const RECOVERY_GROUP_COUNT = RECOVERY_CODE_LENGTH / RECOVERY_GROUP_SIZE;

export function generateRecoveryCode(): string {
  const bytes = randomBytes(RECOVERY_CODE_BITS / 8);
  let bits = 0n;
  for (const byte of bytes) bits = (bits << 8n) | BigInt(byte);
  let text = '';
  for (let i = 0; i < RECOVERY_CODE_LENGTH; i++) {
    text = ALPHABET[Number(bits & 31n)] + text;
    bits >>= 5n;
  }
  bytes.fill(0);
  return group(text);
}

function group(text: string): string {
  const groups: string[] = [];
  for (let i = 0; i < text.length; i += RECOVERY_GROUP_SIZE) groups.push(text.slice(i, i + RECOVERY_GROUP_SIZE));
  return groups.join('-');
}

/** The canonical form used for key derivation, or null when the input cannot be a code. */
function canonicalChars(input: string): string {
  return input
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
}

export function normalizeRecoveryCode(input: string): string | null {
  const text = canonicalChars(input);
  if (text.length !== RECOVERY_CODE_LENGTH) return null;
  for (const char of text) if (!ALPHABET.includes(char)) return null;
  return text;
}

export function recoveryGroup(code: string, groupNumber: number): string {
  const canonical = normalizeRecoveryCode(code);
  if (!canonical) throw new Error('not a recovery code');
  const start = (groupNumber - 1) * RECOVERY_GROUP_SIZE;
  return canonical.slice(start, start + RECOVERY_GROUP_SIZE);
}

export function pickConfirmGroup(): number {
  return randomInt(1, RECOVERY_GROUP_COUNT + 1);
}

/** Does `typed` match group `groupNumber` of `code`, forgiving case, spaces and O/0, I/L/1? */
export function confirmsGroup(code: string, groupNumber: number, typed: string): boolean {
  const expected = recoveryGroup(code, groupNumber);
  return canonicalChars(typed) === expected;
}

/*
 * The one confirmation flow of a new recovery code, for the first setup, a new code from the
 * settings and a change of the data key alike: the code is shown once with the number of a group
 * the person must type back from what she wrote down; only then does it take effect.
 */

/** A code shown once and not yet confirmed, with the group asked for. */
export interface PendingRecoveryCode {
  recoveryCode: string;
  confirmGroup: number;
}

/** A new code to show, and the group to ask for. */
export function issueRecoveryCode(recoveryCode = generateRecoveryCode()): PendingRecoveryCode {
  return { recoveryCode, confirmGroup: pickConfirmGroup() };
}

/** What the screen shows of a pending code: the code, which group to type back, how many there are. */
export function shownOnce(pending: PendingRecoveryCode): { recoveryCode: string; confirmGroup: number; groupCount: number } {
  return { recoveryCode: pending.recoveryCode, confirmGroup: pending.confirmGroup, groupCount: RECOVERY_GROUP_COUNT };
}

/** The pending code once its group was typed back correctly; refused when nothing is pending or the group is wrong. */
export function confirmedRecoveryCode(pending: PendingRecoveryCode | null, typed: string): string {
  if (!pending) throw new AppError('SETUP_NOT_STARTED');
  if (!confirmsGroup(pending.recoveryCode, pending.confirmGroup, typed)) throw new AppError('RECOVERY_CONFIRMATION_MISMATCH');
  return pending.recoveryCode;
}
