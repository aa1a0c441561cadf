import { useId, useState } from 'react';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { call } from '../../api.ts';
import { usePaged } from '../../components/usePaged.ts';
import { ErrorText } from '../../components/ErrorText.tsx';
import { EmptyRow, TableHead } from '../../components/TableHead.tsx';
import { Pager } from '../../components/Pager.tsx';
import { formatDate } from '../../i18n/format.ts';
import { WorkerSelect } from './WorkerSelect.tsx';

const PAGE_SIZE = 50;

/** Open cases whose last review (or, never reviewed, whose opening) is N months old or more; longest waiting first. */
export function ReviewQueuePage() {
  const { t } = useTranslation();
  const id = useId();
  const [months, setMonths] = useState<number | null>(null);
  const [workerId, setWorkerId] = useState<number | null>(null);
  const { page, setPage, data, error } = usePaged((offset, limit) => call('reviews.due', { ...(months ? { months } : {}), workerId, offset, limit }), PAGE_SIZE, [months, workerId]);
  const shown = months ?? data?.months ?? 6;
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">{t('reviewQueue.title')}</h1>
      <p className="intro">{t('reviewQueue.intro')}</p>
      <form className="filters" onSubmit={(event) => event.preventDefault()}>
        <div className="field">
          <label htmlFor={`${id}-months`}>{t('reviewQueue.months')}</label>
          <select
            id={`${id}-months`}
            value={shown}
            onChange={(event) => {
              setPage(0);
              setMonths(Number(event.target.value));
            }}
          >
            {[1, 2, 3, 6, 9, 12, 18, 24].map((value) => (
              <option key={value} value={value}>
                {t('reviewQueue.monthsOption', { count: value })}
              </option>
            ))}
          </select>
        </div>
        <WorkerSelect
          value={workerId}
          onChange={(next) => {
            setPage(0);
            setWorkerId(next);
          }}
        />
      </form>
      <ErrorText error={error} />
      {data ? (
        <p className="muted" role="status">
          {t('reviewQueue.count', { count: data.total, date: formatDate(data.before) })}
        </p>
      ) : null}
      <table className="data-table">
        <TableHead caption={t('reviewQueue.title')} columns={[t('clients.code'), t('clients.worker'), t('reviewQueue.opened'), t('reviewQueue.lastReviewed'), t('clients.lastContact')]} />
        <tbody>
          {data && data.rows.length === 0 ? <EmptyRow columns={5} text={t('reviewQueue.none')} /> : null}
          {data?.rows.map((row) => (
            <tr key={row.clientId}>
              <td>
                <Link to={`/clients/${row.clientId}`} className="code-link">
                  {row.code}
                </Link>
              </td>
              <td>{row.workerName ?? '—'}</td>
              <td>{formatDate(row.registeredOn)}</td>
              <td>{row.lastReviewedOn ? formatDate(row.lastReviewedOn) : t('review.never')}</td>
              <td>{row.lastContactOn ? formatDate(row.lastContactOn) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {data && data.total > PAGE_SIZE ? <Pager page={page} total={data.total} pageSize={PAGE_SIZE} label={t('reviewQueue.title')} onPage={setPage} /> : null}
    </section>
  );
}
