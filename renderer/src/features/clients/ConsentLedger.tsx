import { useEffect, useId, useState } from 'react';
import { useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import {
  consentInputSchema,
  CONSENT_PURPOSES,
  consentTextEdition,
  currentConsentText,
  type ClientPage,
  type ConsentPurpose,
  type ConsentView,
} from '../../../../electron/contract/index.ts';
import { call, type ClientErrorPayload } from '../../api.ts';
import { ErrorText } from '../../components/ErrorText.tsx';
import { useContractForm } from '../../components/useContractForm.ts';
import { formatDate, todayIso } from '../../i18n/format.ts';
import { ConsentFields, ConsentTextBox } from './ConsentFields.tsx';
import { ConsentPaperButton } from './ConsentPaper.tsx';
import { usePartners } from './useCatalogue.ts';
import { FormActions } from '../../components/FormActions.tsx';

type Action = { kind: 'add' } | { kind: 'renew'; consent: ConsentView } | { kind: 'withdraw'; consent: ConsentView } | null;

/** The consent ledger: every consent given, renewed or withdrawn, with its text; add, renew, withdraw. */
export function ConsentLedger({ page, canWrite, onChanged }: { page: ClientPage; canWrite: boolean; onChanged: () => Promise<void> }) {
  const { t } = useTranslation();
  const [action, setAction] = useState<Action>(null);
  const done = async () => {
    setAction(null);
    await onChanged();
  };
  return (
    <section className="panel" aria-labelledby="consents-panel">
      <h2 id="consents-panel" tabIndex={-1}>
        {t('consent.title')}
      </h2>
      <ul className="consent-list">
        {page.consents.map((consent) => (
          <li key={consent.id} className={`consent-${consent.state}`}>
            <strong>{t(`vocabulary.consentPurpose.${consent.purpose}`)}</strong>
            {consent.partnerName ? ` · ${consent.partnerName}` : ''} · <span className={`badge badge-${consent.state}`}>{t(`vocabulary.consentState.${consent.state}`)}</span>
            <div className="muted">
              {t('consent.summary', {
                givenOn: formatDate(consent.givenOn),
                expiresOn: formatDate(consent.expiresOn),
                givenBy: t(`vocabulary.consentGiver.${consent.givenBy}`),
                method: t(`vocabulary.consentMethod.${consent.method}`),
              })}
              {consent.withdrawnOn ? ` · ${t('consent.withdrawnOn', { date: formatDate(consent.withdrawnOn) })}` : ''}
            </div>
            {consent.method === 'written' ? <PaperPlace consent={consent} canWrite={canWrite && !page.restriction} onChanged={onChanged} /> : null}
            <details>
              <summary>
                {consentTextEdition(consent.textVersion).beforeApp
                  ? t('consent.showTextBeforeApp')
                  : t('consent.showText', { number: consentTextEdition(consent.textVersion).number, audience: t(`consent.textFor.${consentTextEdition(consent.textVersion).audience}`) })}
              </summary>
              <blockquote lang={consent.textLanguage}>{consent.textShown}</blockquote>
            </details>
            {canWrite && (consent.state === 'active' || consent.state === 'expiring' || consent.state === 'expired') ? (
              <div className="row-actions">
                {!page.restriction && (page.status === 'open' || consent.purpose === 'case_record') ? (
                  <button type="button" onClick={() => setAction({ kind: 'renew', consent })}>
                    {t('consent.renew')}
                  </button>
                ) : null}
                {consent.state !== 'expired' && (consent.purpose !== 'case_record' || page.isMine) ? (
                  <button type="button" onClick={() => setAction({ kind: 'withdraw', consent })}>
                    {t('consent.withdraw')}
                  </button>
                ) : null}
              </div>
            ) : null}
          </li>
        ))}
      </ul>
      {canWrite && page.status === 'open' && !page.restriction && !action ? (
        <button type="button" onClick={() => setAction({ kind: 'add' })}>
          {t('consent.add')}
        </button>
      ) : null}
      {action?.kind === 'add' || action?.kind === 'renew' ? (
        <ConsentForm page={page} renewing={action.kind === 'renew' ? action.consent : null} onCancel={() => setAction(null)} onDone={done} />
      ) : null}
      {action?.kind === 'withdraw' ? <WithdrawConsent page={page} consent={action.consent} onCancel={() => setAction(null)} onDone={done} /> : null}
    </section>
  );
}

const addSchema = z.object({
  purpose: z.enum(CONSENT_PURPOSES),
  partnerId: z.number().nullable(),
  scope: z.array(z.enum(['legal_name', 'phone'])),
  consent: consentInputSchema,
});

function ConsentForm({ page, renewing, onCancel, onDone }: { page: ClientPage; renewing: ConsentView | null; onCancel: () => void; onDone: () => Promise<void> }) {
  const { t, i18n } = useTranslation();
  const partners = usePartners().filter((partner) => partner.active);
  const audience = page.childPath ? 'child' : 'adult';
  const initialPurpose: ConsentPurpose = renewing?.purpose ?? 'share_partner';
  const { form, errors, busy, error, submit } = useContractForm(addSchema, {
    defaultValues: {
      purpose: initialPurpose,
      partnerId: renewing?.partnerId ?? null,
      scope: [],
      consent: {
        method: 'written',
        givenBy: page.childPath ? 'guardian' : 'client',
        language: i18n.language === 'en' ? 'en' : 'vi',
        givenOn: todayIso(),
        textVersion: currentConsentText(initialPurpose, audience),
      },
    },
  });
  const purpose = form.watch('purpose');
  const language = form.watch('consent.language') as 'vi' | 'en';
  const version = currentConsentText(purpose, audience);
  useEffect(() => form.setValue('consent.textVersion', version), [form, version]);

  return (
    <form
      noValidate
      className="subpanel"
      onSubmit={form.handleSubmit((values) =>
        submit(
          () =>
            renewing
              ? call('consent.renew', { consentId: renewing.id, consent: values.consent })
              : call('consent.record', { clientId: page.id, purpose: values.purpose, partnerId: values.purpose === 'share_partner' ? values.partnerId : null, scope: values.scope, consent: values.consent }),
          onDone,
        ),
      )}
    >
      <h3>{renewing ? t('consent.renewTitle', { purpose: t(`vocabulary.consentPurpose.${renewing.purpose}`) }) : t('consent.addTitle')}</h3>
      {renewing ? null : (
        <div className="form-grid">
          <div className="field">
            <label htmlFor="consent-purpose">{t('consent.purpose')}</label>
            <select id="consent-purpose" {...form.register('purpose')}>
              {CONSENT_PURPOSES.filter((value) => value !== 'case_record').map((value) => (
                <option key={value} value={value}>
                  {t(`vocabulary.consentPurpose.${value}`)}
                </option>
              ))}
            </select>
          </div>
          {purpose === 'share_partner' ? (
            <div className="field">
              <label htmlFor="consent-partner">{t('referral.partner')}</label>
              <select id="consent-partner" {...form.register('partnerId', { setValueAs: (value) => (value === '' ? null : Number(value)) })}>
                <option value="">{t('referral.choosePartner')}</option>
                {partners.map((partner) => (
                  <option key={partner.id} value={partner.id}>
                    {partner.name}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
        </div>
      )}
      {purpose === 'share_partner' && !renewing ? (
        <fieldset className="field">
          <legend>{t('consent.scope')}</legend>
          {(['legal_name', 'phone'] as const).map((value) => (
            <label key={value} className="check">
              <input type="checkbox" value={value} {...form.register('scope')} /> {t(`consent.scopeItem.${value}`)}
            </label>
          ))}
        </fieldset>
      ) : null}
      <ConsentTextBox version={version} language={language} />
      <ConsentPaperButton
        versions={[version]}
        language={language}
        client={{ code: page.code, alias: page.alias }}
        partnerName={partners.find((partner) => partner.id === form.watch('partnerId'))?.name ?? null}
        child={page.childPath}
      />
      <ConsentFields prefix="consent" control={form.control} register={form.register} errors={errors.consent as never} child={page.childPath} method={form.watch('consent.method')} />
      <ErrorText error={error} />
      <FormActions onCancel={onCancel} busy={busy} />
    </form>
  );
}

/** Where a written consent's signed form is kept, and a way to say it when it was not. */
function PaperPlace({ consent, canWrite, onChanged }: { consent: ConsentView; canWrite: boolean; onChanged: () => Promise<void> }) {
  const { t } = useTranslation();
  const id = useId();
  const [editing, setEditing] = useState(false);
  const [place, setPlace] = useState(consent.paperKeptAt ?? '');
  const [error, setError] = useState<ClientErrorPayload | null>(null);
  if (!editing) {
    return (
      <div className="muted">
        {consent.paperKeptAt ? t('consent.paperAt', { place: consent.paperKeptAt }) : t('consent.paperMissing')}{' '}
        {canWrite && consent.state !== 'withdrawn' && consent.state !== 'replaced' ? (
          <button type="button" onClick={() => setEditing(true)}>
            {t('consent.paperRecord')}
          </button>
        ) : null}
      </div>
    );
  }
  const save = async () => {
    const result = await call('consent.setPaperPlace', { consentId: consent.id, keptAt: place });
    if (!result.ok) return setError(result.error);
    setEditing(false);
    await onChanged();
  };
  return (
    <div className="subpanel" data-form-part>
      <div className="field">
        <label htmlFor={`${id}-place`}>{t('consent.paperKeptAt')}</label>
        <input id={`${id}-place`} value={place} autoComplete="off" aria-describedby={`${id}-hint`} onChange={(event) => setPlace(event.target.value)} />
        <p className="hint" id={`${id}-hint`}>
          {t('consent.paperKeptAtHint')}
        </p>
      </div>
      <ErrorText error={error} />
      <FormActions onCancel={() => setEditing(false)} busy={false} onSubmit={() => void save()} />
    </div>
  );
}

/** Withdrawing case-record consent erases the record: the worker types the code to confirm. */
function WithdrawConsent({ page, consent, onCancel, onDone }: { page: ClientPage; consent: ConsentView; onCancel: () => void; onDone: () => Promise<void> }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<ClientErrorPayload | null>(null);
  const erases = consent.purpose === 'case_record';
  return (
    <div className="subpanel" role="group" aria-labelledby="withdraw-title">
      <h3 id="withdraw-title">{t('consent.withdrawTitle', { purpose: t(`vocabulary.consentPurpose.${consent.purpose}`) })}</h3>
      <p className={erases ? 'message message-error' : ''}>{erases ? t('consent.withdrawErases') : t(`consent.withdrawEffect.${consent.purpose}`)}</p>
      {erases ? (
        <div className="field narrow">
          <label htmlFor="withdraw-code">{t('consent.typeCode', { code: page.code })}</label>
          <input id="withdraw-code" value={typed} autoComplete="off" onChange={(event) => setTyped(event.target.value)} />
        </div>
      ) : null}
      <ErrorText error={error} />
      <div className="actions">
        <button type="button" onClick={onCancel}>
          {t('common.cancel')}
        </button>
        <button
          type="button"
          className="danger"
          disabled={erases && typed.trim().toUpperCase() !== page.code}
          onClick={async () => {
            const result = await call('consent.withdraw', { consentId: consent.id, on: todayIso() });
            if (!result.ok) return setError(result.error);
            if (result.value.deidentified) navigate('/clients', { replace: true });
            else await onDone();
          }}
        >
          {t('consent.withdraw')}
        </button>
      </div>
    </div>
  );
}
