import { useEffect, useState, type ReactNode } from 'react';
import { GroupForm, GroupSessionPage, GroupsPage } from '../groups/GroupsPage.tsx';
import { Navigate, NavLink, Route, Routes, useLocation } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useCan, useSession } from '../../app/session.ts';
import { AuditPage } from '../audit/AuditPage.tsx';
import { ChangePasswordForm } from '../auth/ChangePassword.tsx';
import { SettingsPage } from '../settings/SettingsPage.tsx';
import { UsersPage } from '../users/UsersPage.tsx';
import { AccessReviewPage } from '../admin/AccessReviewPage.tsx';
import { BackupPage } from '../admin/BackupPage.tsx';
import { CataloguePage } from '../admin/CataloguePage.tsx';
import { PartnersPage } from '../admin/PartnersPage.tsx';
import { AnonymousContactForm } from '../clients/AnonymousContactForm.tsx';
import { ClientPage } from '../clients/ClientPage.tsx';
import { ClientsPage } from '../clients/ClientsPage.tsx';
import { ReferralForm } from '../clients/ReferralForm.tsx';
import { ReferralSlip } from '../clients/ReferralSlip.tsx';
import { RegisterClient } from '../clients/RegisterClient.tsx';
import { VisitCorrection, VisitForm } from '../clients/VisitForm.tsx';
import { lockNow, LogoutButton, useActivityReporting, useQuickLockShortcut, useSubmitShortcut } from './session-actions.tsx';
import { call } from '../../api.ts';
import { DashboardPage } from '../caseload/DashboardPage.tsx';
import { ImportPage } from '../caseload/ImportPage.tsx';
import { MergePage } from '../caseload/MergePage.tsx';
import { ReassignPage } from '../caseload/ReassignPage.tsx';
import { ReviewQueuePage } from '../caseload/ReviewQueuePage.tsx';
import { TodoPage } from '../caseload/TodoPage.tsx';
import { ExportLogPage } from '../reports/ExportLogPage.tsx';
import { ReportsPage } from '../reports/ReportsPage.tsx';
import { AccessSummary } from '../rights/AccessSummary.tsx';
import { RegisterPage } from '../rights/RegisterPage.tsx';
import { RetentionPage } from '../rights/RetentionPage.tsx';

/** The manager's review pages she may open, in the order of their sub-navigation. */
function useReviewPages() {
  const pages = [
    { path: 'dashboard', label: 'nav.dashboard', allowed: true, element: <DashboardPage /> },
    { path: 'cases', label: 'nav.reviewQueue', allowed: true, element: <ReviewQueuePage /> },
    { path: 'reassign', label: 'nav.reassign', allowed: true, element: <ReassignPage /> },
    { path: 'import', label: 'nav.import', allowed: useCan('clients.import'), element: <ImportPage /> },
    { path: 'duplicates', label: 'nav.duplicates', allowed: useCan('clients.import'), element: <MergePage /> },
  ] as const;
  return pages.filter((page) => page.allowed);
}

/** How many to-do items the worker has, asked again whenever she moves to another page. */
function useTodoCount(enabled: boolean): number | null {
  const location = useLocation();
  const [count, setCount] = useState<number | null>(null);
  useEffect(() => {
    if (enabled) void call('todo.count', {}).then((result) => result.ok && setCount(result.value.total));
  }, [enabled, location.pathname, location.search]);
  return count;
}

/** The administration pages a person may open, in the order of the sub-navigation. */
function useAdminPages() {
  const pages = [
    { path: 'users', label: 'nav.users', allowed: useCan('users.manage'), element: <UsersPage /> },
    { path: 'audit', label: 'nav.audit', allowed: useCan('audit.read'), element: <AuditPage /> },
    { path: 'partners', label: 'nav.partners', allowed: useCan('partners.manage'), element: <PartnersPage /> },
    { path: 'catalogue', label: 'nav.catalogue', allowed: useCan('catalogue.manage'), element: <CataloguePage /> },
    { path: 'access', label: 'nav.access', allowed: useCan('access.review'), element: <AccessReviewPage /> },
    { path: 'backup', label: 'nav.backup', allowed: useCan('backup.manage'), element: <BackupPage /> },
    { path: 'retention', label: 'nav.retention', allowed: useCan('settings.manage'), element: <RetentionPage /> },
    { path: 'register', label: 'nav.register', allowed: useCan('audit.read'), element: <RegisterPage /> },
  ] as const;
  return pages.filter((page) => page.allowed);
}

/** The logged-in app: header with sections and the person's controls, then the page. */
export function AppFrame() {
  const { t } = useTranslation();
  const { user } = useSession();
  const canClients = useCan('clients.read');
  const canWrite = useCan('clients.write');
  const canReview = useCan('caseload.manage');
  const canReport = useCan('reports.manage');
  const adminPages = useAdminPages();
  const reviewPages = useReviewPages();
  const todoCount = useTodoCount(canWrite);
  useActivityReporting();
  useQuickLockShortcut();
  useSubmitShortcut();
  const home = canWrite ? '/todo' : canReview ? '/review/dashboard' : canClients ? '/clients' : adminPages[0] ? `/admin/${adminPages[0].path}` : '/settings';

  return (
    <div className="frame">
      <a className="skip-link" href="#main" onClick={(event) => { event.preventDefault(); document.getElementById('main')?.focus(); }}>
        {t('app.skipToContent')}
      </a>
      <header className="topbar">
        <p className="brand">{t('app.name')}</p>
        <nav aria-label={t('nav.label')} className="sections">
          {canClients ? <NavLink to="/clients">{t('nav.clients')}</NavLink> : null}
          {canWrite ? (
            <NavLink to="/todo">
              {t('nav.todo')}
              {todoCount ? (
                <span className="count-badge">
                  <span className="visually-hidden">: </span>
                  {todoCount}
                </span>
              ) : null}
            </NavLink>
          ) : null}
          {canClients ? <NavLink to="/groups">{t('nav.groups')}</NavLink> : null}
          {canReview ? <NavLink to="/review">{t('nav.review')}</NavLink> : null}
          {canReport ? <NavLink to="/reports">{t('nav.reports')}</NavLink> : null}
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
          {canClients ? <Route path="/clients/:clientId/summary" element={<AccessSummary />} /> : null}
          {canWrite ? <Route path="/clients/new" element={<RegisterClient />} /> : null}
          {canWrite ? <Route path="/clients/:clientId/visit" element={<VisitForm />} /> : null}
          {canWrite ? <Route path="/clients/:clientId/visits/:visitId/correct" element={<VisitCorrection />} /> : null}
          {canWrite ? <Route path="/clients/:clientId/referral" element={<ReferralForm />} /> : null}
          {canWrite ? <Route path="/referrals/:referralId/slip" element={<ReferralSlip />} /> : null}
          {canWrite ? <Route path="/anonymous" element={<AnonymousContactForm />} /> : null}
          {canWrite ? <Route path="/todo" element={<TodoPage />} /> : null}
          {canClients ? <Route path="/groups" element={<GroupsPage />} /> : null}
          {canWrite ? <Route path="/groups/new" element={<GroupForm />} /> : null}
          {canClients ? <Route path="/groups/:sessionId" element={<GroupSessionPage />} /> : null}
          {canReview ? <Route path="/review" element={<Navigate to="/review/dashboard" replace />} /> : null}
          {canReview
            ? reviewPages.map((page) => <Route key={page.path} path={`/review/${page.path}`} element={<SubArea label="nav.review" base="/review" pages={reviewPages}>{page.element}</SubArea>} />)
            : null}
          {canReport ? <Route path="/reports" element={<ReportsPage />} /> : null}
          {canReport ? <Route path="/reports/log" element={<ExportLogPage />} /> : null}
          <Route path="/admin" element={<Navigate to={adminPages[0] ? `/admin/${adminPages[0].path}` : home} replace />} />
          {adminPages.map((page) => (
            <Route key={page.path} path={`/admin/${page.path}`} element={<SubArea label="nav.admin" base="/admin" pages={adminPages}>{page.element}</SubArea>} />
          ))}
          <Route path="/settings" element={<SettingsPage />} />
          <Route path="/password" element={<ChangePasswordForm temporary={false} />} />
          <Route path="*" element={<Navigate to={home} replace />} />
        </Routes>
      </main>
    </div>
  );
}

/** A section with pages of its own (administration, review): its sub-navigation, then the page. */
function SubArea({ label, base, pages, children }: { label: string; base: string; pages: readonly { path: string; label: string }[]; children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <>
      <nav aria-label={t(label)} className="subnav">
        {pages.map((page) => (
          <NavLink key={page.path} to={`${base}/${page.path}`}>
            {t(page.label)}
          </NavLink>
        ))}
      </nav>
      {children}
    </>
  );
}
