import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ChannelInput } from '../../../../electron/contract/index.ts';

export type Credentials = ChannelInput<'backup.verify'>['credentials'];

/**
 * What opens a backup: a username and a password valid when it was made, or the recovery code
 * of then. The fields, and the credentials they make.
 */
export function useBackupCredentials(initialUsername: string) {
  const { t } = useTranslation();
  const id = useId();
  const [withCode, setWithCode] = useState(false);
  const [username, setUsername] = useState(initialUsername);
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const credentials = (): Credentials => (withCode ? { recoveryCode: code } : { username, password });
  const fields = (
    <>
      <fieldset className="plain">
        <legend>{t('backup.openWith')}</legend>
        <label className="check">
          <input type="radio" name={`${id}-with`} checked={!withCode} onChange={() => setWithCode(false)} /> {t('backup.withPassword')}
        </label>
        <label className="check">
          <input type="radio" name={`${id}-with`} checked={withCode} onChange={() => setWithCode(true)} /> {t('backup.withCode')}
        </label>
      </fieldset>
      <div className="form-grid">
        {withCode ? (
          <div className="field">
            <label htmlFor={`${id}-code`}>{t('recover.code')}</label>
            <input id={`${id}-code`} value={code} autoComplete="off" spellCheck={false} onChange={(event) => setCode(event.target.value)} />
          </div>
        ) : (
          <>
            <div className="field">
              <label htmlFor={`${id}-user`}>{t('login.username')}</label>
              <input id={`${id}-user`} value={username} autoComplete="off" onChange={(event) => setUsername(event.target.value)} />
            </div>
            <div className="field">
              <label htmlFor={`${id}-password`}>{t('backup.passwordThen')}</label>
              <input id={`${id}-password`} type="password" value={password} autoComplete="off" onChange={(event) => setPassword(event.target.value)} />
            </div>
          </>
        )}
      </div>
    </>
  );
  return { credentials, fields };
}
