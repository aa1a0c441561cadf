import { useEffect, useId, useState, type FormEventHandler, type ReactNode } from 'react';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import {
  CSV_SEPARATORS, SETTINGS_GROUPS, caseloadSettingsSchema, documentSymbol, K_MIN, reportSettingsSchema, NO_CONTACT_DAYS, REVIEW_INTERVAL_MONTHS, TODO_AHEAD_DAYS,
  centreCodeSchema, centreNameSchema, lockTimeoutSchema, type CentreSettings } from '../../../../electron/contract/index.ts';
import { call, type ClientErrorPayload } from '../../api.ts';
import { useCan, useSession } from '../../app/session.ts';
import { ErrorText, Notice } from '../../components/ErrorText.tsx';
import { Field } from '../../components/Field.tsx';
import { SelectField } from '../../components/SelectField.tsx';
import { useContractForm } from '../../components/useContractForm.ts';
import { NowSavedFacts } from '../../components/NowSavedFacts.tsx';
import { useNowSaved } from '../../components/useNowSaved.ts';
import { LANGUAGES, setLanguage, type Language } from '../../i18n/index.ts';
import { RecoveryCodeStep, RecoveryConfirmForm, type IssuedCode } from '../setup/RecoveryCode.tsx';

export function SettingsPage() {
  const { t } = useTranslation();
  const canManage = useCan('settings.manage');
  const canReport = useCan('reports.manage');
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
      {settings && canReport ? <ReportSettingsForm settings={settings} onSaved={setSettings} /> : null}
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

/**
 * A group's save: sent with the version of the group the form was opened on. Refused because
 * the group changed meanwhile (another administrator, another PC), the settings are read
 * again: the page takes them (so a second save is made knowingly on what is there now), and
 * the form shows them beside what was typed.
 */
function useGroupSave(onSaved: (settings: CentreSettings) => void) {
  return useNowSaved(async () => {
    const fresh = await call('settings.get', {});
    return fresh.ok ? fresh.value : undefined;
  }, onSaved);
}

const centreFormSchema = z.object({
  centreName: centreNameSchema,
  centreCode: centreCodeSchema,
  lockTimeoutMinutes: lockTimeoutSchema,
});

/**
 * A panel of settings saved together: read-only (with a word on who may change them) for
 * everyone else, a save button for those who may.
 */
function SettingsPanel({
  title,
  hint,
  canManage,
  busy,
  error,
  saved,
  nowSaved,
  onSubmit,
  onChange,
  children,
}: {
  title: ReactNode;
  hint: string | null;
  canManage: boolean;
  busy: boolean;
  error: ClientErrorPayload | null;
  saved: boolean;
  /** After a save refused because the group changed meanwhile: what is saved now. */
  nowSaved: readonly (readonly [string, string])[] | null;
  onSubmit: FormEventHandler<HTMLFormElement>;
  onChange: () => void;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  const id = useId();
  return (
    <form noValidate className="panel" aria-labelledby={id} onSubmit={onSubmit} onChange={onChange}>
      <h2 id={id}>{title}</h2>
      {hint ? <p className="hint">{hint}</p> : null}
      <fieldset disabled={!canManage} className="plain">
        <div className="form-grid">{children}</div>
      </fieldset>
      <ErrorText error={error} sentences={{ RECORD_CHANGED: t('settings.changedMeanwhile') }} />
      {nowSaved && error?.code === 'RECORD_CHANGED' ? <NowSavedFacts facts={nowSaved} /> : null}
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

function CentreSettingsForm({ settings, canManage, onSaved }: { settings: CentreSettings; canManage: boolean; onSaved: (settings: CentreSettings) => void }) {
  const { t } = useTranslation();
  const [saved, setSaved] = useState(false);
  const { form, errors, busy, error, submit } = useContractForm(centreFormSchema, { defaultValues: settings });
  const { now, afterSave } = useGroupSave(onSaved);
  const nowSaved = now
    ? ([
        [t('settings.centreName'), now.centreName],
        [t('settings.centreCode'), now.centreCode],
        [t('settings.lockTimeout'), String(now.lockTimeoutMinutes)],
      ] as const)
    : null;
  return (
    <SettingsPanel
      title={`${t('settings.centre')} · ${t('settings.security')}`}
      hint={canManage ? null : t('settings.adminOnly')}
      {...{ canManage, busy, error, saved, nowSaved }}
      onSubmit={form.handleSubmit((values) => submit(async () => afterSave(await call('settings.update', { ...values, version: settings.versions.centre })), (value) => {
            setSaved(true);
            onSaved(value);
          }))}
      onChange={() => setSaved(false)}
    >
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
    </SettingsPanel>
  );
}

/** The to-do list's thresholds and the review interval: set by managers, shown to everyone. */
function CaseloadSettingsForm({ settings, onSaved }: { settings: CentreSettings; onSaved: (settings: CentreSettings) => void }) {
  const { t } = useTranslation();
  const canManage = useCan('caseload.manage');
  const [saved, setSaved] = useState(false);
  const { form, errors, busy, error, submit } = useContractForm(caseloadSettingsSchema, {
    defaultValues: { noContactWarnDays: settings.noContactWarnDays, noContactUrgentDays: settings.noContactUrgentDays, reviewIntervalMonths: settings.reviewIntervalMonths, todoAheadDays: settings.todoAheadDays },
  });
  const { now, afterSave } = useGroupSave(onSaved);
  const nowSaved = now ? SETTINGS_GROUPS.caseload.map((name) => [t(`settings.${name}`), String(now[name])] as const) : null;
  const number = (name: 'noContactWarnDays' | 'noContactUrgentDays' | 'reviewIntervalMonths' | 'todoAheadDays', min: number, max: number) => (
    <Field label={t(`settings.${name}`)} type="number" min={min} max={max} registration={form.register(name, { valueAsNumber: true })} error={errors[name]} />
  );
  return (
    <SettingsPanel
      title={t('settings.caseload')}
      hint={canManage ? t('settings.caseloadIntro') : t('settings.managerOnly')}
      {...{ canManage, busy, error, saved, nowSaved }}
      onSubmit={form.handleSubmit((values) => submit(async () => afterSave(await call('settings.updateCaseload', { ...values, version: settings.versions.caseload })), (value) => {
            setSaved(true);
            onSaved(value);
          }))}
      onChange={() => setSaved(false)}
    >
      {number('noContactWarnDays', NO_CONTACT_DAYS.min, NO_CONTACT_DAYS.max)}
      {number('noContactUrgentDays', NO_CONTACT_DAYS.min, NO_CONTACT_DAYS.max)}
      {number('reviewIntervalMonths', REVIEW_INTERVAL_MONTHS.min, REVIEW_INTERVAL_MONTHS.max)}
      {number('todoAheadDays', TODO_AHEAD_DAYS.min, TODO_AHEAD_DAYS.max)}
    </SettingsPanel>
  );
}

const REPORT_FIELDS = ['reportParentAgency', 'reportRecipient', 'reportDocumentNumber', 'reportPlace', 'reportSignerTitle', 'reportSignerName', 'dhis2OrgUnit', 'dhis2DataSet'] as const;

/** How reports leave the centre (managers only): k, the Word report's heading, the DHIS2 codes. */
function ReportSettingsForm({ settings, onSaved }: { settings: CentreSettings; onSaved: (settings: CentreSettings) => void }) {
  const { t } = useTranslation();
  const id = useId();
  const [saved, setSaved] = useState(false);
  const { form, errors, busy, error, submit } = useContractForm(reportSettingsSchema, {
    defaultValues: Object.fromEntries([...REPORT_FIELDS, 'reportK', 'dhis2Mapping', 'reportCsvSeparator'].map((name) => [name, settings[name as keyof CentreSettings]])),
  });
  const mappingError = errors.dhis2Mapping?.message;
  const { now, afterSave } = useGroupSave(onSaved);
  const nowSaved = now
    ? SETTINGS_GROUPS.reports.map(
        (name) => [t(`settings.${name}`), name === 'reportCsvSeparator' ? t(`settings.csvSeparator.${now[name] === ';' ? 'semicolon' : 'comma'}`) : String(now[name])] as const,
      )
    : null;
  return (
    <SettingsPanel
      title={t('settings.reports')}
      hint={t('settings.reportsIntro')}
      canManage
      {...{ busy, error, saved, nowSaved }}
      onSubmit={form.handleSubmit((values) =>
        submit(
          async () => afterSave(await call('settings.updateReports', { ...values, version: settings.versions.reports })),
          (value) => {
            setSaved(true);
            onSaved(value);
          },
        ),
      )}
      onChange={() => setSaved(false)}
    >
      <Field label={t('settings.reportK')} type="number" min={K_MIN} max={100} registration={form.register('reportK', { valueAsNumber: true })} error={errors.reportK} hint={t('settings.reportKHint')} />
      {REPORT_FIELDS.map((name) => (
        <Field
          key={name}
          label={t(`settings.${name}`)}
          registration={form.register(name)}
          error={errors[name]}
          hint={name === 'reportDocumentNumber' ? t('settings.reportDocumentNumberHint', { symbol: documentSymbol('', settings.centreName) }) : undefined}
        />
      ))}
      <SelectField label={t('settings.reportCsvSeparator')} hint={t('settings.reportCsvSeparatorHint')} registration={form.register('reportCsvSeparator')} error={errors.reportCsvSeparator}>
        {CSV_SEPARATORS.map((separator) => (
          <option key={separator} value={separator}>
            {t(`settings.csvSeparator.${separator === ';' ? 'semicolon' : 'comma'}`)}
          </option>
        ))}
      </SelectField>
      <div className="field wide">
        <label htmlFor={`${id}-mapping`}>{t('settings.dhis2Mapping')}</label>
        <textarea
          id={`${id}-mapping`}
          rows={4}
          spellCheck={false}
          {...form.register('dhis2Mapping')}
          aria-invalid={mappingError ? true : undefined}
          aria-describedby={`${id}-mapping-hint${mappingError ? ` ${id}-mapping-error` : ''}`}
        />
        <p className="hint" id={`${id}-mapping-hint`}>
          {t('settings.dhis2MappingHint')}
        </p>
        {mappingError ? (
          <p className="field-error" id={`${id}-mapping-error`}>
            {t(`validation.${mappingError}`)}
          </p>
        ) : null}
      </div>
    </SettingsPanel>
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
        <RecoveryCodeStep issued={issued} centreName={settings.centreName} centreCode={settings.centreCode} onCancel={() => setIssued(null)} onWritten={() => setStep('confirm')} />
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
