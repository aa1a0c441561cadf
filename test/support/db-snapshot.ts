import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestApp } from './vault-fixture.ts';
import { VAULT_FILES } from '../../electron/core/vault/vault.ts';

/**
 * Everything a refused call must not change: every table but the audit trail (which must grow
 * by exactly the refusal) and the keyring file.
 */
export function contentSnapshot(app: TestApp): string {
  const sqlite = app.core.vault.sqlite;
  const tables = sqlite
    .prepare(`select name from sqlite_master where type = 'table' and name not in ('audit_event', 'sqlite_sequence') order by name`)
    .all() as { name: string }[];
  // Full-text indexes (and their shadow tables) only mirror the tables they index.
  const indexed = (name: string) => /_search($|_)/.test(name);
  const content: Record<string, unknown[]> = {};
  for (const { name } of tables.filter((table) => !indexed(table.name))) {
    content[name] = sqlite.prepare(`select * from "${name}" order by rowid`).all();
  }
  return JSON.stringify({ content, keyring: readFileSync(join(app.dir, VAULT_FILES.keyring), 'utf8') });
}

export function lastAuditRow(app: TestApp) {
  return app.core.vault.sqlite.prepare('select * from audit_event order by id desc limit 1').get() as {
    action: string;
    outcome: string;
    error_code: string | null;
    actor_user_id: number | null;
  };
}

export function auditCount(app: TestApp): number {
  return (app.core.vault.sqlite.prepare('select count(*) as n from audit_event').get() as { n: number }).n;
}
