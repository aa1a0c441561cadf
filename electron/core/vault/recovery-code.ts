import { randomBytes, randomInt } from 'node:crypto';

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
