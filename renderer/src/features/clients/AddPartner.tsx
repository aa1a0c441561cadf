import { useId, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { PARTNER_KINDS, type Partner, type PartnerKind } from '../../../../electron/contract/index.ts';
import { call, type ClientErrorPayload } from '../../api.ts';
import { ErrorText } from '../../components/ErrorText.tsx';
import { FormActions } from '../../components/FormActions.tsx';

/**
 * A partner added where the worker needs it: inside the referral form (so not a form of its
 * own). Name, kind and a contact; partners are organisations, not client data, and managers
 * edit or retire them under Quản trị → Đơn vị tiếp nhận.
 */
export function AddPartner({ onAdded, onCancel }: { onAdded: (partner: Partner) => void; onCancel: (() => void) | null }) {
  const { t } = useTranslation();
  const id = useId();
  const [name, setName] = useState('');
  const [kind, setKind] = useState<PartnerKind | ''>('');
  const [contact, setContact] = useState('');
  const [error, setError] = useState<ClientErrorPayload | null>(null);
  const [busy, setBusy] = useState(false);
  const problem = (path: string) => (error?.code === 'VALIDATION' ? error.issues?.find((issue) => issue.path === path)?.message : undefined);
  // Each field: its label, its control (wired to its words), and its words when refused.
  const controlProps = (path: string) => ({
    id: `${id}-${path}`,
    'aria-invalid': problem(path) ? true : undefined,
    'aria-describedby': problem(path) ? `${id}-${path}-error` : undefined,
  });
  const labelled = (path: string, label: string, control: ReactNode) => (
    <div className="field">
      <label htmlFor={`${id}-${path}`}>{label}</label>
      {control}
      {problem(path) ? (
        <p className="field-error" id={`${id}-${path}-error`}>
          {t(`validation.${problem(path)}`, { defaultValue: t('validation.invalid') })}
        </p>
      ) : null}
    </div>
  );
  // A field's words go as soon as it is changed.
  const edit = <T,>(path: string, set: (value: T) => void, value: T) => {
    set(value);
    setError((current) => (current?.code === 'VALIDATION' ? { ...current, issues: (current.issues ?? []).filter((issue) => issue.path !== path) } : current));
  };

  const add = async () => {
    setBusy(true);
    const result = await call('partners.add', { name, kind: kind || (undefined as never), wardCode: null, contact });
    setBusy(false);
    if (!result.ok) return setError(result.error);
    setError(null);
    onAdded(result.value);
  };

  return (
    <fieldset className="subpanel add-partner" data-form-part>
      <legend>{t('partnerAdd.title')}</legend>
      <p className="hint">{t('partnerAdd.hint')}</p>
      <div className="form-grid">
        {labelled('name', t('partners.name'), <input value={name} onChange={(event) => edit('name', setName, event.target.value)} autoComplete="off" {...controlProps('name')} />)}
        {labelled(
          'kind',
          t('partners.kind'),
          <select value={kind} onChange={(event) => edit('kind', setKind, event.target.value as PartnerKind | '')} {...controlProps('kind')}>
            <option value="">{t('partnerAdd.chooseKind')}</option>
            {PARTNER_KINDS.map((each) => (
              <option key={each} value={each}>
                {t(`vocabulary.partnerKind.${each}`)}
              </option>
            ))}
          </select>,
        )}
        {labelled('contact', t('partners.contact'), <input value={contact} onChange={(event) => edit('contact', setContact, event.target.value)} autoComplete="off" {...controlProps('contact')} />)}
      </div>
      <ErrorText error={error?.code === 'VALIDATION' ? null : error} />
      <FormActions onCancel={onCancel} busy={busy} submitLabel={t('partnerAdd.add')} onSubmit={() => void add()} />
    </fieldset>
  );
}
