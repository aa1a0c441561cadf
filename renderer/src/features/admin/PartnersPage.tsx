import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { contract, PARTNER_KINDS, type ChannelInput, type Partner } from '../../../../electron/contract/index.ts';
import { NowSavedFacts } from '../../components/NowSavedFacts.tsx';
import { foundIn, useNowSaved } from '../../components/useNowSaved.ts';
import { call } from '../../api.ts';
import { useLoaded } from '../../components/useLoaded.ts';
import { ErrorText } from '../../components/ErrorText.tsx';
import { Field } from '../../components/Field.tsx';
import { SelectField } from '../../components/SelectField.tsx';
import { useContractForm } from '../../components/useContractForm.ts';
import { WardSelect, wardName } from '../../components/WardSelect.tsx';
import { FormActions } from '../../components/FormActions.tsx';
import { VocabularyOptions } from '../../components/SelectField.tsx';

type PartnerSave = ChannelInput<'partners.save'>;

/** The partners directory: clinics, methadone sites, the bank branch, schools, legal aid, shelters. */
export function PartnersPage() {
  const { t } = useTranslation();
  const { data: partners, error, reload: load } = useLoaded(() => call('partners.list', {}), [] as Partner[]);
  const [editing, setEditing] = useState<Partner | 'new' | null>(null);
  return (
    <section aria-labelledby="page-title">
      <div className="page-heading">
        <h1 id="page-title">{t('partners.title')}</h1>
        <button type="button" className="primary" onClick={() => setEditing('new')}>
          {t('partners.add')}
        </button>
      </div>
      <ErrorText error={error} />
      {editing ? (
        <PartnerForm
          // A form per partner: another row's Edit starts afresh, never with the last one's values.
          key={editing === 'new' ? 'new' : editing.id}
          partner={editing === 'new' ? null : editing}
          onCancel={() => setEditing(null)}
          onStale={() => void load()}
          onSaved={async () => {
            setEditing(null);
            await load();
          }}
        />
      ) : null}
      <table className="data-table">
        <caption className="visually-hidden">{t('partners.title')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('partners.name')}</th>
            <th scope="col">{t('partners.kind')}</th>
            <th scope="col">{t('clients.ward')}</th>
            <th scope="col">{t('partners.contact')}</th>
            <th scope="col">{t('users.status')}</th>
            <th scope="col">{t('users.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {partners.length === 0 ? (
            <tr>
              <td colSpan={6} className="empty">
                {t('partners.none')}
              </td>
            </tr>
          ) : null}
          {partners.map((partner) => (
            <tr key={partner.id} className={partner.active ? '' : 'inactive'}>
              <td>{partner.name}</td>
              <td>{t(`vocabulary.partnerKind.${partner.kind}`)}</td>
              <td>{wardName(partner.wardCode)}</td>
              <td>{partner.contact ?? ''}</td>
              <td>{partner.active ? t('partners.active') : t('partners.inactive')}</td>
              <td>
                <button type="button" aria-label={`${t('users.edit')}: ${partner.name}`} onClick={() => setEditing(partner)}>
                  {t('users.edit')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function PartnerForm({ partner, onCancel, onSaved, onStale }: { partner: Partner | null; onCancel: () => void; onSaved: () => Promise<void>; onStale: () => void }) {
  const { t } = useTranslation();
  const { form, errors, busy, error, submit } = useContractForm(contract['partners.save'].input, {
    defaultValues: {
      id: partner?.id ?? null,
      name: partner?.name ?? '',
      kind: partner?.kind ?? 'hiv_sti_clinic',
      wardCode: partner?.wardCode ?? null,
      contact: partner?.contact ?? '',
      active: partner?.active ?? true,
      version: partner?.version ?? null,
    },
    focus: 'name',
  });
  // Changed at another PC since the form opened: the partner as it is now (her typing stays).
  const { now, afterSave } = useNowSaved(
    async () => foundIn(await call('partners.list', {}), partner?.id),
    (fresh) => {
      form.setValue('version', fresh.version);
      onStale();
    },
  );
  const save = async (values: PartnerSave) => afterSave(await call('partners.save', values));
  return (
    <form noValidate className="panel" onSubmit={form.handleSubmit((values) => submit(() => save(values), onSaved))}>
      <h2>{partner ? t('partners.editTitle', { name: partner.name }) : t('partners.add')}</h2>
      <div className="form-grid">
        <Field label={t('partners.name')} registration={form.register('name')} error={errors.name} />
        <SelectField label={t('partners.kind')} registration={form.register('kind')} error={errors.kind}>
          <VocabularyOptions list="partnerKind" values={PARTNER_KINDS} />
        </SelectField>
        <WardSelect control={form.control} name="wardCode" label={t('clients.ward')} />
        <Field label={t('partners.contact')} registration={form.register('contact')} error={errors.contact} hint={t('partners.contactHint')} />
      </div>
      <label className="check">
        <input type="checkbox" {...form.register('active')} /> {t('partners.active')}
      </label>
      <ErrorText error={error} />
      {now ? (
        <NowSavedFacts
          facts={[
            [t('partners.name'), now.name],
            [t('partners.kind'), t(`vocabulary.partnerKind.${now.kind}`)],
            [t('clients.ward'), wardName(now.wardCode)],
            [t('partners.contact'), now.contact ?? ''],
            [t('users.status'), now.active ? t('partners.active') : t('partners.inactive')],
          ]}
        />
      ) : null}
      <FormActions onCancel={onCancel} busy={busy} />
    </form>
  );
}
