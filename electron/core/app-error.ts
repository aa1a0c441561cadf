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
