import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';

/**
 * Cancel and save, in that order, at the foot of a form. Cancel either calls back or goes to a
 * page. With `onSubmit`, save is a plain button that calls back: for a part that sits inside
 * another form (a form cannot hold a form). A long form's bar is `sticky`: it stays at the foot
 * of the window, saying that Ctrl+Enter saves from any field.
 */
export function FormActions({
  onCancel,
  cancelTo,
  busy,
  submitLabel,
  onSubmit,
  sticky = false,
  disabled = false,
}: {
  onCancel?: (() => void) | null;
  cancelTo?: string;
  busy: boolean;
  submitLabel?: string;
  onSubmit?: () => void;
  sticky?: boolean;
  /** Save cannot be pressed yet (something above must be answered first). */
  disabled?: boolean;
}) {
  const { t } = useTranslation();
  return (
    <div className={sticky ? 'actions sticky' : 'actions'}>
      {onCancel ? (
        <button type="button" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      ) : null}
      {cancelTo ? (
        <Link className="button" to={cancelTo}>
          {t('common.cancel')}
        </Link>
      ) : null}
      <button type={onSubmit ? 'button' : 'submit'} className="primary" disabled={busy || disabled} onClick={onSubmit}>
        {busy ? t('common.working') : (submitLabel ?? t('common.save'))}
      </button>
      {sticky ? <span className="shortcut">{t('common.saveShortcut')}</span> : null}
    </div>
  );
}
