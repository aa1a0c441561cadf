import { useState } from 'react';
import { Link, useLocation } from 'react-router';
import { useTranslation } from 'react-i18next';
import { TODO_KINDS, type ChannelOutput, type TodoItem, type TodoKind } from '../../../../electron/contract/index.ts';
import { call } from '../../api.ts';
import { ErrorText, Notice } from '../../components/ErrorText.tsx';
import { EmptyRow, TableHead } from '../../components/TableHead.tsx';
import { useLoaded } from '../../components/useLoaded.ts';
import { formatDate } from '../../i18n/format.ts';
import { useCatalogue } from '../clients/useCatalogue.ts';

/** Where each item is dealt with; dealing with it there removes it from the list. */
export function placeOf(item: TodoItem): string {
  const record = `/clients/${item.clientId}`;
  switch (item.kind) {
    case 'follow_up':
      return `${record}/visit?back=todo`;
    case 'referral_overdue':
      return `${record}?focus=referrals`;
    case 'consent_expired':
    case 'consent_expiring':
      return `${record}?focus=consents`;
    case 'offer':
      return `${record}?focus=holder`;
    case 'no_contact':
      return record;
  }
}

/**
 * "Việc cần làm": what the worker's own cases need, in two parts: today and overdue, then
 * coming up within the setting's days (follow-ups and referrals falling due, consents about to
 * expire); a child's items first in each. Each line opens the place where it is dealt with.
 */
export function TodoPage() {
  const { t } = useTranslation();
  const { nameOf } = useCatalogue();
  const { data, error } = useLoaded(() => call('todo.list', {}), null as ChannelOutput<'todo.list'> | null);
  const [kind, setKind] = useState<TodoKind | null>(null);
  // Back from a visit opened here: what was saved.
  const notice = (useLocation().state as { notice?: string } | null)?.notice ?? null;
  const items = (data?.items ?? []).filter((item) => kind === null || item.kind === kind);

  const when = (item: TodoItem) =>
    item.daysOverdue > 0 ? (
      <span className="due due-overdue">{t('todo.overdue', { count: item.daysOverdue })}</span>
    ) : item.daysOverdue === 0 ? (
      <span className="due due-today">{t('todo.today')}</span>
    ) : (
      <span className="due">{t('todo.ahead', { count: -item.daysOverdue })}</span>
    );

  const describe = (item: TodoItem): string => {
    switch (item.kind) {
      case 'offer':
        return t('todo.describe.offer', { name: item.offeredBy ?? '—' });
      case 'follow_up':
        return t('todo.describe.follow_up', { date: formatDate(item.dueOn) });
      case 'referral_overdue':
        return t('todo.describe.referral_overdue', { service: nameOf(item.serviceTypeId ?? 0), partner: item.partnerName ?? t('referral.childProtectionOfficer'), date: formatDate(item.dueOn) });
      case 'consent_expired':
      case 'consent_expiring':
        return t(`todo.describe.${item.kind}`, { purpose: t(`vocabulary.consentPurpose.${item.consentPurpose ?? 'case_record'}`), date: formatDate(item.dueOn) });
      case 'no_contact':
        return t('todo.describe.no_contact', {
          date: item.lastContactOn ? formatDate(item.lastContactOn) : '—',
          days: item.daysOverdue + (item.noContactDays ?? 0),
          threshold: item.noContactDays ?? 0,
        });
    }
  };

  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">{t('nav.todo')}</h1>
      <p className="intro">{t('todo.intro')}</p>
      <Notice text={notice} />
      <ErrorText error={error} />
      {data ? (
        <div className="chips" role="group" aria-label={t('todo.filterLabel')}>
          <button type="button" aria-pressed={kind === null} onClick={() => setKind(null)}>
            {t('todo.all', { count: data.items.length })}
          </button>
          {TODO_KINDS.filter((each) => data.counts[each] > 0).map((each) => (
            <button key={each} type="button" aria-pressed={kind === each} onClick={() => setKind(kind === each ? null : each)}>
              {t(`todo.kind.${each}`)} ({data.counts[each]})
            </button>
          ))}
        </div>
      ) : null}
      {data && data.items.length === 0 ? <p className="message message-ok">{t('todo.empty')}</p> : null}
      {data && data.items.length > 0
        ? [
            { id: 'todo-now', title: t('todo.now'), rows: items.filter((item) => item.daysOverdue >= 0), empty: t('todo.nothingNow') },
            { id: 'todo-soon', title: t('todo.soon', { count: data.aheadDays }), rows: items.filter((item) => item.daysOverdue < 0), empty: t('todo.nothingSoon') },
          ].map((group) => (
            <section key={group.id} aria-labelledby={group.id} className="todo-group">
              <h2 id={group.id}>
                {group.title} ({group.rows.length})
              </h2>
              <table className="data-table todo-table">
                <TableHead caption={group.title} columns={[t('todo.when'), t('todo.client'), t('todo.what'), t('todo.action')]} />
                <tbody>
                  {group.rows.length === 0 ? <EmptyRow columns={4} text={group.empty} /> : null}
                  {group.rows.map((item) => (
                    <tr key={item.key} className={item.daysOverdue > 0 ? 'overdue' : undefined}>
                      <td>{when(item)}</td>
                      <td>
                        <Link to={`/clients/${item.clientId}`} className="client-link">
                          <span className="code-link">{item.clientCode}</span> · {item.alias}
                        </Link>
                        {item.childPath ? <span className="badge badge-child"> {t('clients.child')}</span> : null}
                      </td>
                      <td>
                        <strong>{t(`todo.kind.${item.kind}`)}</strong>
                        <div className="muted">{describe(item)}</div>
                      </td>
                      <td>
                        <Link className="button" to={placeOf(item)} aria-label={`${t(`todo.do.${item.kind}`)}: ${item.clientCode}`}>
                          {t(`todo.do.${item.kind}`)}
                        </Link>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          ))
        : null}
    </section>
  );
}
