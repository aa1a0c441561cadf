import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { call, dropAllState } from '../../api.ts';

const TOUCH_EVERY_MS = 30_000;
const EVENTS = ['keydown', 'pointerdown', 'pointermove', 'wheel', 'touchstart'] as const;

/** Tell core someone is here (at most every 30 s), so the idle lock waits while she works. */
export function useActivityReporting(): void {
  useEffect(() => {
    let last = 0;
    const report = () => {
      const now = Date.now();
      if (now - last < TOUCH_EVERY_MS) return;
      last = now;
      void call('session.touch', {});
    };
    for (const name of EVENTS) window.addEventListener(name, report, { passive: true });
    return () => {
      for (const name of EVENTS) window.removeEventListener(name, report);
    };
  }, []);
}

/* Ending or pausing a session: core closes the vault, then the page drops all it holds. */

export async function lockNow(): Promise<void> {
  await call('auth.lock', {});
  dropAllState();
}

export function LogoutButton() {
  const { t } = useTranslation();
  return (
    <button
      type="button"
      onClick={async () => {
        await call('auth.logout', {});
        dropAllState();
      }}
    >
      {t('nav.logout')}
    </button>
  );
}

/** Ctrl+L (Cmd+L on a Mac) locks at once, from anywhere in the app. */
export function useQuickLockShortcut(): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 'l') {
        event.preventDefault();
        void lockNow();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

/**
 * Ctrl+Enter (Cmd+Enter on a Mac) sends the form the focus is in, from any of its fields, as
 * its save button would (the form's own checks run first).
 */
export function useSubmitShortcut(): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!(event.ctrlKey || event.metaKey) || event.altKey || event.key !== 'Enter') return;
      const target = event.target instanceof Element ? event.target : null;
      // A part with its own save inside a form (a partner added from a referral) saves that part.
      const part = target?.closest('[data-form-part]');
      const form = target?.closest('form');
      const button = (part ?? form)?.querySelector<HTMLButtonElement>(part ? 'button.primary' : 'button[type="submit"]');
      if (!form && !part) return;
      event.preventDefault();
      if (button?.disabled) return;
      if (part) button?.click();
      else form?.requestSubmit(button ?? undefined);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
