import { useEffect, useId, useRef, useState } from 'react';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { describePeriod, DHIS2_FORMATS, INDICATORS, REPORT_FORMATS, SUPPRESSED_MARK, type Report, type ReportFormat, type ReportPeriod, type ReportTable } from '../../../../electron/contract/index.ts';
import { call, type ClientErrorPayload } from '../../api.ts';
import { ErrorText, Notice } from '../../components/ErrorText.tsx';
import { formatDate, formatDateTime, todayIso } from '../../i18n/format.ts';

type Kind = ReportPeriod['kind'];

/**
 * The report for the city: pick a period, build it (step by step, with progress; it can be
 * cancelled), see the tables exactly as they will leave the centre, then export them.
 */
export function ReportsPage() {
  const { t, i18n } = useTranslation();
  const [period, setPeriod] = useState<ReportPeriod>(() => currentQuarter());
  const [k, setK] = useState<number | null>(null);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [report, setReport] = useState<{ jobId: string; report: Report } | null>(null);
  const [error, setError] = useState<ClientErrorPayload | null>(null);
  const cancelled = useRef(false);
  const jobRef = useRef<string | null>(null);
  const language = i18n.language === 'en' ? 'en' : 'vi';

  useEffect(() => {
    void call('settings.get', {}).then((result) => result.ok && setK(result.value.reportK));
  }, []);

  const build = async () => {
    setError(null);
    setReport(null);
    cancelled.current = false;
    const started = await call('reports.start', { period });
    if (!started.ok) return setError(started.error);
    jobRef.current = started.value.jobId;
    setProgress({ done: 0, total: started.value.total });
    for (;;) {
      if (cancelled.current) return;
      const next = await call('reports.next', { jobId: started.value.jobId });
      if (!next.ok) {
        setProgress(null);
        return setError(next.error);
      }
      setProgress({ done: next.value.done, total: next.value.total });
      if (next.value.report) {
        setProgress(null);
        setReport({ jobId: started.value.jobId, report: next.value.report });
        return;
      }
    }
  };

  const cancel = async () => {
    cancelled.current = true;
    setProgress(null);
    if (jobRef.current) await call('reports.cancel', { jobId: jobRef.current });
  };

  const stepName = (done: number) => (done === 0 ? t('reports.stepGather') : (INDICATORS[done - 1]?.label[language] ?? t('reports.stepSuppress')));

  return (
    <section aria-labelledby="page-title" className="reports">
      <div className="page-heading">
        <h1 id="page-title">{t('reports.title')}</h1>
        <Link to="/reports/log">{t('reports.logLink')}</Link>
      </div>
      <p className="intro">{t('reports.intro')}</p>
      <PeriodChooser period={period} onChange={setPeriod} disabled={progress !== null} />
      <Unfinished {...describePeriod(period)} />
      <p className="hint">
        {k === null ? null : t('reports.kIs', { k, below: k - 1 })} <Link to="/settings">{t('reports.kWhere')}</Link>
      </p>
      <div className="actions">
        {progress ? (
          <button type="button" onClick={() => void cancel()}>
            {t('reports.cancel')}
          </button>
        ) : (
          <button type="button" className="primary" onClick={() => void build()}>
            {t('reports.build')}
          </button>
        )}
      </div>
      {progress ? (
        <div className="report-progress" role="status">
          <label htmlFor="report-progress">{t('reports.progress', { done: progress.done, total: progress.total, step: stepName(progress.done) })}</label>
          <progress id="report-progress" value={progress.done} max={progress.total} />
        </div>
      ) : null}
      <ErrorText error={error} />
      {report ? <Preview jobId={report.jobId} report={report.report} language={language} /> : null}
    </section>
  );
}

/** The quarter under way: what a manager looks at first (a finished one is a choice away). */
function currentQuarter(): ReportPeriod {
  const today = todayIso();
  return { kind: 'quarter', year: Number(today.slice(0, 4)), quarter: (Math.floor((Number(today.slice(5, 7)) - 1) / 3) + 1) as 1 | 2 | 3 | 4 };
}

/** Said before a report is built and above its preview: a period not over yet counts only up to today. */
function Unfinished({ from, to }: { from: string; to: string }) {
  const { t } = useTranslation();
  const today = todayIso();
  if (to < today) return null;
  const text = from > today ? t('reports.notStarted', { from: formatDate(from) }) : t('reports.unfinished', { to: formatDate(to), today: formatDate(today) });
  return <p className="message message-warning">{text}</p>;
}

function PeriodChooser({ period, onChange, disabled }: { period: ReportPeriod; onChange: (period: ReportPeriod) => void; disabled: boolean }) {
  const { t } = useTranslation();
  const id = useId();
  const thisYear = Number(todayIso().slice(0, 4));
  const years = Array.from({ length: 6 }, (_, i) => thisYear - i);
  const year = 'year' in period ? period.year : thisYear;
  const setKind = (kind: Kind) => {
    if (kind === 'quarter') onChange({ kind, year, quarter: 1 });
    else if (kind === 'half') onChange({ kind, year, half: 1 });
    else if (kind === 'year') onChange({ kind, year });
    else onChange({ kind, from: `${thisYear}-01`, to: todayIso().slice(0, 7) });
  };
  return (
    <fieldset className="filters period-chooser" disabled={disabled}>
      <legend className="visually-hidden">{t('reports.period')}</legend>
      <div className="field">
        <label htmlFor={`${id}-kind`}>{t('reports.periodKind')}</label>
        <select id={`${id}-kind`} value={period.kind} onChange={(event) => setKind(event.target.value as Kind)}>
          {(['quarter', 'half', 'year', 'months'] as const).map((kind) => (
            <option key={kind} value={kind}>
              {t(`reports.kinds.${kind}`)}
            </option>
          ))}
        </select>
      </div>
      {period.kind !== 'months' ? (
        <div className="field">
          <label htmlFor={`${id}-year`}>{t('reports.year')}</label>
          <select id={`${id}-year`} value={period.year} onChange={(event) => onChange({ ...period, year: Number(event.target.value) })}>
            {years.map((value) => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      {period.kind === 'quarter' ? (
        <div className="field">
          <label htmlFor={`${id}-quarter`}>{t('reports.quarter')}</label>
          <select id={`${id}-quarter`} value={period.quarter} onChange={(event) => onChange({ ...period, quarter: Number(event.target.value) as 1 | 2 | 3 | 4 })}>
            {[1, 2, 3, 4].map((value) => (
              <option key={value} value={value}>
                {t('reports.quarterOption', { n: ['I', 'II', 'III', 'IV'][value - 1] })}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      {period.kind === 'half' ? (
        <div className="field">
          <label htmlFor={`${id}-half`}>{t('reports.half')}</label>
          <select id={`${id}-half`} value={period.half} onChange={(event) => onChange({ ...period, half: Number(event.target.value) as 1 | 2 })}>
            <option value={1}>{t('reports.firstHalf')}</option>
            <option value={2}>{t('reports.secondHalf')}</option>
          </select>
        </div>
      ) : null}
      {period.kind === 'months'
        ? (['from', 'to'] as const).map((end) => (
            <div className="field" key={end}>
              <label htmlFor={`${id}-${end}`}>{t(`reports.month.${end}`)}</label>
              <input id={`${id}-${end}`} type="month" value={period[end]} onChange={(event) => onChange({ ...period, [end]: event.target.value })} />
            </div>
          ))
        : null}
    </fieldset>
  );
}

function Preview({ jobId, report, language }: { jobId: string; report: Report; language: 'vi' | 'en' }) {
  const { t } = useTranslation();
  const [saved, setSaved] = useState<string | null>(null);
  const [error, setError] = useState<ClientErrorPayload | null>(null);
  const exportAs = async (format: ReportFormat) => {
    setSaved(null);
    const result = await call('reports.save', { jobId, format });
    if (!result.ok) return setError(result.error);
    setError(null);
    setSaved(result.value.saved ? t('reports.saved', { file: result.value.fileName, folder: result.value.folder, sha: result.value.sha256 ?? '' }) : t('reports.notSaved'));
  };
  const dhis2 = report.period.dhis2 !== null;
  return (
    <section className="report-preview" aria-labelledby="preview-title">
      <h2 id="preview-title">{t('reports.previewTitle', { period: report.period.label[language] })}</h2>
      <dl className="facts">
        <dt>{t('reports.centre')}</dt>
        <dd>{report.centre.name || '—'}</dd>
        <dt>{t('reports.dates')}</dt>
        <dd>
          {formatDate(report.period.from)} – {formatDate(report.period.to)}
        </dd>
        <dt>{t('reports.k')}</dt>
        <dd>{t('reports.kValue', { k: report.k, below: report.k - 1 })}</dd>
        <dt>{t('reports.generatedAt')}</dt>
        <dd>{formatDateTime(report.generatedAt)}</dd>
        <dt>{t('reports.audit')}</dt>
        <dd>
          {report.audit.suppressedCells === 0
            ? t('reports.auditNone')
            : report.audit.narrowestRange === null
              ? t('reports.auditNothingHidden', { count: report.audit.suppressedCells })
              : t('reports.auditResult', { count: report.audit.suppressedCells, range: report.audit.narrowestRange, k: report.k })}
        </dd>
      </dl>
      <Unfinished {...report.period} />
      {report.clientsWithoutConsent ? <p className="message message-info">{t('reports.withoutConsent', { count: report.clientsWithoutConsent })}</p> : null}
      <p className="legend">
        <span className="suppressed-cell">{SUPPRESSED_MARK}</span> {t('reports.legend', { k: report.k, below: report.k - 1 })}
      </p>
      <div className="panel export-bar">
        <h3>{t('reports.exportTitle')}</h3>
        <p className="hint">{t('reports.exportHint')}</p>
        <div className="actions">
          {REPORT_FORMATS.map((format) => (
            <button
              key={format}
              type="button"
              className={format === 'xlsx' ? 'primary' : undefined}
              disabled={!dhis2 && DHIS2_FORMATS.includes(format)}
              onClick={() => void exportAs(format)}
            >
              {t(`reports.formats.${format}`)}
            </button>
          ))}
        </div>
        <p className="hint">{dhis2 ? t('reports.dhis2Import') : t('reports.noDhis2Period')}</p>
        {dhis2 ? <p className="hint">{t('reports.adxStandard')}</p> : null}
        <ErrorText error={error} />
        <Notice text={saved} />
      </div>
      {report.tables.map((table) => (
        <PreviewTable key={table.indicatorId} table={table} language={language} />
      ))}
    </section>
  );
}

function PreviewTable({ table, language }: { table: ReportTable; language: 'vi' | 'en' }) {
  const { t } = useTranslation();
  const id = useId();
  return (
    <section className="panel report-table" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{table.label[language]}</h3>
      <p className="hint">
        {table.definition[language]} <span className="muted">({t('reports.indicatorVersion', { version: table.version })})</span>
      </p>
      <table className="data-table compact">
        <caption className="visually-hidden">{table.label[language]}</caption>
        <thead>
          <tr>
            <th scope="col">
              <span className="visually-hidden">{t('reports.rowHeader')}</span>
            </th>
            {table.columns.map((column) => (
              <th key={column.key} scope="col" className="number">
                {column.label[language]}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {table.rows.map((row, r) => (
            <tr key={row.key} className={row.total ? 'total-row' : undefined}>
              <th scope="row">{row.label[language]}</th>
              {table.columns.map((column, c) => {
                const value = table.cells[r]?.[c] ?? null;
                const mark = table.marks[r]?.[c];
                return (
                  <td key={column.key} className={value === null ? 'number suppressed-cell' : 'number'}>
                    {value === null ? (
                      <>
                        <span aria-hidden="true">{SUPPRESSED_MARK}</span>
                        <span className="visually-hidden">{t(`reports.marks.${mark === 'complementary' ? 'complementary' : 'primary'}`)}</span>
                      </>
                    ) : (
                      value.toLocaleString('vi-VN')
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
