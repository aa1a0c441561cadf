import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { contract, SERVICE_GROUPS, type ChannelInput, type ServiceType } from '../../../../electron/contract/index.ts';
import { NowSavedFacts } from '../../components/NowSavedFacts.tsx';
import { foundIn, useNowSaved } from '../../components/useNowSaved.ts';
import { call } from '../../api.ts';
import { useLoaded } from '../../components/useLoaded.ts';
import { ErrorText } from '../../components/ErrorText.tsx';
import { Field } from '../../components/Field.tsx';
import { SelectField } from '../../components/SelectField.tsx';
import { useContractForm } from '../../components/useContractForm.ts';
import { FormActions } from '../../components/FormActions.tsx';
import { VocabularyOptions } from '../../components/SelectField.tsx';

/** The service catalogue: add a type to a group, rename, switch off. A used type is never deleted. */
export function CataloguePage() {
  const { t } = useTranslation();
  const { data: types, error, setError, reload: load } = useLoaded(() => call('catalogue.list', {}), [] as ServiceType[]);
  const [editing, setEditing] = useState<ServiceType | 'new' | null>(null);
  return (
    <section aria-labelledby="page-title">
      <div className="page-heading">
        <h1 id="page-title">{t('catalogue.title')}</h1>
        <button type="button" className="primary" onClick={() => setEditing('new')}>
          {t('catalogue.add')}
        </button>
      </div>
      <p className="intro">{t('catalogue.intro')}</p>
      <ErrorText error={error} />
      {editing ? (
        <TypeForm
          // A form per service type: another row's Edit starts afresh, never with the last one's values.
          key={editing === 'new' ? 'new' : editing.id}
          type={editing === 'new' ? null : editing}
          onCancel={() => setEditing(null)}
          onStale={() => void load()}
          onSaved={async () => {
            setEditing(null);
            await load();
          }}
        />
      ) : null}
      <table className="data-table">
        <caption className="visually-hidden">{t('catalogue.title')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('catalogue.group')}</th>
            <th scope="col">{t('catalogue.nameVi')}</th>
            <th scope="col">{t('catalogue.nameEn')}</th>
            <th scope="col">{t('catalogue.used')}</th>
            <th scope="col">{t('users.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {types.map((type) => (
            <tr key={type.id} className={type.active ? '' : 'inactive'}>
              <td>{t(`vocabulary.serviceGroup.${type.group}`)}</td>
              <td>{type.nameVi}</td>
              <td>{type.nameEn}</td>
              <td>{type.used}</td>
              <td>
                <div className="row-actions">
                  <button type="button" aria-label={`${t('users.edit')}: ${type.nameVi}`} onClick={() => setEditing(type)}>
                    {t('users.edit')}
                  </button>
                  <button
                    type="button"
                    aria-label={`${type.active ? t('catalogue.deactivate') : t('catalogue.activate')}: ${type.nameVi}`}
                    onClick={async () => {
                      const result = await call('catalogue.setActive', { id: type.id, active: !type.active });
                      if (result.ok) await load();
                      else setError(result.error);
                    }}
                  >
                    {type.active ? t('catalogue.deactivate') : t('catalogue.activate')}
                  </button>
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function TypeForm({ type, onCancel, onSaved, onStale }: { type: ServiceType | null; onCancel: () => void; onSaved: () => Promise<void>; onStale: () => void }) {
  const { t } = useTranslation();
  const { form, errors, busy, error, submit } = useContractForm(contract['catalogue.save'].input, {
    defaultValues: { id: type?.id ?? null, group: type?.group ?? 'other', nameVi: type?.nameVi ?? '', nameEn: type?.nameEn ?? '', version: type?.version ?? null },
    focus: 'nameVi',
  });
  // Changed at another PC since the form opened: the type as it is now (her typing stays).
  const { now, afterSave } = useNowSaved(
    async () => foundIn(await call('catalogue.list', {}), type?.id),
    (fresh) => {
      form.setValue('version', fresh.version);
      onStale();
    },
  );
  const save = async (values: ChannelInput<'catalogue.save'>) => afterSave(await call('catalogue.save', values));
  return (
    <form noValidate className="panel" onSubmit={form.handleSubmit((values) => submit(() => save(values), onSaved))}>
      <h2>{type ? t('catalogue.editTitle', { name: type.nameVi }) : t('catalogue.add')}</h2>
      <div className="form-grid">
        <SelectField label={t('catalogue.group')} registration={form.register('group')} error={errors.group} disabled={(type?.used ?? 0) > 0} hint={(type?.used ?? 0) > 0 ? t('catalogue.groupLocked') : undefined}>
          <VocabularyOptions list="serviceGroup" values={SERVICE_GROUPS} />
        </SelectField>
        <span />
        <Field label={t('catalogue.nameVi')} registration={form.register('nameVi')} error={errors.nameVi} />
        <Field label={t('catalogue.nameEn')} registration={form.register('nameEn')} error={errors.nameEn} />
      </div>
      <ErrorText error={error} />
      {now ? (
        <NowSavedFacts
          facts={[
            [t('catalogue.group'), t(`vocabulary.serviceGroup.${now.group}`)],
            [t('catalogue.nameVi'), now.nameVi],
            [t('catalogue.nameEn'), now.nameEn],
          ]}
        />
      ) : null}
      <FormActions onCancel={onCancel} busy={busy} />
    </form>
  );
}
