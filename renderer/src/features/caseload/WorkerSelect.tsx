import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { useWorkers } from './useWorkers.ts';

/** Whose cases: "all" (or `none`'s words), or one of the active workers. */
export function WorkerSelect({ value, onChange, label, none }: { value: number | null; onChange: (workerId: number | null) => void; label?: string; none?: string }) {
  const { t } = useTranslation();
  const id = useId();
  const workers = useWorkers();
  return (
    <div className="field">
      <label htmlFor={id}>{label ?? t('clients.worker')}</label>
      <select id={id} value={value ?? ''} onChange={(event) => onChange(Number(event.target.value) || null)}>
        <option value="">{none ?? t('common.all')}</option>
        {workers.map((worker) => (
          <option key={worker.id} value={worker.id}>
            {worker.displayName}
          </option>
        ))}
      </select>
    </div>
  );
}
