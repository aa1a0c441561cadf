import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PARTNER_KINDS, type Partner, type PartnerKind } from '../../../../electron/contract/index.ts';
import { call, type ClientErrorPayload } from '../../api.ts';
import { ErrorText } from '../../components/ErrorText.tsx';

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
  const fieldError = (path: string) =>
    problem(path) ? (
      <p className="field-error" id={`${id}-${path}-error`}>
        {t(`validation.${problem(path)}`, { defaultValue: t('validation.invalid') })}
      </p>
    ) : null;
  const described = (path: string) => (problem(path) ? `${id}-${path}-error` : undefined);
  // A field's words go as soon as it is changed.
  const changed = (path: string) => setError((current) => (current?.code === 'VALIDATION' ? { ...current, issues: (current.issues ?? []).filter((issue) => issue.path !== path) } : current));

  const add = async () => {
    setBusy(true);
    const result = await call('partners.add', { name, kind: kind || (undefined as never), wardCode: null, contact });
    setBusy(false);
    if (!result.ok) return setError(result.error);
    setError(null);
    onAdded(result.value);
  };

  return (
    <fieldset className="subpanel add-partner">
      <legend>{t('partnerAdd.title')}</legend>
      <p className="hint">{t('partnerAdd.hint')}</p>
      <div className="form-grid">
        <div className="field">
          <label htmlFor={`${id}-name`}>{t('partners.name')}</label>
          <input id={`${id}-name`} value={name} onChange={(event) => {
              setName(event.target.value);
              changed('name');
            }} autoComplete="off" aria-invalid={problem('name') ? true : undefined} aria-describedby={described('name')} />
          {fieldError('name')}
        </div>
        <div className="field">
          <label htmlFor={`${id}-kind`}>{t('partners.kind')}</label>
          <select id={`${id}-kind`} value={kind} onChange={(event) => {
              setKind(event.target.value as PartnerKind | '');
              changed('kind');
            }} aria-invalid={problem('kind') ? true : undefined} aria-describedby={described('kind')}>
            <option value="">{t('partnerAdd.chooseKind')}</option>
            {PARTNER_KINDS.map((each) => (
              <option key={each} value={each}>
                {t(`vocabulary.partnerKind.${each}`)}
              </option>
            ))}
          </select>
          {fieldError('kind')}
        </div>
        <div className="field">
          <label htmlFor={`${id}-contact`}>{t('partners.contact')}</label>
          <input id={`${id}-contact`} value={contact} onChange={(event) => {
              setContact(event.target.value);
              changed('contact');
            }} autoComplete="off" aria-invalid={problem('contact') ? true : undefined} aria-describedby={described('contact')} />
          {fieldError('contact')}
        </div>
      </div>
      <ErrorText error={error?.code === 'VALIDATION' ? null : error} />
      <div className="actions">
        {onCancel ? (
          <button type="button" onClick={onCancel}>
            {t('common.cancel')}
          </button>
        ) : null}
        <button type="button" className="primary" disabled={busy} onClick={() => void add()}>
          {t('partnerAdd.add')}
        </button>
      </div>
    </fieldset>
  );
}
