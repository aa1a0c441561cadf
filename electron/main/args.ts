import { resolve } from 'node:path';

/** `--data-dir <folder>` or `--data-dir=<folder>`: open a vault elsewhere (training copies, tests). */
export function dataDirFromArgs(argv: readonly string[]): string | null {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--data-dir' && argv[i + 1]) return resolve(argv[i + 1] as string);
    if (arg.startsWith('--data-dir=') && arg.length > '--data-dir='.length) return resolve(arg.slice('--data-dir='.length));
  }
  return null;
}
