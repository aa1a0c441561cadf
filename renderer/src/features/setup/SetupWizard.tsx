import { useState } from 'react';
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

const centreFormSchema = withRepeatedPassword(setupInputSchema.omit({ language: true }), 'adminPassword');

/**
 * First run: the centre, the first administrator, then the recovery code, shown once and
 * confirmed by typing one group back. Core writes nothing until that confirmation.
 */
export function SetupWizard({ interrupted, onDone }: { interrupted: boolean; onDone: () => Promise<void> }) {
  const { t } = useTranslation();
  const [issued, setIssued] = useState<(IssuedCode & { centreName: string; centreCode: string }) | null>(null);
  const [step, setStep] = useState<'centre' | 'code' | 'confirm'>('centre');

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
      {step === 'centre' ? (
        <>
          <CentreStep
            onIssued={(code) => {
              setIssued(code);
              setStep('code');
            }}
          />
          <RestoreStep onDone={onDone} />
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

function CentreStep({ onIssued }: { onIssued: (issued: IssuedCode & { centreName: string; centreCode: string }) => void }) {
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
      <p>{t('setup.intro')}</p>
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
