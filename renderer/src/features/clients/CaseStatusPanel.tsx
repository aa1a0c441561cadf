import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CLOSE_REASONS, type ClientPage } from '../../../../electron/contract/index.ts';
import { call, type ClientErrorPayload } from '../../api.ts';
import { ErrorText } from '../../components/ErrorText.tsx';
import { todayIso } from '../../i18n/format.ts';
import { VocabularyOptions } from '../../components/SelectField.tsx';

/** Close the case with a reason, or reopen it. */
export function CaseStatusPanel({ page, onChanged }: { page: ClientPage; onChanged: () => Promise<void> }) {
  const { t } = useTranslation();
  const [reason, setReason] = useState<(typeof CLOSE_REASONS)[number] | ''>('');
  const [error, setError] = useState<ClientErrorPayload | null>(null);
  const act = async (request: () => ReturnType<typeof call>) => {
    const result = await request();
    if (result.ok) {
      setError(null);
      await onChanged();
    } else setError(result.error);
  };
  return (
    <section className="panel" aria-labelledby="case-title">
      <h2 id="case-title">{t('case.title')}</h2>
      {page.status === 'open' ? (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            if (reason) void act(() => call('clients.close', { clientId: page.id, reason, on: todayIso() }));
          }}
        >
          <div className="field">
            <label htmlFor="close-reason">{t('case.reason')}</label>
            <select id="close-reason" value={reason} onChange={(event) => setReason(event.target.value as typeof reason)}>
              <option value="">{t('case.chooseReason')}</option>
              <VocabularyOptions list="closeReason" values={CLOSE_REASONS} />
            </select>
          </div>
          <button type="submit" disabled={!reason}>
            {t('case.close')}
          </button>
        </form>
      ) : (
        <button type="button" onClick={() => void act(() => call('clients.reopen', { clientId: page.id, on: todayIso() }))}>
          {t('case.reopen')}
        </button>
      )}
      <ErrorText error={error} />
    </section>
  );
}
