import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** SHA-256 of each file in a folder, to prove that something changed nothing. */
export function folderDigest(dir: string): Record<string, string> {
  const digest: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    digest[name] = createHash('sha256').update(readFileSync(join(dir, name))).digest('hex');
  }
  return digest;
}

export function fileDigest(path: string): string | null {
  return existsSync(path) ? createHash('sha256').update(readFileSync(path)).digest('hex') : null;
}

/** Does any file in the folder contain the text, as UTF-8 or UTF-16 (either byte order)? */
export function filesContaining(dir: string, text: string): string[] {
  const needles = [Buffer.from(text, 'utf8'), Buffer.from(text, 'utf16le'), Buffer.from(text, 'utf16le').swap16()];
  return readdirSync(dir).filter((name) => {
    const bytes = readFileSync(join(dir, name));
    return needles.some((needle) => bytes.includes(needle));
  });
}
