/**
 * Every error the gate can return. The renderer turns each code into a sentence
 * (renderer/src/i18n); a test checks that every code has one in every language.
 */
export const ERROR_CODES = [
  'VALIDATION',
  'UNKNOWN_CHANNEL',
  'NOT_AUTHENTICATED',
  'FORBIDDEN',
  'PASSWORD_CHANGE_REQUIRED',
  'WRONG_CREDENTIALS',
  'WRONG_PASSWORD',
  'LOCKED_OUT',
  'ACCOUNT_DISABLED',
  'RECOVERY_CODE_INVALID',
  'RECOVERY_NOT_ADMIN',
  'RECOVERY_CONFIRMATION_MISMATCH',
  'SETUP_NOT_STARTED',
  'VAULT_EXISTS',
  'VAULT_ABSENT',
  'VAULT_INCOMPLETE',
  'KEYRING_CORRUPT',
  'KEYRING_UNPROVEN',
  'DATABASE_CORRUPT',
  'DATABASE_NEWER',
  'STORAGE_FAILED',
  'DISK_FULL',
  'STORAGE_READ_ONLY',
  'USERNAME_TAKEN',
  'USER_NOT_FOUND',
  'USER_INACTIVE',
  'USER_ACTIVE',
  'CANNOT_CHANGE_SELF',
  'LAST_ADMIN',
  'PASSWORD_UNCHANGED',
  'CLIENT_NOT_FOUND',
  'CLIENT_CODE_EXISTS',
  'CLIENT_RESTRICTED',
  'ERASE_CONFIRMATION_MISMATCH',
  'RETENTION_CHANGED',
  'CASE_CLOSED',
  'NOT_ASSIGNED',
  'VISIT_NOT_FOUND',
  'CORRECTION_NOT_ALLOWED',
  'REASON_REQUIRED',
  'CONSENT_REQUIRED',
  'CONSENT_NOT_FOUND',
  'CONSENT_NOT_WRITTEN',
  'GROUP_NOT_FOUND',
  'CONSENT_TEXT_OUTDATED',
  'CONSENT_GIVER_INVALID',
  'AGE_UNCLEAR',
  'DATE_IN_FUTURE',
  'REFERRAL_NOT_FOUND',
  'REFERRAL_STATUS_INVALID',
  'PARTNER_NOT_FOUND',
  'SERVICE_TYPE_NOT_FOUND',
  'SERVICE_TYPE_INACTIVE',
  'OFFER_NOT_FOUND',
  'OFFER_PENDING',
  'OFFER_TO_SELF',
  'NOT_A_WORKER',
  'SAVED_FILTER_NOT_FOUND',
  'SAVED_FILTER_NAME_TAKEN',
  'REPORT_NOT_FOUND',
  'BACKUP_NOT_RUNNING',
  'REPORT_AUDIT_FAILED',
  'DHIS2_PERIOD_UNSUPPORTED',
  'DHIS2_MAPPING_INVALID',
  'BACKUP_INVALID',
  'BACKUP_CORRUPT',
  'BACKUP_NEWER',
  'BACKUP_FOREIGN',
  /** The centre's server (PostgreSQL) did not answer: not on the network, stopped, or a wrong address. */
  'SERVER_UNREACHABLE',
  /** The server's certificate is not the one the centre's CA signed (or TLS is off). */
  'SERVER_CERTIFICATE',
  /** The server refused the app's database account (a wrong or changed password). */
  'SERVER_CREDENTIALS',
  /** The server has no database of the app's, or it was not set up with `server:init`. */
  'SERVER_NOT_SET_UP',
  /** The connection to the server broke during the call: nothing of the call was saved. */
  'SERVER_CONNECTION_LOST',
  /** The file picked is not a connection file `server:init` wrote (or it is damaged). */
  'CONNECTION_FILE_INVALID',
  /** Other PCs' changes got in the way of this one several times running: nothing of it was saved. */
  'SERVER_BUSY',
  /**
   * The record was changed (at another PC, or in another window) after it was opened here:
   * nothing was saved, and the screen shows what is there now.
   */
  'RECORD_CHANGED',
  /**
   * An administrator is changing the centre's data key on the server (begun at another PC, or
   * cut short there): nobody works until it is done; an administrator's login finishes one cut short.
   */
  'KEY_CHANGE_UNDER_WAY',
  /** The centre's data key was changed at another PC since this one unlocked: log in again. */
  'KEY_CHANGED',
  /** The server chosen on the login screen holds another centre's records (another keyring), or a new centre's. */
  'SERVER_OTHER_CENTRE',
  /** This PC does not know yet which centre its server holds (it has not logged in since this version), and cannot reach it to ask. */
  'SERVER_CENTRE_UNKNOWN',
  /** Only an administrator of the centre may have a PC work with another server. */
  'SERVER_SWITCH_NOT_ADMIN',
  /** A restore over the records is not built yet for a centre's server (the guide says what to do instead). */
  'SERVER_NOT_YET',
  /** The server's records do not agree with each other (its monthly counts with its services): a backup of them is not made. */
  'SERVER_INCONSISTENT',
  /** The file picked for an import cannot be read (moved, locked, or not a workbook or CSV it can open). */
  'IMPORT_FILE_UNREADABLE',
  /** The file picked for an import is larger than an import reads. */
  'IMPORT_FILE_TOO_LARGE',
  /** A workbook of Excel 97–2003 (.xls): to be saved again as .xlsx first. */
  'IMPORT_FILE_OLD_EXCEL',
  /** The file picked for an import holds no table. */
  'IMPORT_FILE_EMPTY',
  /** A sheet holds more rows than one import takes. */
  'IMPORT_FILE_TOO_MANY_ROWS',
  /** No file is open for an import (it was let go at a lock, or another was opened): open it again. */
  'IMPORT_NOT_OPEN',
  /** The file open now is not the one the preview showed. */
  'IMPORT_FILE_CHANGED',
  /** The record was merged into another (`clientId`: the one it went into). */
  'CLIENT_MERGED',
  /** Choosing whose identity a merged record keeps needs both to be seen (a stated reason first). */
  'MERGE_IDENTITY_HIDDEN',
  /** The person stopped the call before it ended: nothing was written. */
  'CALL_STOPPED',
  /** The centre keeps as many saved ways of reading a register as it may: delete one first. */
  'IMPORT_MAPPINGS_FULL',
  /** Nobody was chosen to hold the imported cases. */
  'IMPORT_HOLDER_NEEDED',
  /** Some rows are the same person as a record or an earlier row, and nobody said what to do with them. */
  'IMPORT_DECISIONS_NEEDED',
  /** Under this plan no row would be imported. */
  'IMPORT_NOTHING',
  'INTERNAL',
  /** The core's thread stopped while the call was under way (the shell restarts it, locked). */
  'CORE_STOPPED',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** A field-level problem; `message` is an i18n key under `validation.` (see schemas.ts). */
export interface ValidationIssue {
  path: string;
  message: string;
}

export interface AppErrorPayload {
  code: ErrorCode;
  /** For LOCKED_OUT: how long until the next attempt is allowed. */
  retryAfterSeconds?: number;
  /** For VALIDATION: which fields were wrong, never the values. */
  issues?: ValidationIssue[];
  /** For CLIENT_CODE_EXISTS: the record that already has the code, to open instead. */
  clientId?: number;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: AppErrorPayload };
