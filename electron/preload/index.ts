import { contextBridge, ipcRenderer } from 'electron';
import type { DongHanhBridge } from '../contract/index.ts';
import { IPC } from '../main/ipc-names.ts';

/*
 * The only things the page can reach: `invoke` (one channel, checked again in main and in
 * core) and lock notifications. `ipcRenderer` itself never crosses the bridge.
 */
const bridge: DongHanhBridge = {
  invoke: (channel, input) => ipcRenderer.invoke(IPC.invoke, channel, input),
  onLocked: (listener) => {
    const handler = () => listener();
    ipcRenderer.on(IPC.locked, handler);
    return () => ipcRenderer.removeListener(IPC.locked, handler);
  },
};

contextBridge.exposeInMainWorld('dongHanh', bridge);
