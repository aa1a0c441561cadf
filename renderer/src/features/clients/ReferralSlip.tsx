import { useEffect, useState } from 'react';
import { useParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { ChannelOutput } from '../../../../electron/contract/index.ts';
import { call, type ClientErrorPayload } from '../../api.ts';
import { ErrorText } from '../../components/ErrorText.tsx';
import { formatDate } from '../../i18n/format.ts';
import { useCatalogue } from './useCatalogue.ts';

/**
 * The printable referral slip: code, alias, service, partner and date; a legal name or phone
 * only when the client agreed to share them with this partner. Core decides what is on it.
 */
export function ReferralSlip() {
  const { t } = useTranslation();
  const referralId = Number(useParams().referralId);
  const { nameOf } = useCatalogue();
  const [slip, setSlip] = useState<ChannelOutput<'referrals.slip'> | null>(null);
  const [error, setError] = useState<ClientErrorPayload | null>(null);
  useEffect(() => {
    void call('referrals.slip', { referralId }).then((result) => (result.ok ? setSlip(result.value) : setError(result.error)));
  }, [referralId]);
  return (
    <section aria-labelledby="page-title" className="slip-page">
      <div className="actions screen-only">
        <button type="button" onClick={() => window.history.back()}>
          {t('common.back')}
        </button>
        <button type="button" className="primary" onClick={() => window.print()} disabled={!slip}>
          {t('common.print')}
        </button>
      </div>
      <ErrorText error={error} />
      {slip ? (
        <article className="slip">
          <p className="slip-centre">{slip.centreName}</p>
          <h1 id="page-title">{t('slip.title')}</h1>
          <dl className="facts">
            <dt>{t('clients.code')}</dt>
            <dd className="code">{slip.code}</dd>
            <dt>{t('clients.alias')}</dt>
            <dd>{slip.alias}</dd>
            {slip.legalName ? (
              <>
                <dt>{t('identity.legalName')}</dt>
                <dd>{slip.legalName}</dd>
              </>
            ) : null}
            {slip.phone ? (
              <>
                <dt>{t('identity.phone')}</dt>
                <dd>{slip.phone}</dd>
              </>
            ) : null}
            <dt>{t('referral.service')}</dt>
            <dd>{nameOf(slip.serviceTypeId)}</dd>
            <dt>{t('referral.partner')}</dt>
            <dd>
              {slip.partnerName ?? t('referral.childProtectionOfficer')}
              {slip.partnerContact ? ` · ${slip.partnerContact}` : ''}
            </dd>
            <dt>{t('referral.proposedOn')}</dt>
            <dd>{formatDate(slip.proposedOn)}</dd>
            {slip.dueOn ? (
              <>
                <dt>{t('referral.dueOn')}</dt>
                <dd>{formatDate(slip.dueOn)}</dd>
              </>
            ) : null}
          </dl>
          <p className="slip-footer">{t('slip.footer')}</p>
        </article>
      ) : null}
    </section>
  );
}
