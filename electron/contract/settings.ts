import { z } from 'zod';
import { channel } from './channel.ts';
import { recoveryCodeIssueSchema } from './setup.ts';
import { centreCodeSchema, centreNameSchema, lockTimeoutSchema } from './schemas.ts';

/** The to-do list's "no contact" thresholds (days) and how often a case should be reviewed (months). */
export const CASELOAD_DEFAULTS = { noContactWarnDays: 60, noContactUrgentDays: 90, reviewIntervalMonths: 6 } as const;
export const NO_CONTACT_DAYS = { min: 14, max: 730 } as const;
export const REVIEW_INTERVAL_MONTHS = { min: 1, max: 24 } as const;

const days = z.number({ error: 'noContactRange' }).int({ error: 'noContactRange' }).min(NO_CONTACT_DAYS.min, { error: 'noContactRange' }).max(NO_CONTACT_DAYS.max, { error: 'noContactRange' });

export const caseloadSettingsSchema = z
  .object({
    noContactWarnDays: days,
    noContactUrgentDays: days,
    reviewIntervalMonths: z
      .number({ error: 'reviewIntervalRange' })
      .int({ error: 'reviewIntervalRange' })
      .min(REVIEW_INTERVAL_MONTHS.min, { error: 'reviewIntervalRange' })
      .max(REVIEW_INTERVAL_MONTHS.max, { error: 'reviewIntervalRange' }),
  })
  .strict()
  .refine((value) => value.noContactUrgentDays > value.noContactWarnDays, { error: 'urgentAfterWarn', path: ['noContactUrgentDays'] });
export type CaseloadSettings = z.infer<typeof caseloadSettingsSchema>;

export const centreSettingsSchema = z.object({
  centreName: z.string(),
  centreCode: z.string(),
  lockTimeoutMinutes: z.number(),
  noContactWarnDays: z.number(),
  noContactUrgentDays: z.number(),
  reviewIntervalMonths: z.number(),
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
  /** Caseload practice (thresholds of the to-do list, the review interval): the managers' call. */
  'settings.updateCaseload': channel({
    input: caseloadSettingsSchema,
    output: centreSettingsSchema,
    access: 'caseload.manage',
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
