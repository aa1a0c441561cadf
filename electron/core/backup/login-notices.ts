import { sessionSlot } from '../session-state.ts';

/* What the login screen says after the data was replaced, kept between sessions until someone logs in. */

/** After a restore: when the restored backup was made. */
export const RESTORED_FROM = sessionSlot<string | null>('backup.restoredFrom', () => null);

/** After a key change: everyone logs in again with her own password (the gate says it too, at another PC's next call). */
export { KEY_ROTATED } from '../vault/key-change.ts';

/** After the records moved up to the centre's server: everyone logs in there, with her own password. */
export const MOVED_UP = sessionSlot<boolean>('vault.movedUp', () => false);
