import { createHash, randomBytes } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { ReportFormat, ReportPeriod } from '../../contract/reports.ts';
import { AppError, storageFailure } from '../app-error.ts';
import type { Core } from '../core.ts';
import type { HandlerContext, HandlerMap } from '../gate/types.ts';
import { latestAuditEntry } from '../audit/trail.ts';
import { readSettings } from '../settings/centre-settings.ts';
import { buildExport, EXTENSIONS } from './exports/index.ts';
import { REPORT_JOB, ReportJob } from './jobs.ts';
import type { Feature } from '../feature.ts';

type ReportChannels = 'reports.start' | 'reports.next' | 'reports.cancel' | 'reports.save' | 'reports.log';

function currentJob(ctx: HandlerContext, jobId: string): ReportJob {
  const job = ctx.core.state.get(REPORT_JOB);
  if (!job || job.id !== jobId) throw new AppError('REPORT_NOT_FOUND');
  return job;
}

function periodSlug(period: ReportPeriod): string {
  switch (period.kind) {
    case 'quarter':
      return `${period.year}-Q${period.quarter}`;
    case 'half':
      return `${period.year}-S${period.half}`;
    case 'year':
      return `${period.year}`;
    case 'months':
      return period.from === period.to ? period.from : `${period.from}_${period.to}`;
  }
}

const FILE_SUFFIX: Record<ReportFormat, string> = { xlsx: '', csv: '', docx: '', dhis2_json: '-dhis2', adx: '-adx', adx_sdmx: '-adx-chuan', adx_dsd: '-adx-cau-truc' };

/** A neutral file name: what it is and when, never who. */
export function exportFileName(job: ReportJob, format: ReportFormat): string {
  const centre = job.centre.code.toLowerCase().replace(/[^a-z0-9-]/g, '-') || 'trung-tam';
  return `bao-cao-${centre}-${periodSlug(job.spec)}${FILE_SUFFIX[format]}.${EXTENSIONS[format]}`;
}

/** What the save dialog offers for a report: its neutral name (null when no finished report is named: the call then says why). */
function reportSavePrompt(core: Core, input: unknown): { fileName: string; extension: string } | null {
  if (!input || typeof input !== 'object') return null;
  const { jobId, format } = input as { jobId?: unknown; format?: unknown };
  const job = core.state.get(REPORT_JOB);
  if (!job?.report || job.id !== jobId || typeof format !== 'string' || !(format in EXTENSIONS)) return null;
  return { fileName: exportFileName(job, format as ReportFormat), extension: EXTENSIONS[format as ReportFormat] };
}

/**
 * A file written beside its target, to be renamed over it once the log entry is committed:
 * a failed write rolls the entry back, and no file appears unless its entry exists.
 */
function stage(path: string, bytes: Buffer): { publish: () => void; discard: () => void } {
  const part = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.part`);
  try {
    writeFileSync(part, bytes, { flag: 'wx' });
  } catch {
    rmSync(part, { force: true });
    throw new AppError('STORAGE_FAILED');
  }
  return {
    publish: () => renameSync(part, path),
    discard: () => rmSync(part, { force: true }),
  };
}

export const reportsHandlers: Pick<HandlerMap, ReportChannels> = {
  'reports.start': async (input, ctx) => {
    const settings = await readSettings(ctx.db);
    const job = new ReportJob(input.period, settings.reportK, { name: settings.centreName, code: settings.centreCode }, ctx.core.nowIso());
    ctx.core.state.set(REPORT_JOB, job);
    return { jobId: job.id, total: job.total };
  },

  'reports.next': async (input, ctx) => {
    const job = currentJob(ctx, input.jobId);
    await job.step(ctx.db, ctx.core.vault.dialect);
    return { done: job.done, total: job.total, report: job.report };
  },

  'reports.cancel': async (input, ctx) => {
    if (ctx.core.state.get(REPORT_JOB)?.id === input.jobId) ctx.core.state.set(REPORT_JOB, null);
    return {};
  },

  'reports.save': async (input, ctx) => {
    const job = currentJob(ctx, input.jobId);
    const report = job.finished();
    const detail = { format: input.format, k: report.k, from: report.period.from, to: report.period.to };
    ctx.note({ targetType: 'report', detail });
    // The audit runs again before anything leaves: a report that fails it is refused.
    await job.verify();
    const fileName = exportFileName(job, input.format);
    if (!ctx.chosenPath) {
      ctx.note({ detail: { ...detail, cancelled: true } });
      return { saved: false, fileName, folder: '', sha256: null, bytes: 0 };
    }
    // The trail's last entry goes into the file; this export's own entry will chain to it.
    const file = await buildExport(input.format, { report, settings: await readSettings(ctx.db), trail: await latestAuditEntry(ctx.db) });
    const sha256 = createHash('sha256').update(file.bytes).digest('hex');
    const savePath = ctx.chosenPath;
    const { id: logId } = await ctx.db
      .insertInto('export_log')
      .values({
        at: ctx.core.nowIso(),
        user_id: ctx.requireSession().id,
        period_from: report.period.from,
        period_to: report.period.to,
        period_label: report.period.label.vi,
        format: input.format,
        k: report.k,
        sha256,
        // Only the app's own name is kept: a name typed in the dialog could name a person.
        file_name: basename(savePath) === fileName ? fileName : '',
        bytes: file.bytes.length,
        indicators: JSON.stringify(Object.fromEntries(report.tables.map((table) => [table.indicatorId, table.version]))),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    ctx.note({ detail: { ...detail, sha256, bytes: file.bytes.length } });
    // Written (beside its place) as the call's last step inside the transaction, put in its
    // place once committed. Should that last rename fail, the entry says so and no file stays.
    let staged: ReturnType<typeof stage> | null = null;
    ctx.atCommit(() => {
      staged = stage(savePath, file.bytes);
    });
    ctx.onCommitted(async () => {
      try {
        staged?.publish();
      } catch (error) {
        // The log must not list a file that is not there; the gate records the failure.
        staged?.discard();
        await ctx.core.vault.db.deleteFrom('export_log').where('id', '=', logId).execute();
        throw storageFailure(error);
      }
    });
    ctx.whenDone(() => staged?.discard());
    return { saved: true, fileName: basename(savePath), folder: dirname(savePath), sha256, bytes: file.bytes.length };
  },

  'reports.log': async (input, { db }) => {
    const { total } = await db.selectFrom('export_log').select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
    const rows = await db
      .selectFrom('export_log')
      .leftJoin('user', 'user.id', 'export_log.user_id')
      .selectAll('export_log')
      .select('user.display_name')
      .orderBy('export_log.id', 'desc')
      .limit(input.limit)
      .offset(input.offset)
      .execute();
    return {
      total: Number(total),
      rows: rows.map((row) => ({
        id: row.id,
        at: row.at,
        userName: row.display_name,
        from: row.period_from,
        to: row.period_to,
        periodLabel: row.period_label,
        format: row.format as ReportFormat,
        k: row.k,
        sha256: row.sha256,
        fileName: row.file_name,
      })),
    };
  },
};

/** Aggregate reports, built step by step, with small cells suppressed, and exported. */
export const reportsFeature: Feature = {
  handlers: reportsHandlers,
  hooks: { fileToSave: (core, channel, input) => (channel === 'reports.save' ? reportSavePrompt(core, input) : null) },
};
