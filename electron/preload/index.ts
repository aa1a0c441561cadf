import { contextBridge, ipcRenderer } from 'electron';
import type { DongHanhBridge } from '../contract/index.ts';
import { IPC } from '../main/ipc-names.ts';

/*
 * The only things the page can reach: `invoke` (one channel, checked again in main and in
 * core), lock notifications, the shell's notices, a long call's progress and asking it to stop. `ipcRenderer` itself never crosses the bridge.
 */
const bridge: DongHanhBridge = {
  invoke: (channel, input) => ipcRenderer.invoke(IPC.invoke, channel, input),
  onLocked: (listener) => {
    const handler = () => listener();
    ipcRenderer.on(IPC.locked, handler);
    return () => ipcRenderer.removeListener(IPC.locked, handler);
  },
  onNotice: (listener) => {
    // What waits is taken now (a page just loaded may have missed the message) and again at each message.
    const take = () =>
      void ipcRenderer
        .invoke(IPC.takeNotices)
        .then((notices: unknown) => {
          if (Array.isArray(notices)) for (const notice of notices) listener(notice);
        })
        .catch(() => undefined);
    ipcRenderer.on(IPC.noticeWaiting, take);
    take();
    return () => ipcRenderer.removeListener(IPC.noticeWaiting, take);
  },
  onProgress: (listener) => {
    const handler = (_event: unknown, progress: unknown) => listener(progress);
    ipcRenderer.on(IPC.progress, handler);
    return () => ipcRenderer.removeListener(IPC.progress, handler);
  },
  stop: () => void ipcRenderer.invoke(IPC.stop).catch(() => undefined),
};

contextBridge.exposeInMainWorld('dongHanh', bridge);
