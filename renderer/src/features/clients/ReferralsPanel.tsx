import { useId, useState } from 'react';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { REFERRAL_NEXT, type ClientPage, type ReferralStatus, type ReferralView } from '../../../../electron/contract/index.ts';
import { call, type ClientErrorPayload } from '../../api.ts';
import { ErrorText } from '../../components/ErrorText.tsx';
import { formatDate, parseDisplayDate, todayIso } from '../../i18n/format.ts';

/**
 * The client's referrals with their status, due date and next steps (each asked for with its
 * date before it is recorded: a step cannot be taken back); a slip to print for each.
 */
export function ReferralsPanel({ page, nameOf, writable, onChanged }: { page: ClientPage; nameOf: (id: number) => string; writable: boolean; onChanged: () => Promise<void> }) {
  const { t } = useTranslation();
  const id = useId();
  const [error, setError] = useState<ClientErrorPayload | null>(null);
  // A step is asked for first, with its date: a status cannot be taken back once recorded.
  const [pending, setPending] = useState<{ referral: ReferralView; status: ReferralStatus; date: string; invalid: boolean } | null>(null);
  const move = async () => {
    if (!pending) return;
    const on = parseDisplayDate(pending.date);
    if (!on) return setPending({ ...pending, invalid: true });
    const result = await call('referrals.setStatus', { referralId: pending.referral.id, status: pending.status, on });
    if (result.ok) {
      setError(null);
      setPending(null);
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
                    <button
                      key={next}
                      type="button"
                      aria-pressed={pending?.referral.id === referral.id && pending.status === next}
                      onClick={() => {
                        setError(null);
                        setPending({ referral, status: next, date: formatDate(todayIso()), invalid: false });
                      }}
                    >
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
            {pending?.referral.id === referral.id ? (
              <div className="message message-info confirm-step" role="group" aria-labelledby={`${id}-confirm`}>
                <p id={`${id}-confirm`}>
                  {t('referral.confirmStep', {
                    service: nameOf(referral.serviceTypeId),
                    partner: referral.partnerName ?? t('referral.childProtectionOfficer'),
                    status: t(`vocabulary.referralStatus.${pending.status}`),
                  })}
                </p>
                <div className="field date">
                  <label htmlFor={`${id}-date`}>{t('referral.stepDate')}</label>
                  <input
                    id={`${id}-date`}
                    value={pending.date}
                    inputMode="numeric"
                    autoComplete="off"
                    aria-invalid={pending.invalid ? true : undefined}
                    aria-describedby={pending.invalid ? `${id}-date-error` : undefined}
                    onChange={(event) => setPending({ ...pending, date: event.target.value, invalid: false })}
                  />
                  {pending.invalid ? (
                    <p className="field-error" id={`${id}-date-error`}>
                      {t('validation.dateFormat')}
                    </p>
                  ) : null}
                </div>
                <div className="actions">
                  <button type="button" onClick={() => setPending(null)}>
                    {t('common.cancel')}
                  </button>
                  <button type="button" className="primary" onClick={() => void move()}>
                    {t('referral.confirmStepButton', { status: t(`vocabulary.referralStatus.${pending.status}`) })}
                  </button>
                </div>
              </div>
            ) : null}
          </li>
        ))}
      </ul>
      <ErrorText error={error} />
    </section>
  );
}
