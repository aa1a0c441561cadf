import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { ChannelOutput } from '../../../../electron/contract/index.ts';
import { call } from '../../api.ts';
import { useLoaded } from '../../components/useLoaded.ts';
import { ErrorText } from '../../components/ErrorText.tsx';
import { formatDateTime } from '../../i18n/format.ts';

/** For managers: every time someone opened the identity of a client who is not theirs, and why. */
export function AccessReviewPage() {
  const { t } = useTranslation();
  const { data: rows, error } = useLoaded(() => call('identityAccess.list', {}), [] as ChannelOutput<'identityAccess.list'>);
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">{t('access.title')}</h1>
      <p className="intro">{t('access.intro')}</p>
      <ErrorText error={error} />
      <table className="data-table">
        <caption className="visually-hidden">{t('access.title')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('audit.time')}</th>
            <th scope="col">{t('audit.person')}</th>
            <th scope="col">{t('clients.code')}</th>
            <th scope="col">{t('access.reason')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={4} className="empty">
                {t('access.none')}
              </td>
            </tr>
          ) : null}
          {rows.map((row) => (
            <tr key={row.id}>
              <td>{formatDateTime(row.at)}</td>
              <td>{row.userName}</td>
              <td>{row.clientCode ? <Link to={`/clients/${row.clientId}`}>{row.clientCode}</Link> : '—'}</td>
              <td>{row.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
