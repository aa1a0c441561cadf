import { useState } from 'react';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { REFERRAL_NEXT, type ClientPage, type ReferralStatus, type ReferralView } from '../../../../electron/contract/index.ts';
import { call, type ClientErrorPayload } from '../../api.ts';
import { ErrorText } from '../../components/ErrorText.tsx';
import { formatDate, todayIso } from '../../i18n/format.ts';

/** The client's referrals with their status, due date and next steps; a slip to print for each. */
export function ReferralsPanel({ page, nameOf, writable, onChanged }: { page: ClientPage; nameOf: (id: number) => string; writable: boolean; onChanged: () => Promise<void> }) {
  const { t } = useTranslation();
  const [error, setError] = useState<ClientErrorPayload | null>(null);
  const move = async (referral: ReferralView, status: ReferralStatus) => {
    const result = await call('referrals.setStatus', { referralId: referral.id, status, on: todayIso() });
    if (result.ok) {
      setError(null);
      await onChanged();
    } else setError(result.error);
  };
  return (
    <section className="panel" aria-labelledby="referrals-panel">
      <h2 id="referrals-panel" tabIndex={-1}>
        {t('referral.title')}
      </h2>
      {page.referrals.length === 0 ? <p className="muted">{t('referral.none')}</p> : null}
      <ul className="referral-list">
        {page.referrals.map((referral) => (
          <li key={referral.id}>
            <strong>{nameOf(referral.serviceTypeId)}</strong> → {referral.partnerName ?? t('referral.childProtectionOfficer')} ·{' '}
            <span className={`badge badge-referral-${referral.status}`}>{t(`vocabulary.referralStatus.${referral.status}`)}</span>
            {referral.overdue ? <span className="badge badge-expired"> {t('referral.overdue')}</span> : null}
            <div className="muted">
              {t('referral.dates', { proposedOn: formatDate(referral.proposedOn), dueOn: referral.dueOn ? formatDate(referral.dueOn) : '—' })}
              {referral.completedOn ? ` · ${t('referral.completedOn', { date: formatDate(referral.completedOn) })}` : ''}
            </div>
            {referral.note ? <div className="restricted-text">{referral.note}</div> : null}
            <div className="row-actions">
              {writable
                ? REFERRAL_NEXT[referral.status].map((next) => (
                    <button key={next} type="button" onClick={() => void move(referral, next)}>
                      {t(`referral.moveTo.${next}`)}
                    </button>
                  ))
                : null}
              {page.restriction ? null : (
                <Link className="button" to={`/referrals/${referral.id}/slip`}>
                  {t('referral.slip')}
                </Link>
              )}
            </div>
          </li>
        ))}
      </ul>
      <ErrorText error={error} />
    </section>
  );
}
