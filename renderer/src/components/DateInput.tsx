import { useEffect, useId, useState } from 'react';
import { useController, type Control, type FieldValues, type Path } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { formatDate, parseDisplayDate } from '../i18n/format.ts';

/**
 * A date typed as dd/MM/yyyy (how Vietnamese offices write dates, whatever the PC's locale),
 * or short (1/12 for this year, hn for today, hq for yesterday), written out in full on leaving,
 * held in the form as ISO yyyy-MM-dd for the contract. Text that is not a date stays as typed,
 * so the schema reports it.
 */
export function DateInput<V extends FieldValues>({
  control,
  name,
  label,
  hint,
}: {
  control: Control<V>;
  name: Path<V>;
  label: string;
  hint?: string;
}) {
  const { t } = useTranslation();
  const id = useId();
  const { field, fieldState } = useController({ control, name });
  const value = typeof field.value === 'string' ? field.value : '';
  const [text, setText] = useState(value && /^\d{4}-\d{2}-\d{2}$/.test(value) ? formatDate(value) : value);
  useEffect(() => {
    if (/^\d{4}-\d{2}-\d{2}$/.test(value) && parseDisplayDate(text) !== value) setText(formatDate(value));
    if (value === '' && text !== '' && parseDisplayDate(text) !== null) setText('');
    // Only outside changes of the value (reset, defaults) should rewrite what is typed.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [value]);
  const describedBy = [hint ? `${id}-hint` : null, fieldState.error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field date">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        ref={field.ref}
        name={field.name}
        value={text}
        placeholder="dd/mm/yyyy"
        inputMode="numeric"
        autoComplete="off"
        aria-invalid={fieldState.error ? true : undefined}
        aria-describedby={describedBy}
        title={t('dateInput.shortcuts')}
        onBlur={() => {
          // What was typed short (1/12, hn) is written out in full once she moves on.
          const parsed = parseDisplayDate(text);
          if (parsed) setText(formatDate(parsed));
          field.onBlur();
        }}
        onChange={(event) => {
          setText(event.target.value);
          const trimmed = event.target.value.trim();
          field.onChange(trimmed === '' ? null : (parseDisplayDate(trimmed) ?? trimmed));
        }}
      />
      {hint ? (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {fieldState.error ? (
        <p className="field-error" id={`${id}-error`}>
          {t(`validation.${fieldState.error.message ?? 'dateFormat'}`, { defaultValue: t('validation.dateFormat') })}
        </p>
      ) : null}
    </div>
  );
}
