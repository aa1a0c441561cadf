import { z } from 'zod';
import { channel } from './channel.ts';
import { recoveryCodeIssueSchema } from './setup.ts';
import { K_MIN } from './reports.ts';
import { centreCodeSchema, centreNameSchema, lockTimeoutSchema, recordVersionSchema } from './schemas.ts';

/**
 * The to-do list's "no contact" thresholds (days), how often a case should be reviewed
 * (months), and how many days ahead the list shows what is coming up.
 */
export const CASELOAD_DEFAULTS = { noContactWarnDays: 60, noContactUrgentDays: 90, reviewIntervalMonths: 6, todoAheadDays: 7 } as const;
export const NO_CONTACT_DAYS = { min: 14, max: 730 } as const;
export const TODO_AHEAD_DAYS = { min: 0, max: 30 } as const;
export const REVIEW_INTERVAL_MONTHS = { min: 1, max: 24 } as const;

const days = z.number({ error: 'noContactRange' }).int({ error: 'noContactRange' }).min(NO_CONTACT_DAYS.min, { error: 'noContactRange' }).max(NO_CONTACT_DAYS.max, { error: 'noContactRange' });

const caseloadSettingsFields = z
  .object({
    noContactWarnDays: days,
    noContactUrgentDays: days,
    reviewIntervalMonths: z
      .number({ error: 'reviewIntervalRange' })
      .int({ error: 'reviewIntervalRange' })
      .min(REVIEW_INTERVAL_MONTHS.min, { error: 'reviewIntervalRange' })
      .max(REVIEW_INTERVAL_MONTHS.max, { error: 'reviewIntervalRange' }),
    todoAheadDays: z
      .number({ error: 'todoAheadRange' })
      .int({ error: 'todoAheadRange' })
      .min(TODO_AHEAD_DAYS.min, { error: 'todoAheadRange' })
      .max(TODO_AHEAD_DAYS.max, { error: 'todoAheadRange' })
      .optional(),
  })
  .strict();
const urgentAfterWarn = (value: { noContactWarnDays: number; noContactUrgentDays: number }) => value.noContactUrgentDays > value.noContactWarnDays;
/** The caseload form's fields. */
export const caseloadSettingsSchema = caseloadSettingsFields.refine(urgentAfterWarn, { error: 'urgentAfterWarn', path: ['noContactUrgentDays'] });
export type CaseloadSettings = z.infer<typeof caseloadSettingsSchema>;

/**
 * How reports leave the centre: the suppression threshold k, the heading of the Word report
 * (the agency and the recipient are settings because departments are reorganised, as in
 * 2025), and the codes a DHIS2 instance knows the figures by.
 */
export const REPORT_DEFAULTS = {
  reportK: 10,
  reportParentAgency: 'SỞ Y TẾ THÀNH PHỐ HỒ CHÍ MINH',
  reportRecipient: 'Sở Y tế Thành phố Hồ Chí Minh',
  /** Empty: "…/BC-" and the centre's abbreviation (documentSymbol). */
  reportDocumentNumber: '',
  reportPlace: 'Thành phố Hồ Chí Minh',
  reportSignerTitle: 'GIÁM ĐỐC',
  reportSignerName: '',
  dhis2OrgUnit: '',
  dhis2DataSet: '',
  /** Overrides of the default codes, as JSON: { "indicator.row.column": { "dataElement": "…", "categoryOptionCombo": "…" } | null }. */
  dhis2Mapping: '{}',
  /** The list separator of the managers' Excel: ";" on Vietnamese Windows, "," on English. */
  reportCsvSeparator: ';' as CsvSeparator,
};

/**
 * The report's number and symbol (Decree 30/2020: number / type-issuer): the setting when the
 * centre has one, else "…/BC-" and the initials of the centre's name ("Trung tâm Công tác xã
 * hội Ánh Dương": "…/BC-TTCTXHAD"), the number left for the clerk to write in.
 */
export function documentSymbol(setting: string, centreName: string): string {
  if (setting.trim()) return setting.trim();
  const initials = centreName
    .trim()
    .split(/[\s-]+/u)
    .map((word) => word.charAt(0).toLocaleUpperCase('vi'))
    .map((letter) => (letter === 'Đ' ? letter : letter.normalize('NFD').replace(/\p{M}/gu, '')))
    .filter((letter) => /^[A-ZĐ0-9]$/u.test(letter))
    .join('');
  return initials ? `…/BC-${initials}` : '…/BC';
}

export const CSV_SEPARATORS = [';', ','] as const;
export type CsvSeparator = (typeof CSV_SEPARATORS)[number];

const line = (max: number) => z.string({ error: 'required' }).trim().max(max, { error: 'tooLong' });
const dhis2Code = z.string().trim().max(50, { error: 'tooLong' }).regex(/^[A-Za-z0-9_.-]*$/, { error: 'codeFormat' });

/** One cell's codes in DHIS2; null leaves the cell out of DHIS2 exports. */
export const dhis2CellCodesSchema = z
  .object({ dataElement: dhis2Code.min(1, { error: 'codeFormat' }), categoryOptionCombo: dhis2Code.min(1, { error: 'codeFormat' }) })
  .strict()
  .nullable();
export const dhis2MappingSchema = z.record(z.string().regex(/^[a-z0-9_]+\.[a-z0-9_]+\.[a-z0-9_]+$/, { error: 'codeFormat' }), dhis2CellCodesSchema);

export const reportSettingsSchema = z
  .object({
    reportK: z.number({ error: 'kTooSmall' }).int({ error: 'kTooSmall' }).min(K_MIN, { error: 'kTooSmall' }).max(100, { error: 'invalid' }),
    reportParentAgency: line(150),
    reportRecipient: line(150).min(1, { error: 'required' }),
    reportDocumentNumber: line(60),
    reportPlace: line(80).min(1, { error: 'required' }),
    reportSignerTitle: line(80),
    reportSignerName: line(80),
    dhis2OrgUnit: dhis2Code,
    dhis2DataSet: dhis2Code,
    dhis2Mapping: z
      .string()
      .max(100_000, { error: 'tooLong' })
      .refine((text) => {
        try {
          return dhis2MappingSchema.safeParse(JSON.parse(text)).success;
        } catch {
          return false;
        }
      }, { error: 'codeFormat' }),
    reportCsvSeparator: z.enum(CSV_SEPARATORS, { error: 'invalid' }).optional(),
  })
  .strict();
export type ReportSettings = z.infer<typeof reportSettingsSchema>;

/** 0: no retention limit. Otherwise whole years after a case was closed. */
export const RETENTION_YEARS = { min: 0, max: 50, default: 0 } as const;

/**
 * The settings each form edits and saves together. Each group has a version (settings.get):
 * a save names the version its form was opened on, and a group changed meanwhile (by another
 * administrator, at another PC) is refused (RECORD_CHANGED) rather than overwritten.
 */
export const SETTINGS_GROUPS = {
  centre: ['centreName', 'centreCode', 'lockTimeoutMinutes'],
  caseload: ['noContactWarnDays', 'noContactUrgentDays', 'reviewIntervalMonths', 'todoAheadDays'],
  reports: ['reportK', 'reportParentAgency', 'reportRecipient', 'reportDocumentNumber', 'reportPlace', 'reportSignerTitle', 'reportSignerName', 'dhis2OrgUnit', 'dhis2DataSet', 'dhis2Mapping', 'reportCsvSeparator'],
  retention: ['retentionYears'],
} as const;
export type SettingsGroup = keyof typeof SETTINGS_GROUPS;

export const centreSettingsSchema = z.object({
  centreName: z.string(),
  centreCode: z.string(),
  lockTimeoutMinutes: z.number(),
  noContactWarnDays: z.number(),
  noContactUrgentDays: z.number(),
  reviewIntervalMonths: z.number(),
  todoAheadDays: z.number(),
  reportK: z.number(),
  reportParentAgency: z.string(),
  reportRecipient: z.string(),
  reportDocumentNumber: z.string(),
  reportPlace: z.string(),
  reportSignerTitle: z.string(),
  reportSignerName: z.string(),
  dhis2OrgUnit: z.string(),
  dhis2DataSet: z.string(),
  dhis2Mapping: z.string(),
  reportCsvSeparator: z.enum(CSV_SEPARATORS),
  /** De-identify cases closed more than this many years ago (0: never, by itself). */
  retentionYears: z.number(),
  /** Each group's version now (SETTINGS_GROUPS), to send back with its change. */
  versions: z.object({ centre: z.string(), caseload: z.string(), reports: z.string(), retention: z.string() }),
});
export type CentreSettings = z.infer<typeof centreSettingsSchema>;

/**
 * The centre's name, code and lock time (the settings form: the `centre` group), or the
 * retention period (the retention screen: `retention`), never both at once: each with the
 * version of its group.
 */
export const settingsUpdateSchema = z
  .object({
    centreName: centreNameSchema.optional(),
    centreCode: centreCodeSchema.optional(),
    lockTimeoutMinutes: lockTimeoutSchema.optional(),
    retentionYears: z.number({ error: 'invalid' }).int({ error: 'invalid' }).min(RETENTION_YEARS.min, { error: 'invalid' }).max(RETENTION_YEARS.max, { error: 'invalid' }).optional(),
    version: recordVersionSchema,
  })
  .strict()
  .refine((value) => value.retentionYears === undefined || SETTINGS_GROUPS.centre.every((name) => value[name] === undefined), { error: 'invalid', path: ['retentionYears'] });

const versioned = { version: recordVersionSchema };
export const caseloadUpdateSchema = caseloadSettingsFields.extend(versioned).refine(urgentAfterWarn, { error: 'urgentAfterWarn', path: ['noContactUrgentDays'] });
export const reportsUpdateSchema = reportSettingsSchema.extend(versioned);

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
    errors: ['RECORD_CHANGED'],
  }),
  /** Caseload practice (thresholds of the to-do list, the review interval): the managers' call. */
  'settings.updateCaseload': channel({
    input: caseloadUpdateSchema,
    output: centreSettingsSchema,
    access: 'caseload.manage',
    audit: 'write',
    errors: ['RECORD_CHANGED'],
  }),
  /** How reports leave the centre: k, the Word heading, the DHIS2 codes. The managers' call. */
  'settings.updateReports': channel({
    input: reportsUpdateSchema,
    output: centreSettingsSchema,
    access: 'reports.manage',
    audit: 'write',
    errors: ['RECORD_CHANGED'],
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
