import type { HandlerMap } from '../gate/types.ts';
import { listAudit, verifyAudit } from './trail.ts';
import type { Feature } from '../feature.ts';

export const auditHandlers: Pick<HandlerMap, 'audit.list' | 'audit.verify'> = {
  'audit.list': async (input, { db }) => listAudit(db, input),

  'audit.verify': async (_input, { core, db, note }) => {
    const result = await verifyAudit(db, core.vault.dialect);
    note({ detail: { ok: result.ok, checked: result.checked, problem: result.problem } });
    return result;
  },
};

/** The activity log: listed, filtered, and its chain verified. */
export const auditFeature: Feature = { handlers: auditHandlers };
