import type { Core } from '../../electron/core/core.ts';
import type { SqliteHandle } from '../../electron/core/vault/database.ts';
import { Vault } from '../../electron/core/vault/vault.ts';

/**
 * The open file store's own SQLite handle, for tests that read or change the file beneath the
 * app (a row tampered with, a page count). Only the file store has one: such a test says so by
 * asking here, and fails plainly on another store.
 */
export function sqliteOf(core: Core): SqliteHandle {
  if (!(core.vault instanceof Vault)) throw new Error('this test reads the file store beneath the app');
  return core.vault.sqlite;
}
