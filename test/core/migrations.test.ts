import { Kysely, SqliteDialect, type CompiledQuery } from 'kysely';
import { describe, expect, it } from 'vitest';
import { clientListInputSchema } from '../../electron/contract/clients.ts';
import { CASELOAD_DEFAULTS } from '../../electron/contract/settings.ts';
import { listClients } from '../../electron/core/clients/list.ts';
import { todoCountsByWorker, todoList } from '../../electron/core/caseload/todo.ts';
import type { Database } from '../../electron/core/db/schema.ts';
import { migrations } from '../../migrations/index.ts';
import { ADMIN, copyOfTemplate, detailsVersion, identityVersion, loginAs, MANAGER, migrateTo, openApp, TODAY, WORKER } from '../support/vault-fixture.ts';
import { sqliteOf } from '../support/file-store.ts';
import type { SqliteHandle } from '../../electron/core/vault/database.ts';
import { fileSealer } from '../../electron/core/vault/column-sealers.ts';
import { sqliteDialect } from '../../electron/core/db/dialect.ts';

function planOf(sqlite: SqliteHandle, text: string, ...parameters: unknown[]): string {
  return (sqlite.prepare(`explain query plan ${text}`).all(...parameters) as { detail: string }[]).map((row) => row.detail).join('\n');
}

/* One test per migration: it applied, and the queries it was written for use its indexes. */

async function openVault() {
  const app = await copyOfTemplate();
  await loginAs(app, WORKER);
  return app;
}

describe('migrations', () => {
  it('are all applied, in order', async () => {
    const app = await openVault();
    const applied = sqliteOf(app.core).prepare('select name from kysely_migration order by name').pluck().all();
    expect(applied).toEqual(Object.keys(migrations).sort());
  });

  it('0002 seeds the service catalogue in its sixteen groups', async () => {
    const app = await openVault();
    const groups = sqliteOf(app.core).prepare('select count(distinct service_group) from service_type').pluck().get();
    expect(groups).toBe(16);
  });

  it('0003: the client search uses the trigram index and the code index, not a scan of every client', async () => {
    const app = await openVault();
    const sqlite = sqliteOf(app.core);
    const queries: CompiledQuery[] = [];
    const db = new Kysely<Database>({
      dialect: new SqliteDialect({ database: { close: () => {}, prepare: (text: string) => sqlite.prepare(text) } }),
      log: (event) => {
        if (event.level === 'query') queries.push(event.query);
      },
    });
    await listClients(db, clientListInputSchema.parse({ search: 'thu nghiem' }), app.template.ids.worker, TODAY, CASELOAD_DEFAULTS, { columns: fileSealer, index: null });
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
    await app.ok('clients.update', { clientId: app.template.ids.client, alias: 'Tên Gọi Khác Hẳn', wardCode: null, provinceCode: null, workSetting: null, version: await detailsVersion(app, app.template.ids.client) });
    expect(await ids('chi thu nghiem')).toEqual([]);
    expect(await ids('khac han')).toEqual([app.template.ids.client]);
    expect(await ids('mau thu')).toEqual([app.template.ids.client]);
    await app.ok('clients.updateIdentity', { clientId: app.template.ids.client, identity: { legalName: null, phone: null, idNumber: null, address: null }, version: await identityVersion(app, app.template.ids.client) });
    expect(await ids('mau thu')).toEqual([]);
  });

  it('0003 and 0009 index the names already written: the trigram and the word indexes find old clients', async () => {
    // A vault made before 0003, with a client and her legal name as 0002 wrote them.
    const { dir, app: old } = await migrateTo('0002');
    const sqlite = sqliteOf(old.core);
    sqlite.exec(`insert into client (code, alias, alias_folded, birth_year, sex, child_path, status, assigned_worker_id, registered_on, registered_by, open_referrals)
                 values ('OLDC90-1', 'Thử Cũ Út', 'thu cu ut', 1990, 'female', 0, 'open', 1, '2025-03-01', 1, 0)`);
    sqlite.exec(`insert into client_identity (client_id, legal_name, legal_name_folded, updated_at, updated_by) values (1, 'Mẫu Thị Vy', 'mau thi vy', '2025-03-01T02:00:00.000Z', 1)`);
    await old.core.shutdown();

    const app = openApp(dir);
    await loginAs(app, ADMIN);
    const db = sqliteOf(app.core);
    const found = (index: string, query: string) => db.prepare(`select rowid from ${index} where ${index} match ?`).pluck().all(query);
    // 0003: three letters and more, anywhere in the name.
    expect(found('client_search', '"cu u"')).toEqual([1]);
    expect(found('identity_search', '"thi v"')).toEqual([1]);
    // 0009: the start of any word from one letter on ("ut", "vy").
    expect(found('client_words', 'ut*')).toEqual([1]);
    expect(found('identity_words', 'vy*')).toEqual([1]);
    expect(found('identity_words', 'v*')).toEqual([1]);
    expect(found('client_words', 'x*')).toEqual([]);
  });

  it('0012 counts the services and referrals already written by month, and keeps counting after', async () => {
    // A vault made before 0012: a client, two visits' services and three referrals as 0011 wrote them.
    const { dir, app: old } = await migrateTo('0011');
    const sqlite = sqliteOf(old.core);
    sqlite.exec(`insert into client (code, alias, alias_folded, birth_year, sex, child_path, status, assigned_worker_id, registered_on, registered_by, open_referrals)
                 values ('OLDC90-1', 'Thử Cũ', 'thu cu', 1990, 'female', 0, 'open', 1, '2025-03-01', 1, 1)`);
    for (const [visitOn, types] of [['2025-03-01', [1, 2]], ['2025-04-15', [2]]] as const) {
      const visit = sqlite.prepare(`insert into visit (client_id, visit_on, place, worker_id, recorded_at) values (1, ?, 'centre', 1, 'x')`).run(visitOn).lastInsertRowid;
      for (const type of types) sqlite.prepare('insert into service (visit_id, client_id, service_type_id, service_on, worker_id) values (?, 1, ?, ?, 1)').run(visit, type, visitOn);
    }
    for (const [status, proposed, completed] of [['completed', '2025-03-01', '2025-03-11'], ['completed', '2025-03-05', '2025-03-15'], ['sent', '2025-04-02', null]]) {
      sqlite.prepare(`insert into referral (client_id, service_type_id, status, proposed_on, completed_on, created_by, created_at) values (1, 3, ?, ?, ?, 1, 'x')`).run(status, proposed, completed);
    }
    await old.core.shutdown();

    const app = openApp(dir);
    await loginAs(app, ADMIN);
    const db = sqliteOf(app.core);
    expect(db.prepare('select month, service_type_id, n from service_month order by 1, 2').all()).toEqual([
      { month: '2025-03', service_type_id: 1, n: 1 },
      { month: '2025-03', service_type_id: 2, n: 1 },
      { month: '2025-04', service_type_id: 2, n: 1 },
    ]);
    expect(db.prepare('select month, service_type_id, status, days, n from referral_month order by 1, 3').all()).toEqual([
      { month: '2025-03', service_type_id: 3, status: 'completed', days: 10, n: 2 },
      { month: '2025-04', service_type_id: 3, status: 'sent', days: -1, n: 1 },
    ]);
    // And from now on by triggers: a status change moves a referral from one count to another.
    db.prepare(`update referral set status = 'completed', completed_on = '2025-04-09' where status = 'sent'`).run();
    db.prepare(`delete from service where service_on = '2025-04-15'`).run();
    expect(db.prepare('select month, status, days, n from referral_month where n > 0 order by 1').all()).toEqual([
      { month: '2025-03', status: 'completed', days: 10, n: 2 },
      { month: '2025-04', status: 'completed', days: 7, n: 1 },
    ]);
    expect(db.prepare(`select n from service_month where month = '2025-04'`).pluck().all()).toEqual([0]);
  });

  it('0004 gives every existing client her first holding and the due date of her open referrals', async () => {
    // A vault made before 0004, with a client written as 0002 knew it.
    const { dir, app: old } = await migrateTo('0003');
    const sqlite = sqliteOf(old.core);
    sqlite.exec(`insert into client (code, alias, alias_folded, birth_year, sex, child_path, status, assigned_worker_id, registered_on, registered_by, open_referrals)
                 values ('OLDC90-1', 'Thử Cũ', 'thu cu', 1990, 'female', 0, 'open', 1, '2025-03-01', 1, 2)`);
    sqlite.exec(`insert into case_event (client_id, kind, worker_id, on_date, by_user, at) values (1, 'opened', 1, '2025-03-01', 1, '2025-03-01T02:00:00.000Z')`);
    for (const [status, due] of [['sent', '2025-04-10'], ['proposed', '2025-04-01'], ['completed', '2025-03-15']]) {
      sqlite.prepare(`insert into referral (client_id, service_type_id, status, proposed_on, due_on, created_by, created_at) values (1, 1, ?, '2025-03-01', ?, 1, 'x')`).run(status, due);
    }
    await old.core.shutdown();

    const app = openApp(dir);
    await loginAs(app, ADMIN);
    const db = sqliteOf(app.core);
    expect(db.prepare('select name from kysely_migration order by name').pluck().all()).toEqual(Object.keys(migrations).sort());
    expect(db.prepare('select client_id, worker_id, started_on, ended_on, how, by_user, at from assignment').all()).toEqual([
      { client_id: 1, worker_id: 1, started_on: '2025-03-01', ended_on: null, how: 'registered', by_user: 1, at: '2025-03-01T02:00:00.000Z' },
    ]);
    expect(db.prepare('select next_referral_due_on, last_reviewed_on from client').get()).toEqual({ next_referral_due_on: '2025-04-01', last_reviewed_on: null });
  });

  it('0004: one worker\'s to-do list and the review queue read her cases through their indexes', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, MANAGER);
    const sqlite = sqliteOf(app.core);
    const workerPlan = planOf(sqlite, `select id from client where status = 'open' and assigned_worker_id = ? and next_follow_up_on <= ?`, 3, TODAY);
    expect(workerPlan).toMatch(/SEARCH client USING (COVERING )?INDEX client_worker/);
    const reviewPlan = planOf(sqlite, `select id from client where status = 'open' and coalesce(client.last_reviewed_on, client.registered_on) <= ? order by coalesce(client.last_reviewed_on, client.registered_on)`, TODAY);
    expect(reviewPlan).toMatch(/SEARCH client USING (COVERING )?INDEX client_review_due/);
    expect(reviewPlan).not.toMatch(/TEMP B-TREE/);
    expect(planOf(sqlite, `select count(*) from referral where proposed_on between ? and ?`, '2026-01-01', TODAY)).toMatch(/USING COVERING INDEX referral_proposed/);
    expect(planOf(sqlite, `select reason, count(*) from case_event where kind = 'closed' and on_date between ? and ? group by reason`, '2026-01-01', TODAY)).toMatch(/USING (COVERING )?INDEX case_event_kind/);
  });

  it('0004: the to-do rules start from one worker\'s cases, and for everyone from their date indexes', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, MANAGER);
    const sqlite = sqliteOf(app.core);
    const queries: CompiledQuery[] = [];
    const db = new Kysely<Database>({
      dialect: new SqliteDialect({ database: { close: () => {}, prepare: (text: string) => sqlite.prepare(text) } }),
      log: (event) => {
        if (event.level === 'query') queries.push(event.query);
      },
    });
    const plans = () => queries.splice(0).map((query) => planOf(sqlite, query.sql, ...(query.parameters as unknown[]))).join('\n');
    await todoList(db, { columns: fileSealer, dialect: sqliteDialect }, app.template.ids.worker, TODAY, CASELOAD_DEFAULTS);
    const one = plans();
    expect(one).toMatch(/client_worker/);
    for (const index of ['referral_due', 'consent_expiry', 'client_follow_up']) expect(one, index).not.toMatch(new RegExp(index));
    expect(one).not.toMatch(/SCAN (referral|consent)/);
    await todoCountsByWorker(db, sqliteDialect, TODAY, CASELOAD_DEFAULTS);
    const everyone = plans();
    for (const index of ['referral_due', 'consent_expiry', 'client_follow_up']) expect(everyone, index).toMatch(new RegExp(index));
    // "No contact" for everyone reads the table in order, not row by row through the worker index.
    expect(everyone).not.toMatch(/SCAN client USING INDEX client_worker/);
  });

  it('0005: a report reads consents to reports and a period\'s services from indexes alone', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, MANAGER);
    const sqlite = sqliteOf(app.core);
    expect(planOf(sqlite, `select 1 from consent where consent.client_id = ? and consent.purpose = 'reports' and consent.given_on <= ? and consent.expires_on >= ? and consent.withdrawn_on is null`, 1, TODAY, TODAY)).toMatch(
      /USING COVERING INDEX consent_reports/,
    );
    expect(planOf(sqlite, `select service_type_id, client_id from service where service_on between ? and ?`, '2026-01-01', TODAY)).toMatch(/USING COVERING INDEX service_date_type/);
    expect(planOf(sqlite, `select service_type_id, count(*) from referral where completed_on between ? and ? group by service_type_id`, '2026-01-01', TODAY)).toMatch(/USING COVERING INDEX referral_completed/);
    expect(sqlite.prepare(`select count(*) from export_log`).pluck().get()).toBe(0);
  });
});
