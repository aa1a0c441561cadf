import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { contract, withRepeatedPassword } from '../../../../electron/contract/index.ts';
import { call } from '../../api.ts';
import { ErrorText } from '../../components/ErrorText.tsx';
import { Field } from '../../components/Field.tsx';
import { LanguageSwitch } from '../../components/LanguageSwitch.tsx';
import { NewPasswordFields } from '../../components/NewPasswordFields.tsx';
import { useContractForm } from '../../components/useContractForm.ts';
import { PageTop } from '../../components/PageTop.tsx';
import { formatDateTime } from '../../i18n/format.ts';
import { OtherServerForm } from './OtherServer.tsx';

type Screen = 'login' | 'lock' | 'recover' | 'server';

/** Everything shown while the vault is locked: login, the lock screen, recovery. */
export function AuthScreens({
  lockedUsername,
  restoredFrom = null,
  keyRotated = false,
  movedUp = false,
  server = null,
  onDone,
}: {
  lockedUsername: string | null;
  restoredFrom?: string | null;
  keyRotated?: boolean;
  movedUp?: boolean;
  /** This PC works against the centre's server: which (so that a new PC's staff know where they are). */
  server?: { host: string; port: number; database: string } | null;
  onDone: () => Promise<void>;
}) {
  const { t } = useTranslation();
  const [screen, setScreen] = useState<Screen>(lockedUsername ? 'lock' : 'login');
  return (
    <main className="centred-page" id="main">
      <PageTop>
        <LanguageSwitch />
      </PageTop>
      {restoredFrom ? (
        <p className="message message-info" role="status">
          {t('backup.restoredNotice', { date: formatDateTime(restoredFrom) })}
        </p>
      ) : null}
      {movedUp ? (
        <p className="message message-info" role="status">
          {t('backup.movedUpNotice')}
        </p>
      ) : null}
      {keyRotated ? (
        <p className="message message-info" role="status">
          {t('backup.rotatedNotice')}
        </p>
      ) : null}
      {screen === 'lock' && lockedUsername ? (
        <LoginForm fixedUsername={lockedUsername} onDone={onDone} onOtherUser={() => setScreen('login')} />
      ) : null}
      {screen === 'login' ? <LoginForm onDone={onDone} onRecover={() => setScreen('recover')} /> : null}
      {screen === 'recover' ? <RecoverForm onDone={onDone} onBack={() => setScreen('login')} /> : null}
      {screen === 'server' && server ? <OtherServerForm current={server} onDone={onDone} onBack={() => setScreen('login')} /> : null}
      {server && screen !== 'server' ? <p className="hint">{t('login.onServer', { host: `${server.host}:${server.port}`, database: server.database })}</p> : null}
      {server && screen === 'login' ? (
        <p>
          <button type="button" className="link" onClick={() => setScreen('server')}>
            {t('otherServer.open')}
          </button>
        </p>
      ) : null}
    </main>
  );
}


function LoginForm({
  fixedUsername,
  onDone,
  onOtherUser,
  onRecover,
}: {
  fixedUsername?: string;
  onDone: () => Promise<void>;
  onOtherUser?: () => void;
  onRecover?: () => void;
}) {
  const { t } = useTranslation();
  const { form, errors, busy, error, submit } = useContractForm(contract['auth.login'].input, {
    defaultValues: { username: fixedUsername ?? '', password: '' },
    focus: fixedUsername ? 'password' : 'username',
  });

  return (
    <form
      noValidate
      className="card"
      onSubmit={form.handleSubmit((values) =>
        submit(
          () => call('auth.login', values),
          () => onDone(),
        ).then(() => {
          form.resetField('password');
          form.setFocus('password');
        }),
      )}
    >
      <h1>{fixedUsername ? t('lock.title') : t('login.title')}</h1>
      {fixedUsername ? <p>{t('lock.intro')}</p> : null}
      {fixedUsername ? (
        <p className="who">{t('lock.unlockAs', { name: fixedUsername })}</p>
      ) : (
        <Field label={t('login.username')} registration={form.register('username')} error={errors.username} autoComplete="username" />
      )}
      <Field
        label={t('login.password')}
        type="password"
        registration={form.register('password')}
        error={errors.password}
        autoComplete="current-password"
      />
      <ErrorText error={error} />
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t('common.working') : fixedUsername ? t('lock.submit') : t('login.submit')}
        </button>
      </div>
      {onOtherUser ? (
        <p>
          <button type="button" className="link" onClick={onOtherUser}>
            {t('lock.otherUser')}
          </button>
        </p>
      ) : null}
      {onRecover ? (
        <>
          <p className="hint">{t('login.otherStaff')}</p>
          <p>
            <button type="button" className="link" onClick={onRecover}>
              {t('login.useRecovery')}
            </button>
          </p>
        </>
      ) : null}
    </form>
  );
}

const recoverSchema = withRepeatedPassword(contract['auth.recover'].input, 'newPassword');

function RecoverForm({ onDone, onBack }: { onDone: () => Promise<void>; onBack: () => void }) {
  const { t } = useTranslation();
  const { form, errors, busy, error, submit } = useContractForm(recoverSchema, { focus: 'recoveryCode' });
  return (
    <form
      noValidate
      className="card"
      onSubmit={form.handleSubmit((values) =>
        submit(
          () => call('auth.recover', { recoveryCode: values.recoveryCode, username: values.username, newPassword: values.newPassword }),
          () => onDone(),
        ),
      )}
    >
      <h1>{t('recover.title')}</h1>
      <p>{t('recover.intro')}</p>
      <Field
        label={t('recover.code')}
        registration={form.register('recoveryCode')}
        error={errors.recoveryCode}
        hint={t('recover.codeHint')}
        autoComplete="off"
        spellCheck={false}
        className="code-field"
      />
      <Field label={t('recover.username')} registration={form.register('username')} error={errors.username} autoComplete="username" />
      <NewPasswordFields
        password={{ label: t('recover.newPassword'), registration: form.register('newPassword'), error: errors.newPassword }}
        confirm={{ label: t('recover.confirmPassword'), registration: form.register('confirmPassword'), error: errors.confirmPassword }}
      />
      <ErrorText error={error} />
      <div className="actions">
        <button type="button" onClick={onBack}>
          {t('recover.backToLogin')}
        </button>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t('common.working') : t('recover.submit')}
        </button>
      </div>
    </form>
  );
}

