import { Fragment, useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { HistoryRow } from '../../../../electron/contract/index.ts';
import { useCatalogue } from '../clients/useCatalogue.ts';
import { fieldValue } from './RightsPanel.tsx';

/**
 * After a change was refused because the record changed meanwhile (RECORD_CHANGED, at another
 * PC): what the record holds now, beside the form, which keeps what she typed. Saving again
 * saves her values over these, knowingly.
 */
export function NowSaved({ entity, values }: { entity: HistoryRow['entity']; values: [field: string, value: string | number | null][] }) {
  const { t } = useTranslation();
  const { nameOf } = useCatalogue();
  const id = useId();
  return (
    <section className="now-saved" aria-labelledby={id}>
      <h3 id={id}>{t('rights.nowSaved')}</h3>
      <dl className="facts">
        {values.map(([field, value]) => (
          <Fragment key={field}>
            <dt>{t(`rights.fields.${field}`)}</dt>
            <dd>{fieldValue(t, { entity, field }, value === null ? null : String(value), nameOf)}</dd>
          </Fragment>
        ))}
      </dl>
    </section>
  );
}
