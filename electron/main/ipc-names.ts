/** IPC message names shared by main and preload (no Electron imports here). */
export const IPC = {
  invoke: 'dong-hanh:invoke',
  locked: 'dong-hanh:locked',
} as const;
