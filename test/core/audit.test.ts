import { describe, expect, it } from 'vitest';
import { ADMIN, copyOfTemplate, loginAs, MANAGER, WORKER, WORKER2, settingsVersion } from '../support/vault-fixture.ts';
import { sqliteOf } from '../support/file-store.ts';
import { onFile } from '../support/store-under-test.ts';

/** An admin session on a copy with a few entries in the trail, and the raw handle to tamper with. */
async function trailWithEntries() {
  const app = await copyOfTemplate();
  await loginAs(app, ADMIN);
  await app.ok('settings.update', { lockTimeoutMinutes: 7, version: await settingsVersion(app, 'centre') });
  await app.ok('settings.update', { lockTimeoutMinutes: 8, version: await settingsVersion(app, 'centre') });
  const verified = await app.ok('audit.verify', {});
  expect(verified).toMatchObject({ ok: true, problem: null });
  const sqlite = sqliteOf(app.core);
  sqlite.exec('drop trigger audit_event_no_update; drop trigger audit_event_no_delete;');
  const count = (sqlite.prepare('select count(*) as n from audit_event').get() as { n: number }).n;
  return { app, sqlite, count };
}

describe('the audit trail', () => {
  onFile('is append-only: the database itself refuses updates and deletes', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, ADMIN);
    const sqlite = sqliteOf(app.core);
    expect(() => sqlite.prepare(`update audit_event set action = 'x' where id = 1`).run()).toThrow(/append-only/);
    expect(() => sqlite.prepare('delete from audit_event where id = 1').run()).toThrow(/append-only/);
  });

  it('records logins, password changes, user changes, settings and locks with who did them', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, ADMIN);
    const { rows } = await app.ok('audit.list', { limit: 200 });
    const actions = new Set(rows.map((row) => `${row.action}:${row.outcome}`));
    for (const expected of ['setup.complete:ok', 'users.create:ok', 'auth.login:ok', 'auth.changePassword:ok', 'auth.logout:ok']) {
      expect(actions).toContain(expected);
    }
    const creation = rows.find((row) => row.action === 'users.create' && row.targetId === String(app.template.ids.worker));
    expect(creation).toMatchObject({ actorId: app.template.ids.admin, actorName: ADMIN.displayName, targetType: 'user' });
    expect(creation?.detail).toEqual({ username: WORKER.username, roles: ['worker'] });
  });

  onFile('verify finds a changed entry', async () => {
    const { app, sqlite } = await trailWithEntries();
    sqlite.prepare(`update audit_event set actor_user_id = 99 where id = 3`).run();
    expect(await app.ok('audit.verify', {})).toMatchObject({ ok: false, problem: { kind: 'changed', id: 3 } });
  });

  onFile('verify finds a deleted entry in the middle', async () => {
    const { app, sqlite } = await trailWithEntries();
    sqlite.prepare('delete from audit_event where id = 4').run();
    expect(await app.ok('audit.verify', {})).toMatchObject({ ok: false, problem: { kind: 'missing', id: 4 } });
  });

  onFile('verify finds entries cut from the end', async () => {
    const { app, sqlite, count } = await trailWithEntries();
    sqlite.prepare('delete from audit_event where id >= ?').run(count - 1);
    // The verify call itself appends after the cut; the gap is still found.
    expect(await app.ok('audit.verify', {})).toMatchObject({ ok: false, problem: { kind: 'truncated' } });
  });

  onFile('verify finds an inserted entry', async () => {
    const { app, sqlite, count } = await trailWithEntries();
    sqlite
      .prepare(
        `insert into audit_event (id, at, actor_user_id, action, outcome, prev_hash, hash)
         values (?, '2026-01-01T00:00:00.000Z', 1, 'users.create', 'ok', ?, ?)`,
      )
      .run(count + 1, 'f'.repeat(64), 'e'.repeat(64));
    const result = await app.ok('audit.verify', {});
    expect(result.ok).toBe(false);
    expect(result.problem?.id).toBe(count + 1);
  });

  onFile('verify finds renumbered entries (a deletion covered up)', async () => {
    const { app, sqlite } = await trailWithEntries();
    sqlite.exec('delete from audit_event where id = 2; update audit_event set id = id - 1 where id > 2;');
    expect(await app.ok('audit.verify', {})).toMatchObject({ ok: false, problem: { kind: 'changed', id: 2 } });
  });

  it('filters by person, action and date', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, MANAGER);
    const byWorker = await app.ok('audit.list', { actorId: app.template.ids.worker });
    expect(byWorker.rows.length).toBeGreaterThan(0);
    expect(byWorker.rows.every((row) => row.actorId === app.template.ids.worker)).toBe(true);
    const logins = await app.ok('audit.list', { action: 'auth.login' });
    expect(logins.rows.every((row) => row.action === 'auth.login')).toBe(true);
    expect(logins.total).toBe(logins.rows.length);
    const today = new Date(app.clock.now());
    const iso = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    expect((await app.ok('audit.list', { from: iso(today), to: iso(today) })).total).toBeGreaterThan(0);
    const tomorrow = new Date(today.getFullYear(), today.getMonth(), today.getDate() + 1);
    expect((await app.ok('audit.list', { from: iso(tomorrow) })).total).toBe(0);
    const page = await app.ok('audit.list', { limit: 2, offset: 1 });
    expect(page.rows).toHaveLength(2);
    expect(page.actors.map((a) => a.displayName)).toEqual([MANAGER.displayName, ADMIN.displayName, WORKER.displayName, WORKER2.displayName].sort(new Intl.Collator('vi').compare));
  });
});
