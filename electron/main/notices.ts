import { resolve } from 'node:path';
import type { ShellNotice } from '../contract/index.ts';

/*
 * Notices from the shell to the window, kept until the page takes them: a page that is
 * loading (after a crash, say) has no listener yet, so each notice waits here and the page
 * asks for what waits when it starts listening, and again whenever it is told one arrived.
 */
export class NoticeBox {
  #waiting: ShellNotice[] = [];
  readonly #arrived: () => void;

  /** `arrived` tells the page that something waits (main: a message to the window). */
  constructor(arrived: () => void) {
    this.#arrived = arrived;
  }

  post(notice: ShellNotice): void {
    // The same notice twice in a row says nothing new.
    const last = this.#waiting.at(-1);
    if (!last || JSON.stringify(last) !== JSON.stringify(notice)) this.#waiting.push(notice);
    try {
      this.#arrived();
    } catch {
      // The window is gone or going: the notice waits for the next page that asks.
    }
  }

  take(): ShellNotice[] {
    const taken = this.#waiting;
    this.#waiting = [];
    return taken;
  }
}

/**
 * A second start of the app while it runs: Electron's single-instance lock ends that process,
 * and this one hears of it. When it asked for another data folder than the one open here,
 * the window says so (which folder, and that it was not opened); otherwise it is only brought
 * to the front. `requested` is what the second start sent (its own `--data-dir`, resolved
 * there, or its default folder).
 */
export function noticeForSecondStart(openFolder: string, requested: unknown): ShellNotice | null {
  const folder = typeof requested === 'object' && requested !== null ? (requested as { dataDir?: unknown }).dataDir : undefined;
  if (typeof folder !== 'string' || folder.length === 0) return null;
  return samePath(folder, openFolder) ? null : { kind: 'otherDataFolder', folder };
}

function samePath(a: string, b: string): boolean {
  const [x, y] = [resolve(a), resolve(b)];
  // Windows paths are not case-sensitive.
  return process.platform === 'win32' ? x.toLowerCase() === y.toLowerCase() : x === y;
}
