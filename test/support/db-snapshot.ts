import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestApp } from './vault-fixture.ts';
import { VAULT_FILES } from '../../electron/core/vault/vault.ts';
import { sqliteOf } from './file-store.ts';
import type { SqliteHandle } from '../../electron/core/vault/database.ts';
import { ON_SERVER, serverContent } from './store-under-test.ts';

/** A table's rows in a stable order: by row number, or by key for a table without one (anonymous services). */
function rowsInOrder(sqlite: SqliteHandle, name: string): unknown[] {
  const definition = String(sqlite.prepare(`select sql from sqlite_master where type = 'table' and name = ?`).pluck().get(name));
  const order = /without rowid\s*$/i.test(definition) ? '1, 2' : 'rowid';
  return sqlite.prepare(`select * from "${name}" order by ${order}`).all();
}

/**
 * Everything a refused call must not change: every table but the audit trail (which must grow
 * by exactly the refusal) and the keyring file.
 */
export async function contentSnapshot(app: TestApp): Promise<string> {
  if (ON_SERVER) return serverContent(app.dir, ['audit_event']);
  const sqlite = sqliteOf(app.core);
  const tables = sqlite
    .prepare(`select name from sqlite_master where type = 'table' and name not in ('audit_event', 'sqlite_sequence') order by name`)
    .all() as { name: string }[];
  // Full-text indexes (and their shadow tables) only mirror the tables they index.
  const indexed = (name: string) => /_search($|_)/.test(name);
  const content: Record<string, unknown[]> = {};
  for (const { name } of tables.filter((table) => !indexed(table.name))) content[name] = rowsInOrder(sqlite, name);
  return JSON.stringify({ content, keyring: readFileSync(join(app.dir, VAULT_FILES.keyring), 'utf8') });
}

/**
 * What a restore must bring back (or a key rotation keep): every table but the trail, people's
 * last logins, and when the last backup was made and where (noted once a backup is finished,
 * so not in it). With `slots: false`, which key slot each person has is left out too (a rotation moves it).
 */
export function restorableContent(app: TestApp, options: { slots: boolean } = { slots: true }): string {
  const sqlite = sqliteOf(app.core);
  const tables = sqlite.prepare(`select name from sqlite_master where type = 'table' and name not in ('audit_event', 'sqlite_sequence') and name not like '%_search%' order by name`).pluck().all() as string[];
  const rowsOf = (name: string) =>
    rowsInOrder(sqlite, name)
      .filter((row) => !(name === 'setting' && ['backup.lastAt', 'erasure.ledgerFolders'].includes((row as { key: string }).key)))
      .map((row) => (name === 'user' ? { ...(row as object), last_login_at: null, ...(options.slots ? {} : { key_slot_id: null }) } : row));
  return JSON.stringify(Object.fromEntries(tables.map((name) => [name, rowsOf(name)])));
}

/** The trail's last entry, read through the app's own store. */
export async function lastAuditRow(app: TestApp) {
  return app.core.vault.db.selectFrom('audit_event').select(['action', 'outcome', 'error_code', 'actor_user_id']).orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
}

export async function auditCount(app: TestApp): Promise<number> {
  const { n } = await app.core.vault.db.selectFrom('audit_event').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(n);
}
