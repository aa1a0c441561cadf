import { useCallback, useId, useMemo, useState } from 'react';
import { createColumnHelper } from '@tanstack/react-table';
import { useTranslation } from 'react-i18next';
import { contract, isChannelName, type AuditEntry, type ChannelInput, type ChannelOutput } from '../../../../electron/contract/index.ts';
import { call } from '../../api.ts';
import { DataTable } from '../../components/DataTable.tsx';
import { ErrorText } from '../../components/ErrorText.tsx';
import { Pager } from '../../components/Pager.tsx';
import { useLoaded } from '../../components/useLoaded.ts';
import { formatDate, formatDateTime, parseDisplayDate } from '../../i18n/format.ts';

const PAGE_SIZE = 50;
const column = createColumnHelper<AuditEntry>();
type Filters = { actorId: string; action: string; from: string; to: string };
const NO_FILTERS: Filters = { actorId: '', action: '', from: '', to: '' };

/** Managers and admins browse the trail by person, activity and date, and check its integrity. */
export function AuditPage() {
  const { t } = useTranslation();
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const [applied, setApplied] = useState<Filters>(NO_FILTERS);
  const [dateErrors, setDateErrors] = useState<{ from?: boolean; to?: boolean }>({});
  const [page, setPage] = useState(0);
  const [verify, setVerify] = useState<ChannelOutput<'audit.verify'> | null>(null);
  const ids = { actor: useId(), action: useId(), from: useId(), to: useId() };

  const { data, error, setError, reload: load } = useLoaded(
    () => {
      const input: ChannelInput<'audit.list'> = { offset: page * PAGE_SIZE, limit: PAGE_SIZE };
      if (applied.actorId) input.actorId = Number(applied.actorId);
      if (applied.action) input.action = applied.action;
      const from = parseDisplayDate(applied.from);
      const to = parseDisplayDate(applied.to);
      if (from) input.from = from;
      if (to) input.to = to;
      return call('audit.list', input);
    },
    null as ChannelOutput<'audit.list'> | null,
    [applied, page],
  );

  const actionLabel = useCallback(
    (action: string) => t(`auditActions.${action.replaceAll('.', '_')}`, { defaultValue: action }),
    [t],
  );

  const columns = useMemo(
    () => [
      column.accessor('at', { header: () => t('audit.time'), cell: (info) => formatDateTime(info.getValue()), size: 130 }),
      column.accessor('actorName', { header: () => t('audit.person'), cell: (info) => info.getValue() ?? <span className="muted">{t('audit.nobody')}</span> }),
      column.accessor('action', { header: () => t('audit.action'), cell: (info) => actionLabel(info.getValue()) }),
      column.accessor('outcome', {
        header: () => t('audit.outcome'),
        cell: (info) =>
          staleRead(info.row.original) ? (
            // The window asking for something a moment after a logout or a lock: nothing was
            // read and nobody tried anything, so it is not shown as a refusal.
            <span className="outcome muted">{t('audit.outcomes.notLoggedIn')}</span>
          ) : (
            <span className={`outcome outcome-${info.getValue()}`}>
              {t(`audit.outcomes.${info.getValue()}`)}
              {info.row.original.errorCode ? ` · ${t(`errors.${info.row.original.errorCode}`, { seconds: '…', defaultValue: info.row.original.errorCode })}` : ''}
            </span>
          ),
      }),
      column.accessor('targetId', {
        header: () => t('audit.target'),
        cell: (info) =>
          info.row.original.targetType === 'user' && info.getValue()
            ? (info.row.original.targetName ?? t('audit.targetUser', { id: info.getValue() }))
            : info.row.original.targetType === 'import_file' && info.getValue()
              ? t('audit.targetFile', { hash: String(info.getValue()).slice(0, 12) })
              : '',
        size: 140,
      }),
      column.accessor('detail', { header: () => t('audit.detail'), cell: (info) => <DetailText detail={info.getValue()} /> }),
    ],
    [t, actionLabel],
  );

  return (
    <section aria-labelledby="page-title">
      <div className="page-heading">
        <h1 id="page-title">{t('audit.title')}</h1>
        <button
          type="button"
          onClick={async () => {
            const result = await call('audit.verify', {});
            if (result.ok) setVerify(result.value);
            else setError(result.error);
            void load();
          }}
        >
          {t('audit.verify')}
        </button>
      </div>
      <p className="intro">{t('audit.intro')}</p>
      {verify ? (
        verify.ok ? (
          <p className="message message-ok" role="status">
            {t('audit.verifyOk', { count: verify.checked })}
          </p>
        ) : (
          <p className="message message-error" role="alert">
            {t('audit.verifyProblem', { id: verify.problem?.id, kind: t(`audit.kinds.${verify.problem?.kind ?? 'changed'}`) })}
          </p>
        )
      ) : null}
      <form
        className="filters"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          const errors = {
            from: draft.from.trim() !== '' && !parseDisplayDate(draft.from),
            to: draft.to.trim() !== '' && !parseDisplayDate(draft.to),
          };
          setDateErrors(errors);
          if (errors.from || errors.to) return;
          setPage(0);
          setApplied(draft);
        }}
      >
        <div className="field">
          <label htmlFor={ids.actor}>{t('audit.person')}</label>
          <select id={ids.actor} value={draft.actorId} onChange={(e) => setDraft({ ...draft, actorId: e.target.value })}>
            <option value="">{t('common.all')}</option>
            {data?.actors.map((actor) => (
              <option key={actor.id} value={actor.id}>
                {actor.displayName}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.action}>{t('audit.action')}</label>
          <select id={ids.action} value={draft.action} onChange={(e) => setDraft({ ...draft, action: e.target.value })}>
            <option value="">{t('common.all')}</option>
            {data?.actions.map((action) => (
              <option key={action} value={action}>
                {actionLabel(action)}
              </option>
            ))}
          </select>
        </div>
        {(['from', 'to'] as const).map((key) => (
          <div className="field date" key={key}>
            <label htmlFor={ids[key]}>{t(`audit.${key}`)}</label>
            <input
              id={ids[key]}
              placeholder="dd/mm/yyyy"
              inputMode="numeric"
              value={draft[key]}
              aria-invalid={dateErrors[key] ? true : undefined}
              aria-describedby={dateErrors[key] ? `${ids[key]}-error` : undefined}
              onChange={(e) => setDraft({ ...draft, [key]: e.target.value })}
            />
            {dateErrors[key] ? (
              <p className="field-error" id={`${ids[key]}-error`}>
                {t('validation.dateFormat')}
              </p>
            ) : null}
          </div>
        ))}
        <div className="actions">
          <button type="submit" className="primary">
            {t('audit.filter')}
          </button>
          <button
            type="button"
            onClick={() => {
              setDraft(NO_FILTERS);
              setApplied(NO_FILTERS);
              setDateErrors({});
              setPage(0);
            }}
          >
            {t('audit.clear')}
          </button>
        </div>
      </form>
      <ErrorText error={error} />
      <p className="muted" role="status">
        {t('audit.total', { count: data?.total ?? 0 })}
      </p>
      <DataTable rows={data?.rows ?? []} columns={columns} caption={t('audit.title')} empty={t('audit.empty')} sortable={false} getRowId={(row) => String(row.id)} />
      <Pager page={page} total={data?.total ?? 0} pageSize={PAGE_SIZE} label={t('audit.title')} onPage={setPage} />
    </section>
  );
}

/** A read refused because nobody was logged in (the window catching up after a logout or a lock). */
function staleRead(entry: AuditEntry): boolean {
  const def = isChannelName(entry.action) ? contract[entry.action] : null;
  return entry.outcome === 'refused' && entry.errorCode === 'NOT_AUTHENTICATED' && entry.actorId === null && def?.audit === 'read';
}

/** Details are ids, codes and settings: shown as short "name: value" pairs. */
function DetailText({ detail }: { detail: Record<string, unknown> | null }) {
  const { t } = useTranslation();
  if (!detail) return null;
  const show = (key: string, value: unknown): string => {
    if (typeof value === 'boolean') return value ? t('common.yes') : t('common.no');
    if (key === 'reason') return t(`lockReasons.${String(value)}`, { defaultValue: String(value) });
    if (key === 'fromOther' && Array.isArray(value)) return value.map((field) => t(`merge.field.${String(field)}`, { defaultValue: String(field) })).join(', ');
    if ((key === 'roles' || key === 'rolesBefore') && Array.isArray(value)) return value.map((role) => t(`roles.${String(role)}`)).join(', ');
    if (key === 'language') return t(`language.${String(value)}`, { defaultValue: String(value) });
    if (key === 'trigger') return t(`backup.triggers.${String(value)}`, { defaultValue: String(value) });
    if (key === 'purpose') return t(`vocabulary.consentPurpose.${String(value)}`, { defaultValue: String(value) });
    if (key === 'with' || key === 'selection' || key === 'consentBasis') return t(`audit.detailValues.${String(value)}`, { defaultValue: String(value) });
    if (key === 'problem' && value && typeof value === 'object') {
      const problem = value as { kind?: string; id?: number };
      return `${t(`audit.kinds.${problem.kind ?? 'changed'}`)} (#${problem.id ?? '?'})`;
    }
    // Times are kept in UTC: shown in the PC's time, as everywhere else.
    if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return formatDateTime(value);
    if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return formatDate(value);
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  };
  const parts = Object.entries(detail)
    .filter(([, value]) => value !== null && value !== undefined)
    .map(([key, value]) =>
      key === 'recordedWhileLocked' || key === 'unlock'
        ? t(key === 'unlock' ? 'audit.detailKeys.unlock' : 'audit.whileLocked')
        : `${t(`audit.detailKeys.${key}`, { defaultValue: key })}: ${show(key, value)}`,
    );
  return <span className="detail">{parts.join(' · ')}</span>;
}
