import type { Control, FieldErrors, FieldValues, Path, UseFormRegister } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { PROVINCES, WORK_SETTINGS } from '../../../../electron/contract/index.ts';
import { Field } from '../../components/Field.tsx';
import { SelectField, VocabularyOptions } from '../../components/SelectField.tsx';
import { WardSelect } from '../../components/WardSelect.tsx';

const collator = new Intl.Collator('vi');
const SORTED_PROVINCES = [...PROVINCES.provinces].sort((a, b) => collator.compare(a.name, b.name));

/** The fields of a record's details that registration and correction share. */
type DetailValues = { alias: string; workSetting: string | null; wardCode: number | null; provinceCode: number | null };

/** Name used, work setting, ward and province: as registration asks them, and as a correction puts them right. */
export function RecordDetailsFields<V extends FieldValues>({
  control,
  register,
  errors: formErrors,
  aliasHint,
}: {
  control: Control<V>;
  register: UseFormRegister<V>;
  errors: FieldErrors<V>;
  aliasHint?: string;
}) {
  const { t } = useTranslation();
  const name = (field: keyof DetailValues) => field as Path<V>;
  const errors = formErrors as FieldErrors<DetailValues>;
  return (
    <div className="form-grid">
      <Field label={t('clients.alias')} registration={register(name('alias'))} error={errors.alias} hint={aliasHint} autoComplete="off" />
      <SelectField label={t('clients.workSetting')} registration={register(name('workSetting'), { setValueAs: (value) => (value === '' ? null : value) })}>
        <option value="">{t('clients.notSaid')}</option>
        <VocabularyOptions list="workSetting" values={WORK_SETTINGS} />
      </SelectField>
      <WardSelect control={control} name={name('wardCode')} label={t('clients.ward')} />
      <SelectField label={t('clients.province')} registration={register(name('provinceCode'), { setValueAs: (value) => (value === '' || value === null ? null : Number(value)) })}>
        <option value="">{t('clients.notSaid')}</option>
        {SORTED_PROVINCES.map((province) => (
          <option key={province.code} value={province.code}>
            {province.name}
          </option>
        ))}
      </SelectField>
    </div>
  );
}
