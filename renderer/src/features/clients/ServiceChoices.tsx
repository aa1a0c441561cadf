import { useController, type Control, type FieldValues, type Path } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { SERVICE_GROUPS, type ServiceType } from '../../../../electron/contract/index.ts';

/**
 * Several services at once, grouped as in the catalogue; checkboxes, so the keyboard alone
 * will do. The form holds the chosen type ids as numbers.
 */
export function ServiceChoices<V extends FieldValues>({ types, control, name, keep = [] }: { types: ServiceType[]; control: Control<V>; name: Path<V>; /** Retired types still offered (already on the visit being corrected). */ keep?: readonly number[] }) {
  const { t, i18n } = useTranslation();
  const { field, fieldState } = useController({ control, name });
  const chosen: number[] = Array.isArray(field.value) ? field.value : [];
  const active = types.filter((type) => type.active || keep.includes(type.id));
  return (
    <fieldset className="field services" aria-describedby={fieldState.error ? `${name}-error` : undefined}>
      <legend>{t('visit.services')}</legend>
      <div className="service-grid">
        {SERVICE_GROUPS.filter((group) => active.some((type) => type.group === group)).map((group) => (
          <div key={group} className="service-group">
            {active
              .filter((type) => type.group === group)
              .map((type, index) => (
                <label key={type.id} className="check">
                  <input
                    type="checkbox"
                    ref={index === 0 && group === active[0]?.group ? field.ref : undefined}
                    checked={chosen.includes(type.id)}
                    onBlur={field.onBlur}
                    onChange={(event) => field.onChange(event.target.checked ? [...chosen, type.id] : chosen.filter((id) => id !== type.id))}
                  />
                  {i18n.language === 'en' ? type.nameEn : type.nameVi}
                </label>
              ))}
          </div>
        ))}
      </div>
      {fieldState.error ? (
        <p className="field-error" id={`${name}-error`}>
          {t(`validation.${fieldState.error.message ?? 'servicesRequired'}`, { defaultValue: t('validation.servicesRequired') })}
        </p>
      ) : null}
    </fieldset>
  );
}
