import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { contract, type ClientPage } from '../../../../electron/contract/index.ts';
import { call } from '../../api.ts';
import { ErrorText } from '../../components/ErrorText.tsx';
import { useContractForm } from '../../components/useContractForm.ts';
import { RecordDetailsFields } from '../clients/RecordDetailsFields.tsx';

/**
 * Correct the record's details (name used, ward, province, work setting): for her worker,
 * while the record is open and not frozen. Every change goes into the history of corrections.
 */
export function RecordDetailsForm({ page, onChanged }: { page: ClientPage; onChanged: () => Promise<void> }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const { form, errors, busy, error, submit } = useContractForm(contract['clients.update'].input, {
    defaultValues: { clientId: page.id, alias: page.alias, wardCode: page.wardCode, provinceCode: page.provinceCode, workSetting: page.workSetting },
  });
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
          () => call('clients.update', values),
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
