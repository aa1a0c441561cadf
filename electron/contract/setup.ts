import { z } from 'zod';
import { channel } from './channel.ts';
import { serverLookSchema, sessionUserSchema } from './session.ts';
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
  /**
   * Setup on a PC of a centre that keeps its records on its own server: the person picks the
   * connection file the administrator's `server:init` wrote; the app reaches the server with it
   * (TLS, the file's certificate authority) and shows what to check before connecting. Nothing
   * is kept on this PC yet.
   */
  'setup.serverCheck': channel({
    input: z.object({}).strict(),
    output: serverLookSchema,
    access: 'public',
    audit: 'read',
    pathFrom: 'openFile',
    errors: ['VAULT_EXISTS', 'CONNECTION_FILE_INVALID', 'SERVER_UNREACHABLE', 'SERVER_CERTIFICATE', 'SERVER_CREDENTIALS', 'SERVER_NOT_SET_UP'],
  }),
  /** Connect this PC to the server just checked: from now on its records are kept there. */
  'setup.serverConnect': channel({
    input: z.object({ confirm: z.literal(true, { error: 'required' }) }).strict(),
    output: z.object({ present: z.boolean() }),
    access: 'public',
    audit: 'read',
    errors: ['SETUP_NOT_STARTED', 'VAULT_EXISTS', 'SERVER_UNREACHABLE', 'SERVER_CERTIFICATE', 'SERVER_CREDENTIALS', 'SERVER_NOT_SET_UP'],
  }),
  /** Before a centre is set up on the server this PC was connected to: forget it (keep the records on this PC, or choose another). */
  'setup.serverLeave': channel({
    input: z.object({}).strict(),
    output: z.object({}).strict(),
    access: 'public',
    audit: 'read',
    errors: ['VAULT_EXISTS'],
  }),
  'setup.cancel': channel({
    input: z.object({}).strict(),
    output: z.object({}).strict(),
    access: 'public',
    audit: 'read',
    errors: [],
  }),
} as const;
