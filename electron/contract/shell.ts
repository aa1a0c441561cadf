import { z } from 'zod';

/**
 * What the shell tells the window about itself (never about data): the window says it in the
 * person's language. `otherDataFolder`: the app was started again for another data folder
 * while this one was open, and that start was refused. `windowRestarted`: the window's page
 * stopped and was loaded again (the session was locked first). `coreRestarted`: the core's
 * thread stopped and was started again, locked.
 */
export const shellNoticeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('otherDataFolder'), folder: z.string().max(4096) }),
  z.object({ kind: z.literal('windowRestarted') }),
  z.object({ kind: z.literal('coreRestarted') }),
]);
export type ShellNotice = z.infer<typeof shellNoticeSchema>;

/**
 * How far a long call (an import) has come, as core reports it while it runs: counts only,
 * never data. The window may ask it to stop (`stop`); a call that stops writes nothing.
 */
export const callProgressSchema = z.object({ channel: z.string().max(60), done: z.number().int().min(0), total: z.number().int().min(0) });
export type CallProgress = z.infer<typeof callProgressSchema>;
