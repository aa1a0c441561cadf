import { app, BrowserWindow, dialog, ipcMain, Menu, powerMonitor, protocol, type IpcMainInvokeEvent } from 'electron';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createCore, pathPrompt } from '../core/index.ts';
import { APP_ORIGIN, APP_SCHEME, serveAppUrl } from './app-protocol.ts';
import { IPC } from './ipc-names.ts';
import { isTrustedSender } from './ipc-guard.ts';
import { hardenSession, installGlobalGuards } from './security.ts';
import { dataDirFromArgs } from './args.ts';

/*
 * The Electron shell: a thin adapter. Window, app:// protocol, IPC bound to core's gate,
 * and the OS events that must lock the vault. Everything that matters lives in core.
 */

const WINDOW_TITLE = 'Đồng Hành';
const IDLE_CHECK_MS = 15_000;
/** How often to see whether an automatic backup is due. */
const BACKUP_CHECK_MS = 10 * 60_000;

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  start();
}

function nativeBinding(): string | undefined {
  // In development the Electron-built add-on lives beside node_modules (see
  // scripts/electron-native.mjs), so `npm test` keeps its Node-built one. Packaged apps
  // carry an Electron-built add-on in node_modules.
  if (app.isPackaged) return undefined;
  const candidate = join(app.getAppPath(), '.native', `electron-${process.versions.electron}`, 'better_sqlite3.node');
  return existsSync(candidate) ? candidate : undefined;
}

function start(): void {
  const dataDir = dataDirFromArgs(process.argv) ?? join(app.getPath('userData'), 'data');
  const { core, gate } = createCore({
    dataDir,
    nativeBinding: nativeBinding(),
    log: (line) => console.error(line),
  });
  let window: BrowserWindow | null = null;
  let quitting = false;

  installGlobalGuards();

  const isTrusted = (event: IpcMainInvokeEvent): boolean =>
    isTrustedSender({
      sender: event.sender,
      appContents: window?.webContents ?? null,
      frame: event.senderFrame,
      mainFrame: event.sender.mainFrame,
    });

  ipcMain.handle(IPC.invoke, async (event, channel: unknown, input: unknown) => {
    if (!isTrusted(event)) return { ok: false, error: { code: 'FORBIDDEN' } };
    // A call that works on a file or folder: the person picks it in the system's dialog first;
    // the window never names a path. Cancelling is passed on (and recorded) as no path.
    const prompt = pathPrompt(core, channel, input);
    if (prompt && window) {
      if (prompt.kind === 'saveFile') {
        const choice = await dialog.showSaveDialog(window, {
          defaultPath: join(app.getPath('documents'), prompt.fileName),
          filters: [{ name: prompt.extension.toUpperCase(), extensions: [prompt.extension] }],
          properties: ['showOverwriteConfirmation', 'createDirectory'],
        });
        return gate.invoke(channel, input, { path: choice.canceled || !choice.filePath ? null : choice.filePath });
      }
      const choice = await dialog.showOpenDialog(window, { defaultPath: app.getPath('documents'), properties: ['openDirectory', 'createDirectory'] });
      return gate.invoke(channel, input, { path: choice.canceled ? null : (choice.filePaths[0] ?? null) });
    }
    return gate.invoke(channel, input);
  });

  // After any lock the page must drop what it holds: tell it, and reload it from here too, so
  // this does not depend on the page doing so.
  core.onLocked(() => {
    window?.webContents.send(IPC.locked);
    window?.webContents.reload();
  });

  app.on('second-instance', () => {
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });

  app.on('before-quit', (event) => {
    if (quitting) return;
    event.preventDefault();
    quitting = true;
    void core.shutdown().finally(() => app.quit());
  });

  app.on('window-all-closed', () => app.quit());

  void app.whenReady().then(() => {
    Menu.setApplicationMenu(null);
    hardenSession();
    const rendererRoot = join(import.meta.dirname, '../renderer');
    protocol.handle(APP_SCHEME, (request) => serveAppUrl(rendererRoot, request.url));

    powerMonitor.on('lock-screen', () => void core.lock('os'));
    powerMonitor.on('suspend', () => void core.lock('os'));
    setInterval(() => void core.checkIdle(), IDLE_CHECK_MS).unref();
    // A backup that fails is logged and audited by core; nothing it throws may escape the timer.
    setInterval(() => void core.scheduledBackup().catch(() => core.log('[backup] scheduled check failed')), BACKUP_CHECK_MS).unref();

    window = new BrowserWindow({
      title: WINDOW_TITLE,
      width: 1280,
      height: 760,
      minWidth: 1000,
      minHeight: 600,
      show: false,
      backgroundColor: '#f2f6f5',
      autoHideMenuBar: true,
      icon: join(import.meta.dirname, '../../resources/icon.png'),
      webPreferences: {
        preload: join(import.meta.dirname, '../preload/index.cjs'),
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        experimentalFeatures: false,
        webviewTag: false,
        navigateOnDragDrop: false,
        spellcheck: false,
        safeDialogs: true,
        devTools: !app.isPackaged,
        // Middle-click must not open a new window (Electronegativity AUXCLICK_JS_CHECK).
        disableBlinkFeatures: 'Auxclick',
      },
    });
    // The title stays neutral whatever the page does.
    window.on('page-title-updated', (event) => event.preventDefault());
    window.once('ready-to-show', () => window?.show());
    window.on('closed', () => {
      window = null;
    });
    void window.loadURL(`${APP_ORIGIN}/index.html`);
  });
}
