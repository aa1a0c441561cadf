import { Fragment, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { setupInputSchema, withRepeatedPassword } from '../../../../electron/contract/index.ts';
import { call, type ClientErrorPayload } from '../../api.ts';
import { useBackupCredentials } from '../admin/BackupCredentials.tsx';
import { JobProgress, useBackupJob } from '../admin/BackupJob.tsx';
import { ErrorText } from '../../components/ErrorText.tsx';
import { Field } from '../../components/Field.tsx';
import { LanguageSwitch } from '../../components/LanguageSwitch.tsx';
import { NewPasswordFields } from '../../components/NewPasswordFields.tsx';
import { useContractForm } from '../../components/useContractForm.ts';
import { i18next, type Language } from '../../i18n/index.ts';
import { RecoveryCodeSheet, RecoveryConfirmForm, type IssuedCode } from './RecoveryCode.tsx';
import { PageTop } from '../../components/PageTop.tsx';
import { ServerFacts, useServerLook } from '../../components/ServerFacts.tsx';

const centreFormSchema = withRepeatedPassword(setupInputSchema.omit({ language: true }), 'adminPassword');

type ServerPlace = { host: string; port: number; database: string };

/** Where the records are kept: the first choice of a new PC's setup. */
const WHERE = [
  { value: 'here', label: 'setup.whereHere', hint: 'setup.whereHereHint' },
  { value: 'server', label: 'setup.whereServer', hint: 'setup.whereServerHint' },
] as const;

/**
 * First run: where the records are kept (this PC, or the centre's server through the connection
 * file an administrator made), then the centre, the first administrator and the recovery code,
 * shown once and confirmed by typing one group back. Core writes nothing until that
 * confirmation. A PC joining a server where a centre is set up goes straight to the login.
 */
export function SetupWizard({ interrupted, server = null, onDone }: { interrupted: boolean; server?: ServerPlace | null; onDone: () => Promise<void> }) {
  const { t } = useTranslation();
  const [issued, setIssued] = useState<(IssuedCode & { centreName: string; centreCode: string }) | null>(null);
  const [step, setStep] = useState<'centre' | 'code' | 'confirm'>('centre');
  const [where, setWhere] = useState<'here' | 'server'>('here');
  const whereId = useId();

  if (interrupted && !issued) {
    return (
      <main className="centred-page" id="main">
        <h1>{t('setup.title')}</h1>
        <p>{t('setup.interrupted')}</p>
        <button
          type="button"
          className="primary"
          onClick={async () => {
            await call('setup.cancel', {});
            await onDone();
          }}
        >
          {t('setup.restart')}
        </button>
      </main>
    );
  }

  return (
    <main className="centred-page wide" id="main">
      <div className="screen-only">
        <PageTop>{step === 'centre' ? <LanguageSwitch /> : null}</PageTop>
        <h1>{t('setup.title')}</h1>
      </div>
      {step === 'centre' && server ? (
        <>
          <ConnectedServer server={server} onDone={onDone} />
          <CentreStep
            intro={t('setup.serverIntroCentre')}
            onIssued={(code) => {
              setIssued(code);
              setStep('code');
            }}
          />
        </>
      ) : null}
      {step === 'centre' && !server ? (
        <>
          <fieldset className="plain where-choice">
            <legend>{t('setup.whereTitle')}</legend>
            {WHERE.map(({ value, label, hint }) => (
              <Fragment key={value}>
                <label className="check">
                  <input type="radio" name={`${whereId}-where`} checked={where === value} onChange={() => setWhere(value)} aria-describedby={`${whereId}-${value}`} /> {t(label)}
                </label>
                <p className="hint" id={`${whereId}-${value}`}>
                  {t(hint)}
                </p>
              </Fragment>
            ))}
          </fieldset>
          {where === 'here' ? (
            <>
              <CentreStep
                intro={t('setup.intro')}
                onIssued={(code) => {
                  setIssued(code);
                  setStep('code');
                }}
              />
              <RestoreStep onDone={onDone} />
            </>
          ) : (
            <ServerStep onDone={onDone} />
          )}
        </>
      ) : null}
      {step === 'code' && issued ? (
        <>
          <h2 className="screen-only">{t('setup.stepCode')}</h2>
          <RecoveryCodeSheet issued={issued} centreName={issued.centreName} centreCode={issued.centreCode}>
            <button type="button" className="primary" onClick={() => setStep('confirm')}>
              {t('setup.writtenDown')}
            </button>
          </RecoveryCodeSheet>
        </>
      ) : null}
      {step === 'confirm' && issued ? (
        <>
          <h2>{t('setup.stepConfirm')}</h2>
          <RecoveryConfirmForm
            issued={issued}
            submitLabel={t('setup.finish')}
            confirm={(confirmation) => call('setup.complete', { confirmation })}
            onConfirmed={onDone}
            onShowAgain={() => setStep('code')}
          />
        </>
      ) : null}
    </main>
  );
}

function CentreStep({ intro, onIssued }: { intro: string; onIssued: (issued: IssuedCode & { centreName: string; centreCode: string }) => void }) {
  const { t } = useTranslation();
  const { form, errors, busy, error, submit } = useContractForm(centreFormSchema, { focus: 'centreName' });

  return (
    <form
      noValidate
      onSubmit={form.handleSubmit((values) =>
        submit(
          () =>
            call('setup.begin', {
              centreName: values.centreName,
              centreCode: values.centreCode,
              adminUsername: values.adminUsername,
              adminDisplayName: values.adminDisplayName,
              adminPassword: values.adminPassword,
              language: i18next.language as Language,
            }),
          (issued) => onIssued({ ...issued, centreName: values.centreName, centreCode: values.centreCode }),
        ),
      )}
    >
      <h2>{t('setup.stepCentre')}</h2>
      <p>{intro}</p>
      <div className="form-grid">
        <Field
          label={t('setup.centreName')}
          registration={form.register('centreName')}
          error={errors.centreName}
          autoComplete="organization"
        />
        <Field label={t('setup.centreCode')} registration={form.register('centreCode')} error={errors.centreCode} hint={t('setup.centreCodeHint')} />
        <Field label={t('setup.adminDisplayName')} registration={form.register('adminDisplayName')} error={errors.adminDisplayName} autoComplete="name" />
        <Field label={t('setup.adminUsername')} registration={form.register('adminUsername')} error={errors.adminUsername} autoComplete="username" hint={t('users.usernameHint')} />
        <NewPasswordFields
          password={{ label: t('setup.adminPassword'), registration: form.register('adminPassword'), error: errors.adminPassword }}
          confirm={{ label: t('setup.confirmPassword'), registration: form.register('confirmPassword'), error: errors.confirmPassword }}
        />
      </div>
      <ErrorText error={error} />
      {busy ? (
        <p role="status" className="message">
          {t('setup.preparing')}
        </p>
      ) : null}
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t('common.working') : t('common.next')}
        </button>
      </div>
    </form>
  );
}

/**
 * A new PC for a centre that has a backup (the old one died or was stolen): set up from the
 * backup instead, opened with a password or the recovery code of its time.
 */
function RestoreStep({ onDone }: { onDone: () => Promise<void> }) {
  const { t } = useTranslation();
  const { credentials, fields } = useBackupCredentials('');
  const { progress, running, run, stop } = useBackupJob(true);
  const [error, setError] = useState<ClientErrorPayload | null>(null);
  const [stopped, setStopped] = useState(false);
  return (
    <section className="panel" aria-labelledby="restore-title">
      <h2 id="restore-title">{t('backup.newPcTitle')}</h2>
      <p className="hint">{t('backup.newPcHint')}</p>
      {fields}
      <ErrorText error={error} />
      {stopped ? (
        <p role="status" className="message">
          {t('backup.newPcStopped')}
        </p>
      ) : null}
      <JobProgress
        progress={progress}
        stopLabel={t('backup.stopRestore')}
        onStop={() => {
          setStopped(true);
          void stop();
        }}
      />
      <div className="actions">
        <button
          type="button"
          disabled={running}
          onClick={async () => {
            setError(null);
            setStopped(false);
            const end = await run(() => call('setup.restore', { credentials: credentials(), confirm: true }), 'checksum');
            if ('error' in end) return setError(end.error);
            if ('ended' in end) setStopped(false);
            if ('ended' in end && end.ended.restored) await onDone();
          }}
        >
          {t('backup.newPcRestore')}
        </button>
      </div>
    </section>
  );
}

/**
 * Setup on a PC of a centre with its own server: the connection file is picked in the shell's
 * dialog and tried (nothing kept yet); what to check is shown (address, database, the
 * certificate authority's fingerprint) before the person connects this PC.
 */
function ServerStep({ onDone }: { onDone: () => Promise<void> }) {
  const { t } = useTranslation();
  const { look, checking, error, setError, choose } = useServerLook('setup.serverCheck');
  const [connecting, setConnecting] = useState(false);
  return (
    <section className="panel" aria-labelledby="server-title">
      <h2 id="server-title">{t('setup.whereServer')}</h2>
      <p>{t('setup.serverIntro')}</p>
      <ErrorText error={error} />
      {checking ? (
        <p role="status" className="message">
          {t('setup.serverChecking')}
        </p>
      ) : null}
      {look ? (
        <>
          <ServerFacts look={look} />
          <p className="message message-info" role="status">
            {look.present ? t('setup.serverPresent') : t('setup.serverEmpty')}
          </p>
        </>
      ) : null}
      <div className="actions">
        <button type="button" className={look ? undefined : 'primary'} disabled={checking || connecting} onClick={choose}>
          {look ? t('setup.serverChooseAgain') : t('setup.serverChoose')}
        </button>
        {look ? (
          <button
            type="button"
            className="primary"
            disabled={checking || connecting}
            onClick={async () => {
              setError(null);
              setConnecting(true);
              const result = await call('setup.serverConnect', { confirm: true });
              setConnecting(false);
              if (!result.ok) return setError(result.error);
              await onDone();
            }}
          >
            {connecting ? t('common.working') : t('setup.serverConnect')}
          </button>
        ) : null}
      </div>
    </section>
  );
}

/** This PC was connected to a server with no centre yet: say which, and allow going back. */
function ConnectedServer({ server, onDone }: { server: ServerPlace; onDone: () => Promise<void> }) {
  const { t } = useTranslation();
  const [error, setError] = useState<ClientErrorPayload | null>(null);
  return (
    <div className="message message-info connected-server" role="status">
      <p>{t('setup.serverConnected', { host: `${server.host}:${server.port}`, database: server.database })}</p>
      <ErrorText error={error} />
      <button
        type="button"
        onClick={async () => {
          const result = await call('setup.serverLeave', {});
          if (!result.ok) return setError(result.error);
          await onDone();
        }}
      >
        {t('setup.serverLeave')}
      </button>
    </div>
  );
}
