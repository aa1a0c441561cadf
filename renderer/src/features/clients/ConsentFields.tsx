import { useId } from 'react';
import type { Control, FieldErrors, FieldValues, Path, UseFormRegister } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { CONSENT_GIVERS, CONSENT_METHODS, CONSENT_TEXTS, consentTextEdition, type ConsentTextVersion } from '../../../../electron/contract/index.ts';
import { DateInput } from '../../components/DateInput.tsx';
import { Field } from '../../components/Field.tsx';
import { SelectField } from '../../components/SelectField.tsx';
import { VocabularyOptions } from '../../components/SelectField.tsx';

/** The consent text to read (in the language chosen for the client), shown exactly as it will be stored. */
export function ConsentTextBox({ version, language }: { version: ConsentTextVersion; language: 'vi' | 'en' }) {
  const { t } = useTranslation();
  const edition = consentTextEdition(version);
  return (
    <figure className="consent-text">
      <figcaption>
        {t('consent.textToRead')} <span className="muted">({t('consent.edition', { number: edition.number, audience: t(`consent.textFor.${edition.audience}`) })})</span>
      </figcaption>
      <blockquote lang={language}>{CONSENT_TEXTS[version][language]}</blockquote>
    </figure>
  );
}

/**
 * How consent was given: method, who gave it (client; for a child a guardian or the
 * child-protection officer), witness for verbal consent or, for written consent, where the
 * signed form is kept, date and expiry. `prefix` is the
 * path of the consent object in the form (e.g. "consent").
 */
export function ConsentFields<V extends FieldValues>({
  prefix,
  control,
  register,
  errors,
  child,
  method,
}: {
  prefix: string;
  control: Control<V>;
  register: UseFormRegister<V>;
  errors: FieldErrors | undefined;
  child: boolean;
  method: string | undefined;
}) {
  const { t } = useTranslation();
  const id = useId();
  const path = (name: string) => `${prefix}.${name}` as Path<V>;
  const error = (name: string) => (errors?.[name] as { message?: string; type?: string } | undefined) as never;
  const givers = CONSENT_GIVERS.filter((giver) => (child ? giver !== 'client' : giver === 'client'));
  return (
    <div className="form-grid" id={id}>
      <SelectField label={t('consent.method')} registration={register(path('method'))} error={error('method')}>
        <VocabularyOptions list="consentMethod" values={CONSENT_METHODS} />
      </SelectField>
      <SelectField label={t('consent.givenBy')} registration={register(path('givenBy'))} error={error('givenBy')}>
        {givers.map((value) => (
          <option key={value} value={value}>
            {t(`vocabulary.consentGiver.${value}`)}
          </option>
        ))}
      </SelectField>
      {method === 'verbal_witnessed' ? (
        <Field label={t('consent.witness')} registration={register(path('witness'))} error={error('witness')} autoComplete="off" />
      ) : (
        <Field label={t('consent.paperKeptAt')} hint={t('consent.paperKeptAtHint')} registration={register(path('paperKeptAt'))} error={error('paperKeptAt')} autoComplete="off" />
      )}
      <DateInput control={control} name={path('givenOn')} label={t('consent.givenOn')} />
      <DateInput control={control} name={path('expiresOn')} label={t('consent.expiresOn')} hint={t('consent.expiresHint')} />
    </div>
  );
}
