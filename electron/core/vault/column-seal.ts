import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { AppError } from '../app-error.ts';

/*
 * Sealed columns, for a centre's server (DESIGN §8): every column with words about a person is
 * sealed by the app before it is sent, so the server, a dump of it or its disk shows ids,
 * dates, categories and counts, never a name. AES-256-GCM under a key derived from the
 * centre's data key; the associated data names the table, column and row, so a sealed value
 * copied to another row or column does not open. Equality look-ups (the client code's
 * duplicate check) use a keyed hash under another derived key, per column.
 *
 * A sealed value: version (1 byte), nonce (12), ciphertext, tag (16).
 */

const VERSION = 1;
const NONCE = 12;
const TAG = 16;

/** Where a sealed value lives: what its associated data names. */
export interface SealedPlace {
  table: string;
  column: string;
  rowId: number | string;
}

/** The keys the columns are sealed and looked up under, derived from the data key (wipe with `wipe`). */
export interface ColumnKeys {
  seal: Buffer;
  lookup: Buffer;
}

export function columnKeys(dataKey: Buffer): ColumnKeys {
  if (dataKey.length !== 32) throw new Error('a data key has 32 bytes');
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', dataKey, Buffer.alloc(0), info, 32));
  return { seal: derive('dong-hanh/columns/seal/v1'), lookup: derive('dong-hanh/columns/lookup/v1') };
}

export function wipe(keys: ColumnKeys): void {
  keys.seal.fill(0);
  keys.lookup.fill(0);
}

function associatedData(place: SealedPlace): Buffer {
  // Length-prefixed parts: no two places give the same bytes ("a","bc" and "ab","c" differ).
  const parts = [place.table, place.column, String(place.rowId)].map((part) => Buffer.from(part, 'utf8'));
  return Buffer.concat([Buffer.from([VERSION]), ...parts.flatMap((part) => [Buffer.from(Uint32Array.of(part.length).buffer), part])]);
}

/** Seal `text` for `place` (null stays null: that a field is empty is not hidden). */
export function sealText(keys: ColumnKeys, place: SealedPlace, text: string): Buffer;
export function sealText(keys: ColumnKeys, place: SealedPlace, text: string | null): Buffer | null;
export function sealText(keys: ColumnKeys, place: SealedPlace, text: string | null): Buffer | null {
  if (text === null) return null;
  const nonce = randomBytes(NONCE);
  const cipher = createCipheriv('aes-256-gcm', keys.seal, nonce, { authTagLength: TAG });
  cipher.setAAD(associatedData(place));
  const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), nonce, body, cipher.getAuthTag()]);
}

/**
 * Open a sealed value for `place`. A value changed, cut, sealed under another key or moved from
 * another place does not open: that is damage (or tampering) on the server, said as such.
 */
export function openText(keys: ColumnKeys, place: SealedPlace, sealed: Buffer): string;
export function openText(keys: ColumnKeys, place: SealedPlace, sealed: Buffer | null): string | null;
export function openText(keys: ColumnKeys, place: SealedPlace, sealed: Buffer | null): string | null {
  if (sealed === null) return null;
  if (sealed.length < 1 + NONCE + TAG || sealed[0] !== VERSION) throw new AppError('DATABASE_CORRUPT');
  try {
    const decipher = createDecipheriv('aes-256-gcm', keys.seal, sealed.subarray(1, 1 + NONCE), { authTagLength: TAG });
    decipher.setAAD(associatedData(place));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
    return Buffer.concat([decipher.update(sealed.subarray(1 + NONCE, sealed.length - TAG)), decipher.final()]).toString('utf8');
  } catch {
    throw new AppError('DATABASE_CORRUPT');
  }
}

/**
 * The keyed hash a column's values are looked up by (the same value gives the same hash in the
 * same column, and nothing a server could reverse or compare across columns or centres).
 * `value` is compared as given: normalise it first (a client code in its canonical form).
 */
export function lookupHash(keys: ColumnKeys, column: string, value: string): string {
  return createHmac('sha256', keys.lookup).update(`${column}\u0000${value}`, 'utf8').digest('hex');
}
