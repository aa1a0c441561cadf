import { useEffect, useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  CELL_PROBLEM_WORDS,
  DUPLICATE_DECISIONS,
  IMPORT_FIELDS,
  REFERRAL_STATUSES,
  ROW_OUTCOMES,
  SEXES,
  VISIT_PLACES,
  type ChannelOutput,
  type ColumnTarget,
  type DuplicateDecision,
  type ImportPlan,
  type ImportPreview,
  type PreviewRow,
  type SavedMapping,
} from '../../../../electron/contract/index.ts';
import { call, onProgress, stopLongCall, type ClientErrorPayload } from '../../api.ts';
import { ErrorText, Notice } from '../../components/ErrorText.tsx';
import { Pager } from '../../components/Pager.tsx';
import { formatDate, formatDateTime } from '../../i18n/format.ts';
import { useCatalogue } from '../clients/useCatalogue.ts';
import { WorkerSelect } from './WorkerSelect.tsx';

/*
 * Bringing an old register in: the manager picks the file (the shell's dialog), says which
 * column holds what and what the register's words mean, sees every row's result, and imports.
 * Every change of the plan asks core for the preview again; nothing is written before "Import".
 */

type Opened = NonNullable<ChannelOutput<'import.open'>>;
type Show = 'all' | 'problems' | (typeof ROW_OUTCOMES)[number];
const PAGE_SIZE = 50;

const targetValue = (target: ColumnTarget): string => (target === null ? '' : target.field === 'serviceMark' ? `s:${target.serviceTypeId}` : `f:${target.field}`);
const targetOf = (value: string): ColumnTarget =>
  value.startsWith('s:') ? { field: 'serviceMark', serviceTypeId: Number(value.slice(2)) } : value.startsWith('f:') ? { field: value.slice(2) as (typeof IMPORT_FIELDS)[number] } : null;

export function ImportPage() {
  const { t, i18n } = useTranslation();
  const id = useId();
  const language = i18n.language === 'en' ? 'en' : 'vi';
  const { types, nameOf } = useCatalogue();
  const [file, setFile] = useState<Opened | null>(null);
  const [plan, setPlan] = useState<ImportPlan | null>(null);
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [show, setShow] = useState<Show>('all');
  const [page, setPage] = useState(0);
  const [busy, setBusy] = useState<'opening' | 'preview' | 'committing' | null>(null);
  const [error, setError] = useState<ClientErrorPayload | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [stopping, setStopping] = useState(false);

  useEffect(() => onProgress((report) => report.channel === 'import.commit' && setProgress({ done: report.done, total: report.total })), []);

  const active = types.filter((type) => type.active);
  const [mappings, setMappings] = useState<SavedMapping[]>([]);
  const [mappingName, setMappingName] = useState('');
  const [chosenMapping, setChosenMapping] = useState('');
  const sheetIndex = plan?.sheet;
  const fileHash = file?.sha256;
  const loadMappings = async (sheet: number) => {
    const result = await call('import.mappings', { sheet });
    if (result.ok) {
      setMappings(result.value.mappings);
      setChosenMapping(result.value.mappings[0]?.name ?? '');
    }
  };
  useEffect(() => {
    if (sheetIndex !== undefined && fileHash) void loadMappings(sheetIndex);
  }, [sheetIndex, fileHash]);

  const useMapping = () => {
    const mapping = mappings.find((each) => each.name === chosenMapping);
    if (!mapping) return;
    change({ columns: mapping.columns, values: mapping.values, defaultPlace: mapping.defaultPlace });
    setMappingName(mapping.name);
    setNotice(t('importer.mappingUsed', { name: mapping.name, matched: mapping.matched }));
  };

  const saveMapping = async () => {
    if (!plan) return;
    const result = await call('import.saveMapping', { name: mappingName, sheet: plan.sheet, columns: plan.columns, values: plan.values ?? { sex: {}, services: {}, place: {}, referralStatus: {} }, defaultPlace: plan.defaultPlace ?? 'centre' });
    if (!result.ok) return setError(result.error);
    setError(null);
    setNotice(t('importer.mappingSaved', { name: mappingName.trim() }));
    await loadMappings(plan.sheet);
  };

  // The preview follows the plan (a moment after the last change).
  useEffect(() => {
    if (!plan) return;
    let current = true;
    setBusy((state) => state ?? 'preview');
    const timer = window.setTimeout(() => {
      void call('import.preview', { plan, show, offset: page * PAGE_SIZE, limit: PAGE_SIZE }).then((result) => {
        if (!current) return;
        setBusy((state) => (state === 'preview' ? null : state));
        if (result.ok) {
          setPreview(result.value);
          setError(null);
        } else setError(result.error);
      });
    }, 250);
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
  }, [plan, show, page]);

  const choose = async () => {
    setBusy('opening');
    setNotice(null);
    const result = await call('import.open', {});
    setBusy(null);
    if (!result.ok) return setError(result.error);
    setError(null);
    if (!result.value) return;
    const opened = result.value;
    setFile(opened);
    setPreview(null);
    setShow('all');
    setPage(0);
    setPlan({ sheet: 0, columns: opened.sheets[0]?.columns.map((column) => column.suggested) ?? [], workerId: plan?.workerId ?? null, consentStatement: false, paperCoversReports: false, paperKeptAt: null });
  };

  const close = async () => {
    await call('import.close', {});
    setFile(null);
    setPlan(null);
    setPreview(null);
  };

  const change = (patch: Partial<ImportPlan>) => {
    setPlan((current) => (current ? { ...current, ...patch } : current));
    setPage(0);
    setNotice(null);
  };

  const sheet = file && plan ? file.sheets[plan.sheet] : undefined;
  const counts = preview?.counts;

  const commit = async () => {
    if (!plan || !file || !counts) return;
    if (!window.confirm(t('importer.confirm', { created: counts.clientsCreated, visits: counts.visitsAdded }))) return;
    setBusy('committing');
    setProgress({ done: 0, total: counts.clientsCreated + counts.visitsAdded });
    setStopping(false);
    const result = await call('import.commit', { plan, sha256: file.sha256 });
    setBusy(null);
    setProgress(null);
    if (!result.ok) return setError(result.error);
    setError(null);
    setNotice(t('importer.done', { created: result.value.clientsCreated, visits: result.value.visitsAdded, referrals: result.value.referralsAdded, merged: result.value.clientsMerged, leftOut: result.value.rowsLeftOut }));
    // The preview again: what was imported now shows as in the app.
    setPlan({ ...plan });
  };

  const saveProblems = async () => {
    if (!plan) return;
    const result = await call('import.saveProblems', { plan, language });
    if (!result.ok) return setError(result.error);
    setError(null);
    setNotice(result.value.saved ? t('importer.saved', { rows: result.value.rows }) : t('importer.notSaved'));
  };

  const columnName = (column: number | null) => {
    if (column === null || !sheet) return '';
    return sheet.columns[column]?.header || t('importer.noHeader', { n: column + 1 });
  };

  return (
    <section aria-labelledby="page-title" className="importer">
      <h1 id="page-title">{t('importer.title')}</h1>
      <p className="intro">{t('importer.intro')}</p>
      <div className="actions">
        <button type="button" onClick={() => void choose()} disabled={busy === 'opening' || busy === 'committing'}>
          {file ? t('importer.chooseOther') : t('importer.choose')}
        </button>
        {file ? (
          <button type="button" onClick={() => void close()} disabled={busy === 'committing'}>
            {t('importer.close')}
          </button>
        ) : null}
      </div>
      {busy === 'opening' ? <p role="status">{t('importer.opening')}</p> : null}
      <ErrorText error={error} />
      <Notice text={notice} />

      {file && plan && sheet ? (
        <>
          <p className="muted">{t('importer.fileFacts', { kind: file.kind.toUpperCase(), size: `${Math.max(1, Math.round(file.bytes / 1024))} KB`, hash: file.sha256.slice(0, 12) })}</p>
          {file.importedBefore ? (
            <p className="message message-warning" role="note">
              {t('importer.importedBefore', { date: formatDateTime(file.importedBefore.at), name: file.importedBefore.byName ?? '—' })}
            </p>
          ) : null}
          {file.sheets.length > 1 ? (
            <div className="field">
              <label htmlFor={`${id}-sheet`}>{t('importer.sheet')}</label>
              <select
                id={`${id}-sheet`}
                value={plan.sheet}
                onChange={(event) => {
                  const index = Number(event.target.value);
                  change({ sheet: index, columns: file.sheets[index]?.columns.map((column) => column.suggested) ?? [], wards: {}, decisions: {} });
                }}
              >
                {file.sheets.map((one, index) => (
                  <option key={index} value={index}>
                    {t('importer.sheetOption', { name: one.name, rows: one.rows })}
                  </option>
                ))}
              </select>
            </div>
          ) : null}

          <h2>{t('importer.step1')}</h2>
          <p className="hint">{t('importer.step1Hint')}</p>
          {mappings.length > 0 ? (
            <div className="with-button">
              <div className="field">
                <label htmlFor={`${id}-mapping`}>{t('importer.savedMappings')}</label>
                <select id={`${id}-mapping`} value={chosenMapping} onChange={(event) => setChosenMapping(event.target.value)}>
                  {mappings.map((mapping) => (
                    <option key={mapping.name} value={mapping.name}>
                      {t('importer.mappingOption', { name: mapping.name, matched: mapping.matched, total: sheet.columns.length })}
                    </option>
                  ))}
                </select>
              </div>
              <button type="button" onClick={useMapping}>
                {t('importer.useMapping')}
              </button>
            </div>
          ) : null}
          <table className="data-table import-columns">
            <caption className="visually-hidden">{t('importer.step1')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('importer.columnHeader')}</th>
                <th scope="col">{t('importer.samples')}</th>
                <th scope="col">{t('importer.target')}</th>
              </tr>
            </thead>
            <tbody>
              {sheet.columns.map((column, index) => (
                <tr key={index}>
                  <th scope="row" id={`${id}-col-${index}`}>
                    {column.header || t('importer.noHeader', { n: index + 1 })}
                    {column.encoding !== 'unicode' ? <span className="hint">{t(`importer.encoding.${column.encoding}`)}</span> : null}
                  </th>
                  <td>{column.samples.join(' · ')}</td>
                  <td>
                    <select
                      aria-labelledby={`${id}-col-${index}`}
                      value={targetValue(plan.columns[index] ?? null)}
                      onChange={(event) => {
                        const columns = [...plan.columns];
                        columns[index] = targetOf(event.target.value);
                        change({ columns });
                      }}
                    >
                      <option value="">{t('importer.notImported')}</option>
                      {IMPORT_FIELDS.map((field) => (
                        <option key={field} value={`f:${field}`}>
                          {t(`importer.field.${field}`)}
                        </option>
                      ))}
                      {active.map((type) => (
                        <option key={type.id} value={`s:${type.id}`}>
                          {t('importer.serviceMark', { name: nameOf(type.id) })}
                        </option>
                      ))}
                    </select>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {preview && preview.missing.length > 0 ? (
            <ul className="message message-warning">
              {preview.missing.map((what) => (
                <li key={what}>{t(`importer.missing.${what}`)}</li>
              ))}
            </ul>
          ) : null}

          <div className="with-button">
            <div className="field">
              <label htmlFor={`${id}-mapping-name`}>{t('importer.mappingName')}</label>
              <input id={`${id}-mapping-name`} maxLength={60} value={mappingName} onChange={(event) => setMappingName(event.target.value)} />
            </div>
            <button type="button" onClick={() => void saveMapping()} disabled={mappingName.trim() === ''}>
              {t('importer.saveMapping')}
            </button>
          </div>

          <h2>{t('importer.step2')}</h2>
          <p className="hint">{t('importer.step2Hint')}</p>
          {preview && (['sex', 'services', 'place', 'referralStatus'] as const).every((field) => preview.values[field].length === 0) ? <p className="muted">{t('importer.noValues')}</p> : null}
          {preview
            ? (['sex', 'services', 'place', 'referralStatus'] as const).map((field) =>
                preview.values[field].length === 0 ? null : (
                  <table key={field} className="data-table import-values">
                    <caption>{t(`importer.values.${field}`)}</caption>
                    <thead>
                      <tr>
                        <th scope="col">{t('importer.word')}</th>
                        <th scope="col">{t('importer.rows')}</th>
                        <th scope="col">{t('importer.meaning')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {preview.values[field].map((value, index) => (
                        <tr key={value.word}>
                          <th scope="row" id={`${id}-${field}-${index}`}>
                            {value.word}
                          </th>
                          <td>{value.rows}</td>
                          <td>
                            <select
                              aria-labelledby={`${id}-${field}-${index}`}
                              aria-invalid={value.meaning === null ? true : undefined}
                              value={value.meaning === null ? '' : String(value.meaning)}
                              onChange={(event) => {
                                const chosen = event.target.value === '' ? null : field === 'services' ? Number(event.target.value) : event.target.value;
                                const values = { sex: {}, services: {}, place: {}, referralStatus: {}, ...plan.values };
                                change({ values: { ...values, [field]: { ...values[field], [value.word]: chosen } } });
                              }}
                            >
                              <option value="">{t('importer.unknown')}</option>
                              {field === 'services'
                                ? active.map((type) => (
                                    <option key={type.id} value={type.id}>
                                      {nameOf(type.id)}
                                    </option>
                                  ))
                                : (field === 'sex' ? SEXES : field === 'place' ? VISIT_PLACES : REFERRAL_STATUSES).map((option) => (
                                    <option key={option} value={option}>
                                      {t(`vocabulary.${field === 'sex' ? 'sex' : field === 'place' ? 'visitPlace' : 'referralStatus'}.${option}`)}
                                    </option>
                                  ))}
                            </select>
                            {value.suggested ? <span className="hint"> ({t('importer.suggested')})</span> : null}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                ),
              )
            : null}

          <h2>{t('importer.step3')}</h2>
          <p className="hint">{t('importer.step3Hint')}</p>
          {preview && preview.wardChoices.length === 0 ? <p className="muted">{t('importer.noWards')}</p> : null}
          {preview?.wardChoices.map((choice, index) => (
            <div className="field" key={choice.key}>
              <label htmlFor={`${id}-ward-${index}`}>{t('importer.wardSplit', { old: choice.oldName, district: choice.districtName, rows: choice.rows })}</label>
              <select
                id={`${id}-ward-${index}`}
                value={choice.chosen ?? ''}
                onChange={(event) => {
                  const wards = { ...(plan.wards ?? {}) };
                  if (event.target.value) wards[choice.key] = Number(event.target.value);
                  else delete wards[choice.key];
                  change({ wards });
                }}
              >
                <option value="">{t('importer.wardNone')}</option>
                {choice.options.map((option) => (
                  <option key={option.code} value={option.code}>
                    {option.name}
                  </option>
                ))}
              </select>
            </div>
          ))}

          <h2>{t('importer.step4')}</h2>
          <div className="panel">
            <div className="check">
              <input id={`${id}-statement`} type="checkbox" checked={plan.consentStatement ?? false} onChange={(event) => change({ consentStatement: event.target.checked })} aria-describedby={`${id}-statement-hint`} />
              <label htmlFor={`${id}-statement`}>{t('importer.consentStatement')}</label>
            </div>
            <p className="hint" id={`${id}-statement-hint`}>
              {t('importer.consentStatementHint')}
            </p>
            <div className="check">
              <input id={`${id}-reports`} type="checkbox" checked={plan.paperCoversReports ?? false} onChange={(event) => change({ paperCoversReports: event.target.checked })} />
              <label htmlFor={`${id}-reports`}>{t('importer.paperCoversReports')}</label>
            </div>
            <div className="form-grid">
              <div className="field">
                <label htmlFor={`${id}-kept`}>{t('importer.paperKeptAt')}</label>
                <input id={`${id}-kept`} maxLength={120} value={plan.paperKeptAt ?? ''} onChange={(event) => change({ paperKeptAt: event.target.value || null })} />
              </div>
              <WorkerSelect label={t('importer.holder')} none={t('importer.holderNone')} value={plan.workerId ?? null} onChange={(workerId) => change({ workerId })} />
              <div className="field">
                <label htmlFor={`${id}-place`}>{t('importer.defaultPlace')}</label>
                <select id={`${id}-place`} value={plan.defaultPlace ?? 'centre'} onChange={(event) => change({ defaultPlace: event.target.value as (typeof VISIT_PLACES)[number] })}>
                  {VISIT_PLACES.map((place) => (
                    <option key={place} value={place}>
                      {t(`vocabulary.visitPlace.${place}`)}
                    </option>
                  ))}
                </select>
              </div>
              {(['existing', 'inFile'] as const).map((kind) => (
                <div className="field" key={kind}>
                  <label htmlFor={`${id}-dup-${kind}`}>{t(kind === 'existing' ? 'importer.duplicatesExisting' : 'importer.duplicatesInFile')}</label>
                  <select
                    id={`${id}-dup-${kind}`}
                    value={plan.duplicates?.[kind] ?? ''}
                    onChange={(event) => change({ duplicates: { existing: null, inFile: null, ...plan.duplicates, [kind]: (event.target.value || null) as DuplicateDecision | null } })}
                  >
                    <option value="">{t('importer.decideEach')}</option>
                    {DUPLICATE_DECISIONS.map((decision) => (
                      <option key={decision} value={decision}>
                        {t(`importer.decision.${decision}`)}
                      </option>
                    ))}
                  </select>
                </div>
              ))}
            </div>
          </div>

          <h2>{t('importer.step5')}</h2>
          {busy === 'preview' ? (
            <p role="status" className="muted">
              {t('importer.refreshing')}
            </p>
          ) : null}
          {counts ? (
            <div className="panel" role="status">
              <p>{t('importer.summary', { created: counts.clientsCreated, visits: counts.visitsAdded, referrals: counts.referralsAdded, merged: counts.clientsMerged, leftOut: counts.error + counts.noConsent })}</p>
              {counts.undecided > 0 ? <p className="message message-warning">{t('importer.undecided', { count: counts.undecided })}</p> : null}
              {counts.consentExpired > 0 ? <p>{t('importer.consentExpired', { count: counts.consentExpired })}</p> : null}
            </div>
          ) : null}
          {preview && counts ? (
            <>
              <div className="field import-show">
                <label htmlFor={`${id}-show`}>{t('importer.showLabel')}</label>
                <select
                  id={`${id}-show`}
                  value={show}
                  onChange={(event) => {
                    setShow(event.target.value as Show);
                    setPage(0);
                  }}
                >
                  {(['all', 'problems', ...ROW_OUTCOMES] as const).map((kind) => (
                    <option key={kind} value={kind}>
                      {t(`importer.show.${kind}`, { count: kind === 'all' ? counts.rows : kind === 'problems' ? undefined : counts[kind] })}
                    </option>
                  ))}
                </select>
              </div>
              <RowsTable
                rows={preview.rows}
                columnName={columnName}
                language={language}
                decide={(row, decision) => change({ decisions: { ...plan.decisions, [String(row.rowNumber)]: decision } })}
              />
              <Pager page={page} total={preview.total} pageSize={PAGE_SIZE} label={t('importer.step5')} onPage={setPage} />
              <div className="actions">
                <button type="button" onClick={() => void saveProblems()} disabled={busy === 'committing'}>
                  {t('importer.saveProblems')}
                </button>
                <button
                  type="button"
                  className="primary"
                  onClick={() => void commit()}
                  disabled={busy !== null || !plan.workerId || counts.undecided > 0 || (counts.clientsCreated === 0 && counts.visitsAdded === 0 && counts.referralsAdded === 0)}
                >
                  {t('importer.commit', { created: counts.clientsCreated, visits: counts.visitsAdded })}
                </button>
              </div>
              {!plan.workerId ? <p className="hint">{t('errors.IMPORT_HOLDER_NEEDED')}</p> : null}
              {busy === 'committing' ? (
                <div className="panel import-progress">
                  <p role="status">{stopping ? t('importer.stopping') : t('importer.committing')}</p>
                  {progress ? (
                    <progress max={Math.max(1, progress.total)} value={progress.done} aria-label={t('importer.progress', { done: progress.done, total: progress.total })}>
                      {t('importer.progress', { done: progress.done, total: progress.total })}
                    </progress>
                  ) : null}
                  <div className="actions">
                    <button
                      type="button"
                      disabled={stopping}
                      onClick={() => {
                        setStopping(true);
                        stopLongCall();
                      }}
                    >
                      {t('importer.stop')}
                    </button>
                  </div>
                </div>
              ) : null}
            </>
          ) : null}
        </>
      ) : null}
    </section>
  );
}

/** The rows of the preview: what each becomes, and every problem in words, cell by cell. */
function RowsTable({ rows, columnName, language, decide }: { rows: PreviewRow[]; columnName: (column: number | null) => string; language: 'vi' | 'en'; decide: (row: PreviewRow, decision: DuplicateDecision) => void }) {
  const { t } = useTranslation();
  const outcomeText = useMemo(
    () => (row: PreviewRow) => t(`importer.outcome.${row.outcome}`, { code: row.sameAs?.code ?? '', row: row.sameAs?.rowNumber ?? '' }),
    [t],
  );
  if (rows.length === 0) return <p className="muted">{t('importer.noRows')}</p>;
  return (
    <table className="data-table import-rows">
      <caption className="visually-hidden">{t('importer.step5')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('importer.table.row')}</th>
          <th scope="col">{t('importer.table.outcome')}</th>
          <th scope="col">{t('importer.table.code')}</th>
          <th scope="col">{t('importer.table.alias')}</th>
          <th scope="col">{t('importer.table.visit')}</th>
          <th scope="col">{t('importer.table.problems')}</th>
          <th scope="col">{t('importer.table.decision')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.rowNumber} className={`import-${row.outcome}`}>
            <th scope="row">
              {row.rowNumber}
            </th>
            <td>{outcomeText(row)}</td>
            <td>{row.code ?? ''}</td>
            <td>{row.alias ?? ''}</td>
            <td>
              {row.visitOn ? formatDate(row.visitOn) : ''}
              {row.referralOn ? <span className="hint">{t('importer.referralOn', { date: formatDate(row.referralOn) })}</span> : null}
            </td>
            <td>
              {row.issues.length || row.converted.length ? (
                <ul className="import-issues">
                  {row.issues.map((issue, index) => (
                    <li key={index} className={issue.severity === 'error' ? 'issue-error' : 'issue-warning'}>
                      {issue.column === null ? CELL_PROBLEM_WORDS[issue.problem][language] : t('importer.problemIn', { column: columnName(issue.column), problem: CELL_PROBLEM_WORDS[issue.problem][language] })}
                      {issue.value ? <span className="muted"> ({issue.value})</span> : null}
                    </li>
                  ))}
                  {row.converted.map((cell) => (
                    <li key={`c${cell.column}`} className="muted">
                      {t('importer.converted', { text: `${columnName(cell.column)}: ${cell.text}` })}
                    </li>
                  ))}
                </ul>
              ) : null}
            </td>
            <td>
              {row.outcome === 'existing' || row.outcome === 'inFile' ? (
                <select aria-label={t('importer.decisionFor', { row: row.rowNumber })} value={row.decision ?? ''} onChange={(event) => decide(row, event.target.value as DuplicateDecision)}>
                  <option value="" disabled>
                    {t('importer.unknown')}
                  </option>
                  {DUPLICATE_DECISIONS.map((decision) => (
                    <option key={decision} value={decision}>
                      {t(`importer.decision.${decision}`)}
                    </option>
                  ))}
                </select>
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
