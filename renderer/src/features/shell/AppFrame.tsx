import type { ReactNode } from 'react';
import { Navigate, NavLink, Route, Routes } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useCan, useSession } from '../../app/session.ts';
import { AuditPage } from '../audit/AuditPage.tsx';
import { ChangePasswordForm } from '../auth/ChangePassword.tsx';
import { SettingsPage } from '../settings/SettingsPage.tsx';
import { UsersPage } from '../users/UsersPage.tsx';
import { ComingSoon } from './ComingSoon.tsx';
import { AccessReviewPage } from '../admin/AccessReviewPage.tsx';
import { CataloguePage } from '../admin/CataloguePage.tsx';
import { PartnersPage } from '../admin/PartnersPage.tsx';
import { AnonymousContactForm } from '../clients/AnonymousContactForm.tsx';
import { ClientPage } from '../clients/ClientPage.tsx';
import { ClientsPage } from '../clients/ClientsPage.tsx';
import { ReferralForm } from '../clients/ReferralForm.tsx';
import { ReferralSlip } from '../clients/ReferralSlip.tsx';
import { RegisterClient } from '../clients/RegisterClient.tsx';
import { VisitForm } from '../clients/VisitForm.tsx';
import { lockNow, LogoutButton, useActivityReporting, useQuickLockShortcut } from './session-actions.tsx';

/** The logged-in app: header with sections and the person's controls, then the page. */
/** The administration pages a person may open, in the order of the sub-navigation. */
function useAdminPages() {
  const pages = [
    { path: 'users', label: 'nav.users', allowed: useCan('users.manage'), element: <UsersPage /> },
    { path: 'audit', label: 'nav.audit', allowed: useCan('audit.read'), element: <AuditPage /> },
    { path: 'partners', label: 'nav.partners', allowed: useCan('partners.manage'), element: <PartnersPage /> },
    { path: 'catalogue', label: 'nav.catalogue', allowed: useCan('catalogue.manage'), element: <CataloguePage /> },
    { path: 'access', label: 'nav.access', allowed: useCan('access.review'), element: <AccessReviewPage /> },
  ] as const;
  return pages.filter((page) => page.allowed);
}

/** The logged-in app: header with sections and the person's controls, then the page. */
export function AppFrame() {
  const { t } = useTranslation();
  const { user } = useSession();
  const canClients = useCan('clients.read');
  const canWrite = useCan('clients.write');
  const adminPages = useAdminPages();
  useActivityReporting();
  useQuickLockShortcut();
  const home = canClients ? '/clients' : adminPages[0] ? `/admin/${adminPages[0].path}` : '/settings';

  return (
    <div className="frame">
      <a className="skip-link" href="#main" onClick={(event) => { event.preventDefault(); document.getElementById('main')?.focus(); }}>
        {t('app.skipToContent')}
      </a>
      <header className="topbar">
        <p className="brand">{t('app.name')}</p>
        <nav aria-label={t('nav.label')} className="sections">
          {canClients ? <NavLink to="/clients">{t('nav.clients')}</NavLink> : null}
          <NavLink to="/todo">{t('nav.todo')}</NavLink>
          <NavLink to="/reports">{t('nav.reports')}</NavLink>
          {adminPages.length > 0 ? <NavLink to="/admin">{t('nav.admin')}</NavLink> : null}
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
          <Route path="/" element={<Navigate to={home} replace />} />
          {canClients ? <Route path="/clients" element={<ClientsPage />} /> : null}
          {canClients ? <Route path="/clients/:clientId" element={<ClientPage />} /> : null}
          {canWrite ? <Route path="/clients/new" element={<RegisterClient />} /> : null}
          {canWrite ? <Route path="/clients/:clientId/visit" element={<VisitForm />} /> : null}
          {canWrite ? <Route path="/clients/:clientId/referral" element={<ReferralForm />} /> : null}
          {canWrite ? <Route path="/referrals/:referralId/slip" element={<ReferralSlip />} /> : null}
          {canWrite ? <Route path="/anonymous" element={<AnonymousContactForm />} /> : null}
          <Route path="/todo" element={<ComingSoon section="todo" />} />
          <Route path="/reports" element={<ComingSoon section="reports" />} />
          <Route path="/admin" element={<Navigate to={adminPages[0] ? `/admin/${adminPages[0].path}` : home} replace />} />
          {adminPages.map((page) => (
            <Route key={page.path} path={`/admin/${page.path}`} element={<AdminArea>{page.element}</AdminArea>} />
          ))}
          <Route path="/settings" element={<SettingsPage />} />
          <Route path="/password" element={<ChangePasswordForm temporary={false} />} />
          <Route path="*" element={<Navigate to={home} replace />} />
        </Routes>
      </main>
    </div>
  );
}

function AdminArea({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const pages = useAdminPages();
  return (
    <>
      <nav aria-label={t('nav.admin')} className="subnav">
        {pages.map((page) => (
          <NavLink key={page.path} to={`/admin/${page.path}`}>
            {t(page.label)}
          </NavLink>
        ))}
      </nav>
      {children}
    </>
  );
}
