import { APP_ORIGIN } from './app-protocol.ts';

/*
 * Who may call the gate, and what the window may load. Pure functions (no Electron import) so
 * tests hold them; main wires them to Electron's events.
 */

export function isAppUrl(url: string): boolean {
  return url.startsWith(`${APP_ORIGIN}/`);
}

/** Only the app's own window, its top frame, showing the app's own page. */
export function isTrustedSender(args: {
  sender: unknown;
  appContents: unknown;
  frame: { url: string } | null;
  mainFrame: unknown;
}): boolean {
  return (
    args.appContents !== null &&
    args.sender === args.appContents &&
    args.frame !== null &&
    args.frame === args.mainFrame &&
    isAppUrl(args.frame.url)
  );
}

/** Every request that is not for the app's own files is cancelled (DevTools only in development). */
export function shouldCancelRequest(url: string, packaged: boolean): boolean {
  if (isAppUrl(url)) return false;
  if (!packaged && url.startsWith('devtools://')) return false;
  return true;
}
