import { useTranslation } from 'react-i18next';

/** A section whose work is planned (clients, to-do, reports): a title and an honest sentence. */
export function ComingSoon({ section }: { section: 'clients' | 'todo' | 'reports' }) {
  const { t } = useTranslation();
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">{t(`nav.${section}`)}</h1>
      <p>{t('comingSoon.body')}</p>
    </section>
  );
}
