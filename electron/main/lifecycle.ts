import type { LockReason } from '../core/index.ts';

/*
 * How the app ends and recovers, without Electron, so it can be tested with a real core:
 * quitting, the end of the system session (shutdown, restart, logoff), and a window whose
 * page died. Main passes in Electron's objects; tests pass plain event emitters.
 */

/** What main needs of core here. */
export interface Closable {
  shutdown(reason?: Extract<LockReason, 'quit' | 'shutdown'>): Promise<void>;
  lock(reason: Exclude<LockReason, 'logout'>): Promise<boolean>;
  readonly vault: { readonly isOpen: boolean };
}

/** Electron's BrowserWindow and powerMonitor, or a plain EventEmitter in tests. */
export interface Listenable {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- an emitter's listeners take what its events carry
  on(event: string, listener: (...args: any[]) => void): unknown;
}

/** An Electron event that can be held back (`preventDefault`). */
interface Preventable {
  preventDefault(): void;
}

export interface Shutdown {
  /** Run the exit backup if due, lock and close the database: once, however many signals ask. */
  run(reason: Extract<LockReason, 'quit' | 'shutdown'>): Promise<void>;
  readonly started: boolean;
  readonly finished: boolean;
  /** Whether there is anything to do before the process may end (the vault is open). */
  readonly needed: boolean;
}

/**
 * How long the end of a system session is held back at most: an exit backup to a slow USB
 * stick must not keep a PC from shutting down. Ending the process then loses nothing (every
 * acknowledged write is already on disk; an unfinished backup stays a hidden `.part` folder,
 * removed at the next backup).
 */
export const SESSION_END_LIMIT_MS = 20_000;

export function createShutdown(
  core: Closable,
  quit: () => void,
  log: (line: string) => void,
  /** Ends the process at once (Electron's app.exit), for a shutdown that outlives its limit. */
  exitNow: () => void = quit,
  limitMs = SESSION_END_LIMIT_MS,
): Shutdown {
  let running: Promise<void> | null = null;
  let finished = false;
  return {
    run(reason) {
      if (running) return running;
      // Only the system's end of session has a deadline; quitting may take the time it needs.
      const deadline =
        reason === 'shutdown'
          ? setTimeout(() => {
              log('[shutdown] the system session ended before the shutdown finished');
              exitNow();
            }, limitMs)
          : null;
      running = core
        .shutdown(reason)
        .catch((error: unknown) => log(`[shutdown] ${(error as { code?: string } | null)?.code ?? 'error'}`))
        .finally(() => {
          if (deadline) clearTimeout(deadline);
          finished = true;
          quit();
        });
      return running;
    },
    get started() {
      return running !== null;
    },
    get finished() {
      return finished;
    },
    get needed() {
      return !finished && core.vault.isOpen;
    },
  };
}

/**
 * Electron sends neither `before-quit` nor `will-quit` when the system session ends, which is
 * how a shared office PC's day ends. On Windows the window hears `query-session-end` (the
 * session may still be held back a moment) and then `session-end` (it cannot); on Linux and
 * macOS `powerMonitor` says `shutdown` (held back through a logind delay lock). Each runs the
 * same shutdown; the end of the session is held back only while the vault is open.
 */
export function bindSessionEnd(options: { platform: NodeJS.Platform; window: Listenable; powerMonitor: Listenable; shutdown: Shutdown }): void {
  const { platform, window, powerMonitor, shutdown } = options;
  const endNow = (event?: Preventable) => {
    if (shutdown.needed) event?.preventDefault();
    void shutdown.run('shutdown');
  };
  if (platform === 'win32') {
    window.on('query-session-end', endNow);
    window.on('session-end', () => void shutdown.run('shutdown'));
  } else {
    powerMonitor.on('shutdown', endNow);
  }
}

/** Quitting (the window closed, or app.quit()): held back until the shutdown has run. */
export function onBeforeQuit(shutdown: Shutdown): (event: Preventable) => void {
  return (event) => {
    if (shutdown.finished) return;
    event.preventDefault();
    void shutdown.run('quit');
  };
}

/** How often the page may die in a row before the app stops reloading it. */
export const RENDERER_RESTARTS = { max: 3, withinMs: 60_000 } as const;

/**
 * The window's page died (a crash, killed, out of memory): the session it showed is locked
 * first, so the vault never stays open behind a blank window, then the page is loaded again
 * and told why. A page that keeps dying is not reloaded for ever: after `max` deaths within
 * `withinMs` the app gives up (main says so and quits).
 */
export function createRendererRecovery(options: {
  core: Pick<Closable, 'lock'>;
  /** The app is shutting down: a page dying now is part of that, not a failure. */
  stopping: () => boolean;
  reload: () => void;
  notify: () => void;
  giveUp: () => void;
  now: () => number;
  log: (line: string) => void;
}): (details: { reason: string }) => Promise<void> {
  const deaths: number[] = [];
  let gaveUp = false;
  return async ({ reason }) => {
    // A page that ended normally (the window closing), or while the app stops, is no crash.
    if (reason === 'clean-exit' || gaveUp || options.stopping()) return;
    options.log(`[window] the page stopped: ${reason}`);
    const now = options.now();
    deaths.push(now);
    while (deaths.length && now - (deaths[0] ?? now) > RENDERER_RESTARTS.withinMs) deaths.shift();
    let locked = false;
    try {
      locked = await options.core.lock('window');
    } catch (error) {
      options.log(`[window] lock after the page stopped failed: ${(error as { code?: string } | null)?.code ?? 'error'}`);
    }
    if (deaths.length > RENDERER_RESTARTS.max) {
      gaveUp = true;
      options.giveUp();
      return;
    }
    options.notify();
    // A lock reloads the page itself (core's lock listener); otherwise it is reloaded here.
    if (!locked) options.reload();
  };
}
