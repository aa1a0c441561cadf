import { useCallback, useEffect, useState } from 'react';
import { Link, useLocation, useNavigate, useParams, useSearchParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { ClientPage as Page } from '../../../../electron/contract/index.ts';
import { call } from '../../api.ts';
import { useCan } from '../../app/session.ts';
import { ErrorText, Notice } from '../../components/ErrorText.tsx';
import { useLoaded } from '../../components/useLoaded.ts';
import { wardName } from '../../components/WardSelect.tsx';
import { formatDate } from '../../i18n/format.ts';
import { ChildBanner, ConsentBadges } from './ClientBadges.tsx';
import { CaseStatusPanel } from './CaseStatusPanel.tsx';
import { ConsentLedger } from './ConsentLedger.tsx';
import { IdentityPanel } from './IdentityPanel.tsx';
import { ReferralsPanel } from './ReferralsPanel.tsx';
import { Timeline } from './Timeline.tsx';
import { useCatalogue } from './useCatalogue.ts';
import { CaseHolderPanel } from '../caseload/CaseHolderPanel.tsx';
import { ReviewPanel } from '../caseload/ReviewPanel.tsx';
import { HistoryPanel, RestrictionBanner, RightsPanel } from '../rights/RightsPanel.tsx';
import { RecordDetailsForm } from '../rights/RecordDetailsForm.tsx';

/** One client: header (code, alias, age band, consent badges), then the record and its timeline. */
export function ClientPage() {
  const { t } = useTranslation();
  const { clientId } = useParams();
  const id = Number(clientId);
  const canWrite = useCan('clients.write');
  const { nameOf } = useCatalogue();
  const { data: page, error, reload: load } = useLoaded(() => call('clients.get', { clientId: id }), null as Page | null, [id]);
  // Back from recording or correcting a visit: what happened, said until the next change on the page.
  const [notice, setNotice] = useState((useLocation().state as { notice?: string } | null)?.notice ?? null);
  // A record merged into another: its number leads to the one that stayed, which says so.
  const navigate = useNavigate();
  useEffect(() => {
    if (error?.code !== 'CLIENT_MERGED' || !error.clientId) return;
    setNotice(t('merge.arrived'));
    void navigate(`/clients/${error.clientId}`, { replace: true });
  }, [error, navigate, t]);

  const changed = useCallback(async () => {
    setNotice(null);
    await load();
  }, [load]);
  // Opened from the to-do list: bring the panel where the item is dealt with into view.
  const focus = useSearchParams()[0].get('focus');
  const loaded = page !== null;
  // Otherwise the page's heading takes the focus once she is there: the next Tab is "record a visit".
  useEffect(() => {
    if (!loaded) return;
    const heading = document.getElementById(focus ? `${focus}-panel` : 'page-title');
    if (focus) heading?.scrollIntoView({ block: 'start' });
    heading?.focus({ preventScroll: !focus });
  }, [loaded, focus]);

  if (!page) {
    return (
      <section aria-labelledby="page-title">
        <h1 id="page-title">{t('clients.record')}</h1>
        <ErrorText error={error} />
      </section>
    );
  }
  const caseConsent = page.consents.find((consent) => consent.purpose === 'case_record' && consent.state !== 'replaced');
  // Only the worker who holds the case, or someone who stated a reason for it (core decides the same).
  const mayChange = canWrite && page.restrictedVisible;
  // Frozen while a request of hers is handled: nothing is added or changed.
  const writable = mayChange && page.status === 'open' && !page.restriction && (caseConsent?.state === 'active' || caseConsent?.state === 'expiring');

  return (
    <section aria-labelledby="page-title" className="client-page">
      <p>
        <Link to="/clients">{t('clients.backToList')}</Link>
      </p>
      <header className="client-header">
        <div>
          <h1 id="page-title" tabIndex={-1}>
            <span className="code">{page.code}</span> · {page.alias}
          </h1>
          <p className="muted">
            {page.childPath ? t('clients.child') : t(`vocabulary.ageBand.${page.ageBand}`)} · {t(`vocabulary.sex.${page.sex}`)}
            {page.wardCode ? ` · ${wardName(page.wardCode)}` : ''} · {t('clients.assignedTo', { name: page.assignedWorkerName ?? '—' })} ·{' '}
            {page.status === 'open' ? t('clients.statusOpen') : t('clients.statusClosed')}
          </p>
          <ConsentBadges consents={page.consents} />
        </div>
        {writable ? (
          <div className="actions">
            <Link className="button primary" to={`/clients/${page.id}/visit`}>
              {t('visit.record')}
            </Link>
            <Link className="button" to={`/clients/${page.id}/referral`}>
              {t('referral.create')}
            </Link>
          </div>
        ) : null}
      </header>
      {page.childPath ? <ChildBanner /> : null}
      <RestrictionBanner page={page} />
      <Notice text={notice} />
      <ErrorText error={error} />
      {canWrite && !page.restrictedVisible ? <p className="message message-info">{t('clients.notYourCase')}</p> : null}
      {!writable && mayChange && page.status === 'open' && !page.restriction ? <p className="message message-info">{t('clients.needsConsent')}</p> : null}

      <div className="client-columns">
        <div>
          <section className="panel" aria-labelledby="visits-title">
            <h2 id="visits-title">{t('visit.title')}</h2>
            {page.visits.length === 0 ? <p className="muted">{t('visit.none')}</p> : null}
            <ul className="visit-list">
              {page.visits.map((visit) => (
                <li key={visit.id}>
                  <strong>{formatDate(visit.visitOn)}</strong> · {t(`vocabulary.visitPlace.${visit.place}`)} · {visit.serviceTypeIds.map(nameOf).join(', ')}
                  {visit.outcome ? <div>{visit.outcome}</div> : null}
                  {visit.note ? <div className="restricted-text">{visit.note}</div> : null}
                  {/* Only to someone who may not read them: there is a note or outcome, hidden. */}
                  {visit.hasNote && !page.restrictedVisible ? <div className="muted">{t('clients.noteHidden')}</div> : null}
                  <div className="muted">{visit.workerName}</div>
                  {writable && page.isMine ? (
                    <div className="row-actions">
                      <Link className="button" to={`/clients/${page.id}/visits/${visit.id}/correct`} aria-label={t('visit.correctLabel', { date: formatDate(visit.visitOn) })}>
                        {t('visit.correct')}
                      </Link>
                    </div>
                  ) : null}
                </li>
              ))}
            </ul>
            {page.nextFollowUpOn ? <p>{t('visit.nextFollowUpOn', { date: formatDate(page.nextFollowUpOn) })}</p> : null}
          </section>
          <ReferralsPanel page={page} nameOf={nameOf} writable={mayChange && page.status === 'open' && !page.restriction} onChanged={changed} />
          <Timeline page={page} nameOf={nameOf} />
          {writable && page.isMine ? <RecordDetailsForm key={JSON.stringify([page.alias, page.wardCode, page.provinceCode, page.workSetting])} page={page} onChanged={changed} /> : null}
          <HistoryPanel clientId={page.id} version={page} />
        </div>
        <div>
          <CaseHolderPanel page={page} onChanged={changed} />
          <IdentityPanel page={page} onRevealed={load} />
          <ConsentLedger page={page} canWrite={mayChange} onChanged={changed} />
          {mayChange && !page.restriction ? <CaseStatusPanel page={page} onChanged={changed} /> : null}
          <ReviewPanel page={page} onChanged={changed} />
          <RightsPanel page={page} onChanged={changed} />
        </div>
      </div>
    </section>
  );
}
