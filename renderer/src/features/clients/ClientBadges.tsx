import { useTranslation } from 'react-i18next';
import type { ConsentView } from '../../../../electron/contract/index.ts';

/** Shown on every screen of a child's record: she is a child, and the hotline. */
export function ChildBanner() {
  const { t } = useTranslation();
  return (
    <div className="child-banner" role="note">
      <strong>{t('clients.childBannerTitle')}</strong> {t('clients.childBannerText')}
    </div>
  );
}

export function ConsentBadges({ consents }: { consents: ConsentView[] }) {
  const { t } = useTranslation();
  const current = consents.filter((consent) => consent.state !== 'replaced');
  return (
    <ul className="badges" aria-label={t('consent.title')}>
      {current.map((consent) => (
        <li key={consent.id} className={`badge badge-${consent.state}`}>
          {t(`vocabulary.consentPurpose.${consent.purpose}`)}
          {consent.partnerName ? ` (${consent.partnerName})` : ''}: {t(`vocabulary.consentState.${consent.state}`)}
        </li>
      ))}
    </ul>
  );
}
