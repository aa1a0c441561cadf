// Build the database add-on for Electron's ABI into .native/electron-<version>/, beside (not
// instead of) the Node-built one in node_modules, so `npm test` (Node) and `npm start`
// (Electron) both work on one checkout. Main loads it through better-sqlite3's
// `nativeBinding` option. Runs once per Electron version; needs Electron's headers (network).
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const electronVersion = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version;
const target = join(root, '.native', `electron-${electronVersion}`);
const binary = join(target, 'better_sqlite3.node');

if (existsSync(binary)) process.exit(0);

const source = dirname(require.resolve('better-sqlite3-multiple-ciphers/package.json'));
const work = join(root, '.native', 'build');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
cpSync(source, work, { recursive: true, filter: (path) => !path.includes(`${source}/build`) });

console.log(`Building the database module for Electron ${electronVersion} (once)…`);
const nodeGyp = require.resolve('node-gyp/bin/node-gyp.js');
const result = spawnSync(
  process.execPath,
  [nodeGyp, 'rebuild', '--release', `--target=${electronVersion}`, '--runtime=electron', '--dist-url=https://electronjs.org/headers'],
  { cwd: work, stdio: 'inherit' },
);
if (result.status !== 0) {
  console.error('Could not build the database module for Electron. See the README, section "Starting the app".');
  process.exit(result.status ?? 1);
}
mkdirSync(target, { recursive: true });
cpSync(join(work, 'build', 'Release', 'better_sqlite3.node'), binary);
rmSync(work, { recursive: true, force: true });
