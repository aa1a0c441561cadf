import { z } from 'zod';
import { ERROR_CODES } from './errors.ts';
import { PERMISSIONS, ROLES } from './permissions.ts';
import { channel } from './channel.ts';
import { currentPasswordSchema, LOCK_TIMEOUT_MINUTES, languageSchema, newPasswordSchema, recoveryCodeSchema, usernameSchema } from './schemas.ts';

export const sessionUserSchema = z.object({
  id: z.number(),
  username: z.string(),
  displayName: z.string(),
  roles: z.array(z.enum(ROLES)),
  permissions: z.array(z.enum(PERMISSIONS)),
  mustChangePassword: z.boolean(),
  language: languageSchema,
});
export type SessionUser = z.infer<typeof sessionUserSchema>;

export const VAULT_STATES = ['absent', 'setup-pending', 'locked', 'unlocked', 'broken'] as const;

const empty = z.object({}).strict();

/** A connection file picked and tried: what to check before this PC works with that server (chosen false: the dialog was closed). */
export const serverLookSchema = z.object({
  chosen: z.boolean(),
  server: z
    .object({
      host: z.string(),
      port: z.number(),
      database: z.string(),
      /** The certificate authority's SHA-256 fingerprint, its name and the end of its validity (an instant). */
      certificate: z.object({ fingerprint: z.string(), subject: z.string(), validTo: z.string() }),
      /** A centre is set up there already: this PC joins it (its staff log in with their own passwords). */
      present: z.boolean(),
    })
    .nullable(),
});

export const sessionChannels = {
  /** What the app should show on start or after a lock: the first-run wizard, login, lock or the app. */
  'session.get': channel({
    input: empty,
    output: z.object({
      vault: z.enum(VAULT_STATES),
      /** Why the vault cannot be opened, when `vault` is `broken`. */
      problem: z.enum(ERROR_CODES).nullable(),
      user: sessionUserSchema.nullable(),
      /** Who was working when the session locked (shown on the lock screen). */
      lockedUsername: z.string().nullable(),
      lockTimeoutMinutes: z.number(),
      /** A vault of synthetic data for training sessions: every screen says so. */
      trainingData: z.boolean(),
      /** Just after a restore: when the restored backup was made (the login screen says so). */
      restoredFrom: z.string().nullable(),
      /** Just after the data key was rotated (the login screen says so). */
      keyRotated: z.boolean(),
      /** Just after the records moved up to the centre's server (the login screen says so). */
      movedUp: z.boolean(),
      /** Where this PC's records are kept when it works against the centre's server (null: on this PC). */
      server: z.object({ host: z.string(), port: z.number(), database: z.string() }).nullable(),
    }),
    access: 'public',
    audit: 'read',
    errors: [],
  }),
  /** The renderer reports keyboard or mouse activity (throttled) so the idle lock waits. */
  'session.touch': channel({
    input: empty,
    output: empty,
    access: 'session',
    audit: 'read',
    duringPasswordChange: true,
    errors: [],
  }),
  'auth.login': channel({
    input: z.object({ username: usernameSchema, password: currentPasswordSchema }).strict(),
    output: sessionUserSchema,
    access: 'public',
    audit: 'write',
    errors: ['WRONG_CREDENTIALS', 'LOCKED_OUT', 'ACCOUNT_DISABLED', 'VAULT_ABSENT', 'VAULT_INCOMPLETE', 'KEYRING_CORRUPT', 'KEYRING_UNPROVEN', 'DATABASE_CORRUPT', 'DATABASE_NEWER', 'KEY_CHANGE_UNDER_WAY'],
  }),
  /**
   * On the login screen of a PC that works with the centre's server: another server's connection
   * file (the centre's records restored or moved to a new database) is picked in the shell's
   * dialog and tried, and what to check is shown. Nothing changes yet.
   */
  'auth.serverLook': channel({
    input: empty,
    output: serverLookSchema,
    access: 'public',
    audit: 'read',
    pathFrom: 'openFile',
    errors: ['FORBIDDEN', 'CONNECTION_FILE_INVALID', 'SERVER_UNREACHABLE', 'SERVER_CERTIFICATE', 'SERVER_CREDENTIALS', 'SERVER_NOT_SET_UP'],
  }),
  /**
   * This PC works from now on with the server just looked at, if it holds this centre's records
   * (the keyring of the same centre) and an administrator of the centre logs in to it here: her
   * login is the change, recorded in that server's trail. Refused, nothing changes.
   */
  'auth.serverSwitch': channel({
    input: z.object({ username: usernameSchema, password: currentPasswordSchema }).strict(),
    output: sessionUserSchema,
    access: 'public',
    audit: 'write',
    errors: [
      'SETUP_NOT_STARTED',
      'FORBIDDEN',
      'SERVER_OTHER_CENTRE',
      'SERVER_CENTRE_UNKNOWN',
      'SERVER_SWITCH_NOT_ADMIN',
      'SERVER_NOT_SET_UP',
      'SERVER_UNREACHABLE',
      'SERVER_CERTIFICATE',
      'SERVER_CREDENTIALS',
      'WRONG_CREDENTIALS',
      'LOCKED_OUT',
      'ACCOUNT_DISABLED',
      'KEYRING_CORRUPT',
      'KEYRING_UNPROVEN',
      'DATABASE_NEWER',
      'KEY_CHANGE_UNDER_WAY',
    ],
  }),
  /** Unlock with the printed recovery code and set a new password for an administrator. */
  'auth.recover': channel({
    input: z
      .object({ recoveryCode: recoveryCodeSchema, username: usernameSchema, newPassword: newPasswordSchema })
      .strict(),
    output: sessionUserSchema,
    access: 'public',
    audit: 'write',
    errors: ['RECOVERY_CODE_INVALID', 'RECOVERY_NOT_ADMIN', 'LOCKED_OUT', 'VAULT_ABSENT', 'VAULT_INCOMPLETE', 'KEYRING_CORRUPT', 'KEYRING_UNPROVEN', 'DATABASE_CORRUPT', 'DATABASE_NEWER', 'KEY_CHANGE_UNDER_WAY'],
  }),
  'auth.logout': channel({
    input: empty,
    output: empty,
    access: 'session',
    audit: 'write',
    duringPasswordChange: true,
    errors: [],
  }),
  /** Quick lock (button, Ctrl+L): closes the database; the same person or another unlocks. */
  'auth.lock': channel({
    input: empty,
    output: empty,
    access: 'session',
    audit: 'write',
    duringPasswordChange: true,
    errors: [],
  }),
  'auth.changePassword': channel({
    input: z.object({ currentPassword: currentPasswordSchema, newPassword: newPasswordSchema }).strict(),
    output: sessionUserSchema,
    access: 'session',
    audit: 'write',
    duringPasswordChange: true,
    errors: ['WRONG_PASSWORD', 'PASSWORD_UNCHANGED'],
  }),
  'me.setLanguage': channel({
    input: z.object({ language: languageSchema }).strict(),
    output: sessionUserSchema,
    access: 'session',
    audit: 'write',
    duringPasswordChange: true,
    errors: [],
  }),
} as const;

export { LOCK_TIMEOUT_MINUTES };
