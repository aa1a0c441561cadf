import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { call } from '../../api.ts';
import { usePaged } from '../../components/usePaged.ts';
import { ErrorText } from '../../components/ErrorText.tsx';
import { EmptyRow, TableHead } from '../../components/TableHead.tsx';
import { Pager } from '../../components/Pager.tsx';
import { formatDateTime } from '../../i18n/format.ts';

const PAGE_SIZE = 50;

/**
 * For managers: every stated reason. Someone opened the identity of a client who is not hers,
 * gave cases to herself, or changed her own roles; when, and why.
 */
export function AccessReviewPage() {
  const { t } = useTranslation();
  const { page, setPage, data: loaded, error } = usePaged((offset, limit) => call('identityAccess.list', { offset, limit }), PAGE_SIZE);
  const data = loaded ?? { total: 0, rows: [] };
  const roleNames = (roles: readonly string[]) => (roles.length ? roles.map((role) => t(`roles.${role}`)).join(', ') : t('access.noRoles'));
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">{t('access.title')}</h1>
      <p className="intro">{t('access.intro')}</p>
      <ErrorText error={error} />
      <table className="data-table">
        <TableHead caption={t('access.title')} columns={[t('audit.time'), t('audit.person'), t('access.what'), t('clients.code'), t('access.reason')]} />
        <tbody>
          {data.rows.length === 0 ? <EmptyRow columns={5} text={t('access.none')} /> : null}
          {data.rows.map((row) => (
            <tr key={row.id}>
              <td>{formatDateTime(row.at)}</td>
              <td>{row.userName}</td>
              <td>{t(`access.kinds.${row.kind}`, row.roles ? { before: roleNames(row.roles.before), after: roleNames(row.roles.after) } : {})}</td>
              <td>{row.clientCode ? <Link to={`/clients/${row.clientId}`}>{row.clientCode}</Link> : '—'}</td>
              <td>{row.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {data.total > PAGE_SIZE ? <Pager page={page} total={data.total} pageSize={PAGE_SIZE} label={t('access.title')} onPage={setPage} /> : null}
    </section>
  );
}
