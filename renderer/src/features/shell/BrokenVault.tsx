import { useTranslation } from 'react-i18next';
import type { ErrorCode } from '../../../../electron/contract/index.ts';
import { ErrorText } from '../../components/ErrorText.tsx';
import { PageTop } from '../../components/PageTop.tsx';

/** The vault exists but cannot be opened: say why and what to do; never offer to start over. */
export function BrokenVault({ problem }: { problem: ErrorCode | null }) {
  const { t } = useTranslation();
  return (
    <main className="centred-page" id="main">
      <PageTop />
      <h1>{t('broken.title')}</h1>
      <ErrorText error={{ code: problem ?? 'INTERNAL' }} />
      <p>{t('broken.keep')}</p>
      <p>{t('broken.next')}</p>
    </main>
  );
}
