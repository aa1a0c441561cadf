import type { ReactNode } from 'react';
import { Navigate, NavLink, Route, Routes } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useCan, useSession } from '../../app/session.ts';
import { AuditPage } from '../audit/AuditPage.tsx';
import { ChangePasswordForm } from '../auth/ChangePassword.tsx';
import { SettingsPage } from '../settings/SettingsPage.tsx';
import { UsersPage } from '../users/UsersPage.tsx';
import { ComingSoon } from './ComingSoon.tsx';
import { lockNow, LogoutButton, useActivityReporting, useQuickLockShortcut } from './session-actions.tsx';

/** The logged-in app: header with sections and the person's controls, then the page. */
export function AppFrame() {
  const { t } = useTranslation();
  const { user } = useSession();
  const canUsers = useCan('users.manage');
  const canAudit = useCan('audit.read');
  useActivityReporting();
  useQuickLockShortcut();
  const adminHome = canUsers ? '/admin/users' : '/admin/audit';

  return (
    <div className="frame">
      <a className="skip-link" href="#main" onClick={(event) => { event.preventDefault(); document.getElementById('main')?.focus(); }}>
        {t('app.skipToContent')}
      </a>
      <header className="topbar">
        <p className="brand">{t('app.name')}</p>
        <nav aria-label={t('nav.label')} className="sections">
          <NavLink to="/clients">{t('nav.clients')}</NavLink>
          <NavLink to="/todo">{t('nav.todo')}</NavLink>
          <NavLink to="/reports">{t('nav.reports')}</NavLink>
          {canUsers || canAudit ? <NavLink to="/admin">{t('nav.admin')}</NavLink> : null}
        </nav>
        <div className="person">
          <span className="who" title={user.roles.map((role) => t(`roles.${role}`)).join(', ')}>
            {t('nav.signedInAs', { name: user.displayName })}
          </span>
          <NavLink to="/settings">{t('nav.settings')}</NavLink>
          <button type="button" onClick={() => void lockNow()} title={t('nav.lockHint')} aria-keyshortcuts="Control+L">
            {t('nav.lock')}
          </button>
          <LogoutButton />
        </div>
      </header>
      <main id="main" tabIndex={-1} className="content">
        <Routes>
          <Route path="/" element={<Navigate to="/clients" replace />} />
          <Route path="/clients" element={<ComingSoon section="clients" />} />
          <Route path="/todo" element={<ComingSoon section="todo" />} />
          <Route path="/reports" element={<ComingSoon section="reports" />} />
          <Route path="/admin" element={<Navigate to={adminHome} replace />} />
          {canUsers ? <Route path="/admin/users" element={<AdminArea page={<UsersPage />} />} /> : null}
          {canAudit ? <Route path="/admin/audit" element={<AdminArea page={<AuditPage />} />} /> : null}
          <Route path="/settings" element={<SettingsPage />} />
          <Route path="/password" element={<ChangePasswordForm temporary={false} />} />
          <Route path="*" element={<Navigate to="/clients" replace />} />
        </Routes>
      </main>
    </div>
  );
}

function AdminArea({ page }: { page: ReactNode }) {
  const { t } = useTranslation();
  const canUsers = useCan('users.manage');
  const canAudit = useCan('audit.read');
  return (
    <>
      <nav aria-label={t('nav.admin')} className="subnav">
        {canUsers ? <NavLink to="/admin/users">{t('nav.users')}</NavLink> : null}
        {canAudit ? <NavLink to="/admin/audit">{t('nav.audit')}</NavLink> : null}
      </nav>
      {page}
    </>
  );
}
