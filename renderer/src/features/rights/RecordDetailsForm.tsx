import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { contract, PROVINCES, WORK_SETTINGS, type ClientPage } from '../../../../electron/contract/index.ts';
import { call } from '../../api.ts';
import { ErrorText } from '../../components/ErrorText.tsx';
import { Field } from '../../components/Field.tsx';
import { SelectField, VocabularyOptions } from '../../components/SelectField.tsx';
import { useContractForm } from '../../components/useContractForm.ts';
import { WardSelect } from '../../components/WardSelect.tsx';

const collator = new Intl.Collator('vi');
const SORTED_PROVINCES = [...PROVINCES.provinces].sort((a, b) => collator.compare(a.name, b.name));

/**
 * Correct the record's details (name used, ward, province, work setting): for her worker,
 * while the record is open and not frozen. Every change goes into the history of corrections.
 */
export function RecordDetailsForm({ page, onChanged }: { page: ClientPage; onChanged: () => Promise<void> }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const { form, errors, busy, error, submit } = useContractForm(contract['clients.update'].input, {
    defaultValues: { clientId: page.id, alias: page.alias, wardCode: page.wardCode, provinceCode: page.provinceCode, workSetting: page.workSetting },
  });
  if (!open) {
    return (
      <button type="button" onClick={() => setOpen(true)}>
        {t('rights.correct')}
      </button>
    );
  }
  return (
    <form
      noValidate
      className="panel"
      aria-labelledby="correct-title"
      onSubmit={form.handleSubmit((values) =>
        submit(
          () => call('clients.update', values),
          async () => {
            setOpen(false);
            await onChanged();
          },
        ),
      )}
    >
      <h2 id="correct-title">{t('rights.correctTitle')}</h2>
      <div className="form-grid">
        <Field label={t('clients.alias')} registration={form.register('alias')} error={errors.alias} autoComplete="off" />
        <SelectField label={t('clients.workSetting')} registration={form.register('workSetting', { setValueAs: (value) => (value === '' ? null : value) })}>
          <option value="">{t('clients.notSaid')}</option>
          <VocabularyOptions list="workSetting" values={WORK_SETTINGS} />
        </SelectField>
        <WardSelect control={form.control} name="wardCode" label={t('clients.ward')} />
        <SelectField label={t('clients.province')} registration={form.register('provinceCode', { setValueAs: (value) => (value === '' || value === null ? null : Number(value)) })}>
          <option value="">{t('clients.notSaid')}</option>
          {SORTED_PROVINCES.map((province) => (
            <option key={province.code} value={province.code}>
              {province.name}
            </option>
          ))}
        </SelectField>
      </div>
      <ErrorText error={error} />
      <div className="actions">
        <button type="button" onClick={() => setOpen(false)}>
          {t('common.cancel')}
        </button>
        <button type="submit" className="primary" disabled={busy}>
          {t('common.save')}
        </button>
      </div>
    </form>
  );
}
