import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { AppError, storageFailure } from '../app-error.ts';
import { isoNow, type Clock } from '../clock.ts';
import { writeFileAtomic } from '../files.ts';
import { SWITCH_FILES } from './vault-files.ts';

/*
 * Putting a staged copy of the vault (a restored backup, a re-keyed database) in the place of
 * the live files, so that a stop at any moment leaves one whole vault: the staged files are
 * whole before a marker is written; the switch moves the live files aside and the staged ones
 * in; the next start carries a switch cut short through, or undoes it.
 */

export type SwitchKind = 'restore' | 'rotate';

type Pair = { database: string; keyring: string };

export class FileSwitch {
  readonly staged: Pair;
  readonly aside: Pair;
  readonly #marker: string;

  constructor(
    readonly live: Pair,
    dataDir: string,
    private readonly clock: Clock,
  ) {
    this.staged = { database: `${live.database}${SWITCH_FILES.staged}`, keyring: `${live.keyring}${SWITCH_FILES.staged}` };
    this.aside = { database: `${live.database}${SWITCH_FILES.aside}`, keyring: `${live.keyring}${SWITCH_FILES.aside}` };
    this.#marker = join(dataDir, SWITCH_FILES.marker);
  }

  /**
   * Put the staged copy in the place of the live files (kept aside after a restore, removed
   * after a rotation). The vault must be closed. On failure the live files are put back, and
   * nothing is lost.
   */
  switchTo(kind: SwitchKind): void {
    // Nothing staged (removed by someone else's stop): nothing to switch to, and nothing may say it was.
    if (!existsSync(this.staged.database) || !existsSync(this.staged.keyring)) throw new AppError('STORAGE_FAILED');
    writeFileAtomic(this.#marker, JSON.stringify({ at: isoNow(this.clock), kind }));
    // Each move is noted, so a failure part-way puts back exactly what was moved, in reverse.
    const moved: [from: string, to: string][] = [];
    try {
      this.#complete((from, to) => {
        renameSync(from, to);
        moved.push([from, to]);
      });
    } catch (error) {
      try {
        for (const [from, to] of moved.reverse()) renameSync(to, from);
        rmSync(this.#marker, { force: true });
      } catch {
        // The marker stays: the next start carries the switch through (the staged copy was checked).
      }
      throw storageFailure(error);
    }
    if (kind === 'rotate') this.removeAside();
    rmSync(this.#marker, { force: true });
  }

  /** Is a switch under way (or cut short and not yet carried through)? */
  get underWay(): boolean {
    return existsSync(this.#marker);
  }

  removeAside(): void {
    for (const path of [this.aside.database, `${this.aside.database}-wal`, `${this.aside.database}-shm`, this.aside.keyring]) rmSync(path, { force: true });
  }

  removeStaged(): void {
    for (const path of [this.staged.database, `${this.staged.database}-wal`, `${this.staged.database}-shm`, this.staged.keyring]) rmSync(path, { force: true });
  }

  /**
   * At start: a switch cut short is finished (the staged copy was checked before the marker
   * was written), or undone when nothing staged is left and a live file is missing; a copy
   * staged without a switch is removed.
   */
  finishInterrupted(): void {
    if (existsSync(this.#marker)) {
      // Staged files are whole before the marker is written: any of them left means the swap
      // was under way (perhaps half done), and is carried on from where it stopped.
      if (existsSync(this.staged.database) || existsSync(this.staged.keyring)) this.#complete();
      else this.#undo();
      if (switchKindOf(this.#marker) === 'rotate' && existsSync(this.live.database) && existsSync(this.live.keyring)) this.removeAside();
      rmSync(this.#marker, { force: true });
    }
    this.removeStaged();
  }

  /**
   * Live files aside (an older copy aside is replaced), the staged ones in their place. The
   * live database's log goes aside with it: if its last checkpoint failed, the writes it holds
   * belong to that copy.
   */
  #complete(move: (from: string, to: string) => void = renameSync): void {
    const { live, staged, aside } = this;
    const liveLog = `${live.database}-wal`;
    if (existsSync(live.database) && existsSync(staged.database)) {
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${aside.database}${suffix}`, { force: true });
      move(live.database, aside.database);
    }
    // Its log follows it (also when a crash came between the two moves): a log left beside the
    // new file would be read into it.
    if (!existsSync(live.database) && existsSync(liveLog)) {
      if (existsSync(aside.database)) move(liveLog, `${aside.database}-wal`);
      else rmSync(liveLog, { force: true });
    }
    if (existsSync(live.keyring) && existsSync(staged.keyring)) {
      rmSync(aside.keyring, { force: true });
      move(live.keyring, aside.keyring);
    }
    // The shared-memory index is rebuilt from the log; a stale one must not meet the new file.
    rmSync(`${live.database}-shm`, { force: true });
    for (const name of ['database', 'keyring'] as const) if (existsSync(staged[name])) move(staged[name], live[name]);
  }

  #undo(): void {
    for (const name of ['database', 'keyring'] as const) {
      if (!existsSync(this.live[name]) && existsSync(this.aside[name])) renameSync(this.aside[name], this.live[name]);
    }
  }
}

/** What an interrupted switch was doing; a marker from before rotations existed means a restore. */
function switchKindOf(marker: string): SwitchKind {
  try {
    return (JSON.parse(readFileSync(marker, 'utf8')) as { kind?: SwitchKind }).kind === 'rotate' ? 'rotate' : 'restore';
  } catch {
    return 'restore';
  }
}
