import type { Kysely } from 'kysely';
import { AppError } from '../app-error.ts';
import type { Database } from '../db/schema.ts';
import { isPersonSlot, passwordSlotKeys, sealPasswordSlot, withoutSlot, withSlot, type Keyring } from './key-slots.ts';
import { recoverySlotFor } from './staging.ts';
import type { KeyringChange } from './store.ts';

/**
 * What both stores hold while open, and do alike with it: the keyring, the data key and the
 * open database, and the slot changes prepared in memory (the slow key derivation) before a
 * call writes them.
 * How the keyring is written differs (a file beside the database, or the server's keyring
 * row in the call's transaction), and is each store's own.
 */
export abstract class OpenKeys {
  #keyring: Keyring | null = null;
  #dataKey: Buffer | null = null;
  #db: Kysely<Database> | null = null;

  get isOpen(): boolean {
    return this.#db !== null;
  }

  /** The open database; NOT_AUTHENTICATED when locked (the gate checks first; this is the backstop). */
  get db(): Kysely<Database> {
    if (!this.#db) throw new AppError('NOT_AUTHENTICATED');
    return this.#db;
  }

  /** The open keyring; NOT_AUTHENTICATED when locked. */
  protected get keyring(): Keyring {
    if (!this.#keyring) throw new AppError('NOT_AUTHENTICATED');
    return this.#keyring;
  }

  protected set keyring(keyring: Keyring) {
    this.#keyring = keyring;
  }

  /** The keyring if open (a training vault says so while open), else null. */
  protected get keyringIfOpen(): Keyring | null {
    return this.#keyring;
  }

  /** The open data key; NOT_AUTHENTICATED when locked. */
  protected get dataKey(): Buffer {
    if (!this.#dataKey) throw new AppError('NOT_AUTHENTICATED');
    return this.#dataKey;
  }

  /** Hold the keys and the database of a store just opened (the data key is owned from now on). */
  protected holdOpen(keyring: Keyring, dataKey: Buffer, db: Kysely<Database>): void {
    this.#keyring = keyring;
    this.#dataKey = dataKey;
    this.#db = db;
  }

  /** Forget the keyring, overwrite the data key; the database that was open, for the store to close. */
  protected dropOpen(): Kysely<Database> | null {
    const db = this.#db;
    this.#db = null;
    this.#keyring = null;
    this.#dataKey?.fill(0);
    this.#dataKey = null;
    return db;
  }

  /** Does this password open this person's slot? (Used to confirm the current password.) */
  async verifyPassword(username: string, password: string, slotId: string | null): Promise<boolean> {
    const keyring = this.keyring;
    const slot = keyring.slots.find((s) => s.id === slotId && isPersonSlot(s));
    if (!slot) return false;
    const keys = await passwordSlotKeys(keyring, username, password, slot.kdf);
    keys.kek.fill(0);
    keys.boxKey.fill(0);
    return keys.id === slot.id;
  }

  /** A slot for this person's (new) password, replacing her previous one. Nothing is written yet. */
  async stagePassword(username: string, password: string, replacing: string | null): Promise<KeyringChange> {
    const keyring = this.keyring;
    const slot = await sealPasswordSlot(keyring, username, password, this.dataKey);
    const without = replacing ? withoutSlot(keyring, replacing) : keyring;
    return { keyring: withSlot(without, slot), slotId: slot.id };
  }

  stageRemoval(slotId: string | null): KeyringChange {
    const keyring = this.keyring;
    return { keyring: slotId ? withoutSlot(keyring, slotId) : keyring, slotId: null };
  }

  /** Replace the recovery slot: once saved, the old code stops working. */
  async stageRecoveryCode(code: string): Promise<KeyringChange> {
    const keyring = this.keyring;
    return { keyring: withSlot(keyring, await recoverySlotFor(keyring, code, this.dataKey)), slotId: null };
  }

  get vaultId(): string {
    return this.keyring.vaultId;
  }

  /** The key-derivation parameters new slots get (for the processing register). */
  get kdf(): { N: number; r: number; p: number } {
    const { N, r, p } = this.keyring.kdf;
    return { N, r, p };
  }
}
