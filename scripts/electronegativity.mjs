// Run Electronegativity over the Electron sources and fail on any finding of MEDIUM severity
// or above that is not explained in the README's security section (ACCEPTED below).
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

/** Findings reviewed and explained in README.md ("Security", "Electronegativity"). */
const ACCEPTED = new Set(['PRELOAD_JS_CHECK']);

const require = createRequire(import.meta.url);
const cli = join(require.resolve('@doyensec/electronegativity/package.json'), '..', 'dist', 'index.js');
const electronVersion = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version;

// Scan only what ships: the Electron sources, the renderer's HTML (its CSP) and package.json.
const staging = mkdtempSync(join(tmpdir(), 'electronegativity-'));
const report = join(staging, 'report.csv');
try {
  cpSync('electron', join(staging, 'src', 'electron'), { recursive: true });
  cpSync('renderer/index.html', join(staging, 'src', 'index.html'));
  cpSync('package.json', join(staging, 'src', 'package.json'));
  const run = spawnSync(process.execPath, [cli, '-i', join(staging, 'src'), '-r', '-e', electronVersion, '-o', report, '-v', 'false'], {
    encoding: 'utf8',
    timeout: 180_000,
  });
  if (run.status !== 0) {
    console.error(run.stdout, run.stderr);
    throw new Error(`electronegativity exited with ${run.status}`);
  }
  const rows = readFileSync(report, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [check, severity, confidence, file, location] = line.split(',').map((cell) => cell.replaceAll('"', '').trim());
      return { check, severity, confidence, file, location };
    });
  const serious = rows.filter((row) => ['MEDIUM', 'HIGH', 'CRITICAL'].includes(row.severity));
  const unexplained = serious.filter((row) => !ACCEPTED.has(row.check));
  for (const row of rows) {
    const mark = ACCEPTED.has(row.check) ? 'explained in README' : serious.includes(row) ? 'FAIL' : 'low';
    console.log(`${row.check} ${row.severity}/${row.confidence} ${row.file}:${row.location} (${mark})`);
  }
  if (unexplained.length > 0) {
    console.error(`Electronegativity: ${unexplained.length} finding(s) of medium severity or above are not explained.`);
    process.exitCode = 1;
  } else {
    console.log(`Electronegativity: ${rows.length} finding(s), none of medium severity or above unexplained.`);
  }
} finally {
  rmSync(staging, { recursive: true, force: true });
}
