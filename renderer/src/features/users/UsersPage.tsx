import { useMemo, useState } from 'react';
import { createColumnHelper } from '@tanstack/react-table';
import { useTranslation } from 'react-i18next';
import type { UserSummary } from '../../../../electron/contract/index.ts';
import { call } from '../../api.ts';
import { useLoaded } from '../../components/useLoaded.ts';
import { useSession } from '../../app/session.ts';
import { DataTable } from '../../components/DataTable.tsx';
import { ErrorText, Notice } from '../../components/ErrorText.tsx';
import { formatDateTime } from '../../i18n/format.ts';
import { DeactivateConfirm, PasswordHandOver, TemporaryPasswordForm, UserForm, type HandOver } from './UserForms.tsx';

export type Panel =
  | { kind: 'create' }
  | { kind: 'edit'; user: UserSummary }
  | { kind: 'reset' | 'reactivate'; user: UserSummary }
  | { kind: 'deactivate'; user: UserSummary }
  | { kind: 'handOver'; handOver: HandOver };

const column = createColumnHelper<UserSummary>();

export function UsersPage() {
  const { t } = useTranslation();
  const { user: me, refresh: refreshSession } = useSession();
  const { data: users, error, reload: load } = useLoaded(() => call('users.list', {}), [] as UserSummary[]);
  const [notice, setNotice] = useState<string | null>(null);
  const [panel, setPanel] = useState<Panel | null>(null);

  const finish = async (message: string, touchedSelf = false) => {
    setPanel(null);
    setNotice(message);
    await load();
    if (touchedSelf) await refreshSession();
  };

  // The password is shown once, in its own panel, until "Xong"; the list behind is refreshed.
  const handOver = async (next: HandOver) => {
    setNotice(null);
    setPanel({ kind: 'handOver', handOver: next });
    await load();
  };

  const columns = useMemo(
    () => [
      column.accessor('displayName', {
        header: () => t('users.displayName'),
        cell: (info) => (
          <>
            {info.getValue()} {info.row.original.id === me.id ? <span className="muted">{t('users.you')}</span> : null}
          </>
        ),
      }),
      column.accessor('username', { header: () => t('users.username') }),
      column.accessor((row) => row.roles.map((role) => t(`roles.${role}`)).join(', '), {
        id: 'roles',
        header: () => t('users.roles'),
      }),
      column.accessor((row) => (row.active ? (row.mustChangePassword ? t('users.mustChange') : t('users.active')) : t('users.inactive')), {
        id: 'status',
        header: () => t('users.status'),
        cell: (info) => <span className={info.row.original.active ? '' : 'muted'}>{info.getValue()}</span>,
      }),
      column.accessor('lastLoginAt', {
        header: () => t('users.lastLogin'),
        cell: (info) => (info.getValue() ? formatDateTime(info.getValue() as string) : t('common.never')),
      }),
      column.display({
        id: 'actions',
        header: () => t('users.actions'),
        cell: (info) => (
          <RowActions
            user={info.row.original}
            isMe={info.row.original.id === me.id}
            open={(next) => {
              // A notice of the last change does not stay over the next piece of work.
              setNotice(null);
              setPanel(next);
            }}
          />
        ),
      }),
    ],
    [t, me.id],
  );

  return (
    <section aria-labelledby="page-title">
      <div className="page-heading">
        <h1 id="page-title">{t('users.title')}</h1>
        <button type="button" className="primary" onClick={() => { setNotice(null); setPanel({ kind: 'create' }); }}>
          {t('users.add')}
        </button>
      </div>
      <p className="intro">{t('users.intro')}</p>
      <Notice text={notice} />
      <ErrorText error={error} />
      {panel?.kind === 'create' || panel?.kind === 'edit' ? (
        <UserForm
          // A form per account: another row's Edit starts afresh, never with the last one's values.
          key={panel.kind === 'edit' ? panel.user.id : 'new'}
          editing={panel.kind === 'edit' ? panel.user : null}
          onCancel={() => setPanel(null)}
          onStale={() => void load()}
          onSaved={(saved, temporaryPassword) =>
            temporaryPassword
              ? void handOver({ user: saved, password: temporaryPassword, mode: 'created' })
              : finish(t('users.updated'), saved.id === me.id)
          }
        />
      ) : null}
      {panel?.kind === 'reset' || panel?.kind === 'reactivate' ? (
        <TemporaryPasswordForm
          user={panel.user}
          mode={panel.kind}
          onCancel={() => setPanel(null)}
          onSaved={(saved, password) => void handOver({ user: saved, password, mode: panel.kind === 'reset' ? 'reset' : 'reactivated' })}
        />
      ) : null}
      {panel?.kind === 'handOver' ? (
        <PasswordHandOver
          handOver={panel.handOver}
          onDone={() => {
            setPanel(null);
            setNotice(null);
          }}
        />
      ) : null}
      {panel?.kind === 'deactivate' ? (
        <DeactivateConfirm
          user={panel.user}
          onCancel={() => setPanel(null)}
          onDone={(saved) => finish(t('users.deactivated', { username: saved.username }))}
        />
      ) : null}
      <p className="muted">{t('users.count', { count: users.length })}</p>
      <DataTable rows={users} columns={columns} caption={t('users.title')} empty="" getRowId={(row) => String(row.id)} />
    </section>
  );
}

function RowActions({ user, isMe, open }: { user: UserSummary; isMe: boolean; open: (panel: Panel) => void }) {
  const { t } = useTranslation();
  const label = (action: string) => `${action}: ${user.displayName}`;
  return (
    <div className="row-actions">
      <button type="button" aria-label={label(t('users.edit'))} onClick={() => open({ kind: 'edit', user })}>
        {t('users.edit')}
      </button>
      {user.active && !isMe ? (
        <>
          <button type="button" aria-label={label(t('users.resetPassword'))} onClick={() => open({ kind: 'reset', user })}>
            {t('users.resetPassword')}
          </button>
          <button type="button" aria-label={label(t('users.deactivate'))} onClick={() => open({ kind: 'deactivate', user })}>
            {t('users.deactivate')}
          </button>
        </>
      ) : null}
      {!user.active ? (
        <button type="button" aria-label={label(t('users.reactivate'))} onClick={() => open({ kind: 'reactivate', user })}>
          {t('users.reactivate')}
        </button>
      ) : null}
    </div>
  );
}
