import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';

/**
 * Cancel and save, in that order, at the foot of a form. Cancel either calls back or goes to a
 * page. With `onSubmit`, save is a plain button that calls back: for a part that sits inside
 * another form (a form cannot hold a form).
 */
export function FormActions({
  onCancel,
  cancelTo,
  busy,
  submitLabel,
  onSubmit,
}: {
  onCancel?: (() => void) | null;
  cancelTo?: string;
  busy: boolean;
  submitLabel?: string;
  onSubmit?: () => void;
}) {
  const { t } = useTranslation();
  return (
    <div className="actions">
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
      <button type={onSubmit ? 'button' : 'submit'} className="primary" disabled={busy} onClick={onSubmit}>
        {busy ? t('common.working') : (submitLabel ?? t('common.save'))}
      </button>
    </div>
  );
}
