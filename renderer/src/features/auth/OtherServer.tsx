import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { contract } from '../../../../electron/contract/index.ts';
import { call } from '../../api.ts';
import { ErrorText } from '../../components/ErrorText.tsx';
import { Field } from '../../components/Field.tsx';
import { ServerFacts, useServerLook } from '../../components/ServerFacts.tsx';
import { useContractForm } from '../../components/useContractForm.ts';

/**
 * On the login screen of a PC that works with the centre's server: after the centre's records
 * were restored or moved to a new database, an administrator picks its connection file, checks
 * what it names, and logs in there. The PC goes only to a server that holds this centre's
 * records; anything refused leaves it with its old server.
 */
export function OtherServerForm({ current, onDone, onBack }: { current: { host: string; port: number; database: string }; onDone: () => Promise<void>; onBack: () => void }) {
  const { t } = useTranslation();
  const { look, checking, error: lookError, choose: chooseFile } = useServerLook('auth.serverLook');
  const { form, errors, busy, error, submit } = useContractForm(contract['auth.serverSwitch'].input, { defaultValues: { username: '', password: '' } });
  const choose = useRef<HTMLButtonElement>(null);
  // Opened from the login screen's link: the keyboard goes on from the first thing to do.
  useEffect(() => choose.current?.focus(), []);
  // A server with this centre's records checked: on to the administrator's username.
  useEffect(() => {
    if (look?.present) form.setFocus('username');
  }, [look, form]);
  return (
    <form
      noValidate
      className="card"
      aria-labelledby="other-server-title"
      onSubmit={form.handleSubmit((values) =>
        submit(
          () => call('auth.serverSwitch', values),
          () => onDone(),
        ).then(() => form.resetField('password')),
      )}
    >
      <h1 id="other-server-title">{t('otherServer.title')}</h1>
      <p>{t('otherServer.intro')}</p>
      <p className="hint">{t('otherServer.current', { host: `${current.host}:${current.port}`, database: current.database })}</p>
      <ErrorText error={lookError} />
      {checking ? (
        <p role="status" className="message">
          {t('setup.serverChecking')}
        </p>
      ) : null}
      {look ? <ServerFacts look={look} /> : null}
      {look && !look.present ? (
        <p className="message message-info" role="status">
          {t('otherServer.empty')}
        </p>
      ) : null}
      <div className="actions">
        <button
          type="button"
          className={look ? undefined : 'primary'}
          disabled={checking || busy}
          onClick={chooseFile}
          ref={choose}
        >
          {look ? t('setup.serverChooseAgain') : t('setup.serverChoose')}
        </button>
      </div>
      {look?.present ? (
        <>
          <p>{t('otherServer.adminLogin')}</p>
          <Field label={t('login.username')} registration={form.register('username')} error={errors.username} autoComplete="username" />
          <Field label={t('login.password')} type="password" registration={form.register('password')} error={errors.password} autoComplete="current-password" />
          <ErrorText error={error} />
        </>
      ) : null}
      <div className="actions">
        <button type="button" onClick={onBack} disabled={busy}>
          {t('recover.backToLogin')}
        </button>
        {look?.present ? (
          <button type="submit" className="primary" disabled={busy}>
            {busy ? t('common.working') : t('otherServer.submit')}
          </button>
        ) : null}
      </div>
    </form>
  );
}
