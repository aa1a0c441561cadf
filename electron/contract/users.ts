import { z } from 'zod';
import { channel } from './channel.ts';
import { ROLES } from './permissions.ts';
import { displayNameSchema, idSchema, newPasswordSchema, reasonSchema, recordVersionSchema, rolesSchema, usernameSchema } from './schemas.ts';

export const userSummarySchema = z.object({
  id: z.number(),
  username: z.string(),
  displayName: z.string(),
  roles: z.array(z.enum(ROLES)),
  active: z.boolean(),
  mustChangePassword: z.boolean(),
  createdAt: z.string(),
  lastLoginAt: z.string().nullable(),
  /** Her name and roles now (the form sends it back with a change: RECORD_CHANGED if they changed meanwhile). */
  version: z.string(),
});
export type UserSummary = z.infer<typeof userSummarySchema>;

export const createUserInputSchema = z
  .object({
    username: usernameSchema,
    displayName: displayNameSchema,
    roles: rolesSchema,
    temporaryPassword: newPasswordSchema,
  })
  .strict();

/** A change of one's own roles needs a reason (kept and listed for managers in the access review). */
export const updateUserInputSchema = z
  .object({ id: idSchema, displayName: displayNameSchema, roles: rolesSchema, reason: reasonSchema.optional(), version: recordVersionSchema })
  .strict();

export const temporaryPasswordInputSchema = z.object({ id: idSchema, temporaryPassword: newPasswordSchema }).strict();

export const usersChannels = {
  'users.list': channel({
    input: z.object({}).strict(),
    output: z.array(userSummarySchema),
    access: 'users.manage',
    audit: 'read',
    errors: [],
  }),
  /** New account with a temporary password that must be changed at first login. */
  'users.create': channel({
    input: createUserInputSchema,
    output: userSummarySchema,
    access: 'users.manage',
    audit: 'write',
    errors: ['USERNAME_TAKEN'],
  }),
  'users.update': channel({
    input: updateUserInputSchema,
    output: userSummarySchema,
    access: 'users.manage',
    audit: 'write',
    errors: ['USER_NOT_FOUND', 'LAST_ADMIN', 'REASON_REQUIRED', 'RECORD_CHANGED'],
  }),
  /**
   * Deactivation removes the person's key slot: her password no longer opens this vault's
   * keyring. (A copy of an older keyring still would, until the data key is rotated.)
   */
  'users.deactivate': channel({
    input: z.object({ id: idSchema }).strict(),
    output: userSummarySchema,
    access: 'users.manage',
    audit: 'write',
    errors: ['USER_NOT_FOUND', 'CANNOT_CHANGE_SELF', 'LAST_ADMIN', 'USER_INACTIVE'],
  }),
  'users.reactivate': channel({
    input: temporaryPasswordInputSchema,
    output: userSummarySchema,
    access: 'users.manage',
    audit: 'write',
    errors: ['USER_NOT_FOUND', 'USER_ACTIVE', 'CANNOT_CHANGE_SELF'],
  }),
  'users.resetPassword': channel({
    input: temporaryPasswordInputSchema,
    output: userSummarySchema,
    access: 'users.manage',
    audit: 'write',
    errors: ['USER_NOT_FOUND', 'USER_INACTIVE', 'CANNOT_CHANGE_SELF'],
  }),
} as const;
