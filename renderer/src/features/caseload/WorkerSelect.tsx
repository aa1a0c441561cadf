import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { useWorkers } from './useWorkers.ts';

/** Whose cases: "all", or one of the active workers. */
export function WorkerSelect({ value, onChange }: { value: number | null; onChange: (workerId: number | null) => void }) {
  const { t } = useTranslation();
  const id = useId();
  const workers = useWorkers();
  return (
    <div className="field">
      <label htmlFor={id}>{t('clients.worker')}</label>
      <select id={id} value={value ?? ''} onChange={(event) => onChange(Number(event.target.value) || null)}>
        <option value="">{t('common.all')}</option>
        {workers.map((worker) => (
          <option key={worker.id} value={worker.id}>
            {worker.displayName}
          </option>
        ))}
      </select>
    </div>
  );
}
