import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { CallResult, ClientErrorPayload } from '../../api.ts';
import { ErrorText } from '../../components/ErrorText.tsx';
import { formatDate } from '../../i18n/format.ts';

export interface IssuedCode {
  recoveryCode: string;
  confirmGroup: number;
  groupCount: number;
}

/**
 * The recovery code, large and grouped for reading aloud, with a print view that carries the
 * centre and the date. Used at first run and when an admin makes a new code.
 */
export function RecoveryCodeSheet({
  issued,
  centreName,
  centreCode,
  children,
}: {
  issued: IssuedCode;
  centreName: string;
  centreCode: string;
  /** Further buttons, shown beside Print. */
  children?: ReactNode;
}) {
  const { t } = useTranslation();
  const groups = issued.recoveryCode.split('-');
  return (
    <>
      <section className="recovery-sheet" aria-labelledby="recovery-code-label">
        <p className="screen-only">{t('setup.codeIntro')}</p>
        <div className="print-only">
          <h1>{t('setup.printTitle')}</h1>
          <p>{t('setup.printCentre', { name: centreName, code: centreCode })}</p>
          <p>{t('setup.printDate', { date: formatDate(new Date()) })}</p>
        </div>
        <p id="recovery-code-label" className="recovery-label">
          {t('setup.codeLabel')}
        </p>
        <p className="recovery-code" data-testid="recovery-code" aria-label={issued.recoveryCode.split('').join(' ')}>
          {groups.map((group, index) => (
            <span key={index} className="recovery-group" data-group={group}>
              <span className="group-number" aria-hidden="true">
                {index + 1}
              </span>
              {group}
            </span>
          ))}
        </p>
        <p className="print-only">{t('setup.printWarning')}</p>
      </section>
      <div className="actions screen-only">
        <button type="button" onClick={() => window.print()}>
          {t('setup.printCode')}
        </button>
        {children}
      </div>
    </>
  );
}

/** The new code shown, to print or write down, with "cancel" and "I have written it down". */
export function RecoveryCodeStep({
  issued,
  centreName,
  centreCode,
  onCancel,
  onWritten,
}: {
  issued: IssuedCode;
  centreName: string;
  centreCode: string;
  onCancel: () => void;
  onWritten: () => void;
}) {
  const { t } = useTranslation();
  return (
    <RecoveryCodeSheet issued={issued} centreName={centreName} centreCode={centreCode}>
      <button type="button" onClick={onCancel}>
        {t('common.cancel')}
      </button>
      <button type="button" className="primary" onClick={onWritten}>
        {t('setup.writtenDown')}
      </button>
    </RecoveryCodeSheet>
  );
}

/** Type back one group of the code: proof it was written down before it is put to use. */
export function RecoveryConfirmForm({
  issued,
  submitLabel,
  confirm,
  onConfirmed,
  onShowAgain,
}: {
  issued: IssuedCode;
  submitLabel: string;
  confirm: (confirmation: string) => Promise<CallResult<unknown>>;
  onConfirmed: () => void | Promise<void>;
  onShowAgain: () => void;
}) {
  const { t } = useTranslation();
  const id = useId();
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ClientErrorPayload | null>(null);
  const input = useRef<HTMLInputElement | null>(null);
  useEffect(() => input.current?.focus(), []);

  return (
    <form
      noValidate
      onSubmit={async (event) => {
        event.preventDefault();
        setBusy(true);
        setError(null);
        const result = await confirm(value);
        setBusy(false);
        if (result.ok) await onConfirmed();
        else {
          setError(result.error);
          input.current?.focus();
        }
      }}
    >
      <p>{t('setup.confirmIntro', { group: issued.confirmGroup, count: issued.groupCount })}</p>
      <div className="field narrow">
        <label htmlFor={id}>{t('setup.confirmLabel', { group: issued.confirmGroup })}</label>
        <input
          id={id}
          ref={input}
          className="code-input"
          value={value}
          maxLength={9}
          autoComplete="off"
          spellCheck={false}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
          onChange={(event) => setValue(event.target.value)}
        />
      </div>
      <ErrorText error={error} id={`${id}-error`} />
      <div className="actions">
        <button type="button" onClick={onShowAgain}>
          {t('setup.showCodeAgain')}
        </button>
        <button type="submit" className="primary" disabled={busy || value.trim().length === 0}>
          {busy ? t('common.working') : submitLabel}
        </button>
      </div>
    </form>
  );
}
