/** IPC message names shared by main and preload (no Electron imports here). */
export const IPC = {
  invoke: 'dong-hanh:invoke',
  locked: 'dong-hanh:locked',
  /** A shell notice waits (see notices.ts); the page asks for it with `takeNotices`. */
  noticeWaiting: 'dong-hanh:notice-waiting',
  takeNotices: 'dong-hanh:take-notices',
  /** How far a long call has come (main to the page), and the page asking it to stop. */
  progress: 'dong-hanh:progress',
  stop: 'dong-hanh:stop',
} as const;
