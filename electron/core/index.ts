import { auditHandlers } from './audit/handlers.ts';
import { careHandlers } from './care/handlers.ts';
import { groupsHandlers } from './groups/handlers.ts';
import { caseloadHandlers } from './caseload/handlers.ts';
import { reportsHandlers } from './reports/handlers.ts';
import { backupHandlers, backupHooks } from './backup/handlers.ts';
import { erasureHooks } from './erasure/erasure.ts';
import { rightsHandlers } from './rights/handlers.ts';
import { invokeWithPrompt, pathPrompt, type PathPrompt } from './path-prompts.ts';
import { clientsHandlers } from './clients/handlers.ts';
import { authHandlers } from './auth/handlers.ts';
import { Core, type CoreOptions, type LockReason } from './core.ts';
import { Gate } from './gate/gate.ts';
import { combineHandlers } from './gate/registry.ts';
import { settingsHandlers } from './settings/handlers.ts';
import { setupHandlers } from './setup/handlers.ts';
import { usersHandlers } from './users/handlers.ts';

export type { CoreOptions, LockReason };
export { Core, Gate, invokeWithPrompt, pathPrompt, type PathPrompt };

export const handlers = combineHandlers(
  setupHandlers,
  authHandlers,
  usersHandlers,
  auditHandlers,
  settingsHandlers,
  clientsHandlers,
  careHandlers,
  groupsHandlers,
  caseloadHandlers,
  reportsHandlers,
  backupHandlers,
  rightsHandlers,
);

export interface CoreApp {
  core: Core;
  gate: Gate;
}

/** Everything the shell (Electron main, or the test harness) needs: the state and its one door. */
export function createCore(options: CoreOptions): CoreApp {
  const core = new Core({ ...options, hooks: [erasureHooks, backupHooks, ...(options.hooks ?? [])] });
  return { core, gate: new Gate(core, handlers) };
}
