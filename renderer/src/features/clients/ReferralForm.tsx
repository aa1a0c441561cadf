import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { createReferralInputSchema, currentConsentText, type ClientPage } from '../../../../electron/contract/index.ts';
import { call } from '../../api.ts';
import { DateInput } from '../../components/DateInput.tsx';
import { ErrorText } from '../../components/ErrorText.tsx';
import { SelectField } from '../../components/SelectField.tsx';
import { useContractForm } from '../../components/useContractForm.ts';
import { todayIso } from '../../i18n/format.ts';
import { ConsentFields, ConsentTextBox } from './ConsentFields.tsx';
import { useCatalogue, usePartners } from './useCatalogue.ts';
import { FormActions } from '../../components/FormActions.tsx';

/**
 * Refer to a partner. Without the client's consent to share with that partner, the consent is
 * recorded here first (the text to read is shown); the slip can then be printed.
 */
export function ReferralForm() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const clientId = Number(useParams().clientId);
  const { types, nameOf } = useCatalogue();
  const partners = usePartners().filter((partner) => partner.active);
  const [page, setPage] = useState<ClientPage | null>(null);
  useEffect(() => {
    void call('clients.get', { clientId }).then((result) => result.ok && setPage(result.value));
  }, [clientId]);
  const audience = page?.childPath ? 'child' : 'adult';
  const { form, errors, busy, error, submit } = useContractForm(createReferralInputSchema, {
    defaultValues: { clientId, proposedOn: todayIso(), dueOn: null, note: '', shareConsent: null },
    focus: 'partnerId',
  });
  const partnerId = form.watch('partnerId');
  const hasShareConsent = page?.consents.some((consent) => consent.purpose === 'share_partner' && consent.partnerId === Number(partnerId) && (consent.state === 'active' || consent.state === 'expiring'));
  const needsConsent = Boolean(partnerId) && !hasShareConsent;
  // Consent to share is recorded only when the worker says it was given, not by default.
  const [agreed, setAgreed] = useState(false);
  useEffect(() => {
    form.setValue(
      'shareConsent',
      needsConsent && agreed
        ? { method: 'written', givenBy: page?.childPath ? 'guardian' : 'client', language: i18n.language === 'en' ? 'en' : 'vi', givenOn: todayIso(), textVersion: currentConsentText('share_partner', audience) }
        : null,
    );
  }, [needsConsent, agreed, form, page?.childPath, audience, i18n.language]);

  return (
    <section aria-labelledby="page-title">
      <p>
        <Link to={`/clients/${clientId}`}>{t('clients.backToRecord')}</Link>
      </p>
      <h1 id="page-title">{t('referral.create')}</h1>
      <form noValidate className="panel" onSubmit={form.handleSubmit((values) => submit(() => call('referrals.create', values), () => navigate(`/clients/${clientId}`)))}>
        <div className="form-grid">
          <SelectField label={t('referral.partner')} registration={form.register('partnerId', { setValueAs: (value) => (value === '' ? undefined : Number(value)) })} error={errors.partnerId}>
            <option value="">{t('referral.choosePartner')}</option>
            {partners.map((partner) => (
              <option key={partner.id} value={partner.id}>
                {partner.name} ({t(`vocabulary.partnerKind.${partner.kind}`)})
              </option>
            ))}
          </SelectField>
          <SelectField label={t('referral.service')} registration={form.register('serviceTypeId', { setValueAs: (value) => (value === '' ? undefined : Number(value)) })} error={errors.serviceTypeId}>
            <option value="">{t('referral.chooseService')}</option>
            {types
              .filter((type) => type.active)
              .map((type) => (
                <option key={type.id} value={type.id}>
                  {nameOf(type.id)}
                </option>
              ))}
          </SelectField>
          <DateInput control={form.control} name="proposedOn" label={t('referral.proposedOn')} />
          <DateInput control={form.control} name="dueOn" label={t('referral.dueOn')} hint={t('referral.dueHint')} />
        </div>
        <div className="field restricted">
          <label htmlFor="referral-note">{t('visit.note')}</label>
          <textarea id="referral-note" rows={2} {...form.register('note')} />
        </div>
        {needsConsent ? (
          <fieldset className="subpanel">
            <legend>{t('referral.consentNeeded')}</legend>
            <ConsentTextBox version={currentConsentText('share_partner', audience)} language={(form.watch('shareConsent.language') ?? 'vi') as 'vi' | 'en'} />
            <label className="check">
              <input type="checkbox" checked={agreed} onChange={(event) => setAgreed(event.target.checked)} /> {t('referral.consentGiven')}
            </label>
            {agreed ? (
              <ConsentFields prefix="shareConsent" control={form.control} register={form.register} errors={errors.shareConsent as never} child={page?.childPath ?? false} method={form.watch('shareConsent.method')} />
            ) : null}
          </fieldset>
        ) : partnerId ? (
          <p className="message message-ok">{t('referral.consentInForce')}</p>
        ) : null}
        <ErrorText error={error} />
        <FormActions cancelTo={`/clients/${clientId}`} busy={busy} submitLabel={t('referral.save')} />
      </form>
    </section>
  );
}
