import type { AppErrorPayload, ErrorCode } from '../contract/errors.ts';

/**
 * An expected failure with a code the renderer can explain. Never carries client data:
 * the message is for developers' logs and names only the code and a neutral reason.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly extra: Omit<AppErrorPayload, 'code'>;

  constructor(code: ErrorCode, extra: Omit<AppErrorPayload, 'code'> = {}, options?: { cause?: unknown }) {
    super(code, options);
    this.name = 'AppError';
    this.code = code;
    this.extra = extra;
  }

  toPayload(): AppErrorPayload {
    return { code: this.code, ...this.extra };
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

const FULL = new Set(['SQLITE_FULL', 'ENOSPC', 'EDQUOT']);
const READ_ONLY = new Set(['EROFS', 'EACCES', 'EPERM']);

/** Is this an error of the disk or file system (SQLite's or Node's), not of the program? */
export function isStorageError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (FULL.has(code) || READ_ONLY.has(code) || code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_IOERR') || code === 'SQLITE_CANTOPEN' || code === 'ENOENT' || code === 'EIO' || code === 'EEXIST' || code === 'ENOTDIR');
}

/**
 * A failure of the disk, told apart where the person can do something about it: the disk is
 * full (free some space), or the folder cannot be written (choose another, or ask for rights).
 * Anything else is STORAGE_FAILED. An AppError passes through unchanged.
 */
export function storageFailure(error: unknown): AppError {
  if (isAppError(error)) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && FULL.has(code)) return new AppError('DISK_FULL', {}, { cause: error });
  if (typeof code === 'string' && (READ_ONLY.has(code) || code.startsWith('SQLITE_READONLY'))) return new AppError('STORAGE_READ_ONLY', {}, { cause: error });
  return new AppError('STORAGE_FAILED', {}, { cause: error });
}
