import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { CoreThread, type CoreThreadOptions } from '../../electron/core/thread/core-thread.ts';
import { SCRYPT_FLOOR } from '../../electron/core/vault/kdf.ts';
import type { ScryptParams } from '../../electron/core/vault/kdf.ts';
import type { SharedClock } from '../../electron/core/thread/shared-clock.ts';

/*
 * The core's thread started from its source (run under tsx), for tests and the bench that run
 * before a build; the end-to-end harness starts the built `core-worker.js` as main does.
 */

export const WORKER_SOURCE = fileURLToPath(new URL('../../electron/core/thread/worker.ts', import.meta.url));

export interface SourceThread {
  core: CoreThread;
  /** Each worker started, the latest last. */
  workers: Worker[];
  logged: string[];
}

export function startSourceThread(
  dataDir: string,
  options: {
    clock?: SharedClock;
    kdf?: ScryptParams;
    /** A bundled worker (plain JavaScript) instead of the source run under tsx: starts faster. */
    bundled?: string;
  } & Partial<Pick<CoreThreadOptions, 'onStopped' | 'onHop' | 'now'>> = {},
): SourceThread {
  const workers: Worker[] = [];
  const logged: string[] = [];
  const core = CoreThread.start({
    entry: options.bundled ?? WORKER_SOURCE,
    execArgv: options.bundled ? [] : ['--import', 'tsx'],
    data: { dataDir, sharedClock: options.clock?.buffer, kdf: options.kdf ?? { alg: 'scrypt', ...SCRYPT_FLOOR } },
    log: (line) => logged.push(line),
    onWorker: (worker) => workers.push(worker),
    onStopped: options.onStopped,
    onHop: options.onHop,
    now: options.now,
  });
  return { core, workers, logged };
}
