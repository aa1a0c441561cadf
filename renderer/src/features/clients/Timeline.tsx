import { useTranslation } from 'react-i18next';
import type { ClientPage } from '../../../../electron/contract/index.ts';
import { formatDate } from '../../i18n/format.ts';

/** Everything that happened to the case, newest first: visits, referrals, consents, case events. */
export function Timeline({ page, nameOf }: { page: ClientPage; nameOf: (id: number) => string }) {
  const { t } = useTranslation();
  const describe = (item: ClientPage['timeline'][number]): string => {
    const s = item.summary as Record<string, unknown>;
    switch (item.kind) {
      case 'visit':
        return `${t('timeline.visit')}: ${t(`vocabulary.visitPlace.${String(s.place)}`)} · ${(s.serviceTypeIds as number[]).map(nameOf).join(', ')}`;
      case 'referral':
        return `${t('timeline.referral')}: ${nameOf(Number(s.serviceTypeId))}${s.partnerName ? ` → ${String(s.partnerName)}` : ''} (${t(`vocabulary.referralStatus.${String(s.status)}`)})`;
      case 'consent':
        return `${t('timeline.consent')}: ${t(`vocabulary.consentPurpose.${String(s.purpose)}`)} (${t(`vocabulary.consentState.${String(s.state)}`)})`;
      case 'case':
        return `${t(`timeline.case.${String(s.event)}`)}${s.reason ? `: ${t(`vocabulary.closeReason.${String(s.reason)}`)}` : ''}`;
      case 'assignment':
        return t(`timeline.assignment.${String(s.how)}`, { name: String(s.workerName ?? '—') });
      case 'review':
        return t('timeline.review', { name: String(s.reviewerName ?? '—') });
    }
  };
  return (
    <section className="panel" aria-labelledby="timeline-title">
      <h2 id="timeline-title">{t('timeline.title')}</h2>
      <ol className="timeline">
        {page.timeline.map((item) => (
          <li key={`${item.kind}-${item.id}-${String((item.summary as Record<string, unknown>).status ?? '')}-${item.on}`}>
            <time dateTime={item.on}>{formatDate(item.on)}</time> {describe(item)}
          </li>
        ))}
      </ol>
    </section>
  );
}
