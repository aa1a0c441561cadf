import { z } from 'zod';
import { ROLES } from './permissions.ts';

/*
 * Shared field schemas. Messages are i18n keys under `validation.` so that the renderer's
 * form (react-hook-form + zodResolver) and the gate's VALIDATION error speak the same words.
 */

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 128;

export const usernameSchema = z
  .string({ error: 'required' })
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9._-]{2,31}$/, { error: 'usernameFormat' });

export const displayNameSchema = z
  .string({ error: 'required' })
  .trim()
  .min(1, { error: 'required' })
  .max(80, { error: 'tooLong' });

/** A password being set. Existing passwords are only checked for presence (see `currentPasswordSchema`). */
export const newPasswordSchema = z
  .string({ error: 'required' })
  .min(MIN_PASSWORD_LENGTH, { error: 'passwordTooShort' })
  .max(MAX_PASSWORD_LENGTH, { error: 'tooLong' });

export const currentPasswordSchema = z
  .string({ error: 'required' })
  .min(1, { error: 'required' })
  .max(MAX_PASSWORD_LENGTH, { error: 'tooLong' });

export const rolesSchema = z
  .array(z.enum(ROLES, { error: 'invalid' }), { error: 'required' })
  .min(1, { error: 'rolesRequired' })
  .max(ROLES.length, { error: 'invalid' })
  .refine((roles) => new Set(roles).size === roles.length, { error: 'invalid' });

export const centreNameSchema = z
  .string({ error: 'required' })
  .trim()
  .min(2, { error: 'required' })
  .max(120, { error: 'tooLong' });

export const centreCodeSchema = z
  .string({ error: 'required' })
  .trim()
  .toUpperCase()
  .regex(/^[A-Z0-9][A-Z0-9_-]{1,19}$/, { error: 'centreCodeFormat' });

/** Recovery codes are read aloud and typed by hand: spaces, dashes and case are forgiven in core. */
export const recoveryCodeSchema = z
  .string({ error: 'required' })
  .trim()
  .min(16, { error: 'recoveryCodeFormat' })
  .max(80, { error: 'recoveryCodeFormat' });

/**
 * What a record was when its form opened (given with the record, sent back with the change): a
 * change to a record changed meanwhile, at another PC or in another window, is refused
 * (RECORD_CHANGED) instead of silently overwriting it.
 */
export const recordVersionSchema = z.string({ error: 'invalid' }).regex(/^[A-Za-z0-9_-]{22}$/, { error: 'invalid' });

export const idSchema = z.number({ error: 'invalid' }).int({ error: 'invalid' }).positive({ error: 'invalid' });

/** Calendar date as the UI sends it: ISO `yyyy-MM-dd` (shown as dd/MM/yyyy). */
export const isoDateSchema = z.iso.date({ error: 'dateFormat' });

export const languageSchema = z.enum(['vi', 'en'], { error: 'invalid' });

export const LOCK_TIMEOUT_MINUTES = { min: 1, max: 60, default: 5 } as const;

export const lockTimeoutSchema = z
  .number({ error: 'invalid' })
  .int({ error: 'invalid' })
  .min(LOCK_TIMEOUT_MINUTES.min, { error: 'lockTimeoutRange' })
  .max(LOCK_TIMEOUT_MINUTES.max, { error: 'lockTimeoutRange' });

/** A form schema that also asks for `field` (a new password) a second time, as `confirmPassword`. */
export function withRepeatedPassword<Shape extends z.ZodRawShape, Config extends z.core.$ZodObjectConfig>(
  schema: z.ZodObject<Shape, Config>,
  field: keyof Shape & string,
) {
  return schema
    .extend({ confirmPassword: z.string({ error: 'required' }) })
    .refine((value) => (value as Record<string, unknown>)[field] === value.confirmPassword, {
      error: 'passwordsDiffer',
      path: ['confirmPassword'],
    });
}

/** Every validation message key used above; the i18n test checks each has a sentence. */
export const VALIDATION_MESSAGES = [
  'required',
  'invalid',
  'tooLong',
  'usernameFormat',
  'passwordTooShort',
  'passwordsDiffer',
  'rolesRequired',
  'centreCodeFormat',
  'recoveryCodeFormat',
  'dateFormat',
  'lockTimeoutRange',
  'birthYearRange',
  'reasonTooShort',
  'witnessRequired',
  'phoneFormat',
  'partnerRequired',
  'servicesRequired',
  'followUpBeforeVisit',
  'dueBeforeProposed',
  'consentExpired',
  'consentTooLong',
  'consentBeforeRegistration',
  'closeBeforeLastEvent',
  'reopenBeforeClose',
  'withdrawBeforeGiven',
  'declineReasonRequired',
  'periodOrder',
  'periodTooLong',
  'urgentAfterWarn',
  'noContactRange',
  'reviewIntervalRange',
  'todoAheadRange',
  'kTooSmall',
  'codeFormat',
  'groupEmpty',
  'groupCellTwice',
] as const;

/** Free text that may be left empty: stored as null, never as an empty string. */
/** Why someone sees or takes what is not hers (break the glass, a case given to oneself, one's own roles): kept and listed for managers. */
export const reasonSchema = z.string({ error: 'required' }).trim().min(10, { error: 'reasonTooShort' }).max(500, { error: 'tooLong' });

export const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, { error: 'tooLong' })
    .transform((value) => (value === '' ? null : value))
    .nullable();
