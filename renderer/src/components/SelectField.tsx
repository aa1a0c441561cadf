import { useId, type ReactNode, type SelectHTMLAttributes } from 'react';
import type { FieldError, UseFormRegisterReturn } from 'react-hook-form';
import { useTranslation } from 'react-i18next';

/** A labelled select wired to react-hook-form, with the same error words as Field. */
export function SelectField({
  label,
  registration,
  error,
  hint,
  children,
  className,
  ...select
}: Omit<SelectHTMLAttributes<HTMLSelectElement>, 'id'> & {
  label: string;
  registration: UseFormRegisterReturn;
  error?: FieldError | undefined;
  hint?: ReactNode;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  const id = useId();
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field ${className ?? ''}`}>
      <label htmlFor={id}>{label}</label>
      <select id={id} {...select} {...registration} aria-invalid={error ? true : undefined} aria-describedby={describedBy}>
        {children}
      </select>
      {hint ? (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field-error" id={`${id}-error`}>
          {t(`validation.${error.message ?? 'invalid'}`, { defaultValue: t('validation.invalid') })}
        </p>
      ) : null}
    </div>
  );
}

/** The options of a fixed list, in the reader's language (see i18n `vocabulary`). */
export function VocabularyOptions({ list, values }: { list: string; values: readonly string[] }) {
  const { t } = useTranslation();
  return (
    <>
      {values.map((value) => (
        <option key={value} value={value}>
          {t(`vocabulary.${list}.${value}`)}
        </option>
      ))}
    </>
  );
}
