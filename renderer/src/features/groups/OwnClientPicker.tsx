import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { call } from '../../api.ts';

export interface PickedClient {
  clientId: number;
  code: string;
  alias: string;
}

/**
 * The clients she holds, found by code or a word of the alias (as the client list finds them),
 * added to a list with a button each; each added one can be taken off again. Closed cases are
 * not offered: no service can be recorded for them.
 */
export function OwnClientPicker({ chosen, onChange, label }: { chosen: PickedClient[]; onChange: (clients: PickedClient[]) => void; label: string }) {
  const { t } = useTranslation();
  const id = useId();
  const [search, setSearch] = useState('');
  const [found, setFound] = useState<PickedClient[]>([]);
  useEffect(() => {
    if (!search.trim()) {
      setFound([]);
      return;
    }
    const timer = setTimeout(() => {
      void call('clients.list', { search, mine: true, status: 'open', limit: 8 }).then((result) => {
        if (result.ok) setFound(result.value.rows.map((row) => ({ clientId: row.id, code: row.code, alias: row.alias })));
      });
    }, 200);
    return () => clearTimeout(timer);
  }, [search]);
  const offered = found.filter((client) => !chosen.some((each) => each.clientId === client.clientId));
  return (
    <fieldset className="field client-picker">
      <legend>{label}</legend>
      <div className="field narrow">
        <label htmlFor={`${id}-search`}>{t('groups.findClient')}</label>
        <input id={`${id}-search`} type="search" value={search} autoComplete="off" aria-describedby={`${id}-hint`} onChange={(event) => setSearch(event.target.value)} />
        <p className="hint" id={`${id}-hint`}>
          {t('groups.findClientHint')}
        </p>
      </div>
      {search.trim() ? (
        <ul className="picker-results" aria-label={t('groups.found')}>
          {offered.length === 0 ? <li className="muted">{t('groups.noneFound')}</li> : null}
          {offered.map((client) => (
            <li key={client.clientId}>
              <span className="code">{client.code}</span> · {client.alias}{' '}
              <button
                type="button"
                aria-label={t('groups.addClient', { code: client.code })}
                onClick={() => {
                  // Added: the search starts again, for the next one.
                  onChange([...chosen, client]);
                  setSearch('');
                  document.getElementById(`${id}-search`)?.focus();
                }}
              >
                {t('groups.add')}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <p aria-live="polite" className="muted">
        {t('groups.chosenCount', { count: chosen.length })}
      </p>
      {chosen.length ? (
        <ul className="picker-chosen" aria-label={t('groups.chosen')}>
          {chosen.map((client) => (
            <li key={client.clientId}>
              <span className="code">{client.code}</span> · {client.alias}{' '}
              <button type="button" onClick={() => onChange(chosen.filter((each) => each.clientId !== client.clientId))} aria-label={t('groups.removeClient', { code: client.code })}>
                {t('groups.remove')}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </fieldset>
  );
}
