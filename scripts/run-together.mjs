// Runs npm scripts side by side (`node scripts/run-together.mjs test:e2e test:crash`), each line
// of their output prefixed with the script's name, and fails when any of them fails. `npm test`
// runs the crash harness (one process writing and being killed) beside the end-to-end tests
// (one browser at a time), so the two cores are both at work and CI stays well within its time.
import { spawn } from 'node:child_process';

const names = process.argv.slice(2);
if (names.length === 0) {
  console.error('usage: node scripts/run-together.mjs <npm script> [<npm script> ...]');
  process.exit(2);
}

const started = Date.now();
const results = await Promise.all(
  names.map(
    (name) =>
      new Promise((resolve) => {
        const child = spawn('npm', ['run', '--silent', name], { stdio: ['ignore', 'pipe', 'pipe'], shell: process.platform === 'win32' });
        for (const stream of [child.stdout, child.stderr]) {
          let rest = '';
          stream.setEncoding('utf8');
          stream.on('data', (chunk) => {
            const lines = (rest + chunk).split('\n');
            rest = lines.pop() ?? '';
            for (const line of lines) process.stdout.write(`[${name}] ${line}\n`);
          });
          stream.on('end', () => {
            if (rest) process.stdout.write(`[${name}] ${rest}\n`);
          });
        }
        child.on('close', (code, signal) => resolve({ name, code: code ?? 1, signal, seconds: Math.round((Date.now() - started) / 1000) }));
      }),
  ),
);
for (const { name, code, signal, seconds } of results) console.log(`${name}: ${code === 0 ? 'passed' : `failed (${signal ?? `exit ${code}`})`} after ${seconds} s`);
process.exit(results.every((result) => result.code === 0) ? 0 : 1);
