import { useId, useState, type KeyboardEvent } from 'react';
import { useController, type Control, type FieldValues, type Path } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { foldForSearch, SERVICE_GROUPS, type ServiceType } from '../../../../electron/contract/index.ts';

interface Section {
  key: string;
  label: string;
  types: ServiceType[];
}

/**
 * Several services at once, as one stop on the keyboard: a box to type in filters the list
 * (see `matches`), the arrow keys move along it, Enter ticks the
 * service in view and clears the box for the next, Space ticks it too when nothing is typed.
 * The worker's frequent services come first. A click ticks as well. The form holds the ids.
 */
export function ServiceChoices<V extends FieldValues>({
  types,
  control,
  name,
  keep = [],
  frequent = [],
}: {
  types: ServiceType[];
  control: Control<V>;
  name: Path<V>;
  /** Retired types still offered (already on the visit being corrected). */
  keep?: readonly number[];
  /** The worker's most used services, most used first. */
  frequent?: readonly number[];
}) {
  const { t, i18n } = useTranslation();
  const id = useId();
  const { field, fieldState } = useController({ control, name });
  const chosen: number[] = Array.isArray(field.value) ? field.value : [];
  const [filter, setFilter] = useState('');
  const [cursor, setCursor] = useState(0);
  const label = (type: ServiceType) => (i18n.language === 'en' ? type.nameEn : type.nameVi);

  const offered = types.filter((type) => type.active || keep.includes(type.id));
  const first = frequent.map((typeId) => offered.find((type) => type.id === typeId)).filter((type): type is ServiceType => type !== undefined);
  // The rest in the catalogue's order of groups.
  const rest = SERVICE_GROUPS.flatMap((group) => offered.filter((type) => type.group === group && !first.includes(type)));
  const sections: Section[] = first.length
    ? [
        { key: 'frequent', label: t('visit.frequentServices'), types: first },
        { key: 'rest', label: t('visit.otherServices'), types: rest },
      ]
    : [{ key: 'rest', label: t('visit.allServices'), types: rest }];
  const shown = sections
    .map((section) => ({ ...section, types: section.types.filter((type) => matches(label(type), filter)) }))
    .filter((section) => section.types.length > 0);
  const flat = shown.flatMap((section) => section.types);
  const at = Math.min(cursor, Math.max(flat.length - 1, 0));
  const current = flat[at];
  const optionId = (typeId: number) => `${id}-option-${typeId}`;

  const toggle = (type: ServiceType) => field.onChange(chosen.includes(type.id) ? chosen.filter((typeId) => typeId !== type.id) : [...chosen, type.id]);
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      if (flat.length) setCursor((at + (event.key === 'ArrowDown' ? 1 : -1) + flat.length) % flat.length);
    } else if (event.key === 'Enter') {
      // Enter ticks; it never sends the form from here (Ctrl+Enter does).
      event.preventDefault();
      if (!current) return;
      toggle(current);
      if (filter) {
        setFilter('');
        setCursor(Math.max(sections.flatMap((section) => section.types).indexOf(current), 0));
      }
    } else if (event.key === ' ' && filter === '' && current) {
      event.preventDefault();
      toggle(current);
    } else if (event.key === 'Escape' && filter) {
      event.preventDefault();
      event.stopPropagation();
      setFilter('');
    }
  };

  const errorId = `${id}-error`;
  const names = chosen
    .map((typeId) => types.find((type) => type.id === typeId))
    .filter((type): type is ServiceType => type !== undefined)
    .map(label);
  return (
    <fieldset className="field services">
      <legend>{t('visit.services')}</legend>
      <div className="service-filter-row">
        <label htmlFor={`${id}-filter`}>{t('visit.serviceFilter')}</label>
        <input
          id={`${id}-filter`}
          ref={field.ref}
          className="service-filter"
          role="combobox"
          aria-expanded="true"
          aria-controls={`${id}-list`}
          aria-autocomplete="list"
          aria-activedescendant={current ? optionId(current.id) : undefined}
          aria-describedby={[`${id}-chosen`, `${id}-keys`, fieldState.error ? errorId : null].filter(Boolean).join(' ')}
          aria-invalid={fieldState.error ? true : undefined}
          autoComplete="off"
          value={filter}
          onBlur={field.onBlur}
          onKeyDown={onKeyDown}
          onChange={(event) => {
            setFilter(event.target.value);
            setCursor(0);
          }}
        />
        <span className="hint" id={`${id}-keys`}>
          {t('visit.serviceKeys')}
        </span>
      </div>
      <div className="service-grid" role="listbox" id={`${id}-list`} aria-multiselectable="true" aria-label={t('visit.services')}>
        {shown.map((section) => (
          <div key={section.key} role="group" aria-label={section.label} className="service-group">
            <div className="service-group-label" aria-hidden="true">
              {section.label}
            </div>
            {section.types.map((type) => (
              <div
                key={type.id}
                id={optionId(type.id)}
                role="option"
                aria-selected={chosen.includes(type.id)}
                className={type === current ? 'service-option current' : 'service-option'}
                // The box keeps the focus: a click ticks without moving it.
                onMouseDown={(event) => event.preventDefault()}
                onClick={() => {
                  setCursor(flat.indexOf(type));
                  toggle(type);
                }}
              >
                <span className="tick" aria-hidden="true">
                  {chosen.includes(type.id) ? '✓' : ''}
                </span>
                {label(type)}
              </div>
            ))}
          </div>
        ))}
      </div>
      {flat.length === 0 ? <p className="muted">{t('visit.noServiceMatch', { text: filter })}</p> : null}
      <p className="service-chosen" id={`${id}-chosen`} aria-live="polite">
        {names.length ? t('visit.chosenServices', { names: names.join(', ') }) : t('visit.noServiceChosen')}
      </p>
      {fieldState.error ? (
        <p className="field-error" id={errorId}>
          {t(`validation.${fieldState.error.message ?? 'servicesRequired'}`, { defaultValue: t('validation.servicesRequired') })}
        </p>
      ) : null}
    </fieldset>
  );
}

/**
 * Does a service's name hold what was typed? Typed without tones it matches any tones ("tam"
 * finds "tâm" and "tạm"); typed with them it matches only those ("tâm" finds "tâm lý").
 */
export function matches(name: string, typed: string): boolean {
  const wanted = typed.normalize('NFC').toLocaleLowerCase('vi').replace(/\s+/g, ' ').trim();
  if (!wanted) return true;
  const folded = foldForSearch(wanted);
  return folded === wanted ? foldForSearch(name).includes(folded) : name.normalize('NFC').toLocaleLowerCase('vi').includes(wanted);
}
