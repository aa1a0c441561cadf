import { writeSync } from 'node:fs';
import { createCore } from '../../electron/core/index.ts';
import { systemClock } from '../../electron/core/clock.ts';
import { SCRYPT_FLOOR } from '../../electron/core/vault/kdf.ts';
import { makeBackup } from '../support/backups.ts';

/*
 * The process the crash harness kills. It opens the vault as a worker would (login through
 * the gate) and writes without pause through the real gate: visits, new clients, now and then
 * a backup or a new temporary password for a colleague (a keyring write beside the commit).
 * After each write the gate acknowledged, it prints one line saying what was acknowledged
 * (and before a password reset or a backup, a line saying it begins); the harness holds the
 * database and the keyring to every line it read, and times its kills from those lines.
 *
 * Plan (argv[2], JSON): { dir, backupDir, run, username, password, colleagueId, clientId, serviceTypeId, visitOn, register, resetAt, backupAt, backups }
 * The same writer works against the centre's server when `dir` is a PC connected to one.
 */

interface Plan {
  dir: string;
  backupDir: string;
  run: number;
  username: string;
  password: string;
  /** Whose password is reset now and then (not the writer's own: it logs in with its own each run). */
  colleagueId: number;
  clientId: number;
  serviceTypeId: number;
  visitOn: string;
  /** A registration input; the writer varies its names so that each one is a new person. */
  register: Record<string, unknown>;
  /** The write (counted from 0) that resets the colleague's password, if any. */
  resetAt: number | null;
  /** The write that makes a backup, if any (besides one every 20 writes). */
  backupAt: number | null;
  /** False on the centre's server (its backups are not made by the app yet). */
  backups?: boolean;
}

const letters = (index: number) => String.fromCharCode(65 + Math.floor(index / 26) % 26, 97 + (index % 26));
const plan = JSON.parse(process.argv[2] ?? '{}') as Plan;
const say = (line: string) => writeSync(1, `${line}\n`);
const app = createCore({ dataDir: plan.dir, clock: systemClock, calibrateKdf: async () => ({ alg: 'scrypt', ...SCRYPT_FLOOR }), log: () => {} });

async function main(): Promise<void> {
  const login = await app.gate.invoke('auth.login', { username: plan.username, password: plan.password });
  if (!login.ok) throw new Error(`login: ${login.error.code}`);
  say('ready');
  for (let n = 0; ; n++) {
    if (n === plan.resetAt) {
      const password = `tam-thoi-sap-nguon-${plan.run}-${n}`;
      say(`resetting ${password}`);
      const reset = await app.gate.invoke('users.resetPassword', { id: plan.colleagueId, temporaryPassword: password });
      if (!reset.ok) throw new Error(`reset: ${reset.error.code}`);
      say(`password ${password}`);
    } else if (plan.backups !== false && (n === plan.backupAt || n % 20 === 10)) {
      say('backing-up');
      const made = await makeBackup(app.gate, plan.backupDir);
      const backup = made.ok ? made.value.backup : null;
      if (backup) say(`backup ${backup.folderName}`);
      else if (!made.ok && made.error.code !== 'STORAGE_FAILED') throw new Error(`backup: ${made.error.code}`);
    } else if (n % 5 === 4) {
      // The client code comes from the parents' initials: two letters each, counted through.
      const k = plan.run * 100 + Math.floor(n / 5);
      const result = await app.gate.invoke('clients.register', { ...plan.register, alias: `Thử Sập Nguồn ${plan.run}x${n}`, motherName: `${letters(k % 676)}a`, fatherName: `${letters(Math.floor(k / 676))}a` });
      if (!result.ok) throw new Error(`register: ${result.error.code}`);
      say(`client ${(result.value as { clientId: number }).clientId}`);
    } else {
      const note = `crash-${plan.run}-${n}`;
      const result = await app.gate.invoke('visits.record', { clientId: plan.clientId, visitOn: plan.visitOn, place: 'centre', serviceTypeIds: [plan.serviceTypeId], note });
      if (!result.ok) throw new Error(`visit: ${result.error.code}`);
      say(`visit ${note}`);
    }
  }
}

main().catch((error: unknown) => {
  say(`error ${error instanceof Error ? error.message : 'unknown'}`);
  process.exit(1);
});
