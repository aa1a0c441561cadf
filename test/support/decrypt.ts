import { createDecipheriv } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openPasswordSlot, readKeyring } from '../../electron/core/vault/key-slots.ts';
import { VAULT_FILES } from '../../electron/core/vault/vault.ts';

/*
 * To prove that erased text is gone from the files, look at them as SQLite sees them: decrypt
 * every page of the database (and every frame of its WAL) with the data key, free pages and
 * freed space included, and search the plaintext. SQLCipher 4 page layout: AES-256-CBC over
 * the page minus an 80-byte reserve whose first 16 bytes are the IV; page 1 starts after the
 * 16-byte salt. (Tested against a database written without secure_delete, where it does find
 * deleted text.)
 */

const PAGE_SIZE = 4096;
const RESERVE = 80;

function decryptPage(page: Buffer, key: Buffer, first: boolean): Buffer {
  const iv = page.subarray(PAGE_SIZE - RESERVE, PAGE_SIZE - RESERVE + 16);
  const decipher = createDecipheriv('aes-256-cbc', key, iv);
  decipher.setAutoPadding(false);
  return Buffer.concat([decipher.update(page.subarray(first ? 16 : 0, PAGE_SIZE - RESERVE)), decipher.final()]);
}

export function decryptedDatabase(path: string, key: Buffer): Buffer {
  const data = readFileSync(path);
  const pages: Buffer[] = [];
  for (let offset = 0; offset + PAGE_SIZE <= data.length; offset += PAGE_SIZE) {
    pages.push(decryptPage(data.subarray(offset, offset + PAGE_SIZE), key, offset === 0));
  }
  return Buffer.concat(pages);
}

/** WAL: a 32-byte header, then frames of a 24-byte header and one page. */
export function decryptedWal(path: string, key: Buffer): Buffer {
  if (!existsSync(path)) return Buffer.alloc(0);
  const data = readFileSync(path);
  const frames: Buffer[] = [];
  for (let offset = 32; offset + 24 + PAGE_SIZE <= data.length; offset += 24 + PAGE_SIZE) {
    const pageNumber = data.readUInt32BE(offset);
    frames.push(decryptPage(data.subarray(offset + 24, offset + 24 + PAGE_SIZE), key, pageNumber === 1));
  }
  return Buffer.concat(frames);
}

export async function dataKeyOf(dir: string, person: { username: string; password: string }): Promise<Buffer> {
  const opened = await openPasswordSlot(readKeyring(join(dir, VAULT_FILES.keyring)), person.username, person.password);
  if (!opened) throw new Error('could not open the slot');
  return opened.dataKey;
}

/** Every plaintext byte of the vault's database and WAL. */
export async function vaultPlaintext(dir: string, person: { username: string; password: string }): Promise<Buffer> {
  const key = await dataKeyOf(dir, person);
  return Buffer.concat([decryptedDatabase(join(dir, VAULT_FILES.database), key), decryptedWal(join(dir, `${VAULT_FILES.database}-wal`), key)]);
}

export function containsText(haystack: Buffer, text: string): boolean {
  return haystack.includes(Buffer.from(text, 'utf8')) || haystack.includes(Buffer.from(text, 'utf16le'));
}

/** A byte of a base64url, base64 or hex token (an account's slot id, a fingerprint, a hash). */
const isTokenByte = (byte: number | undefined) => byte !== undefined && /[A-Za-z0-9_+/=-]/.test(String.fromCharCode(byte));

/**
 * A few letters (a search index's trigram) found in the bytes other than inside a random token
 * of 16 or more characters, where any three letters turn up by chance now and then (a fingerprint
 * written by the erasure itself held "zkp" once).
 */
export function containsLetters(haystack: Buffer, letters: string): boolean {
  const needle = Buffer.from(letters, 'utf8');
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) {
    let start = at;
    let end = at + needle.length;
    while (isTokenByte(haystack[start - 1])) start--;
    while (isTokenByte(haystack[end])) end++;
    if (end - start < 16) return true;
  }
  return haystack.includes(Buffer.from(letters, 'utf16le'));
}
