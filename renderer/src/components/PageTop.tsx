import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

/** The app's name at the top of the screens before login, with an optional control beside it. */
export function PageTop({ children }: { children?: ReactNode }) {
  const { t } = useTranslation();
  return (
    <div className="page-top">
      <p className="brand">{t('app.name')}</p>
      {children}
    </div>
  );
}
