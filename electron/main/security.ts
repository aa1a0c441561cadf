import { app, session, type WebContents } from 'electron';
import { isAppUrl, shouldCancelRequest } from './ipc-guard.ts';

/*
 * Everything the window may not do, in one place: navigate away, open windows, attach
 * webviews, ask for permissions, or reach the network. The renderer needs none of these.
 */

export function hardenSession(): void {
  const defaultSession = session.defaultSession;
  defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  defaultSession.setPermissionCheckHandler(() => false);
  defaultSession.setDevicePermissionHandler(() => false);
  defaultSession.setSpellCheckerEnabled(false);
  // Every request from the window that is not the app's own files is cancelled: no http(s),
  // no ws, no file://. (DevTools, in development only, keeps its own scheme.)
  defaultSession.webRequest.onBeforeRequest((details, callback) => {
    callback({ cancel: shouldCancelRequest(details.url, app.isPackaged) });
  });
}

export function hardenContents(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

export function installGlobalGuards(): void {
  app.on('web-contents-created', (_event, contents) => hardenContents(contents));
}
