import { useEffect, useId, useState } from 'react';
import { useParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { ChannelOutput } from '../../../../electron/contract/index.ts';
import { call, type ClientErrorPayload } from '../../api.ts';
import { ErrorText } from '../../components/ErrorText.tsx';
import { wardName } from '../../components/WardSelect.tsx';
import { formatDate, formatDateTime } from '../../i18n/format.ts';
import { useCatalogue } from '../clients/useCatalogue.ts';
import { HistoryTable } from './RightsPanel.tsx';

type Summary = ChannelOutput<'clients.accessSummary'>;

/**
 * Her own record, to print or save for her (right of access): what the centre holds, in
 * Vietnamese by default, with the worker's notes only if chosen. Each summary made is audited.
 */
export function AccessSummary() {
  const { t: current, i18n } = useTranslation();
  const id = useId();
  const clientId = Number(useParams().clientId);
  const { nameOf } = useCatalogue();
  const [language, setLanguage] = useState<'vi' | 'en'>('vi');
  const [includeNotes, setIncludeNotes] = useState(false);
  const [summary, setSummary] = useState<Summary | null>(null);
  const [error, setError] = useState<ClientErrorPayload | null>(null);
  useEffect(() => {
    void call('clients.accessSummary', { clientId, includeNotes }).then((result) => (result.ok ? setSummary(result.value) : setError(result.error)));
  }, [clientId, includeNotes]);
  const t = i18n.getFixedT(language);

  return (
    <section aria-labelledby="page-title" className="slip-page">
      <div className="actions screen-only">
        <button type="button" onClick={() => window.history.back()}>
          {current('common.back')}
        </button>
        <span className="inline-field">
          <label htmlFor={`${id}-language`}>{current('summary.language')}</label>
          <select id={`${id}-language`} value={language} onChange={(event) => setLanguage(event.target.value as 'vi' | 'en')}>
            <option value="vi">Tiếng Việt</option>
            <option value="en">English</option>
          </select>
        </span>
        <label className="check">
          <input type="checkbox" checked={includeNotes} onChange={(event) => setIncludeNotes(event.target.checked)} /> {current('summary.includeNotes')}
        </label>
        <button type="button" className="primary" onClick={() => window.print()} disabled={!summary}>
          {current('summary.print')}
        </button>
      </div>
      <ErrorText error={error} />
      {summary ? (
        <article className="printable" lang={language}>
          <p className="slip-centre">{summary.centreName}</p>
          <h1 id="page-title">{t('summary.title')}</h1>
          <p>{t('summary.intro', { centre: summary.centreName, date: formatDateTime(summary.generatedAt) })}</p>
          {summary.restriction ? <p>{t('summary.restricted', { date: formatDate(summary.restriction.since), reason: t(`rights.restrictionReason.${summary.restriction.reason}`) })}</p> : null}

          <h2>{t('summary.record')}</h2>
          <dl className="facts">
            <dt>{t('clients.code')}</dt>
            <dd className="code">{summary.client.code}</dd>
            <dt>{t('clients.alias')}</dt>
            <dd>{summary.client.alias}</dd>
            <dt>{t('summary.registeredOn')}</dt>
            <dd>{formatDate(summary.client.registeredOn)}</dd>
            <dt>{t('summary.status')}</dt>
            <dd>{summary.client.status === 'open' ? t('clients.statusOpen') : t('clients.statusClosed')}</dd>
            <dt>{t('summary.worker')}</dt>
            <dd>{summary.client.assignedWorkerName ?? '—'}</dd>
            <dt>{t('clients.birthYear')}</dt>
            <dd>{summary.client.birthYear}</dd>
            <dt>{t('clients.sex')}</dt>
            <dd>{t(`vocabulary.sex.${summary.client.sex}`)}</dd>
            <dt>{t('clients.ward')}</dt>
            <dd>{summary.client.wardCode ? wardName(summary.client.wardCode) : t('summary.notRecorded')}</dd>
            <dt>{t('clients.workSetting')}</dt>
            <dd>{summary.client.workSetting ? t(`vocabulary.workSetting.${summary.client.workSetting}`) : t('summary.notRecorded')}</dd>
          </dl>

          <h2>{t('summary.identity')}</h2>
          <dl className="facts">
            <dt>{t('identity.legalName')}</dt>
            <dd>{summary.identity.legalName ?? t('summary.notRecorded')}</dd>
            <dt>{t('identity.phone')}</dt>
            <dd>{summary.identity.phone ?? t('summary.notRecorded')}</dd>
            <dt>{t('identity.idNumber')}</dt>
            <dd>{summary.identity.idNumber ?? t('summary.notRecorded')}</dd>
            <dt>{t('identity.address')}</dt>
            <dd>{summary.identity.address ?? t('summary.notRecorded')}</dd>
          </dl>

          <h2>{t('summary.visits')}</h2>
          {summary.client.visits.length === 0 ? <p>{t('summary.none')}</p> : null}
          <ul>
            {summary.client.visits.map((visit) => (
              <li key={visit.id}>
                {formatDate(visit.visitOn)} · {t(`vocabulary.visitPlace.${visit.place}`)} · {visit.serviceTypeIds.map(nameOf).join(', ')}
                {visit.outcome ? ` — ${visit.outcome}` : ''}
                {visit.note ? ` — ${visit.note}` : ''}
              </li>
            ))}
          </ul>

          <h2>{t('summary.referrals')}</h2>
          {summary.client.referrals.length === 0 ? <p>{t('summary.none')}</p> : null}
          <ul>
            {summary.client.referrals.map((referral) => (
              <li key={referral.id}>
                {formatDate(referral.proposedOn)} · {nameOf(referral.serviceTypeId)} · {referral.partnerName ?? t('referral.childProtectionOfficer')} · {t(`vocabulary.referralStatus.${referral.status}`)}
                {referral.note ? ` — ${referral.note}` : ''}
              </li>
            ))}
          </ul>

          <h2>{t('summary.consents')}</h2>
          <ul>
            {summary.client.consents.map((consent) => (
              <li key={consent.id}>
                {t(`vocabulary.consentPurpose.${consent.purpose}`)}
                {consent.partnerName ? ` (${consent.partnerName})` : ''}: {t('summary.given', { date: formatDate(consent.givenOn), until: formatDate(consent.expiresOn) })}
                {consent.withdrawnOn ? `; ${t('summary.withdrawn', { date: formatDate(consent.withdrawnOn) })}` : ''} · {t(`vocabulary.consentState.${consent.state}`)}
              </li>
            ))}
          </ul>

          <h2>{t('summary.holders')}</h2>
          <ul>
            {summary.client.assignments.map((holding, index) => (
              <li key={index}>
                {holding.workerName ?? '—'} · {t('summary.from', { date: formatDate(holding.startedOn) })}
                {holding.endedOn ? ` ${t('summary.until', { date: formatDate(holding.endedOn) })}` : ''}
              </li>
            ))}
          </ul>

          <h2>{t('summary.corrections')}</h2>
          <HistoryTable rows={summary.history} t={t} />

          <h2>{t('summary.rightsTitle')}</h2>
          <p>{t('summary.rightsText')}</p>
        </article>
      ) : null}
    </section>
  );
}
