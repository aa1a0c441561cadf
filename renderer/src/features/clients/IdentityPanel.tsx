import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { identityInputSchema, type ClientPage, type IdentityView } from '../../../../electron/contract/index.ts';
import type { z } from 'zod';
import { call, type ClientErrorPayload } from '../../api.ts';
import { ErrorText } from '../../components/ErrorText.tsx';
import { Field } from '../../components/Field.tsx';
import { useNowSaved } from '../../components/useNowSaved.ts';
import { useContractForm } from '../../components/useContractForm.ts';
import { FormActions } from '../../components/FormActions.tsx';
import { ReasonField, reasonProblem, statedReason } from '../../components/ReasonField.tsx';
import { NowSaved } from '../rights/NowSaved.tsx';

type IdentityInput = z.output<typeof identityInputSchema>;

/**
 * The restricted identity section. Closed until asked for; the assigned worker opens it with a
 * click, anyone else must first say why (recorded, and listed for managers).
 */
export function IdentityPanel({ page, onRevealed }: { page: ClientPage; onRevealed: () => Promise<void> }) {
  const { t } = useTranslation();
  const id = useId();
  const [identity, setIdentity] = useState<IdentityView | null>(null);
  const [reason, setReason] = useState('');
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<ClientErrorPayload | null>(null);

  const reveal = async () => {
    const stated = page.isMine ? undefined : statedReason(reason);
    const result = await call('clients.identity', stated ? { clientId: page.id, reason: stated } : { clientId: page.id });
    if (result.ok) {
      setIdentity(result.value);
      setError(null);
      if (!page.isMine) await onRevealed();
    } else setError(result.error);
  };

  return (
    <section className="panel restricted" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('identity.title')}</h2>
      {!identity ? (
        <>
          <p className="hint">{page.isMine ? t('identity.closedMine') : t('identity.closedOther')}</p>
          {page.isMine ? null : (
            <ReasonField label={t('identity.reason')} value={reason} onChange={setReason} error={error} />
          )}
          <button type="button" onClick={() => void reveal()}>
            {t('identity.show')}
          </button>
        </>
      ) : editing ? (
        <IdentityForm
          clientId={page.id}
          identity={identity}
          onCancel={() => setEditing(false)}
          onSaved={(saved) => {
            setIdentity(saved);
            setEditing(false);
          }}
        />
      ) : (
        <>
          <dl className="facts">
            <dt>{t('identity.legalName')}</dt>
            <dd>{identity.legalName ?? '—'}</dd>
            <dt>{t('identity.phone')}</dt>
            <dd>
              {identity.phone ?? '—'}
              {identity.phone && !identity.contactConsent ? <span className="muted"> ({t('identity.noContactConsent')})</span> : null}
            </dd>
            <dt>{t('identity.idNumber')}</dt>
            <dd>{identity.idNumber ?? '—'}</dd>
            <dt>{t('identity.address')}</dt>
            <dd>{identity.address ?? '—'}</dd>
          </dl>
          <div className="actions">
            <button type="button" onClick={() => setIdentity(null)}>
              {t('identity.hide')}
            </button>
            {page.isMine && page.status === 'open' ? (
              <button type="button" onClick={() => setEditing(true)}>
                {t('identity.edit')}
              </button>
            ) : null}
          </div>
        </>
      )}
      <ErrorText error={reasonProblem(error) ? null : error} />
    </section>
  );
}

function IdentityForm({ clientId, identity, onCancel, onSaved }: { clientId: number; identity: IdentityView; onCancel: () => void; onSaved: (identity: IdentityView) => void }) {
  const { t } = useTranslation();
  const { form, errors, busy, error, submit } = useContractForm(identityInputSchema, {
    defaultValues: { legalName: identity.legalName ?? '', phone: identity.phone ?? '', idNumber: identity.idNumber ?? '', address: identity.address ?? '' },
    focus: 'legalName',
  });
  // Changed at another PC since it was shown: what it is now (her typing stays; saving again saves it over).
  const { now, afterSave } = useNowSaved<IdentityView>(
    async () => {
      const fresh = await call('clients.identity', { clientId });
      return fresh.ok ? fresh.value : undefined;
    },
    () => {},
  );
  const save = async (values: IdentityInput) => afterSave(await call('clients.updateIdentity', { clientId, identity: values, version: (now ?? identity).version }));
  return (
    <form noValidate onSubmit={form.handleSubmit((values) => submit(() => save(values), onSaved))}>
      <Field label={t('identity.legalName')} registration={form.register('legalName')} error={errors.legalName} autoComplete="off" />
      <Field label={t('identity.phone')} type="tel" registration={form.register('phone')} error={errors.phone} autoComplete="off" hint={identity.contactConsent ? undefined : t('identity.phoneNeedsConsent')} />
      <Field label={t('identity.idNumber')} registration={form.register('idNumber')} error={errors.idNumber} autoComplete="off" />
      <Field label={t('identity.address')} registration={form.register('address')} error={errors.address} autoComplete="off" />
      <ErrorText error={error} />
      {now ? (
        <NowSaved
          entity="identity"
          values={[
            ['legalName', now.legalName],
            ['phone', now.phone],
            ['idNumber', now.idNumber],
            ['address', now.address],
          ]}
        />
      ) : null}
      <FormActions onCancel={onCancel} busy={busy} />
    </form>
  );
}
