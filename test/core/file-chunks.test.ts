import { createHash, randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chunkOfFile, FILE_CHUNK, sha256Of } from '../../electron/core/files.ts';
import { tempDir } from '../support/vault-fixture.ts';

/*
 * The chunked reader the backup jobs share (a backup's checksum, a check's, a restore's copy
 * into place): over a file of several chunks, the pieces hash and copy to exactly the file.
 * The test vaults are far smaller than a chunk, so this is where the chunks' seams are tested.
 */

describe('a file read a chunk at a time', () => {
  it('hashes and copies a file of several chunks (the last one uneven) to exactly the same bytes', () => {
    const dir = tempDir('dh-chunks-');
    const source = join(dir, 'source');
    const content = randomBytes(2 * FILE_CHUNK + 12_345);
    writeFileSync(source, content);
    const hash = createHash('sha256');
    const copy = join(dir, 'copy');
    const chunks = Math.ceil(content.length / FILE_CHUNK);
    expect(chunks).toBe(3);
    for (let chunk = 0; chunk < chunks; chunk += 1) {
      // As the restore does: the copy opened afresh for each step.
      const to = openSync(copy, chunk === 0 ? 'w' : 'r+');
      try {
        chunkOfFile(source, chunk, chunk === chunks - 1, hash, to);
      } finally {
        closeSync(to);
      }
    }
    expect(hash.digest('hex')).toBe(sha256Of(source));
    expect(readFileSync(copy).equals(content)).toBe(true);
  });

  it('takes what lies beyond the planned size in the last chunk', () => {
    const dir = tempDir('dh-chunks-');
    const source = join(dir, 'source');
    writeFileSync(source, randomBytes(FILE_CHUNK + 10));
    const hash = createHash('sha256');
    // Planned as one chunk; the file had grown: the last (only) chunk reads to the end.
    chunkOfFile(source, 0, true, hash);
    expect(hash.digest('hex')).toBe(sha256Of(source));
  });
});
