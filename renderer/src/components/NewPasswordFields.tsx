import type { FieldError, UseFormRegisterReturn } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { Field } from './Field.tsx';

interface PasswordField {
  label: string;
  registration: UseFormRegisterReturn;
  error: FieldError | undefined;
}

/** A new password and its repetition (setup, recovery, change), with the advice on choosing one. */
export function NewPasswordFields({ password, confirm }: { password: PasswordField; confirm: PasswordField }) {
  const { t } = useTranslation();
  return (
    <>
      <Field {...password} type="password" autoComplete="new-password" hint={t('setup.passwordHint')} />
      <Field {...confirm} type="password" autoComplete="new-password" />
    </>
  );
}
