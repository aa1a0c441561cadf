import { useCallback, useEffect, useState } from 'react';
import { HashRouter } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { ChannelOutput } from '../../../electron/contract/index.ts';
import { call, dropAllState, onLocked, type ClientErrorPayload } from '../api.ts';
import { ErrorText } from '../components/ErrorText.tsx';
import { setLanguage } from '../i18n/index.ts';
import { SetupWizard } from '../features/setup/SetupWizard.tsx';
import { AuthScreens } from '../features/auth/AuthScreens.tsx';
import { ForcedPasswordChange } from '../features/auth/ChangePassword.tsx';
import { BrokenVault } from '../features/shell/BrokenVault.tsx';
import { AppFrame } from '../features/shell/AppFrame.tsx';
import { ShellNotices } from '../features/shell/ShellNotices.tsx';
import { SessionContext } from './session.ts';

export type BootStatus = ChannelOutput<'session.get'>;

/** Decides what to show from core's view of the vault: setup, a broken vault, login/lock, or the app. */
export function App() {
  const { t } = useTranslation();
  const [status, setStatus] = useState<BootStatus | null>(null);
  const [error, setError] = useState<ClientErrorPayload | null>(null);

  const refresh = useCallback(async () => {
    const result = await call('session.get', {});
    if (result.ok) setStatus(result.value);
    else setError(result.error);
  }, []);

  useEffect(() => {
    void refresh();
    // Locked from outside (idle timer, OS lock): drop everything this page holds.
    return onLocked(dropAllState);
  }, [refresh]);

  const userLanguage = status?.user?.language;
  useEffect(() => {
    if (userLanguage) void setLanguage(userLanguage);
  }, [userLanguage]);

  if (error) {
    return (
      <main className="centred-page">
        <h1>{t('app.name')}</h1>
        <ErrorText error={error} />
      </main>
    );
  }
  if (!status) {
    return (
      <main className="centred-page" aria-busy="true">
        <p>{t('app.loading')}</p>
      </main>
    );
  }

  return (
    <>
      {status.trainingData ? (
        <p className="training-banner" role="note">
          {t('app.trainingBanner')}
        </p>
      ) : null}
      <Screen status={status} refresh={refresh} />
      <ShellNotices />
    </>
  );
}

function Screen({ status, refresh }: { status: BootStatus; refresh: () => Promise<void> }) {
  switch (status.vault) {
    case 'absent':
    case 'setup-pending':
      return <SetupWizard interrupted={status.vault === 'setup-pending'} server={status.server} onDone={refresh} />;
    case 'broken':
      return <BrokenVault problem={status.problem} />;
    case 'locked':
      return <AuthScreens lockedUsername={status.lockedUsername} restoredFrom={status.restoredFrom} keyRotated={status.keyRotated} movedUp={status.movedUp} server={status.server} onDone={refresh} />;
    case 'unlocked': {
      const user = status.user;
      if (!user) return <AuthScreens lockedUsername={null} onDone={refresh} />;
      return (
        <SessionContext.Provider value={{ user, refresh }}>
          {user.mustChangePassword ? (
            <ForcedPasswordChange />
          ) : (
            <HashRouter>
              <AppFrame />
            </HashRouter>
          )}
        </SessionContext.Provider>
      );
    }
  }
}
