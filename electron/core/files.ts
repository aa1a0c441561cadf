import { createHash, randomBytes, type Hash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Replace a small file so that a crash leaves either the old or the new version, never a
 * torn one: write a sibling temp file, fsync it, rename over the target, fsync the folder.
 */
export function writeFileAtomic(path: string, data: string | Buffer): void {
  const temp = join(dirname(path), `.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'wx', 0o600);
    writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, path);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
  syncFolder(dirname(path));
}

/** Flush a file's contents to the disk. */
export function flushFile(path: string): void {
  const fd = openSync(path, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Make a folder's entries (a rename, a new file) durable. */
export function syncFolder(folder: string): void {
  // Windows cannot open a folder for fsync; the rename is already durable enough there.
  if (process.platform === 'win32') return;
  const fd = openSync(folder, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** How much of a file is read at a time when hashing it. */
const HASH_BUFFER = 4 * 1_048_576;

/** Read `length` bytes of a file from `start` (or up to its end), a piece at a time, giving each piece and where it lies. */
function readRange(fd: number, start: number, length: number, take: (bytes: Buffer, offset: number) => void): void {
  const buffer = Buffer.allocUnsafe(HASH_BUFFER);
  let offset = start;
  const end = start + length;
  while (offset < end) {
    // A read may return less than asked (a USB or network drive): go on until the end or EOF.
    const read = readSync(fd, buffer, 0, Math.min(HASH_BUFFER, end - offset), offset);
    if (read === 0) break;
    take(buffer.subarray(0, read), offset);
    offset += read;
  }
}

/** Feed `length` bytes of a file from `start` (or up to its end) into a hash, a chunk at a time. */
export function hashRange(fd: number, hash: Hash, start: number, length: number): void {
  readRange(fd, start, length, (bytes) => hash.update(bytes));
}

/** Bytes a long job reads (hashes, copies) per step: a step stays well under a second on an office PC. */
export const FILE_CHUNK = 64 * 1_048_576;

/**
 * The `chunk`th FILE_CHUNK of a file into `hash` (the last chunk: up to the end, whatever the
 * size was when the job was planned), and, when `copyTo` is given, written at the same place there.
 */
export function chunkOfFile(path: string, chunk: number, last: boolean, hash: Hash, copyTo?: number): void {
  const fd = openSync(path, 'r');
  try {
    readRange(fd, chunk * FILE_CHUNK, last ? Number.POSITIVE_INFINITY : FILE_CHUNK, (bytes, offset) => {
      if (copyTo !== undefined) {
        for (let written = 0; written < bytes.length; ) written += writeSync(copyTo, bytes, written, bytes.length - written, offset + written);
      }
      hash.update(bytes);
    });
  } finally {
    closeSync(fd);
  }
}

/** SHA-256 of a file, read in pieces (a database may be hundreds of MB). */
export function sha256Of(path: string): string {
  const hash = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    hashRange(fd, hash, 0, Number.POSITIVE_INFINITY);
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}
