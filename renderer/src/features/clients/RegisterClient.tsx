import { useEffect, useMemo, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import {
  clientCode,
  currentConsentText,
  registerClientInputSchema,
  SEXES,
  yearsSince,
  type ConsentInput,
} from '../../../../electron/contract/index.ts';
import { call } from '../../api.ts';
import { ErrorText } from '../../components/ErrorText.tsx';
import { Field } from '../../components/Field.tsx';
import { FormActions } from '../../components/FormActions.tsx';
import { SelectField } from '../../components/SelectField.tsx';
import { useContractForm } from '../../components/useContractForm.ts';
import { todayIso } from '../../i18n/format.ts';
import { ConsentFields, ConsentTextBox } from './ConsentFields.tsx';
import { ConsentPaperButton } from './ConsentPaper.tsx';
import { ChildBanner } from './ClientBadges.tsx';
import { RecordDetailsFields } from './RecordDetailsFields.tsx';
import { VocabularyOptions } from '../../components/SelectField.tsx';


/**
 * Registration, in the order the conversation goes: the facts for her code (and whether a
 * record with that code exists), then consent (the text to read, who gave it and how), then
 * the record, and last the restricted identity section, all optional.
 */
export function RegisterClient() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const today = todayIso();
  const year = Number(today.slice(0, 4));
  const { form, errors, busy, error, submit } = useContractForm(registerClientInputSchema, {
    defaultValues: {
      motherName: '',
      fatherName: '',
      alias: '',
      sex: 'female',
      turned18: null,
      wardCode: null,
      provinceCode: 79,
      workSetting: null,
      distinctFromExisting: false,
      consent: { method: 'written', givenBy: 'client', language: i18n.language === 'en' ? 'en' : 'vi', givenOn: today, textVersion: currentConsentText('case_record', 'adult') },
      identity: { legalName: '', phone: '', idNumber: '', address: '' },
      contactConsent: null,
    },
    focus: 'motherName',
  });
  const values = form.watch();
  const birthYear = Number(values.birthYear);
  const validYear = Number.isInteger(birthYear) && birthYear >= 1930 && birthYear <= year;
  const age = validYear ? yearsSince(birthYear, today) : null;
  const child = age !== null && (age < 18 || (age === 18 && values.turned18 === false));
  const audience = child ? 'child' : 'adult';
  const version = currentConsentText('case_record', audience);
  const language = (values.consent?.language ?? 'vi') as 'vi' | 'en';
  const code = useMemo(
    () => (validYear && values.motherName && values.fatherName ? clientCode({ motherName: values.motherName, fatherName: values.fatherName, birthYear, sex: values.sex ?? 'female' }) : null),
    [validYear, values.motherName, values.fatherName, birthYear, values.sex],
  );
  const [existing, setExisting] = useState<number | null>(null);
  const [contactAgreed, setContactAgreed] = useState(false);
  const [reportsAgreed, setReportsAgreed] = useState(false);

  // The text, and who may give consent, follow the path (adult or child).
  useEffect(() => {
    form.setValue('consent.textVersion', version);
    const givenBy = form.getValues('consent.givenBy');
    if (child && givenBy === 'client') form.setValue('consent.givenBy', 'guardian');
    if (!child && givenBy !== 'client') form.setValue('consent.givenBy', 'client');
  }, [child, version, form]);

  useEffect(() => {
    setExisting(null);
    if (!code) return;
    const timer = setTimeout(() => {
      void call('clients.checkCode', { code }).then((result) => result.ok && setExisting(result.value.exists ? result.value.clientId : null));
    }, 200);
    return () => clearTimeout(timer);
  }, [code]);

  return (
    <section aria-labelledby="page-title" className="register">
      <p>
        <Link to="/clients">{t('clients.backToList')}</Link>
      </p>
      <h1 id="page-title">{t('clients.registerTitle')}</h1>
      <form
        noValidate
        onSubmit={form.handleSubmit((input) => {
          const phone = input.identity?.phone;
          const contactConsent: ConsentInput | null =
            phone && contactAgreed
              ? { ...input.consent, textVersion: currentConsentText('contact', audience), expiresOn: input.consent.expiresOn }
              : null;
          // The same act of consent, read from its own text.
          const reportsConsent: ConsentInput | null = reportsAgreed ? { ...input.consent, textVersion: currentConsentText('reports', audience) } : null;
          return submit(
            async () => {
              const result = await call('clients.register', { ...input, contactConsent, reportsConsent });
              if (!result.ok && result.error.code === 'CLIENT_CODE_EXISTS' && result.error.clientId) setExisting(result.error.clientId);
              return result;
            },
            (registered) => navigate(`/clients/${registered.clientId}`),
          );
        })}
      >
        <fieldset className="panel">
          <legend>{t('clients.step.code')}</legend>
          <p className="hint">{t('clients.codeIntro')}</p>
          <div className="form-grid">
            <Field label={t('clients.motherName')} registration={form.register('motherName')} error={errors.motherName} autoComplete="off" />
            <Field label={t('clients.fatherName')} registration={form.register('fatherName')} error={errors.fatherName} autoComplete="off" />
            {/* Text, not a number field: arrow keys and the mouse wheel must not change a birth year unseen. */}
            <Field
              label={t('clients.birthYear')}
              inputMode="numeric"
              maxLength={4}
              autoComplete="off"
              registration={form.register('birthYear', { setValueAs: (value: unknown) => (String(value ?? '').trim() === '' ? undefined : Number(String(value).trim())) })}
              error={errors.birthYear}
            />
            <SelectField label={t('clients.sex')} registration={form.register('sex')} error={errors.sex}>
              <VocabularyOptions list="sex" values={SEXES} />
            </SelectField>
          </div>
          {age === 18 ? (
            <fieldset className="field">
              <legend>{t('clients.turned18')}</legend>
              <label className="check">
                <input type="radio" checked={values.turned18 === true} onChange={() => form.setValue('turned18', true)} /> {t('clients.turned18Yes')}
              </label>
              <label className="check">
                <input type="radio" checked={values.turned18 === false} onChange={() => form.setValue('turned18', false)} /> {t('clients.turned18No')}
              </label>
            </fieldset>
          ) : null}
          {code ? (
            <p className="code-preview" role="status">
              {t('clients.codeWillBe')} <strong className="code">{code}</strong>
            </p>
          ) : null}
          {existing !== null ? (
            <div className="message message-info" role="alert">
              <p>{t('clients.codeExists', { code })}</p>
              <div className="actions">
                <Link className="button" to={`/clients/${existing}`}>
                  {t('clients.openExisting')}
                </Link>
                <label className="check">
                  <input type="checkbox" {...form.register('distinctFromExisting')} /> {t('clients.differentPerson')}
                </label>
              </div>
            </div>
          ) : null}
        </fieldset>

        {child ? <ChildBanner /> : null}

        <fieldset className="panel">
          <legend>{t('clients.step.consent')}</legend>
          <SelectField label={t('consent.language')} registration={form.register('consent.language')} className="narrow">
            <option value="vi">{t('language.vi')}</option>
            <option value="en">{t('language.en')}</option>
          </SelectField>
          <ConsentTextBox version={version} language={language} />
          <ConsentPaperButton
            versions={[version, currentConsentText('reports', audience), ...(values.identity?.phone ? [currentConsentText('contact', audience)] : [])]}
            language={language}
            child={child}
          />
          <ConsentFields prefix="consent" control={form.control} register={form.register} errors={errors.consent as never} child={child} method={values.consent?.method} />
          <div className="consent-inline">
            <ConsentTextBox version={currentConsentText('reports', audience)} language={language} />
            <label className="check">
              <input type="checkbox" checked={reportsAgreed} onChange={(event) => setReportsAgreed(event.target.checked)} /> {t('identity.reportsAgreed')}
            </label>
          </div>
        </fieldset>

        <fieldset className="panel">
          <legend>{t('clients.step.record')}</legend>
          <RecordDetailsFields control={form.control} register={form.register} errors={errors} aliasHint={t('clients.aliasHint')} />
        </fieldset>

        <fieldset className="panel restricted">
          <legend>{t('clients.step.identity')}</legend>
          <p className="hint">{t('clients.identityIntro')}</p>
          <div className="form-grid">
            <Field label={t('identity.legalName')} registration={form.register('identity.legalName')} error={errors.identity?.legalName} autoComplete="off" />
            <Field label={t('identity.idNumber')} registration={form.register('identity.idNumber')} error={errors.identity?.idNumber} autoComplete="off" />
            <Field label={t('identity.phone')} type="tel" registration={form.register('identity.phone')} error={errors.identity?.phone} autoComplete="off" />
            <Field label={t('identity.address')} registration={form.register('identity.address')} error={errors.identity?.address} autoComplete="off" />
          </div>
          {values.identity?.phone ? (
            <div className="consent-inline">
              <ConsentTextBox version={currentConsentText('contact', audience)} language={language} />
              <label className="check">
                <input type="checkbox" checked={contactAgreed} onChange={(event) => setContactAgreed(event.target.checked)} /> {t('identity.contactAgreed')}
              </label>
            </div>
          ) : null}
        </fieldset>

        <ErrorText error={error} />
        <FormActions cancelTo="/clients" busy={busy} disabled={existing !== null && !values.distinctFromExisting} submitLabel={t('clients.registerSubmit')} sticky />
      </form>
    </section>
  );
}
