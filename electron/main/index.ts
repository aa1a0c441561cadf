import { app, BrowserWindow, dialog, ipcMain, Menu, powerMonitor, protocol, type IpcMainInvokeEvent } from 'electron';
import { join } from 'node:path';
import { CoreThread } from '../core/thread/core-thread.ts';
import { APP_ORIGIN, APP_SCHEME, serveAppUrl } from './app-protocol.ts';
import { chooseDataFolder, moveDataFolderOnce } from './data-folder.ts';
import { IPC } from './ipc-names.ts';
import { isTrustedSender } from './ipc-guard.ts';
import { bindSessionEnd, createRendererRecovery, createShutdown, onBeforeQuit } from './lifecycle.ts';
import { NoticeBox, noticeForSecondStart } from './notices.ts';
import { hardenSession, installGlobalGuards } from './security.ts';
import { dataDirFromArgs } from './args.ts';

/*
 * The Electron shell: a thin adapter. Window, app:// protocol, IPC relayed to the core's thread,
 * and the OS events that must lock the vault. Everything that matters lives in core.
 */

const WINDOW_TITLE = 'Đồng Hành';
/**
 * Shown by the shell itself when the window's page keeps failing (the page, which speaks the
 * person's language, cannot): in both languages.
 */
const NO_DATA_FOLDER = {
  title: 'Đồng Hành',
  message:
    'Không mở được thư mục dữ liệu: thư mục dữ liệu cũ (trong hồ sơ người dùng chuyển vùng của Windows) hiện không truy cập được, hoặc việc chuyển nó sang thư mục cục bộ chưa xong. Ứng dụng chưa mở gì để không tạo dữ liệu trống. Hãy kiểm tra kết nối mạng rồi mở lại; nếu vẫn lỗi, báo cho quản trị viên.\n\n' +
    'The data folder could not be opened: the earlier data folder (in the Windows roaming profile) cannot be reached now, or moving it to the local folder has not finished. The app opened nothing, so as not to start with empty data. Check the network connection and open the app again; if it keeps failing, tell your administrator.',
};
const GAVE_UP = {
  title: 'Đồng Hành',
  message:
    'Cửa sổ ứng dụng gặp sự cố nhiều lần liên tiếp nên ứng dụng sẽ đóng lại. Dữ liệu đã được khoá an toàn; hãy mở lại ứng dụng. Nếu vẫn lỗi, báo cho quản trị viên.\n\n' +
    'The app window failed several times in a row, so the app will close. The data was locked safely; open the app again. If it keeps failing, tell your administrator.',
};
const CORE_GAVE_UP = {
  title: 'Đồng Hành',
  message:
    'Phần xử lý dữ liệu của ứng dụng dừng đột ngột nhiều lần liên tiếp nên ứng dụng sẽ đóng lại. Dữ liệu đã được khoá an toàn; mọi việc đã lưu vẫn còn. Hãy mở lại ứng dụng; nếu vẫn lỗi, báo cho quản trị viên.\n\n' +
    'The part of the app that keeps the data stopped several times in a row, so the app will close. The data was locked safely; everything saved is still there. Open the app again; if it keeps failing, tell your administrator.',
};
const IDLE_CHECK_MS = 15_000;
/** How often to see whether an automatic backup is due. */
const BACKUP_CHECK_MS = 10 * 60_000;

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

const log = (line: string) => console.error(line);
/** The vault folder this start asks for: `--data-dir`, or the default (see data-folder.ts). */
const explicitDataDir = dataDirFromArgs(process.argv);
const defaultDataFolder = chooseDataFolder({
  platform: process.platform,
  env: process.env,
  home: app.getPath('home'),
  userData: app.getPath('userData'),
  productName: app.getName(),
});
const requestedDataDir = explicitDataDir ?? defaultDataFolder.folder;

// One app at a time: a second start hands its folder to this one (which says so if it differs) and ends.
if (!app.requestSingleInstanceLock({ dataDir: requestedDataDir })) {
  app.quit();
} else {
  start();
}

function start(): void {
  const dataDir = explicitDataDir ?? moveDataFolderOnce(defaultDataFolder.earlier, defaultDataFolder.folder, log).folder;
  if (!dataDir) {
    // The vault may be in a folder that cannot be reached now: never offer to set up a new one.
    void app.whenReady().then(() => {
      dialog.showErrorBox(NO_DATA_FOLDER.title, NO_DATA_FOLDER.message);
      app.quit();
    });
    return;
  }
  let window: BrowserWindow | null = null;
  const notices = new NoticeBox(() => window?.webContents.send(IPC.noticeWaiting));
  // The core (vault, keys, every row) lives in a worker thread of its own: this thread keeps
  // the window, the dialogs and the OS events, and answers them while a backup runs.
  const core = CoreThread.start({
    entry: join(import.meta.dirname, 'core-worker.js'),
    data: { dataDir },
    log,
    onProgress: (progress) => window?.webContents.send(IPC.progress, progress),
    onStopped: (outcome) => {
      if (outcome === 'gaveUp') {
        dialog.showErrorBox(CORE_GAVE_UP.title, CORE_GAVE_UP.message);
        app.quit();
        return;
      }
      // Restarted locked: the page is loaded again (dropping all it held), then told why (a
      // notice posted before the reload could be taken by the page that is going away).
      window?.webContents.once('did-finish-load', () => notices.post({ kind: 'coreRestarted' }));
      window?.webContents.reload();
    },
  });
  const shutdown = createShutdown(core, () => app.quit(), log, () => app.exit(0));
  /** A promise main starts and does not wait for: a failure is logged (its code), never thrown. */
  const quietly = (what: string, promise: Promise<unknown>) =>
    void promise.catch((error: unknown) => log(`[${what}] ${(error as { code?: string } | null)?.code ?? 'error'}`));

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
    // A call that works on a file or folder: the person picks it in the system's dialog (once
    // the gate has checked she may make the call); the window never names a path. Cancelling is
    // passed on (and recorded) as no path.
    return core.invoke(channel, input, async (prompt) => {
      if (!window) return null;
      if (prompt.kind === 'saveFile') {
        const choice = await dialog.showSaveDialog(window, {
          defaultPath: join(app.getPath('documents'), prompt.fileName),
          filters: [{ name: prompt.extension.toUpperCase(), extensions: [prompt.extension] }],
          properties: ['showOverwriteConfirmation', 'createDirectory'],
        });
        return choice.canceled || !choice.filePath ? null : choice.filePath;
      }
      if (prompt.kind === 'openFile') {
        const choice = await dialog.showOpenDialog(window, { defaultPath: app.getPath('documents'), filters: [{ name: prompt.extensions.map((ending) => ending.toUpperCase()).join(', '), extensions: [...prompt.extensions] }], properties: ['openFile'] });
        return choice.canceled ? null : (choice.filePaths[0] ?? null);
      }
      const choice = await dialog.showOpenDialog(window, { defaultPath: app.getPath('documents'), properties: ['openDirectory', 'createDirectory'] });
      return choice.canceled ? null : (choice.filePaths[0] ?? null);
    });
  });
  ipcMain.handle(IPC.takeNotices, (event) => (isTrusted(event) ? notices.take() : []));
  ipcMain.handle(IPC.stop, (event) => {
    if (isTrusted(event)) core.stop();
  });

  // After any lock the page must drop what it holds: tell it, and reload it from here too, so
  // this does not depend on the page doing so.
  core.onLocked(() => {
    window?.webContents.send(IPC.locked);
    window?.webContents.reload();
  });

  app.on('second-instance', (_event, _argv, _workingDirectory, additionalData) => {
    const notice = noticeForSecondStart(requestedDataDir, additionalData);
    if (notice) notices.post(notice);
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });

  app.on('before-quit', onBeforeQuit(shutdown));

  app.on('window-all-closed', () => app.quit());

  void app.whenReady().then(() => {
    Menu.setApplicationMenu(null);
    hardenSession();
    const rendererRoot = join(import.meta.dirname, '../renderer');
    protocol.handle(APP_SCHEME, (request) => serveAppUrl(rendererRoot, request.url));

    powerMonitor.on('lock-screen', () => quietly('lock', core.lock('os')));
    powerMonitor.on('suspend', () => quietly('lock', core.lock('os')));
    setInterval(() => quietly('idle', core.checkIdle()), IDLE_CHECK_MS).unref();
    // A backup that fails is logged and audited by core; nothing it throws may escape the timer.
    setInterval(() => quietly('backup', core.scheduledBackup()), BACKUP_CHECK_MS).unref();

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
    bindSessionEnd({ platform: process.platform, window, powerMonitor, shutdown });
    const recover = createRendererRecovery({
      core,
      stopping: () => shutdown.started,
      reload: () => window?.webContents.reload(),
      notify: () => notices.post({ kind: 'windowRestarted' }),
      giveUp: () => {
        dialog.showErrorBox(GAVE_UP.title, GAVE_UP.message);
        void shutdown.run('quit');
      },
      now: Date.now,
      log,
    });
    window.webContents.on('render-process-gone', (_event, details) => quietly('window', recover(details)));
    void window.loadURL(`${APP_ORIGIN}/index.html`);
  });
}
