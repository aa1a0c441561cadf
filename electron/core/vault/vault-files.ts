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

/**
 * The setting, in the database, set once the keyring carries proofs (at setup, or when a 0.1.0
 * keyring is taken over): from then on a keyring without a proof is refused like one whose
 * proof fails, so stripping the proof from the file does not lead back to the take-over.
 */
export const KEYRING_PROOF_SETTING = 'vault.keyringProof';
