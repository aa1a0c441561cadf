import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ShellNotice } from '../../../../electron/contract/index.ts';
import { onShellNotice } from '../../api.ts';

/**
 * What the shell says about itself (a second start refused, the window or the core's thread
 * reopened after a failure), one at a time in a modal dialog over whatever screen is showing:
 * the keyboard stays inside it, Enter or Escape closes it.
 */
export function ShellNotices() {
  const { t } = useTranslation();
  const [waiting, setWaiting] = useState<ShellNotice[]>([]);
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const bodyId = useId();

  useEffect(() => onShellNotice((notice) => setWaiting((list) => [...list, notice])), []);

  const notice = waiting[0];
  useEffect(() => {
    const element = dialog.current;
    if (notice && element && !element.open) element.showModal();
  }, [notice]);

  if (!notice) return null;
  const next = () => setWaiting((list) => list.slice(1));
  return (
    <dialog ref={dialog} className="shell-notice" aria-labelledby={titleId} aria-describedby={bodyId} onClose={next}>
      <h2 id={titleId}>{t(`shellNotice.${notice.kind}Title`)}</h2>
      <p id={bodyId}>{notice.kind === 'otherDataFolder' ? t('shellNotice.otherDataFolder', { folder: notice.folder }) : t(`shellNotice.${notice.kind}`)}</p>
      <form method="dialog" className="actions">
        <button type="submit" className="primary" autoFocus>
          {t('shellNotice.ok')}
        </button>
      </form>
    </dialog>
  );
}
