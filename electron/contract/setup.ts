import { z } from 'zod';
import { channel } from './channel.ts';
import { sessionUserSchema } from './session.ts';
import {
  centreCodeSchema,
  centreNameSchema,
  displayNameSchema,
  languageSchema,
  newPasswordSchema,
  usernameSchema,
} from './schemas.ts';

export const setupInputSchema = z
  .object({
    centreName: centreNameSchema,
    centreCode: centreCodeSchema,
    adminUsername: usernameSchema,
    adminDisplayName: displayNameSchema,
    adminPassword: newPasswordSchema,
    language: languageSchema,
  })
  .strict();
export type SetupInput = z.infer<typeof setupInputSchema>;

export const recoveryCodeIssueSchema = z.object({
  /** Groups of four characters, e.g. `7K3M-Q9TX-…`. Shown once. */
  recoveryCode: z.string(),
  /** Which group (1-based) the person must type back to prove it was written down. */
  confirmGroup: z.number().int().positive(),
  groupCount: z.number().int().positive(),
});

export const setupChannels = {
  /**
   * First run, step 1: calibrate the key derivation, generate the data key and the recovery
   * code, and hold them in memory. Nothing is written until `setup.complete`.
   */
  'setup.begin': channel({
    input: setupInputSchema,
    output: recoveryCodeIssueSchema,
    access: 'public',
    audit: 'read',
    errors: ['VAULT_EXISTS'],
  }),
  /** First run, step 2: the person types back one group of the recovery code; then the vault is written. */
  'setup.complete': channel({
    input: z.object({ confirmation: z.string().max(40, { error: 'tooLong' }) }).strict(),
    output: sessionUserSchema,
    access: 'public',
    audit: 'write',
    errors: ['SETUP_NOT_STARTED', 'RECOVERY_CONFIRMATION_MISMATCH', 'VAULT_EXISTS'],
  }),
  'setup.cancel': channel({
    input: z.object({}).strict(),
    output: z.object({}).strict(),
    access: 'public',
    audit: 'read',
    errors: [],
  }),
} as const;
