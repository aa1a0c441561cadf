import { useEffect, useId, useState } from 'react';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { caseloadSettingsSchema, centreCodeSchema, centreNameSchema, lockTimeoutSchema, type CentreSettings } from '../../../../electron/contract/index.ts';
import { call, type ClientErrorPayload } from '../../api.ts';
import { useCan, useSession } from '../../app/session.ts';
import { ErrorText, Notice } from '../../components/ErrorText.tsx';
import { Field } from '../../components/Field.tsx';
import { useContractForm } from '../../components/useContractForm.ts';
import { LANGUAGES, setLanguage, type Language } from '../../i18n/index.ts';
import { RecoveryCodeSheet, RecoveryConfirmForm, type IssuedCode } from '../setup/RecoveryCode.tsx';

export function SettingsPage() {
  const { t } = useTranslation();
  const canManage = useCan('settings.manage');
  const [settings, setSettings] = useState<CentreSettings | null>(null);
  const [error, setError] = useState<ClientErrorPayload | null>(null);

  useEffect(() => {
    void call('settings.get', {}).then((result) => (result.ok ? setSettings(result.value) : setError(result.error)));
  }, []);

  return (
    <section aria-labelledby="page-title" className="settings">
      <h1 id="page-title">{t('settings.title')}</h1>
      <ErrorText error={error} />
      <PersonalSettings />
      {settings ? <CentreSettingsForm settings={settings} canManage={canManage} onSaved={setSettings} /> : null}
      {settings ? <CaseloadSettingsForm settings={settings} onSaved={setSettings} /> : null}
      {canManage && settings ? <RecoveryCodeSection settings={settings} /> : null}
    </section>
  );
}

function PersonalSettings() {
  const { t } = useTranslation();
  const { user, refresh } = useSession();
  const id = useId();
  const [error, setError] = useState<ClientErrorPayload | null>(null);
  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('settings.personal')}</h2>
      <div className="field narrow">
        <label htmlFor={id}>{t('language.label')}</label>
        <select
          id={id}
          value={user.language}
          aria-describedby={`${id}-hint`}
          onChange={async (event) => {
            const language = event.target.value as Language;
            const result = await call('me.setLanguage', { language });
            if (!result.ok) return setError(result.error);
            await setLanguage(language);
            await refresh();
          }}
        >
          {LANGUAGES.map((language) => (
            <option key={language} value={language}>
              {t(`language.${language}`)}
            </option>
          ))}
        </select>
        <p className="hint" id={`${id}-hint`}>
          {t('settings.languageHint')}
        </p>
      </div>
      <ErrorText error={error} />
      <p>
        <Link to="/password">{t('nav.changePassword')}</Link>
      </p>
    </section>
  );
}

const centreFormSchema = z.object({
  centreName: centreNameSchema,
  centreCode: centreCodeSchema,
  lockTimeoutMinutes: lockTimeoutSchema,
});

function CentreSettingsForm({
  settings,
  canManage,
  onSaved,
}: {
  settings: CentreSettings;
  canManage: boolean;
  onSaved: (settings: CentreSettings) => void;
}) {
  const { t } = useTranslation();
  const [saved, setSaved] = useState(false);
  const { form, errors, busy, error, submit } = useContractForm(centreFormSchema, { defaultValues: settings });
  return (
    <form
      noValidate
      className="panel"
      aria-labelledby="centre-settings-title"
      onSubmit={form.handleSubmit((values) =>
        submit(
          () =>
            call('settings.update', values),
          (value) => {
            setSaved(true);
            onSaved(value);
          },
        ),
      )}
      onChange={() => setSaved(false)}
    >
      <h2 id="centre-settings-title">
        {t('settings.centre')} · {t('settings.security')}
      </h2>
      {canManage ? null : <p className="hint">{t('settings.adminOnly')}</p>}
      <fieldset disabled={!canManage} className="plain">
        <div className="form-grid">
          <Field label={t('settings.centreName')} registration={form.register('centreName')} error={errors.centreName} />
          <Field label={t('settings.centreCode')} registration={form.register('centreCode')} error={errors.centreCode} />
          <Field
            label={t('settings.lockTimeout')}
            type="number"
            min={1}
            max={60}
            registration={form.register('lockTimeoutMinutes', { valueAsNumber: true })}
            error={errors.lockTimeoutMinutes}
            hint={t('settings.lockTimeoutHint')}
          />
        </div>
      </fieldset>
      <ErrorText error={error} />
      <Notice text={saved ? t('common.saved') : null} />
      {canManage ? (
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {t('common.save')}
          </button>
        </div>
      ) : null}
    </form>
  );
}

/** The to-do list's thresholds and the review interval: set by managers, shown to everyone. */
function CaseloadSettingsForm({ settings, onSaved }: { settings: CentreSettings; onSaved: (settings: CentreSettings) => void }) {
  const { t } = useTranslation();
  const canManage = useCan('caseload.manage');
  const [saved, setSaved] = useState(false);
  const { form, errors, busy, error, submit } = useContractForm(caseloadSettingsSchema, {
    defaultValues: { noContactWarnDays: settings.noContactWarnDays, noContactUrgentDays: settings.noContactUrgentDays, reviewIntervalMonths: settings.reviewIntervalMonths },
  });
  return (
    <form
      noValidate
      className="panel"
      aria-labelledby="caseload-settings-title"
      onSubmit={form.handleSubmit((values) =>
        submit(
          () => call('settings.updateCaseload', values),
          (value) => {
            setSaved(true);
            onSaved(value);
          },
        ),
      )}
      onChange={() => setSaved(false)}
    >
      <h2 id="caseload-settings-title">{t('settings.caseload')}</h2>
      <p className="hint">{canManage ? t('settings.caseloadIntro') : t('settings.managerOnly')}</p>
      <fieldset disabled={!canManage} className="plain">
        <div className="form-grid">
          <Field label={t('settings.noContactWarnDays')} type="number" min={14} max={730} registration={form.register('noContactWarnDays', { valueAsNumber: true })} error={errors.noContactWarnDays} />
          <Field label={t('settings.noContactUrgentDays')} type="number" min={15} max={730} registration={form.register('noContactUrgentDays', { valueAsNumber: true })} error={errors.noContactUrgentDays} />
          <Field
            label={t('settings.reviewIntervalMonths')}
            type="number"
            min={1}
            max={24}
            registration={form.register('reviewIntervalMonths', { valueAsNumber: true })}
            error={errors.reviewIntervalMonths}
          />
        </div>
      </fieldset>
      <ErrorText error={error} />
      <Notice text={saved ? t('common.saved') : null} />
      {canManage ? (
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {t('common.save')}
          </button>
        </div>
      ) : null}
    </form>
  );
}

function RecoveryCodeSection({ settings }: { settings: CentreSettings }) {
  const { t } = useTranslation();
  const [issued, setIssued] = useState<IssuedCode | null>(null);
  const [step, setStep] = useState<'code' | 'confirm'>('code');
  const [done, setDone] = useState(false);
  const [error, setError] = useState<ClientErrorPayload | null>(null);
  return (
    <section className="panel" aria-labelledby="recovery-title">
      <h2 id="recovery-title">{t('settings.recovery')}</h2>
      <p>{t('settings.recoveryIntro')}</p>
      <ErrorText error={error} />
      <Notice text={done ? t('settings.recoveryDone') : null} />
      {!issued ? (
        <button
          type="button"
          onClick={async () => {
            setDone(false);
            const result = await call('recovery.begin', {});
            if (result.ok) {
              setIssued(result.value);
              setStep('code');
            } else setError(result.error);
          }}
        >
          {t('settings.recoveryStart')}
        </button>
      ) : step === 'code' ? (
        <>
          <RecoveryCodeSheet issued={issued} centreName={settings.centreName} centreCode={settings.centreCode}>
            <button type="button" onClick={() => setIssued(null)}>
              {t('common.cancel')}
            </button>
            <button type="button" className="primary" onClick={() => setStep('confirm')}>
              {t('setup.writtenDown')}
            </button>
          </RecoveryCodeSheet>
        </>
      ) : (
        <RecoveryConfirmForm
          issued={issued}
          submitLabel={t('common.save')}
          confirm={(confirmation) => call('recovery.complete', { confirmation })}
          onConfirmed={() => {
            setIssued(null);
            setDone(true);
          }}
          onShowAgain={() => setStep('code')}
        />
      )}
    </section>
  );
}
