import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { contract, withRepeatedPassword } from '../../../../electron/contract/index.ts';
import { call } from '../../api.ts';
import { ErrorText, Notice } from '../../components/ErrorText.tsx';
import { Field } from '../../components/Field.tsx';
import { NewPasswordFields } from '../../components/NewPasswordFields.tsx';
import { useContractForm } from '../../components/useContractForm.ts';
import { useSession } from '../../app/session.ts';
import { LogoutButton } from '../shell/session-actions.tsx';
import { PageTop } from '../../components/PageTop.tsx';

const schema = withRepeatedPassword(contract['auth.changePassword'].input, 'newPassword');

export function ChangePasswordForm({ temporary }: { temporary: boolean }) {
  const { t } = useTranslation();
  const { refresh } = useSession();
  const [done, setDone] = useState(false);
  const { form, errors, busy, error, submit } = useContractForm(schema, { focus: 'currentPassword' });

  return (
    <form
      noValidate
      className="card"
      onSubmit={form.handleSubmit((values) =>
        submit(
          () => call('auth.changePassword', { currentPassword: values.currentPassword, newPassword: values.newPassword }),
          async () => {
            form.reset({ currentPassword: '', newPassword: '', confirmPassword: '' });
            setDone(true);
            await refresh();
          },
        ),
      )}
    >
      <h1>{t('password.title')}</h1>
      {temporary ? <p className="message message-info">{t('password.mustChange')}</p> : null}
      <Field
        label={temporary ? t('password.currentTemporary') : t('password.current')}
        type="password"
        registration={form.register('currentPassword')}
        error={errors.currentPassword}
        autoComplete="current-password"
      />
      <NewPasswordFields
        password={{ label: t('password.new'), registration: form.register('newPassword'), error: errors.newPassword }}
        confirm={{ label: t('password.confirm'), registration: form.register('confirmPassword'), error: errors.confirmPassword }}
      />
      <ErrorText error={error} />
      <Notice text={done ? t('password.done') : null} />
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t('common.working') : t('password.submit')}
        </button>
      </div>
    </form>
  );
}

/** After a first login with a temporary password, nothing else is reachable until it is changed. */
export function ForcedPasswordChange() {
  return (
    <main className="centred-page" id="main">
      <PageTop>
        <LogoutButton />
      </PageTop>
      <ChangePasswordForm temporary />
    </main>
  );
}
