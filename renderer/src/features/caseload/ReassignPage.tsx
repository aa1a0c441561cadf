import { useEffect, useId, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { ClientListRow } from '../../../../electron/contract/index.ts';
import { call, type ClientErrorPayload } from '../../api.ts';
import { ErrorText, Notice } from '../../components/ErrorText.tsx';
import { EmptyRow, TableHead } from '../../components/TableHead.tsx';
import { Pager } from '../../components/Pager.tsx';
import { ReasonField, reasonProblem, statedReason } from '../../components/ReasonField.tsx';
import { useSession } from '../../app/session.ts';
import { formatDate } from '../../i18n/format.ts';
import { useWorkers } from './useWorkers.ts';

const PAGE_SIZE = 100;
type Scope = 'open' | 'all' | 'chosen';

/**
 * A manager gives cases to another worker: every open case of someone (when she leaves, or is
 * away for long), every case she holds, or the cases ticked in the list.
 */
export function ReassignPage() {
  const { t } = useTranslation();
  const id = useId();
  const [params] = useSearchParams();
  const [refresh, setRefresh] = useState(0);
  const holders = useWorkers(true, true, refresh);
  const [fromId, setFromId] = useState<number | null>(Number(params.get('from')) || null);
  const [toId, setToId] = useState<number | null>(null);
  const [scope, setScope] = useState<Scope>('open');
  const [chosen, setChosen] = useState<Set<number>>(new Set());
  const [rows, setRows] = useState<ClientListRow[]>([]);
  const [page, setPage] = useState(0);
  const [total, setTotal] = useState(0);
  const [confirming, setConfirming] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<ClientErrorPayload | null>(null);
  const [reason, setReason] = useState('');
  const { user: me } = useSession();
  const toSelf = toId !== null && toId === me.id;
  const from = holders.find((holder) => holder.id === fromId) ?? null;
  const to = holders.find((holder) => holder.id === toId) ?? null;

  useEffect(() => {
    if (!fromId) return setRows([]);
    void call('clients.list', { workerId: fromId, status: scope === 'open' ? 'open' : 'all', sort: 'code', direction: 'asc', offset: page * PAGE_SIZE, limit: PAGE_SIZE }).then((result) => {
      if (!result.ok) return setError(result.error);
      setRows(result.value.rows);
      setTotal(result.value.total);
    });
  }, [fromId, scope, page, refresh]);

  const count = scope === 'chosen' ? chosen.size : scope === 'open' ? (from?.openCases ?? 0) : (from?.cases ?? 0);
  const submit = async () => {
    if (!fromId || !toId) return;
    const selection = scope === 'chosen' ? { kind: 'clients' as const, clientIds: [...chosen] } : { kind: 'worker' as const, workerId: fromId, status: scope };
    const stated = toSelf ? statedReason(reason) : undefined;
    const result = await call('caseload.reassign', stated ? { selection, toUserId: toId, reason: stated } : { selection, toUserId: toId });
    setConfirming(false);
    if (!result.ok) return setError(result.error);
    setError(null);
    setReason('');
    setChosen(new Set());
    setDone(t('reassign.done', { count: result.value.reassigned, to: to?.displayName ?? '' }));
    setRefresh((value) => value + 1);
  };

  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">{t('reassign.title')}</h1>
      <p className="intro">{t('reassign.intro')}</p>
      <div className="panel">
        <div className="form-grid">
          <div className="field">
            <label htmlFor={`${id}-from`}>{t('reassign.from')}</label>
            <select
              id={`${id}-from`}
              value={fromId ?? ''}
              onChange={(event) => {
                setFromId(Number(event.target.value) || null);
                setChosen(new Set());
                setPage(0);
                setDone(null);
              }}
            >
              <option value="">{t('holder.chooseWorker')}</option>
              {holders.map((holder) => (
                <option key={holder.id} value={holder.id}>
                  {t(holder.active ? 'reassign.holder' : 'reassign.holderLeft', { name: holder.displayName, count: holder.openCases })}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-to`}>{t('reassign.to')}</label>
            <select id={`${id}-to`} value={toId ?? ''} onChange={(event) => setToId(Number(event.target.value) || null)}>
              <option value="">{t('holder.chooseWorker')}</option>
              {holders
                .filter((holder) => holder.active && holder.id !== fromId)
                .map((holder) => (
                  <option key={holder.id} value={holder.id}>
                    {t(holder.id === me.id ? 'reassign.toSelf' : 'holder.workerOption', { name: holder.displayName, count: holder.openCases })}
                  </option>
                ))}
            </select>
          </div>
        </div>
        <fieldset>
          <legend>{t('reassign.which')}</legend>
          {(['open', 'all', 'chosen'] as const).map((value) => (
            <label key={value} className="check">
              <input
                type="radio"
                name={`${id}-scope`}
                checked={scope === value}
                onChange={() => {
                  setScope(value);
                  setPage(0);
                }}
              />
              {t(`reassign.scope.${value}`, { count: value === 'open' ? (from?.openCases ?? 0) : (from?.cases ?? 0) })}
            </label>
          ))}
        </fieldset>
        {toSelf ? (
          <ReasonField
            label={t('reassign.selfReason')}
            hint={t('reassign.selfReasonHint')}
            value={reason}
            onChange={(value) => {
              setReason(value);
              if (error?.code === 'REASON_REQUIRED') setError(null);
            }}
            error={error}
          />
        ) : null}
        {confirming ? (
          <div className="message message-info" role="alertdialog" aria-labelledby={`${id}-confirm`}>
            <p id={`${id}-confirm`}>{t('reassign.confirm', { count, from: from?.displayName ?? '', to: to?.displayName ?? '' })}</p>
            <div className="actions">
              <button type="button" onClick={() => setConfirming(false)}>
                {t('common.cancel')}
              </button>
              <button type="button" className="primary" onClick={() => void submit()}>
                {t('reassign.submit')}
              </button>
            </div>
          </div>
        ) : (
          <div className="actions">
            <button type="button" className="primary" disabled={!fromId || !toId || count === 0} onClick={() => setConfirming(true)}>
              {t('reassign.review', { count })}
            </button>
          </div>
        )}
        <ErrorText error={reasonProblem(error) ? null : error} />
        <Notice text={done} />
      </div>
      {fromId ? (
        <>
          <table className="data-table">
            <TableHead
              caption={t('reassign.casesOf', { name: from?.displayName ?? '' })}
              showCaption
              columns={[scope === 'chosen' ? t('reassign.choose') : { hidden: t('reassign.choose') }, t('clients.code'), t('clients.status'), t('clients.lastContact'), t('clients.openReferrals')]}
            />
            <tbody>
              {rows.length === 0 ? <EmptyRow columns={5} text={t('reassign.noCases')} /> : null}
              {rows.map((row) => (
                <tr key={row.id}>
                  <td>
                    {scope === 'chosen' ? (
                      <input
                        type="checkbox"
                        aria-label={t('reassign.chooseOne', { code: row.code })}
                        checked={chosen.has(row.id)}
                        onChange={(event) => {
                          const next = new Set(chosen);
                          if (event.target.checked) next.add(row.id);
                          else next.delete(row.id);
                          setChosen(next);
                        }}
                      />
                    ) : null}
                  </td>
                  <td>
                    <Link to={`/clients/${row.id}`} className="code-link">
                      {row.code}
                    </Link>
                  </td>
                  <td>{row.status === 'open' ? t('clients.statusOpen') : t('clients.statusClosed')}</td>
                  <td>{row.lastContactOn ? formatDate(row.lastContactOn) : '—'}</td>
                  <td className="number">{row.openReferrals}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {total > PAGE_SIZE ? <Pager page={page} total={total} pageSize={PAGE_SIZE} label={t('reassign.casesOf', { name: from?.displayName ?? '' })} onPage={setPage} /> : null}
        </>
      ) : null}
    </section>
  );
}
