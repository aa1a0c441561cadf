import { useEffect, useId, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { ERASURE_REASONS, PROVINCES, RESTRICTION_REASONS, type ClientPage, type HistoryRow } from '../../../../electron/contract/index.ts';
import { call, type ClientErrorPayload } from '../../api.ts';
import { useCan } from '../../app/session.ts';
import { ErrorText } from '../../components/ErrorText.tsx';
import { EmptyRow, TableHead } from '../../components/TableHead.tsx';
import { wardName } from '../../components/WardSelect.tsx';
import { formatDate, formatDateTime } from '../../i18n/format.ts';
import { useCatalogue } from '../clients/useCatalogue.ts';

/** A value of the history as a person reads it: names for codes, words for vocabulary. */
export function historyValue(t: TFunction, row: HistoryRow, value: string | null, serviceName: (id: number) => string = String): string {
  if (row.restricted && row.oldValue === null && row.newValue === null) return t('rights.hiddenValue');
  return fieldValue(t, row, value, serviceName);
}

/** A field of a record (as the history names it) as a person reads it. */
export function fieldValue(t: TFunction, row: Pick<HistoryRow, 'entity' | 'field'>, value: string | null, serviceName: (id: number) => string = String): string {
  if (value === null || value === '') return t('rights.emptyValue');
  if (row.field === 'wardCode') return wardName(Number(value));
  if (row.field === 'provinceCode') return PROVINCES.provinces.find((province) => province.code === Number(value))?.name ?? value;
  if (row.field === 'workSetting') return t(`vocabulary.workSetting.${value}`);
  if (row.field === 'sex') return t(`vocabulary.sex.${value}`);
  if (row.entity === 'visit' && row.field === 'place') return t(`vocabulary.visitPlace.${value}`);
  if (row.entity === 'visit' && row.field === 'visitOn') return formatDate(value);
  if (row.entity === 'visit' && row.field === 'services') return value.split(',').map((id) => serviceName(Number(id)) || id).join(', ');
  return value;
}

/** What changed: the field, and for a visit which one (by its date). */
export function historyField(t: TFunction, row: HistoryRow): string {
  const field = t(`rights.fields.${row.field}`, { defaultValue: row.field });
  return row.entity === 'visit' && row.visitOn ? t('rights.visitField', { date: formatDate(row.visitOn), field }) : field;
}

/** When the record is frozen: said at the top of her page. */
export function RestrictionBanner({ page }: { page: ClientPage }) {
  const { t } = useTranslation();
  if (!page.restriction) return null;
  return (
    <p className="message message-warning" role="status">
      {t('rights.restrictedBanner', { date: formatDate(page.restriction.since), reason: t(`rights.restrictionReason.${page.restriction.reason}`), name: page.restriction.byName ?? '—' })}
    </p>
  );
}

/**
 * Her rights over her data, for her worker or a manager of caseloads: a summary to print for
 * her, freezing the record while a request is handled, erasure on request.
 */
export function RightsPanel({ page, onChanged }: { page: ClientPage; onChanged: () => Promise<void> }) {
  const { t } = useTranslation();
  const id = useId();
  const navigate = useNavigate();
  const managesCaseload = useCan('caseload.manage');
  const [reason, setReason] = useState<(typeof RESTRICTION_REASONS)[number] | ''>('');
  const [eraseReason, setEraseReason] = useState<(typeof ERASURE_REASONS)[number] | ''>('');
  const [code, setCode] = useState('');
  const [understood, setUnderstood] = useState(false);
  const [error, setError] = useState<ClientErrorPayload | null>(null);
  if (!page.isMine && !managesCaseload) return null;
  const act = async (request: () => ReturnType<typeof call>) => {
    const result = await request();
    if (!result.ok) return setError(result.error);
    setError(null);
    await onChanged();
  };
  return (
    <section className="panel" aria-labelledby="rights-panel">
      <h2 id="rights-panel">{t('rights.panel')}</h2>
      <p className="hint">{t('rights.panelHint')}</p>
      <ErrorText error={error} />
      {page.restrictedVisible ? (
        <p>
          <Link to={`/clients/${page.id}/summary`}>{t('rights.summaryLink')}</Link>
        </p>
      ) : (
        <p className="muted">{t('rights.summaryNeedsReveal')}</p>
      )}
      {page.restriction ? (
        <button type="button" onClick={() => void act(() => call('clients.unrestrict', { clientId: page.id }))}>
          {t('rights.unrestrict')}
        </button>
      ) : (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            if (reason) void act(() => call('clients.restrict', { clientId: page.id, reason }));
          }}
        >
          <div className="field">
            <label htmlFor={`${id}-restrict`}>{t('rights.restrictReason')}</label>
            <select id={`${id}-restrict`} value={reason} aria-describedby={`${id}-restrict-hint`} onChange={(event) => setReason(event.target.value as typeof reason)}>
              <option value="">{t('case.chooseReason')}</option>
              {RESTRICTION_REASONS.map((value) => (
                <option key={value} value={value}>
                  {t(`rights.restrictionReason.${value}`)}
                </option>
              ))}
            </select>
            <p className="hint" id={`${id}-restrict-hint`}>
              {t('rights.restrictHint')}
            </p>
          </div>
          <button type="submit" disabled={!reason}>
            {t('rights.restrict')}
          </button>
        </form>
      )}
      <details className="erase">
        <summary>{t('rights.erase')}</summary>
        <form
          className="danger-zone stacked"
          onSubmit={async (event) => {
            event.preventDefault();
            if (!eraseReason) return;
            const result = await call('clients.erase', { clientId: page.id, reason: eraseReason, confirmCode: code });
            if (!result.ok) return setError(result.error);
            void navigate('/clients', { state: { notice: 'rights.erased' } });
          }}
        >
          <h3>{t('rights.eraseTitle')}</h3>
          <p className="hint">{t('rights.eraseHint')}</p>
          <div className="field">
            <label htmlFor={`${id}-erase-reason`}>{t('rights.eraseReason')}</label>
            <select id={`${id}-erase-reason`} value={eraseReason} onChange={(event) => setEraseReason(event.target.value as typeof eraseReason)}>
              <option value="">{t('case.chooseReason')}</option>
              {ERASURE_REASONS.map((value) => (
                <option key={value} value={value}>
                  {t(`rights.erasureReason.${value}`)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-code`}>{t('rights.eraseConfirm', { code: page.code })}</label>
            <input id={`${id}-code`} value={code} autoComplete="off" spellCheck={false} onChange={(event) => setCode(event.target.value)} />
          </div>
          <label className="check">
            <input type="checkbox" checked={understood} onChange={(event) => setUnderstood(event.target.checked)} /> {t('rights.eraseUnderstand')}
          </label>
          <button type="submit" className="danger" disabled={!understood || !eraseReason || !code.trim()}>
            {t('rights.eraseNow')}
          </button>
        </form>
      </details>
    </section>
  );
}

/** What changed in her record, by whom and when. */
export function HistoryPanel({ clientId, version }: { clientId: number; version: unknown }) {
  const { t } = useTranslation();
  const [rows, setRows] = useState<HistoryRow[] | null>(null);
  const [error, setError] = useState<ClientErrorPayload | null>(null);
  useEffect(() => {
    void call('clients.history', { clientId }).then((result) => (result.ok ? setRows(result.value) : setError(result.error)));
  }, [clientId, version]);
  return (
    <section className="panel" aria-labelledby="history-panel">
      <h2 id="history-panel">{t('rights.history')}</h2>
      <ErrorText error={error} />
      {rows ? <HistoryTable rows={rows} /> : null}
    </section>
  );
}

export function HistoryTable({ rows, t: fixed }: { rows: HistoryRow[]; t?: TFunction }) {
  const { t: current } = useTranslation();
  const t = fixed ?? current;
  const { nameOf } = useCatalogue();
  return (
    <table className="data-table compact">
      <TableHead caption={t('rights.history')} columns={[t('rights.historyWhen'), t('rights.historyField'), t('rights.historyBefore'), t('rights.historyAfter'), t('rights.historyWho')]} />
      <tbody>
        {rows.length === 0 ? <EmptyRow columns={5} text={t('rights.historyNone')} /> : null}
        {rows.map((row) => (
          <tr key={row.id}>
            <td>{formatDateTime(row.changedAt)}</td>
            <td>{historyField(t, row)}</td>
            <td className={row.restricted ? 'restricted-text' : undefined}>{historyValue(t, row, row.oldValue, nameOf)}</td>
            <td className={row.restricted ? 'restricted-text' : undefined}>{historyValue(t, row, row.newValue, nameOf)}</td>
            <td>{row.changedByName ?? '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
