import { useId, useMemo, useState } from 'react';
import { useController, type Control, type FieldValues, type Path } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { foldForSearch, WARDS } from '../../../electron/contract/index.ts';

const collator = new Intl.Collator('vi');
const SORTED_WARDS = [...WARDS.wards].sort((a, b) => collator.compare(a.name, b.name));

/** The wards whose name holds the text (tones and đ ignored); all of them for no text. */
function wardsMatching(text: string) {
  const folded = foldForSearch(text);
  return folded ? SORTED_WARDS.filter((ward) => foldForSearch(ward.name).includes(folded)) : SORTED_WARDS;
}

/**
 * The 168 wards, communes and special zone of Ho Chi Minh City (2025): a filter box (tones and
 * đ ignored) above a select, because every name starts with "Phường" or "Xã" and the select's
 * own type-ahead cannot help.
 */
export function WardSelect<V extends FieldValues>({ control, name, label }: { control: Control<V>; name: Path<V>; label: string }) {
  const { t } = useTranslation();
  const id = useId();
  const [filter, setFilter] = useState('');
  const { field } = useController({ control, name });
  const options = useMemo(() => wardsMatching(filter), [filter]);
  const selected = SORTED_WARDS.find((ward) => ward.code === field.value);
  return (
    <div className="field ward-select">
      <label htmlFor={`${id}-select`}>{label}</label>
      <div className="ward-row">
        <input
          type="search"
          aria-label={t('clients.wardFilter')}
          placeholder={t('clients.wardFilter')}
          value={filter}
          aria-describedby={filter ? `${id}-found` : undefined}
          onChange={(event) => {
            setFilter(event.target.value);
            // One ward left: it is the one she means, chosen at once (and said so).
            const left = wardsMatching(event.target.value);
            if (left.length === 1) field.onChange(left[0]?.code);
          }}
        />
        <select
          id={`${id}-select`}
          ref={field.ref}
          value={field.value === null || field.value === undefined ? '' : String(field.value)}
          onBlur={field.onBlur}
          onChange={(event) => field.onChange(event.target.value === '' ? null : Number(event.target.value))}
        >
          <option value="">{t('clients.noWard')}</option>
          {selected && !options.includes(selected) ? <option value={selected.code}>{selected.name}</option> : null}
          {options.map((ward) => (
            <option key={ward.code} value={ward.code}>
              {ward.name}
            </option>
          ))}
        </select>
      </div>
      {filter ? (
        <p className="hint" id={`${id}-found`} role="status">
          {options.length === 1 && selected?.code === options[0]?.code ? t('clients.wardChosen', { name: selected?.name }) : t('clients.wardMatches', { count: options.length })}
        </p>
      ) : null}
    </div>
  );
}

export function wardName(code: number | null): string {
  return code === null ? '' : (WARDS.wards.find((ward) => ward.code === code)?.name ?? String(code));
}
