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
