import { zodResolver } from '@hookform/resolvers/zod';
import { useEffect, useState } from 'react';
import { useForm } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { contract } from '../../../../electron/contract/index.ts';
import { call, dropAllState } from '../../api.ts';
import { ErrorText, Notice } from '../../components/ErrorText.tsx';
import { Field } from '../../components/Field.tsx';
import { useServerForm } from '../../components/useServerForm.ts';
import { useSession } from '../../app/session.ts';

const schema = contract['auth.changePassword'].input
  .extend({ confirmPassword: z.string() })
  .refine((value) => value.newPassword === value.confirmPassword, { error: 'passwordsDiffer', path: ['confirmPassword'] });
type Values = z.input<typeof schema>;

export function ChangePasswordForm({ temporary }: { temporary: boolean }) {
  const { t } = useTranslation();
  const { refresh } = useSession();
  const [done, setDone] = useState(false);
  const form = useForm<Values>({ resolver: zodResolver(schema) });
  const { error, submit } = useServerForm(form);
  const { errors, isSubmitting } = form.formState;
  useEffect(() => form.setFocus('currentPassword'), [form]);

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
      <Field
        label={t('password.new')}
        type="password"
        registration={form.register('newPassword')}
        error={errors.newPassword}
        autoComplete="new-password"
        hint={t('setup.passwordHint')}
      />
      <Field label={t('password.confirm')} type="password" registration={form.register('confirmPassword')} error={errors.confirmPassword} autoComplete="new-password" />
      <ErrorText error={error} />
      <Notice text={done ? t('password.done') : null} />
      <div className="actions">
        <button type="submit" className="primary" disabled={isSubmitting}>
          {isSubmitting ? t('common.working') : t('password.submit')}
        </button>
      </div>
    </form>
  );
}

/** After a first login with a temporary password, nothing else is reachable until it is changed. */
export function ForcedPasswordChange() {
  const { t } = useTranslation();
  return (
    <main className="centred-page" id="main">
      <div className="page-top">
        <p className="brand">{t('app.name')}</p>
        <button
          type="button"
          onClick={async () => {
            await call('auth.logout', {});
            dropAllState();
          }}
        >
          {t('nav.logout')}
        </button>
      </div>
      <ChangePasswordForm temporary />
    </main>
  );
}
