import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { RETENTION_YEARS, type ChannelOutput } from '../../../../electron/contract/index.ts';
import { call, type ClientErrorPayload } from '../../api.ts';
import { ErrorText, Notice } from '../../components/ErrorText.tsx';
import { EmptyRow, TableHead } from '../../components/TableHead.tsx';
import { useLoaded } from '../../components/useLoaded.ts';
import { NowSavedFacts } from '../../components/NowSavedFacts.tsx';
import { useNowSaved } from '../../components/useNowSaved.ts';
import { formatDate } from '../../i18n/format.ts';

/**
 * Retention (administrators): how many years after closing a case is de-identified, the cases
 * due now, and the confirmation that de-identifies exactly those.
 */
export function RetentionPage() {
  const { t } = useTranslation();
  const id = useId();
  const { data: preview, reload } = useLoaded(() => call('retention.preview', {}), null as ChannelOutput<'retention.preview'> | null);
  // The version the change is made on: another administrator's change meanwhile is shown, not overwritten.
  const { data: settings, reload: reloadSettings } = useLoaded(() => call('settings.get', {}), null as ChannelOutput<'settings.get'> | null);
  const { now, afterSave } = useNowSaved(async () => {
    const fresh = await call('settings.get', {});
    return fresh.ok ? fresh.value : undefined;
  }, () => {
    // What is saved now, and the cases due under it.
    void reloadSettings();
    void reload();
  });
  const [years, setYears] = useState<number | null>(null);
  const [understood, setUnderstood] = useState(false);
  const [done, setDone] = useState<number | null>(null);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<ClientErrorPayload | null>(null);
  const shownYears = years ?? preview?.years ?? 0;
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">{t('retention.title')}</h1>
      <p className="intro">{t('retention.intro')}</p>
      <div className="panel">
        <form
          onSubmit={async (event) => {
            event.preventDefault();
            if (!settings) return;
            const result = await afterSave(await call('settings.update', { retentionYears: shownYears, version: settings.versions.retention }));
            if (!result.ok) return setError(result.error);
            setError(null);
            setSaved(true);
            setYears(null);
            await Promise.all([reload(), reloadSettings()]);
          }}
        >
          <div className="field narrow">
            <label htmlFor={`${id}-years`}>{t('retention.years')}</label>
            <input
              id={`${id}-years`}
              type="number"
              min={RETENTION_YEARS.min}
              max={RETENTION_YEARS.max}
              value={shownYears}
              aria-describedby={`${id}-years-hint`}
              onChange={(event) => {
                setSaved(false);
                setYears(Number(event.target.value));
              }}
            />
            <p className="hint" id={`${id}-years-hint`}>
              {t('retention.yearsHint')}
            </p>
          </div>
          <div className="actions">
            <button type="submit" className="primary" disabled={!settings}>
              {t('common.save')}
            </button>
          </div>
        </form>
        <Notice text={saved ? t('common.saved') : null} />
      </div>
      <ErrorText error={error} sentences={{ RECORD_CHANGED: t('settings.changedMeanwhile') }} />
      {now && error?.code === 'RECORD_CHANGED' ? <NowSavedFacts facts={[[t('retention.years'), String(now.retentionYears)]]} /> : null}
      <Notice text={done !== null ? t('retention.applied', { count: done }) : null} />
      {preview ? (
        <section className="panel" aria-labelledby="retention-due">
          <h2 id="retention-due">{preview.closedBefore ? t('retention.due', { date: formatDate(preview.closedBefore), count: preview.due.length }) : t('retention.off')}</h2>
          {preview.closedBefore ? (
            <>
              <table className="data-table compact">
                <TableHead caption={t('retention.title')} columns={[t('retention.number'), t('retention.closedOn'), t('retention.visits'), t('retention.referrals')]} />
                <tbody>
                  {preview.due.length === 0 ? <EmptyRow columns={4} text={t('retention.noneDue')} /> : null}
                  {preview.due.map((row) => (
                    <tr key={row.clientId}>
                      <td>{row.clientId}</td>
                      <td>{formatDate(row.closedOn)}</td>
                      <td>{row.visits}</td>
                      <td>{row.referrals}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {preview.heldFrozen ? <p className="message message-info">{t('retention.heldFrozen', { count: preview.heldFrozen })}</p> : null}
              {preview.due.length ? (
                <div className="danger-zone">
                  <label className="check">
                    <input type="checkbox" checked={understood} onChange={(event) => setUnderstood(event.target.checked)} /> {t('retention.understand')}
                  </label>
                  <button
                    type="button"
                    className="danger"
                    disabled={!understood}
                    onClick={async () => {
                      const result = await call('retention.apply', { clientIds: preview.due.map((row) => row.clientId), confirm: true });
                      setUnderstood(false);
                      if (!result.ok) {
                        setError(result.error);
                      } else {
                        setError(null);
                        setDone(result.value.deidentified);
                      }
                      await reload();
                    }}
                  >
                    {t('retention.apply', { count: preview.due.length })}
                  </button>
                </div>
              ) : null}
            </>
          ) : null}
        </section>
      ) : null}
    </section>
  );
}
