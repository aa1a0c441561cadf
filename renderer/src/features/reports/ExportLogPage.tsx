import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { call } from '../../api.ts';
import { usePaged } from '../../components/usePaged.ts';
import { ErrorText } from '../../components/ErrorText.tsx';
import { Pager } from '../../components/Pager.tsx';
import { EmptyRow, TableHead } from '../../components/TableHead.tsx';
import { formatDate, formatDateTime } from '../../i18n/format.ts';

const PAGE_SIZE = 50;

/** Every report that left the centre: who, when, which period, format, k, and the file's SHA-256 (to check a copy against). */
export function ExportLogPage() {
  const { t } = useTranslation();
  const { page, setPage, data: loaded, error } = usePaged((offset, limit) => call('reports.log', { offset, limit }), PAGE_SIZE);
  const data = loaded ?? { total: 0, rows: [] };
  return (
    <section aria-labelledby="page-title">
      <p>
        <Link to="/reports">{t('reports.backToReports')}</Link>
      </p>
      <h1 id="page-title">{t('reports.logTitle')}</h1>
      <p className="intro">{t('reports.logIntro')}</p>
      <ErrorText error={error} />
      <table className="data-table export-log">
        <TableHead caption={t('reports.logTitle')} columns={[t('audit.time'), t('audit.person'), t('reports.period'), t('reports.format'), t('reports.k'), t('reports.file')]} />
        <tbody>
          {data.rows.length === 0 ? <EmptyRow columns={6} text={t('reports.logEmpty')} /> : null}
          {data.rows.map((row) => (
            <tr key={row.id}>
              <td>{formatDateTime(row.at)}</td>
              <td>{row.userName ?? '—'}</td>
              <td>
                {row.periodLabel}
                <div className="muted">
                  {formatDate(row.from)} – {formatDate(row.to)}
                </div>
              </td>
              <td>{t(`reports.formats.${row.format}`)}</td>
              <td className="number">{row.k}</td>
              <td>
                {row.fileName || <span className="muted">{t('reports.fileNameOwn')}</span>}
                <div className="muted sha">SHA-256: {row.sha256}</div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {data.total > PAGE_SIZE ? <Pager page={page} total={data.total} pageSize={PAGE_SIZE} label={t('reports.logTitle')} onPage={setPage} /> : null}
    </section>
  );
}
