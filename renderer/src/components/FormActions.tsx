import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';

/** Cancel and save, in that order, at the foot of a form. Cancel either calls back or goes to a page. */
export function FormActions({
  onCancel,
  cancelTo,
  busy,
  submitLabel,
}: {
  onCancel?: () => void;
  cancelTo?: string;
  busy: boolean;
  submitLabel?: string;
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
      <button type="submit" className="primary" disabled={busy}>
        {busy ? t('common.working') : (submitLabel ?? t('common.save'))}
      </button>
    </div>
  );
}
