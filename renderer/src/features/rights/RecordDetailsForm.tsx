import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { contract, type ChannelInput, type ClientPage } from '../../../../electron/contract/index.ts';
import { call } from '../../api.ts';
import { ErrorText } from '../../components/ErrorText.tsx';
import { useNowSaved } from '../../components/useNowSaved.ts';
import { useContractForm } from '../../components/useContractForm.ts';
import { RecordDetailsFields } from '../clients/RecordDetailsFields.tsx';
import { NowSaved } from './NowSaved.tsx';

type ClientUpdate = ChannelInput<'clients.update'>;

/**
 * Correct the record's details (name used, ward, province, work setting): for her worker,
 * while the record is open and not frozen. Every change goes into the history of corrections.
 */
export function RecordDetailsForm({ page, onChanged }: { page: ClientPage; onChanged: () => Promise<void> }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const { form, errors, busy, error, submit } = useContractForm(contract['clients.update'].input, {
    defaultValues: { clientId: page.id, alias: page.alias, wardCode: page.wardCode, provinceCode: page.provinceCode, workSetting: page.workSetting, version: page.detailsVersion },
  });
  // Changed at another PC since the page was loaded: the record as it is now (her typing stays).
  const { now, afterSave } = useNowSaved<ClientPage>(
    async () => {
      const fresh = await call('clients.get', { clientId: page.id });
      return fresh.ok ? fresh.value : undefined;
    },
    (fresh) => form.setValue('version', fresh.detailsVersion),
  );
  const save = async (values: ClientUpdate) => afterSave(await call('clients.update', values));
  if (!open) {
    return (
      <button type="button" onClick={() => setOpen(true)}>
        {t('rights.correct')}
      </button>
    );
  }
  return (
    <form
      noValidate
      className="panel"
      aria-labelledby="correct-title"
      onSubmit={form.handleSubmit((values) =>
        submit(
          () => save(values),
          async () => {
            setOpen(false);
            await onChanged();
          },
        ),
      )}
    >
      <h2 id="correct-title">{t('rights.correctTitle')}</h2>
      <RecordDetailsFields control={form.control} register={form.register} errors={errors} />
      <ErrorText error={error} />
      {now ? (
        <NowSaved
          entity="client"
          values={[
            ['alias', now.alias],
            ['wardCode', now.wardCode],
            ['provinceCode', now.provinceCode],
            ['workSetting', now.workSetting],
          ]}
        />
      ) : null}
      <div className="actions">
        <button type="button" onClick={() => setOpen(false)}>
          {t('common.cancel')}
        </button>
        <button type="submit" className="primary" disabled={busy}>
          {t('common.save')}
        </button>
      </div>
    </form>
  );
}
