import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { ClientErrorPayload } from '../api.ts';

/**
 * Where someone says why she sees or takes what is not hers (an identity, a case given to
 * herself, her own roles). Core keeps the reason and lists it for managers; a reason refused
 * as such (too short) is shown under the box.
 */
export function ReasonField({
  label,
  hint,
  value,
  onChange,
  error,
}: {
  label: string;
  hint?: string | undefined;
  value: string;
  onChange: (value: string) => void;
  error: ClientErrorPayload | null;
}) {
  const { t } = useTranslation();
  const id = useId();
  const problem = reasonProblem(error);
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = problem ? `${id}-error` : undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        rows={2}
        value={value}
        aria-invalid={problem ? true : undefined}
        aria-describedby={[hintId, errorId].filter(Boolean).join(' ') || undefined}
        onChange={(event) => onChange(event.target.value)}
      />
      {hint ? (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      {problem ? (
        <p className="field-error" id={errorId}>
          {t(`validation.${problem}`, { defaultValue: t('validation.invalid') })}
        </p>
      ) : null}
    </div>
  );
}

/**
 * The reason's own refusal (too short, too long), shown under the box; the form's error text
 * shows anything else (a missing reason is core's REASON_REQUIRED, said there once).
 */
export const reasonProblem = (error: ClientErrorPayload | null): string | undefined =>
  error?.code === 'VALIDATION' ? error.issues?.find((issue) => issue.path === 'reason')?.message : undefined;

/** A reason for the call, or nothing when the box is empty (core then says one is needed). */
export const statedReason = (value: string): string | undefined => value.trim() || undefined;
