import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { WORKER_SOURCE } from '../support/core-thread.ts';
import { benchFiles, clock, PASSWORD } from './case-records.ts';

/*
 * The core in its own thread at the benchmark's scale, as the shell holds it: the core's worker
 * and a stand-in for Electron main are bundled as the build bundles them (plain JavaScript, no
 * tsx), and the stand-in runs as a process of its own so its heap is as small as the shell's
 * (see thread-main.ts). Its figures: the longest stall of the thread that plays main while the
 * core backs up, checks, changes the key, restores and reports, and the hop's cost for a small call.
 */

export async function threadFigures(clients: number, log: (line: string) => void) {
  const { work, remove } = await benchFiles('thread', clients, log);
  const out = resolve('.bench', 'thread-build');
  mkdirSync(out, { recursive: true });
  const usb = mkdtempSync(join(tmpdir(), 'dh-bench-usb-'));
  try {
    for (const [entry, name] of [
      [WORKER_SOURCE, 'core-worker.mjs'],
      [resolve('test/bench/thread-main.ts'), 'main.mjs'],
    ] as const) {
      await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: join(out, name), logLevel: 'warning' });
    }
    log('Watching the shell\'s thread while the core (in its own) backs up, checks, changes the key, restores and reports…');
    const plan = { work, usb, entry: join(out, 'core-worker.mjs'), now: clock.now(), password: PASSWORD };
    const printed = execFileSync(process.execPath, [join(out, 'main.mjs'), JSON.stringify(plan)], { encoding: 'utf8', maxBuffer: 1 << 20 });
    return JSON.parse(printed.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
  } finally {
    rmSync(usb, { recursive: true, force: true });
    remove();
  }
}
