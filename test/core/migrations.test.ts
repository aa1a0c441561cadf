import { Kysely, SqliteDialect, type CompiledQuery } from 'kysely';
import { describe, expect, it } from 'vitest';
import { clientListInputSchema } from '../../electron/contract/clients.ts';
import { listClients } from '../../electron/core/clients/list.ts';
import type { Database } from '../../electron/core/db/schema.ts';
import { migrations } from '../../migrations/index.ts';
import { copyOfTemplate, loginAs, TODAY, WORKER } from '../support/vault-fixture.ts';

/* One test per migration: it applied, and the queries it was written for use its indexes. */

async function openVault() {
  const app = await copyOfTemplate();
  await loginAs(app, WORKER);
  return app;
}

describe('migrations', () => {
  it('are all applied, in order', async () => {
    const app = await openVault();
    const applied = app.core.vault.sqlite.prepare('select name from kysely_migration order by name').pluck().all();
    expect(applied).toEqual(Object.keys(migrations).sort());
  });

  it('0002 seeds the service catalogue in its sixteen groups', async () => {
    const app = await openVault();
    const groups = app.core.vault.sqlite.prepare('select count(distinct service_group) from service_type').pluck().get();
    expect(groups).toBe(16);
  });

  it('0003: the client search uses the trigram index and the code index, not a scan of every client', async () => {
    const app = await openVault();
    const sqlite = app.core.vault.sqlite;
    const queries: CompiledQuery[] = [];
    const db = new Kysely<Database>({
      dialect: new SqliteDialect({ database: { close: () => {}, prepare: (text: string) => sqlite.prepare(text) } }),
      log: (event) => {
        if (event.level === 'query') queries.push(event.query);
      },
    });
    await listClients(db, clientListInputSchema.parse({ search: 'thu nghiem' }), app.template.ids.worker, TODAY);
    const plans = queries.map((query) =>
      (sqlite.prepare(`explain query plan ${query.sql}`).all(...(query.parameters as unknown[])) as { detail: string }[]).map((row) => row.detail).join('\n'),
    );
    const all = plans.join('\n');
    expect(all).toMatch(/client_search VIRTUAL TABLE INDEX/);
    expect(all).toMatch(/identity_search VIRTUAL TABLE INDEX/);
    expect(all).toMatch(/SEARCH client USING (COVERING )?INDEX sqlite_autoindex_client_1 \(code>\? AND code<\?\)/);
    // No query reads every client row.
    for (const plan of plans) expect(plan.split('\n')).not.toContain('SCAN client');
  });

  it('0003: the indexes follow inserts, renames and deletions', async () => {
    const app = await openVault();
    const ids = async (search: string) => (await app.ok('clients.list', { search, status: 'all' })).rows.map((row) => row.id);
    expect(await ids('chi thu nghiem')).toEqual([app.template.ids.client]);
    await app.ok('clients.update', { clientId: app.template.ids.client, alias: 'Tên Gọi Khác Hẳn', wardCode: null, provinceCode: null, workSetting: null });
    expect(await ids('chi thu nghiem')).toEqual([]);
    expect(await ids('khac han')).toEqual([app.template.ids.client]);
    expect(await ids('mau thu')).toEqual([app.template.ids.client]);
    await app.ok('clients.updateIdentity', { clientId: app.template.ids.client, identity: { legalName: null, phone: null, idNumber: null, address: null } });
    expect(await ids('mau thu')).toEqual([]);
  });
});
