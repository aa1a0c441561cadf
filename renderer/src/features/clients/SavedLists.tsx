import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { foldForSearch, type ClientFilters, type SavedFilter } from '../../../../electron/contract/index.ts';
import { call, type ClientErrorPayload } from '../../api.ts';
import { ErrorText } from '../../components/ErrorText.tsx';
import { useLoaded } from '../../components/useLoaded.ts';

/**
 * Working lists (as DHIS2 calls them): the person's own named filters of the client list, e.g.
 * "my open cases with overdue referrals". Choosing one applies it; the current filters can be
 * saved under a name, or replace the chosen list; a list can be renamed or deleted. Its name is
 * free text that outlives an erasure, so the form says that clients' names do not belong in it.
 */
export function SavedLists({ current, onApply }: { current: ClientFilters; onApply: (filters: SavedFilter['filters']) => void }) {
  const { t } = useTranslation();
  const id = useId();
  const { data: lists, error: loadError, reload } = useLoaded(() => call('savedFilters.list', {}), [] as SavedFilter[]);
  const [chosen, setChosen] = useState<number | null>(null);
  /** Saving the current filters, or renaming the chosen list (its filters stay). */
  const [naming, setNaming] = useState<'save' | 'rename' | null>(null);
  const [name, setName] = useState('');
  const [error, setError] = useState<ClientErrorPayload | null>(null);
  const selected = lists.find((list) => list.id === chosen) ?? null;

  /** A refusal said; a list changed at another PC meanwhile is shown as it is now (nothing was saved over it). */
  const refused = async (payload: ClientErrorPayload) => {
    setError(payload);
    if (payload.code !== 'RECORD_CHANGED') return;
    setNaming(null);
    await reload();
  };

  const save = async () => {
    const sameName = selected && foldForSearch(selected.name) === foldForSearch(name);
    // The search text is not kept (it may be a name).
    const { search: _search, ...filters } = current;
    const result =
      naming === 'rename' && selected
        ? await call('savedFilters.save', { id: selected.id, name, filters: selected.filters, version: selected.version })
        : await call('savedFilters.save', sameName ? { id: selected.id, name, filters, version: selected.version } : { id: null, name, filters, version: null });
    if (!result.ok) return refused(result.error);
    setError(null);
    setNaming(null);
    await reload();
    setChosen(result.value.id);
  };

  return (
    <div className="saved-lists">
      <div className="field">
        <label htmlFor={`${id}-list`}>{t('savedLists.label')}</label>
        <select
          id={`${id}-list`}
          value={chosen ?? ''}
          onChange={(event) => {
            const list = lists.find((each) => each.id === Number(event.target.value));
            setChosen(list?.id ?? null);
            if (list) onApply(list.filters);
          }}
        >
          <option value="">{lists.length ? t('savedLists.choose') : t('savedLists.none')}</option>
          {lists.map((list) => (
            <option key={list.id} value={list.id}>
              {list.name}
            </option>
          ))}
        </select>
      </div>
      {naming ? (
        <form
          className="with-button"
          onSubmit={(event) => {
            event.preventDefault();
            void save();
          }}
        >
          <div className="field">
            <label htmlFor={`${id}-name`}>{t('savedLists.name')}</label>
            <input id={`${id}-name`} value={name} maxLength={60} autoFocus aria-describedby={`${id}-name-hint`} onChange={(event) => setName(event.target.value)} />
            <p className="hint" id={`${id}-name-hint`}>
              {t('savedLists.nameHint')}
            </p>
          </div>
          <button type="button" onClick={() => setNaming(null)}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="primary" disabled={!name.trim()}>
            {t('common.save')}
          </button>
        </form>
      ) : (
        <div className="actions">
          <button
            type="button"
            onClick={() => {
              setName(selected?.name ?? '');
              setNaming('save');
            }}
          >
            {t('savedLists.save')}
          </button>
          {selected ? (
            <button
              type="button"
              onClick={() => {
                setName(selected.name);
                setNaming('rename');
              }}
            >
              {t('savedLists.rename', { name: selected.name })}
            </button>
          ) : null}
          {selected ? (
            <button
              type="button"
              onClick={async () => {
                const result = await call('savedFilters.delete', { id: selected.id, version: selected.version });
                if (!result.ok) return refused(result.error);
                setError(null);
                setChosen(null);
                await reload();
              }}
            >
              {t('savedLists.delete', { name: selected.name })}
            </button>
          ) : null}
        </div>
      )}
      <ErrorText error={error ?? loadError} />
    </div>
  );
}
