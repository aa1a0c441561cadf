import { callProgressSchema, shellNoticeSchema, type CallProgress, type AppErrorPayload, type ChannelInput, type ChannelName, type ChannelOutput, type DongHanhBridge, type Result, type ShellNotice } from '../../electron/contract/index.ts';

declare global {
  interface Window {
    dongHanh?: DongHanhBridge;
  }
}

/** The renderer-side error for a call that never reached core (no bridge, IPC failure). */
export type ClientErrorPayload = Omit<AppErrorPayload, 'code'> & { code: AppErrorPayload['code'] | 'OFFLINE' };
export type CallResult<T> = { ok: true; value: T } | { ok: false; error: ClientErrorPayload };

/**
 * The one way the renderer talks to core: typed by the contract, so a renamed channel or a
 * changed field breaks the build, not the app. The renderer's own checks are for convenience;
 * core checks everything again.
 */
export async function call<C extends ChannelName>(channel: C, input: ChannelInput<C>): Promise<CallResult<ChannelOutput<C>>> {
  const bridge = window.dongHanh;
  if (!bridge) return { ok: false, error: { code: 'OFFLINE' } };
  try {
    return (await bridge.invoke(channel, input)) as Result<ChannelOutput<C>>;
  } catch {
    return { ok: false, error: { code: 'OFFLINE' } };
  }
}

/** How far a long call has come (anything malformed is dropped). */
export function onProgress(listener: (progress: CallProgress) => void): () => void {
  return (
    window.dongHanh?.onProgress((raw) => {
      const parsed = callProgressSchema.safeParse(raw);
      if (parsed.success) listener(parsed.data);
    }) ?? (() => {})
  );
}

/** Ask the long call under way to stop. */
export function stopLongCall(): void {
  window.dongHanh?.stop();
}

export function onLocked(listener: () => void): () => void {
  return window.dongHanh?.onLocked(listener) ?? (() => {});
}

/** Notices from the shell (see electron/contract/shell.ts); anything malformed is dropped. */
export function onShellNotice(listener: (notice: ShellNotice) => void): () => void {
  return (
    window.dongHanh?.onNotice((raw) => {
      const parsed = shellNoticeSchema.safeParse(raw);
      if (parsed.success) listener(parsed.data);
    }) ?? (() => {})
  );
}

/**
 * Drop every piece of renderer state (React trees, caches, form values) by reloading the page:
 * used after a lock or logout, so nothing from the session survives in memory.
 */
export function dropAllState(): void {
  window.location.hash = '';
  window.location.reload();
}
