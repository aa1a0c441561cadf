import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { Link, useLocation, useSearchParams } from 'react-router';
import { createColumnHelper, flexRender, getCoreRowModel, useReactTable } from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useTranslation } from 'react-i18next';
import { AGE_BANDS, type ChannelInput, type ClientFilters, type ClientListRow } from '../../../../electron/contract/index.ts';
import { SavedLists } from './SavedLists.tsx';
import { WorkerSelect } from '../caseload/WorkerSelect.tsx';
import { call, type ClientErrorPayload } from '../../api.ts';
import { useCan } from '../../app/session.ts';
import { ErrorText, Notice } from '../../components/ErrorText.tsx';
import { wardName } from '../../components/WardSelect.tsx';
import { formatDate } from '../../i18n/format.ts';
import { VocabularyOptions } from '../../components/SelectField.tsx';

type Sort = NonNullable<ChannelInput<'clients.list'>['sort']>;
type Filters = Omit<ClientFilters, 'sort' | 'direction' | 'wardCode'>;
const NO_FILTERS: Filters = {
  search: '',
  status: 'open',
  mine: false,
  workerId: null,
  ageBand: null,
  withOpenReferrals: false,
  overdueReferrals: false,
  followUpDue: false,
  noContact: false,
  notReviewed: false,
};
const CHECKS = ['mine', 'withOpenReferrals', 'overdueReferrals', 'followUpDue', 'noContact'] as const;

const PAGE = 100;
const ROW_HEIGHT = 40;
const column = createColumnHelper<ClientListRow>();

/**
 * The client list: search (tones and đ ignored) over code and alias, filters, sorting by any
 * column on the server, and a virtualised table that loads more rows as it scrolls, so a
 * centre with 100,000 clients stays quick.
 */
export function ClientsPage() {
  const { t } = useTranslation();
  const canWrite = useCan('clients.write');
  const managesCaseload = useCan('caseload.manage');
  const ids = { search: useId(), status: useId(), age: useId() };
  // Opened from the dashboard's row of one worker: her cases.
  const [params] = useSearchParams();
  const fromWorker = Number(params.get('worker')) || null;
  const [filters, setFilters] = useState<Filters>({ ...NO_FILTERS, workerId: fromWorker });
  const [query, setQuery] = useState(filters);
  const [sort, setSort] = useState<{ by: Sort; direction: 'asc' | 'desc' }>({ by: 'lastContact', direction: 'desc' });
  const checks = managesCaseload ? [...CHECKS, 'notReviewed' as const] : CHECKS;
  const [rows, setRows] = useState<ClientListRow[]>([]);
  const [total, setTotal] = useState(0);
  const [totalIsLowerBound, setTotalIsLowerBound] = useState(false);
  const [hasMore, setHasMore] = useState(false);
  const [error, setError] = useState<ClientErrorPayload | null>(null);
  const loading = useRef(false);
  const generation = useRef(0);

  // Typing in the search box waits a moment before asking core.
  useEffect(() => {
    const timer = setTimeout(() => setQuery(filters), filters.search === query.search ? 0 : 250);
    return () => clearTimeout(timer);
  }, [filters, query.search]);

  const input = useMemo((): ChannelInput<'clients.list'> => ({ ...query, sort: sort.by, direction: sort.direction, limit: PAGE }), [query, sort]);

  useEffect(() => {
    const current = ++generation.current;
    void call('clients.list', { ...input, offset: 0 }).then((result) => {
      if (current !== generation.current) return;
      if (result.ok) {
        setRows(result.value.rows);
        setTotal(result.value.total);
        setTotalIsLowerBound(result.value.totalIsLowerBound);
        setHasMore(result.value.rows.length === PAGE);
        setError(null);
      } else setError(result.error);
    });
  }, [input]);

  const loadMore = async () => {
    if (loading.current || !hasMore) return;
    loading.current = true;
    const current = generation.current;
    const result = await call('clients.list', { ...input, offset: rows.length });
    loading.current = false;
    if (current === generation.current && result.ok) {
      setRows((previous) => [...previous, ...result.value.rows]);
      setHasMore(result.value.rows.length === PAGE);
    }
  };

  const columns = useMemo(
    () => [
      column.accessor('code', {
        id: 'code',
        header: () => t('clients.code'),
        cell: (info) => (
          <Link to={`/clients/${info.row.original.id}`} className="code-link">
            {info.getValue()}
          </Link>
        ),
      }),
      column.accessor('alias', {
        id: 'alias',
        header: () => t('clients.alias'),
        cell: (info) => (
          <>
            {/* People click the name they know; the keyboard reaches the record by the code's link (one Tab stop per row). */}
            <Link to={`/clients/${info.row.original.id}`} className="alias-link" tabIndex={-1}>
              {info.getValue()}
            </Link>
            {info.row.original.matchedLegalName ? <span className="muted"> · {t('clients.matchedLegalName')}</span> : null}
          </>
        ),
      }),
      column.accessor('ageBand', {
        id: 'ageBand',
        header: () => t('clients.ageBand'),
        cell: (info) => (info.row.original.childPath ? <span className="badge badge-child">{t('clients.child')}</span> : t(`vocabulary.ageBand.${info.getValue()}`)),
      }),
      column.accessor('wardCode', { id: 'ward', header: () => t('clients.ward'), cell: (info) => wardName(info.getValue()) }),
      column.accessor('workerName', { id: 'worker', header: () => t('clients.worker') }),
      column.accessor('lastContactOn', { id: 'lastContact', header: () => t('clients.lastContact'), cell: (info) => (info.getValue() ? formatDate(info.getValue() as string) : '—') }),
      column.accessor('openReferrals', { id: 'openReferrals', header: () => t('clients.openReferrals') }),
      column.accessor('nextFollowUpOn', { id: 'nextFollowUp', header: () => t('clients.nextFollowUp'), cell: (info) => (info.getValue() ? formatDate(info.getValue() as string) : '—') }),
    ],
    [t],
  );

  const table = useReactTable({ data: rows, columns, getCoreRowModel: getCoreRowModel(), manualSorting: true, getRowId: (row) => String(row.id) });
  const scroller = useRef<HTMLDivElement | null>(null);
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 12 });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? 0;
  useEffect(() => {
    if (lastIndex >= rows.length - 20) void loadMore();
    // loadMore reads the latest rows itself.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [lastIndex, rows.length, hasMore]);
  const paddingTop = items[0]?.start ?? 0;
  const paddingBottom = items.length ? virtualizer.getTotalSize() - (items.at(-1)?.end ?? 0) : 0;

  const toggleSort = (by: Sort) =>
    setSort((current) => ({ by, direction: current.by === by && current.direction === 'asc' ? 'desc' : current.by === by ? 'asc' : by === 'lastContact' ? 'desc' : 'asc' }));

  // Arriving from an erased record: say it was done.
  const notice = (useLocation().state as { notice?: string } | null)?.notice ?? null;
  return (
    <section aria-labelledby="page-title" className="clients-page">
      <div className="page-heading">
        <h1 id="page-title">{t('clients.title')}</h1>
        {canWrite ? (
          <div className="actions">
            <Link className="button" to="/anonymous">
              {t('clients.anonymous')}
            </Link>
            <Link className="button primary" to="/clients/new">
              {t('clients.register')}
            </Link>
          </div>
        ) : null}
      </div>
      <Notice text={notice ? t(notice) : null} />
      <form className="filters client-filters" role="search" onSubmit={(event) => event.preventDefault()}>
        <div className="field">
          <label htmlFor={ids.search}>{t('clients.search')}</label>
          <input id={ids.search} type="search" value={filters.search} placeholder={t('clients.searchHint')} onChange={(event) => setFilters({ ...filters, search: event.target.value })} />
        </div>
        <div className="field">
          <label htmlFor={ids.status}>{t('clients.status')}</label>
          <select id={ids.status} value={filters.status} onChange={(event) => setFilters({ ...filters, status: event.target.value as Filters['status'] })}>
            <option value="open">{t('clients.statusOpen')}</option>
            <option value="closed">{t('clients.statusClosed')}</option>
            <option value="all">{t('common.all')}</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.age}>{t('clients.ageBand')}</label>
          <select id={ids.age} value={filters.ageBand ?? ''} onChange={(event) => setFilters({ ...filters, ageBand: (event.target.value || null) as Filters['ageBand'] })}>
            <option value="">{t('common.all')}</option>
            <VocabularyOptions list="ageBand" values={AGE_BANDS} />
          </select>
        </div>
        {managesCaseload ? <WorkerSelect value={filters.workerId} onChange={(workerId) => setFilters({ ...filters, workerId })} /> : null}
        <fieldset className="checks">
          <legend className="visually-hidden">{t('clients.filters')}</legend>
          {checks.map((key) => (
            <label key={key} className="check">
              <input type="checkbox" checked={filters[key]} onChange={(event) => setFilters({ ...filters, [key]: event.target.checked })} />
              {t(`clients.filter.${key}`)}
            </label>
          ))}
        </fieldset>
      </form>
      <SavedLists
        current={{ ...filters, wardCode: null, sort: sort.by, direction: sort.direction }}
        onApply={(saved) => {
          const { sort: by, direction, wardCode: _ward, ...rest } = saved;
          setFilters({ ...rest, search: '' });
          setSort({ by, direction });
        }}
      />
      <ErrorText error={error} />
      <p className="muted" role="status">
        {totalIsLowerBound ? t('clients.countMore', { count: total }) : t('clients.count', { count: total })}
      </p>
      <div className="table-scroll" ref={scroller}>
        <table className="data-table client-table" aria-rowcount={totalIsLowerBound ? -1 : total + 1}>
          <caption className="visually-hidden">{t('clients.title')}</caption>
          <thead>
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id} aria-rowindex={1}>
                {group.headers.map((header) => {
                  const by = header.column.id as Sort;
                  const active = sort.by === by;
                  return (
                    <th key={header.id} scope="col" aria-sort={active ? (sort.direction === 'asc' ? 'ascending' : 'descending') : undefined}>
                      <button type="button" className="sort" onClick={() => toggleSort(by)}>
                        {flexRender(header.column.columnDef.header, header.getContext())}
                        <span aria-hidden="true">{active ? (sort.direction === 'asc' ? ' ▲' : ' ▼') : ''}</span>
                      </button>
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody>
            {paddingTop > 0 ? (
              <tr aria-hidden="true">
                <td colSpan={columns.length} style={{ height: paddingTop, padding: 0, border: 0 }} />
              </tr>
            ) : null}
            {rows.length === 0 ? (
              <tr>
                <td colSpan={columns.length} className="empty">
                  {t('clients.empty')}
                </td>
              </tr>
            ) : (
              items.map((item) => {
                const row = table.getRowModel().rows[item.index];
                if (!row) return null;
                return (
                  <tr key={row.id} aria-rowindex={item.index + 2} style={{ height: ROW_HEIGHT }}>
                    {row.getVisibleCells().map((cell) => (
                      <td key={cell.id}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</td>
                    ))}
                  </tr>
                );
              })
            )}
            {paddingBottom > 0 ? (
              <tr aria-hidden="true">
                <td colSpan={columns.length} style={{ height: paddingBottom, padding: 0, border: 0 }} />
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </section>
  );
}
