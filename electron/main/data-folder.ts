import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, parse } from 'node:path';
import { sha256Of } from '../core/files.ts';
import { flushFile, syncFolder, writeFileAtomic } from '../core/files.ts';

/*
 * Where the vault lives, chosen without Electron so it can be tested. On Windows it belongs in
 * the local, non-roaming profile (%LOCALAPPDATA%): with folder redirection the roaming one
 * (%APPDATA%, Electron's userData) can sit on a network share, where SQLite's write-ahead log
 * is not safe. Elsewhere Electron's userData is already local.
 */

export interface DataFolderInput {
  platform: NodeJS.Platform;
  env: Readonly<Record<string, string | undefined>>;
  home: string;
  /** Electron's `app.getPath('userData')` (roaming on Windows). */
  userData: string;
  /** The product's folder name under the profile, as Electron names userData's. */
  productName: string;
}

export interface DataFolderChoice {
  folder: string;
  /** Where earlier versions kept it, to be moved from once; null where nothing moved. */
  earlier: string | null;
}

export function chooseDataFolder(input: DataFolderInput): DataFolderChoice {
  const roaming = join(input.userData, 'data');
  if (input.platform !== 'win32') return { folder: roaming, earlier: null };
  const local = input.env.LOCALAPPDATA || join(input.home, 'AppData', 'Local');
  return { folder: join(local, input.productName, 'data'), earlier: roaming };
}

/** What the one-time move did, for the log (no paths: a path can hold a person's name). */
export type MoveOutcome =
  | 'nothing-to-move'
  | 'moved'
  /** The new place already had data; the earlier folder is left alone (an administrator decides). */
  | 'both-present'
  /** Copying or checking failed: nothing changed, the earlier folder is used this time, tried again at the next start. */
  | 'kept-in-place'
  /** The earlier folder cannot be looked at (a redirected profile's share offline): open nothing. */
  | 'unreachable'
  /** A failed move could not be undone: open nothing until the next start settles it. */
  | 'stuck';

const MOVING_SUFFIX = '.moving';
const MOVED_OUT_SUFFIX = '.moved-out';
/** Written into the copy once every file in it was compared with its source. */
const VERIFIED_MARK = '.move-verified';

/**
 * Whether a folder holds anything (a vault, or what a restore cut short left), or cannot be
 * looked at: a share that does not answer, or a drive letter that is not mapped.
 */
function probe(folder: string): 'data' | 'none' | 'unreachable' {
  try {
    return readdirSync(folder).some((name) => name !== VERIFIED_MARK) ? 'data' : 'none';
  } catch (error) {
    const code = (error as { code?: string } | null)?.code;
    if (code !== 'ENOENT') return 'unreachable';
    return existsSync(parse(folder).root) ? 'none' : 'unreachable';
  }
}

const holdsData = (folder: string) => probe(folder) === 'data';

/** The points between the move's steps; tests stop the process at each to prove it resumes. */
export type MoveStep = 'file-copied' | 'copied' | 'set-aside' | 'in-place';

/**
 * Move the vault folder from where an earlier version kept it, once, so that an interruption
 * or a failure at any moment loses nothing and never opens an empty folder beside a full one:
 *
 * 1. copy every file into `<folder>.moving`, flushed, compare each with its source (size and
 *    SHA-256), then mark the copy verified; a copy left unmarked by an interruption is thrown
 *    away and made again;
 * 2. rename the earlier folder to `<earlier>.moved-out`: from here on the copy is the vault;
 * 3. rename the copy into place;
 * 4. remove the earlier folder (so that no second copy of the database outlives an erasure),
 *    then the mark.
 *
 * At the next start, which folders exist, and the mark, say how far it got. Returns the folder
 * to open (null: open nothing, see the outcome).
 */
export function moveDataFolderOnce(
  earlier: string | null,
  folder: string,
  log: (line: string) => void,
  onStep: (step: MoveStep) => void = () => {},
): { folder: string | null; outcome: MoveOutcome } {
  if (!earlier || earlier === folder) return { folder, outcome: 'nothing-to-move' };
  const staging = `${folder}${MOVING_SUFFIX}`;
  const movedOut = `${earlier}${MOVED_OUT_SUFFIX}`;

  if (holdsData(folder)) {
    // Steps 3 (and perhaps 4) happened, or the new place was set up on its own. What this move
    // set aside goes only when the mark in the new folder says the copy there was verified.
    if (existsSync(join(folder, VERIFIED_MARK))) {
      rmSync(movedOut, { recursive: true, force: true });
      rmSync(join(folder, VERIFIED_MARK), { force: true });
    } else if (existsSync(movedOut)) {
      log('[data] an earlier data folder set aside was found and left for an administrator');
    }
    if (holdsData(earlier)) {
      log('[data] data exists in both the earlier and the new data folder; the new one is used');
      return { folder, outcome: 'both-present' };
    }
    return { folder, outcome: 'nothing-to-move' };
  }

  try {
    if (existsSync(movedOut) && existsSync(join(staging, VERIFIED_MARK))) {
      // Step 2 happened after the copy was verified: it is whole.
      finishMove(staging, folder, movedOut, onStep);
      return { folder, outcome: 'moved' };
    }
    // Set aside without a verified copy beside it: it goes back, and the move starts again.
    if (existsSync(movedOut) && !existsSync(earlier)) renameSync(movedOut, earlier);
    const before = probe(earlier);
    // A redirected profile whose share is offline: the vault may be there; never start afresh.
    if (before === 'unreachable') {
      log('[data] the earlier data folder cannot be reached; nothing is opened');
      return { folder: null, outcome: 'unreachable' };
    }
    if (before === 'none') return { folder, outcome: 'nothing-to-move' };

    rmSync(staging, { recursive: true, force: true });
    mkdirSync(dirname(staging), { recursive: true });
    copyTreeChecked(earlier, staging, onStep);
    writeFileAtomic(join(staging, VERIFIED_MARK), '');
    onStep('copied');
    renameSync(earlier, movedOut);
    onStep('set-aside');
    finishMove(staging, folder, movedOut, onStep);
    log('[data] the data folder was moved to the local profile');
    return { folder, outcome: 'moved' };
  } catch (error) {
    log(`[data] the data folder could not be moved (${(error as { code?: string } | null)?.code ?? 'error'})`);
    if (holdsData(folder)) return { folder, outcome: 'moved' };
    try {
      // The earlier folder back first; only then may the copy go (if its removal stops half-way,
      // the mark goes first, so a part of a copy is never taken for a whole one).
      if (!existsSync(earlier) && existsSync(movedOut)) renameSync(movedOut, earlier);
      rmSync(join(staging, VERIFIED_MARK), { force: true });
      rmSync(staging, { recursive: true, force: true });
    } catch {
      if (!holdsData(earlier)) {
        log('[data] the unfinished move could not be undone; nothing is opened until the next start');
        return { folder: null, outcome: 'stuck' };
      }
    }
    return { folder: earlier, outcome: 'kept-in-place' };
  }
}

function finishMove(staging: string, folder: string, movedOut: string, onStep: (step: MoveStep) => void): void {
  // An empty folder in the way is not a vault; anything else there is not ours to remove.
  if (existsSync(folder)) rmdirSync(folder);
  renameSync(staging, folder);
  syncFolder(dirname(folder));
  onStep('in-place');
  rmSync(movedOut, { recursive: true, force: true });
  rmSync(join(folder, VERIFIED_MARK), { force: true });
}

/** Copy a folder tree, flush every file, and prove each copy equal to its source. */
function copyTreeChecked(source: string, target: string, onStep: (step: MoveStep) => void): void {
  mkdirSync(target, { recursive: true });
  for (const entry of readdirSync(source, { withFileTypes: true })) {
    const from = join(source, entry.name);
    const to = join(target, entry.name);
    if (entry.isDirectory()) {
      copyTreeChecked(from, to, onStep);
      continue;
    }
    if (!entry.isFile()) continue;
    copyFileSync(from, to);
    flushFile(to);
    if (statSync(from).size !== statSync(to).size || sha256Of(from) !== sha256Of(to)) {
      throw Object.assign(new Error('a copied file differs from its source'), { code: 'COPY_DIFFERS' });
    }
    onStep('file-copied');
  }
  syncFolder(target);
}
