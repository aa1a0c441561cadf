import { z } from 'zod';
import { channel } from './channel.ts';
import { recoveryCodeIssueSchema } from './setup.ts';
import { centreCodeSchema, centreNameSchema, lockTimeoutSchema } from './schemas.ts';

export const centreSettingsSchema = z.object({
  centreName: z.string(),
  centreCode: z.string(),
  lockTimeoutMinutes: z.number(),
});
export type CentreSettings = z.infer<typeof centreSettingsSchema>;

export const settingsUpdateSchema = z
  .object({
    centreName: centreNameSchema.optional(),
    centreCode: centreCodeSchema.optional(),
    lockTimeoutMinutes: lockTimeoutSchema.optional(),
  })
  .strict();

export const settingsChannels = {
  'settings.get': channel({
    input: z.object({}).strict(),
    output: centreSettingsSchema,
    access: 'session',
    audit: 'read',
    errors: [],
  }),
  'settings.update': channel({
    input: settingsUpdateSchema,
    output: centreSettingsSchema,
    access: 'settings.manage',
    audit: 'write',
    errors: [],
  }),
  /** A new recovery code, step 1: generated and held in memory, shown once. */
  'recovery.begin': channel({
    input: z.object({}).strict(),
    output: recoveryCodeIssueSchema,
    access: 'settings.manage',
    audit: 'write',
    errors: [],
  }),
  /** Step 2: one group typed back; the new code replaces the old one, which stops working. */
  'recovery.complete': channel({
    input: z.object({ confirmation: z.string().max(40, { error: 'tooLong' }) }).strict(),
    output: z.object({}).strict(),
    access: 'settings.manage',
    audit: 'write',
    errors: ['SETUP_NOT_STARTED', 'RECOVERY_CONFIRMATION_MISMATCH'],
  }),
} as const;
