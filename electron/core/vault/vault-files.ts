/** Neutral file names: nothing says what the centre's clients do. */
export const VAULT_FILES = {
  database: 'dong-hanh.db',
  keyring: 'dong-hanh.keyring',
  unlockState: 'dong-hanh.state',
} as const;

/**
 * A restore or a key rotation swaps files: the checked copy (`.restoring`) takes the place of
 * the live files, which are kept aside (`.before-restore`; after a rotation they are removed,
 * since they open with the old key). The marker exists only while they are swapped, so that
 * an interruption is finished (or undone) at the next start.
 */
export const SWITCH_FILES = { staged: '.restoring', aside: '.before-restore', marker: 'dong-hanh.switch' } as const;
