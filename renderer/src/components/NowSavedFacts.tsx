import { Fragment, useId } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * After a change was refused because the record changed meanwhile (RECORD_CHANGED, at another
 * PC): what the record holds now, field by field, beside the form, which keeps what she typed.
 * Saving again saves her values over these, knowingly.
 */
export function NowSavedFacts({ facts }: { facts: readonly (readonly [label: string, value: string])[] }) {
  const { t } = useTranslation();
  const id = useId();
  return (
    <section className="now-saved" aria-labelledby={id}>
      <h3 id={id}>{t('rights.nowSaved')}</h3>
      <dl className="facts">
        {facts.map(([label, value]) => (
          <Fragment key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </Fragment>
        ))}
      </dl>
    </section>
  );
}
