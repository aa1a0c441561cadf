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
