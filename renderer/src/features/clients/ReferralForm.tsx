import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { createReferralInputSchema, currentConsentText, type ClientPage } from '../../../../electron/contract/index.ts';
import { call } from '../../api.ts';
import { DateInput } from '../../components/DateInput.tsx';
import { ErrorText, Notice } from '../../components/ErrorText.tsx';
import { SelectField } from '../../components/SelectField.tsx';
import { useContractForm } from '../../components/useContractForm.ts';
import { todayIso } from '../../i18n/format.ts';
import { ConsentFields, ConsentTextBox } from './ConsentFields.tsx';
import { ConsentPaperButton } from './ConsentPaper.tsx';
import { useCatalogue, usePartnerList } from './useCatalogue.ts';
import { AddPartner } from './AddPartner.tsx';
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
  const partnerList = usePartnerList();
  const partners = partnerList.partners.filter((partner) => partner.active);
  const [addingPartner, setAddingPartner] = useState(false);
  const [added, setAdded] = useState<string | null>(null);
  // A partner just added is chosen once the list holds it (the select cannot take a value it has no option for).
  const [chosenPartner, setChosenPartner] = useState<number | null>(null);
  const [page, setPage] = useState<ClientPage | null>(null);
  useEffect(() => {
    void call('clients.get', { clientId }).then((result) => result.ok && setPage(result.value));
  }, [clientId]);
  const audience = page?.childPath ? 'child' : 'adult';
  const { form, errors, busy, error, submit, clearError } = useContractForm(createReferralInputSchema, {
    defaultValues: { clientId, proposedOn: todayIso(), dueOn: null, note: '', shareConsent: null },
    focus: 'partnerId',
  });
  useEffect(() => {
    if (chosenPartner === null || !partnerList.partners.some((partner) => partner.id === chosenPartner)) return;
    form.setValue('partnerId', chosenPartner, { shouldValidate: true, shouldDirty: true });
    setChosenPartner(null);
  }, [chosenPartner, partnerList.partners, form]);
  const partnerId = form.watch('partnerId');
  const hasShareConsent = page?.consents.some((consent) => consent.purpose === 'share_partner' && consent.partnerId === Number(partnerId) && (consent.state === 'active' || consent.state === 'expiring'));
  const needsConsent = Boolean(partnerId) && !hasShareConsent;
  // Consent to share is recorded only when the worker says it was given, not by default.
  const [agreed, setAgreed] = useState(false);
  // Asked for before anything is sent: the box is right there, with the partner chosen.
  const [consentMissing, setConsentMissing] = useState(false);
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
      <form
        noValidate
        className="panel"
        onSubmit={form.handleSubmit((values) => {
          if (needsConsent && !agreed) return setConsentMissing(true);
          return submit(() => call('referrals.create', values), () => navigate(`/clients/${clientId}`));
        })}
      >
        {partnerList.loaded && partners.length === 0 ? <p className="message message-info">{t('partnerAdd.none')}</p> : null}
        <div className="form-grid">
          <SelectField
            label={t('referral.partner')}
            registration={form.register('partnerId', {
              setValueAs: (value) => (value === '' ? undefined : Number(value)),
              onChange: () => {
                setConsentMissing(false);
                clearError();
              },
            })}
            error={errors.partnerId}
          >
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
        {addingPartner || (partnerList.loaded && partners.length === 0) ? (
          <AddPartner
            onCancel={partners.length ? () => setAddingPartner(false) : null}
            onAdded={(partner) => {
              setChosenPartner(partner.id);
              setAddingPartner(false);
              setAdded(t('partnerAdd.added', { name: partner.name }));
              void partnerList.reload();
            }}
          />
        ) : (
          <p>
            <button type="button" onClick={() => setAddingPartner(true)}>
              {t('partnerAdd.open')}
            </button>
          </p>
        )}
        <Notice text={added} />
        <div className="field restricted">
          <label htmlFor="referral-note">{t('visit.note')}</label>
          <textarea id="referral-note" rows={2} {...form.register('note')} />
        </div>
        {needsConsent ? (
          <fieldset className="subpanel">
            <legend>{t('referral.consentNeeded')}</legend>
            <ConsentTextBox version={currentConsentText('share_partner', audience)} language={(form.watch('shareConsent.language') ?? 'vi') as 'vi' | 'en'} />
            <ConsentPaperButton
              versions={[currentConsentText('share_partner', audience)]}
              language={(form.watch('shareConsent.language') ?? (i18n.language === 'en' ? 'en' : 'vi')) as 'vi' | 'en'}
              client={page ? { code: page.code, alias: page.alias } : null}
              partnerName={partners.find((partner) => partner.id === Number(partnerId))?.name ?? null}
              child={page?.childPath ?? false}
            />
            <label className="check">
              <input
                type="checkbox"
                checked={agreed}
                aria-invalid={consentMissing ? true : undefined}
                aria-describedby={consentMissing ? 'referral-consent-missing' : undefined}
                onChange={(event) => {
                  setAgreed(event.target.checked);
                  setConsentMissing(false);
                  clearError();
                }}
              />{' '}
              {t('referral.consentGiven')}
            </label>
            {consentMissing ? (
              <p className="field-error" id="referral-consent-missing">
                {t('referral.consentTick')}
              </p>
            ) : null}
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
