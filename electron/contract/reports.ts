import { z } from 'zod';
import { channel } from './channel.ts';
import { INDICATOR_IDS, type Words } from './indicators.ts';
import { halfYearOf, monthsPeriod, quarterOf, yearOf, type Period } from './periods.ts';

/*
 * Aggregate reports for the city: a period, the centre's threshold k, and the indicator
 * tables exactly as they will leave the centre (suppressed cells carry no number).
 */

export const K_MIN = 5;
export const K_DEFAULT = 10;
/** What stands in a suppressed cell, in every format. */
export const SUPPRESSED_MARK = 'x';
/** adx: ADX as DHIS2 reads it (category option combos); adx_sdmx: standard ADX (SEX, AGE attributes) and adx_dsd its data structure. */
export const REPORT_FORMATS = ['xlsx', 'csv', 'docx', 'dhis2_json', 'adx', 'adx_sdmx', 'adx_dsd'] as const;
/** The formats that need a period DHIS2 and ADX can name, and the org unit and data set codes. */
export const DHIS2_FORMATS: readonly ReportFormat[] = ['dhis2_json', 'adx', 'adx_sdmx', 'adx_dsd'];
export type ReportFormat = (typeof REPORT_FORMATS)[number];
export const REPORT_MAX_MONTHS = 36;

const year = z.number({ error: 'invalid' }).int().min(2000, { error: 'invalid' }).max(2100, { error: 'invalid' });
const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, { error: 'dateFormat' });

export const reportPeriodSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('quarter'), year, quarter: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]) }).strict(),
  z.object({ kind: z.literal('half'), year, half: z.union([z.literal(1), z.literal(2)]) }).strict(),
  z.object({ kind: z.literal('year'), year }).strict(),
  z
    .object({ kind: z.literal('months'), from: month, to: month })
    .strict()
    .refine((period) => period.from <= period.to, { error: 'periodOrder', path: ['to'] })
    .refine((period) => monthsBetween(period.from, period.to) <= REPORT_MAX_MONTHS, { error: 'periodTooLong', path: ['to'] }),
]);
export type ReportPeriod = z.infer<typeof reportPeriodSchema>;

function monthsBetween(from: string, to: string): number {
  return (Number(to.slice(0, 4)) - Number(from.slice(0, 4))) * 12 + Number(to.slice(5, 7)) - Number(from.slice(5, 7)) + 1;
}

const ROMAN = ['I', 'II', 'III', 'IV'];

/** The dates a report period covers, its name in both languages, and its DHIS2 and ADX forms (null where DHIS2 has no such period). */
export function describePeriod(period: ReportPeriod): Period & { label: Words; dhis2: string | null; adx: string | null } {
  switch (period.kind) {
    case 'quarter':
      return {
        ...quarterOf(period.year, period.quarter),
        label: { vi: `Quý ${ROMAN[period.quarter - 1]} năm ${period.year}`, en: `Q${period.quarter} ${period.year}` },
        dhis2: `${period.year}Q${period.quarter}`,
        adx: `${quarterOf(period.year, period.quarter).from}/P3M`,
      };
    case 'half':
      return {
        ...halfYearOf(period.year, period.half),
        label: { vi: `${period.half === 1 ? '6 tháng đầu' : '6 tháng cuối'} năm ${period.year}`, en: `${period.half === 1 ? 'First' : 'Second'} half of ${period.year}` },
        dhis2: `${period.year}S${period.half}`,
        adx: `${halfYearOf(period.year, period.half).from}/P6M`,
      };
    case 'year':
      return { ...yearOf(period.year), label: { vi: `Năm ${period.year}`, en: `${period.year}` }, dhis2: `${period.year}`, adx: `${period.year}-01-01/P1Y` };
    case 'months': {
      const fromYear = Number(period.from.slice(0, 4));
      const span = monthsPeriod(fromYear, Number(period.from.slice(5, 7)) - 1, (Number(period.to.slice(0, 4)) - fromYear) * 12 + Number(period.to.slice(5, 7)) - 1);
      const single = period.from === period.to;
      const show = (value: string) => `${value.slice(5, 7)}/${value.slice(0, 4)}`;
      return {
        ...span,
        label: single ? { vi: `Tháng ${show(period.from)}`, en: show(period.from) } : { vi: `Từ tháng ${show(period.from)} đến tháng ${show(period.to)}`, en: `${show(period.from)} to ${show(period.to)}` },
        dhis2: single ? period.from.replace('-', '') : null,
        adx: single ? `${span.from}/P1M` : null,
      };
    }
  }
}

const words = z.object({ vi: z.string(), en: z.string() });
export const reportTableSchema = z.object({
  indicatorId: z.enum(INDICATOR_IDS as [string, ...string[]]),
  version: z.number(),
  unit: z.enum(['persons', 'contacts', 'services', 'referrals', 'sessions', 'attendances']),
  label: words,
  definition: words,
  rows: z.array(z.object({ key: z.string(), label: words, total: z.boolean() })),
  columns: z.array(z.object({ key: z.string(), label: words, total: z.boolean() })),
  /** As published: a suppressed cell is null. */
  cells: z.array(z.array(z.number().nullable())),
  /** Why a cell is suppressed (for the preview's legend); never its value. */
  marks: z.array(z.array(z.enum(['none', 'primary', 'complementary']))),
});
export type ReportTable = z.infer<typeof reportTableSchema>;

export const reportSchema = z.object({
  period: z.object({ from: z.string(), to: z.string(), label: words, dhis2: z.string().nullable(), adx: z.string().nullable() }),
  k: z.number(),
  generatedAt: z.string(),
  centre: z.object({ name: z.string(), code: z.string() }),
  tables: z.array(reportTableSchema),
  audit: z.object({
    suppressedCells: z.number(),
    /** The narrowest feasible range of any suppressed cell (null when none is bounded or none is suppressed). */
    narrowestRange: z.number().nullable(),
    solves: z.number(),
  }),
  /** Registered clients active in the period left out for want of consent to reports (shown on screen only). */
  clientsWithoutConsent: z.number(),
});
export type Report = z.infer<typeof reportSchema>;

export const exportLogRowSchema = z.object({
  id: z.number(),
  at: z.string(),
  userName: z.string().nullable(),
  from: z.string(),
  to: z.string(),
  periodLabel: z.string(),
  format: z.enum(REPORT_FORMATS),
  k: z.number(),
  sha256: z.string(),
  fileName: z.string(),
});

const jobId = z.object({ jobId: z.string().regex(/^[0-9a-f]{32}$/, { error: 'invalid' }) }).strict();

export const reportsChannels = {
  /** Start building a report; each `reports.next` does one step, so progress shows and the manager can cancel. */
  'reports.start': channel({
    // k is the managers' setting: a report cannot lower it.
    input: z.object({ period: reportPeriodSchema }).strict(),
    output: z.object({ jobId: z.string(), total: z.number() }),
    access: 'reports.manage',
    audit: 'read',
    errors: [],
  }),
  'reports.next': channel({
    input: jobId,
    output: z.object({ done: z.number(), total: z.number(), report: reportSchema.nullable() }),
    access: 'reports.manage',
    audit: 'read',
    errors: ['REPORT_NOT_FOUND', 'REPORT_AUDIT_FAILED'],
  }),
  'reports.cancel': channel({
    input: jobId,
    output: z.object({}).strict(),
    access: 'reports.manage',
    audit: 'read',
    errors: [],
  }),
  /**
   * Write the previewed report, as it was shown, to the file the manager chose in the save
   * dialog (the shell supplies the path; the window cannot). Audited and logged with the
   * file's SHA-256.
   */
  'reports.save': channel({
    input: z.object({ jobId: jobId.shape.jobId, format: z.enum(REPORT_FORMATS) }).strict(),
    output: z.object({ saved: z.boolean(), fileName: z.string(), folder: z.string(), sha256: z.string().nullable(), bytes: z.number() }),
    access: 'reports.manage',
    audit: 'write',
    pathFrom: 'saveFile',
    errors: ['REPORT_NOT_FOUND', 'REPORT_AUDIT_FAILED', 'DHIS2_PERIOD_UNSUPPORTED', 'STORAGE_FAILED', 'DISK_FULL', 'STORAGE_READ_ONLY'],
  }),
  'reports.log': channel({
    input: z.object({ offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(200).default(50) }).strict(),
    output: z.object({ total: z.number(), rows: z.array(exportLogRowSchema) }),
    access: 'reports.manage',
    audit: 'read',
    errors: [],
  }),
} as const;
