import { auditFeature } from './audit/handlers.ts';
import { authFeature } from './auth/handlers.ts';
import { backupFeature } from './backup/handlers.ts';
import { careFeature } from './care/handlers.ts';
import { caseloadFeature } from './caseload/handlers.ts';
import { clientsFeature } from './clients/handlers.ts';
import { Core, type CoreOptions, type LockReason, type SessionSource } from './core.ts';
import { assemble, type Feature } from './feature.ts';
import { Gate } from './gate/gate.ts';
import { groupsFeature } from './groups/handlers.ts';
import { importFeature } from './import/handlers.ts';
import { invokeWithPrompt, pathPrompt, type PathPrompt } from './path-prompts.ts';
import { reportsFeature } from './reports/handlers.ts';
import { rightsFeature } from './rights/handlers.ts';
import { readSettings } from './settings/centre-settings.ts';
import { settingsFeature } from './settings/handlers.ts';
import { setupFeature } from './setup/handlers.ts';
import { activeSessionUser, activeSlotIds, findUserByUsername, getUser, toSessionUser } from './users/accounts.ts';
import { usersFeature } from './users/handlers.ts';

export type { LockReason };
export { Core, Gate, invokeWithPrompt, pathPrompt, type PathPrompt };

/*
 * The composition root: the features, and the kernel given what it needs of them. Nothing
 * else names them all.
 */

/** Every feature, in the order their hooks run (erasures go again after a restore before anything else). */
const features: readonly Feature[] = [
  setupFeature,
  authFeature,
  usersFeature,
  auditFeature,
  settingsFeature,
  rightsFeature,
  clientsFeature,
  careFeature,
  groupsFeature,
  importFeature,
  caseloadFeature,
  reportsFeature,
  backupFeature,
];

const assembled = assemble(features);
export const handlers = assembled.handlers;

/** The accounts as the kernel sees them: whose key slots count, who a session is, how long until it locks. */
const sessions: SessionSource = {
  activeSlotIds,
  startedSession: async (db, userId, at) => {
    await db.updateTable('user').set({ last_login_at: at }).where('id', '=', userId).execute();
    return toSessionUser(db, await getUser(db, userId));
  },
  sessionOf: async (db, userId) => toSessionUser(db, await getUser(db, userId)),
  activeSessionOf: activeSessionUser,
  userIdOf: async (db, username) => (await findUserByUsername(db, username))?.id ?? null,
  lockTimeoutMinutes: async (db) => (await readSettings(db)).lockTimeoutMinutes,
};

/** What the shell (or a test) chooses; the rest comes from here. */
export type AppOptions = Omit<CoreOptions, 'sessions'>;

export interface CoreApp {
  core: Core;
  gate: Gate;
}

/** Everything the shell (Electron main, or the test harness) needs: the state and its one door. */
export function createCore(options: AppOptions): CoreApp {
  const core = new Core({ ...options, sessions, hooks: [...assembled.hooks, ...(options.hooks ?? [])] });
  return { core, gate: new Gate(core, handlers, assembled.readsAhead) };
}
