import { useState } from 'react';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { AGE_BANDS, contract, SEXES, VISIT_PLACES } from '../../../../electron/contract/index.ts';
import { call } from '../../api.ts';
import { DateInput } from '../../components/DateInput.tsx';
import { ErrorText, Notice } from '../../components/ErrorText.tsx';
import { SelectField } from '../../components/SelectField.tsx';
import { useContractForm } from '../../components/useContractForm.ts';
import { todayIso } from '../../i18n/format.ts';
import { ServiceChoices } from './ServiceChoices.tsx';
import { useCatalogue } from './useCatalogue.ts';
import { VocabularyOptions } from '../../components/SelectField.tsx';

/** For someone who will not register: date, services, age band, sex, place. Counts services, not persons. */
export function AnonymousContactForm() {
  const { t } = useTranslation();
  const { types } = useCatalogue();
  const [saved, setSaved] = useState(false);
  const defaults = { contactOn: todayIso(), ageBand: '25_34' as const, sex: 'female' as const, place: 'outreach' as const, serviceTypeIds: [] };
  const { form, errors, busy, error, submit } = useContractForm(contract['anonymous.record'].input, { defaultValues: defaults, focus: 'ageBand' });
  return (
    <section aria-labelledby="page-title">
      <p>
        <Link to="/clients">{t('clients.backToList')}</Link>
      </p>
      <h1 id="page-title">{t('anonymous.title')}</h1>
      <p className="intro">{t('anonymous.intro')}</p>
      <form
        noValidate
        className="panel"
        onSubmit={form.handleSubmit((values) =>
          submit(
            () => call('anonymous.record', values),
            () => {
              setSaved(true);
              form.reset(defaults);
            },
          ),
        )}
        onChange={() => setSaved(false)}
      >
        <div className="form-grid four">
          <DateInput control={form.control} name="contactOn" label={t('anonymous.date')} />
          <SelectField label={t('clients.ageBand')} registration={form.register('ageBand')} error={errors.ageBand}>
            <VocabularyOptions list="ageBand" values={AGE_BANDS} />
          </SelectField>
          <SelectField label={t('clients.sex')} registration={form.register('sex')} error={errors.sex}>
            <VocabularyOptions list="sex" values={SEXES} />
          </SelectField>
          <SelectField label={t('visit.place')} registration={form.register('place')} error={errors.place}>
            <VocabularyOptions list="visitPlace" values={VISIT_PLACES} />
          </SelectField>
        </div>
        <ServiceChoices types={types} control={form.control} name="serviceTypeIds" />
        <ErrorText error={error} />
        <Notice text={saved ? t('anonymous.saved') : null} />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {t('common.save')}
          </button>
        </div>
      </form>
    </section>
  );
}
