import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerConnection } from '../../electron/core/vault/server-provision.ts';
import { provisionServer } from '../../electron/core/vault/server-provision.ts';
import { serverMigrations } from '../../migrations/server/index.ts';
import { havePostgres, ownerPool, startCluster, type PgCluster } from '../support/pg-cluster.ts';
import { ADMIN, consentNow, identityVersion, MANAGER, openApp, runSetup, syntheticClient, tempDir, TODAY, WORKER, WORKER2, type TestApp, userVersion } from '../support/vault-fixture.ts';

/*
 * Several PCs on one centre's server at once (DESIGN.md §8): each PC is a core of its own, and
 * their calls run side by side against one PostgreSQL server. Writes run serialisable and are
 * run again by the gate when another PC's got in the way; the audit trail takes one append at a
 * time; a record changed at another PC since it was opened is refused, never overwritten; an
 * account deactivated at one PC stops at every other at its next request; a server that goes
 * away locks nothing up and says so.
 */

let cluster: PgCluster;
let connection: ServerConnection;
const apps: TestApp[] = [];
const TEMPORARY = 'tam-thoi-dong-thoi-0001';
const WORKER3 = { username: 'canbo.ba', displayName: 'Cán Bộ Ba Thử', password: 'mat-khau-canbo-ba-05' };
const ids: Record<'worker' | 'worker2' | 'worker3' | 'manager', number> = { worker: 0, worker2: 0, worker3: 0, manager: 0 };

beforeAll(async () => {
  if (!havePostgres()) throw new Error('PostgreSQL 15 is not installed (.ci/run installs Debian\'s postgresql)');
  cluster = await startCluster();
  const result = await provisionServer({ address: { host: cluster.host, port: cluster.port, database: 'centre_together', ca: cluster.ca }, owner: cluster.owner, migrations: serverMigrations });
  connection = result.connection!;
  const first = await pc();
  await runSetup(first);
  for (const [key, person, roles] of [
    ['worker', WORKER, ['worker']],
    ['worker2', WORKER2, ['worker']],
    ['worker3', WORKER3, ['worker']],
    ['manager', MANAGER, ['manager']],
  ] as const) {
    ids[key] = (await first.ok('users.create', { username: person.username, displayName: person.displayName, roles: [...roles], temporaryPassword: TEMPORARY })).id;
  }
  await first.ok('auth.logout', {});
  for (const person of [WORKER, WORKER2, WORKER3, MANAGER]) {
    await first.ok('auth.login', { username: person.username, password: TEMPORARY });
    await first.ok('auth.changePassword', { currentPassword: TEMPORARY, newPassword: person.password });
    await first.ok('auth.logout', {});
  }
});
afterAll(async () => {
  for (const app of apps) await app.core.shutdown();
  cluster?.remove();
});

/** Another PC of the centre, joined to the server, with someone logged in. */
async function pc(person?: { username: string; password: string }): Promise<TestApp> {
  const app = openApp(tempDir('dh-pc-'));
  apps.push(app);
  await app.core.connectToServer(connection);
  if (person) await app.ok('auth.login', { username: person.username, password: person.password });
  return app;
}

let auditor: TestApp | null = null;

/** The trail verifies whole, as the administrator checks it from a PC of her own. */
async function trailHolds(): Promise<void> {
  auditor ??= await pc(ADMIN);
  const verified = await auditor.ok('audit.verify', {});
  expect(verified).toMatchObject({ ok: true, problem: null });
}

async function rowsOf<T>(query: string, values: unknown[] = []): Promise<T[]> {
  const pool = ownerPool(cluster, 'centre_together', 1);
  try {
    return (await pool.query(query, values)).rows as T[];
  } finally {
    await pool.end();
  }
}

describe('several PCs on one server at once', () => {
  it('two PCs register the same person at the same moment: one record, the other PC is shown it', async () => {
    const [a, b] = [await pc(WORKER), await pc(WORKER2)];
    for (const [round, motherName] of ['Lan', 'Mai', 'Nga'].entries()) {
      const person = syntheticClient({ motherName, fatherName: 'Cùng', alias: `Chị Đua Mã ${round}` });
      const results = await Promise.all([a.call('clients.register', person), b.call('clients.register', person)]);
      const made = results.filter((result) => result.ok);
      expect(made, `round ${round}`).toHaveLength(1);
      const winner = made[0]!.ok ? made[0]!.value : null;
      const refused = results.find((result) => !result.ok);
      expect(refused).toEqual({ ok: false, error: { code: 'CLIENT_CODE_EXISTS', clientId: winner?.clientId } });
    }
    // One holder of each code on the server.
    const holders = await rowsOf<{ n: number }>('select count(*)::int as n from client group by code_lookup having count(*) > 1');
    expect(holders).toEqual([]);
    await trailHolds();
  });

  it('the same record edited at two PCs at once: one change is saved, the other is refused with what is there now', async () => {
    const [a, b] = [await pc(WORKER), await pc(WORKER)];
    const { clientId } = await a.ok('clients.register', syntheticClient({ motherName: 'Sửa', fatherName: 'Cùng', alias: 'Chị Sửa Cùng Lúc' }));
    for (let round = 0; round < 3; round++) {
      const [pageA, pageB] = await Promise.all([a.ok('clients.get', { clientId }), b.ok('clients.get', { clientId })]);
      expect(pageA.detailsVersion).not.toBe('');
      const edit = (page: typeof pageA, alias: string) => ({ clientId, alias, wardCode: page.wardCode, provinceCode: page.provinceCode, workSetting: page.workSetting, version: page.detailsVersion });
      const results = await Promise.all([a.call('clients.update', edit(pageA, `Tên A ${round}`)), b.call('clients.update', edit(pageB, `Tên B ${round}`))]);
      expect(results.map((result) => (result.ok ? 'ok' : result.error.code)).sort(), `round ${round}`).toEqual(['RECORD_CHANGED', 'ok']);
      const saved = results[0]!.ok ? `Tên A ${round}` : `Tên B ${round}`;
      // Both PCs now read the saved one; the refused PC's text is nowhere.
      expect((await b.ok('clients.get', { clientId })).alias).toBe(saved);
      expect((await a.ok('clients.get', { clientId })).alias).toBe(saved);
    }
    // One after the other: the PC that opened it before the other's change is refused, and nothing changes.
    const stale = await b.ok('clients.get', { clientId });
    await a.ok('clients.update', { clientId, alias: 'Tên Sau Cùng', wardCode: null, provinceCode: null, workSetting: null, version: stale.detailsVersion });
    expect(await b.call('clients.update', { clientId, alias: 'Tên Cũ Đè Lên', wardCode: null, provinceCode: null, workSetting: null, version: stale.detailsVersion })).toEqual({
      ok: false,
      error: { code: 'RECORD_CHANGED' },
    });
    expect((await b.ok('clients.get', { clientId })).alias).toBe('Tên Sau Cùng');
    // Her identity and a visit the same way.
    const identitySeen = await identityVersion(b, clientId);
    await a.ok('clients.updateIdentity', { clientId, identity: { legalName: 'Tên Thật Thử A', phone: null, idNumber: null, address: null }, version: await identityVersion(a, clientId) });
    expect(await b.call('clients.updateIdentity', { clientId, identity: { legalName: 'Tên Thật Thử B', phone: null, idNumber: null, address: null }, version: identitySeen })).toEqual({
      ok: false,
      error: { code: 'RECORD_CHANGED' },
    });
    expect(await b.ok('clients.identity', { clientId })).toMatchObject({ legalName: 'Tên Thật Thử A' });
    const { visitId } = await a.ok('visits.record', { clientId, visitOn: TODAY, place: 'centre', serviceTypeIds: [1] });
    const seen = (await b.ok('clients.get', { clientId })).visits.find((visit) => visit.id === visitId)!.version;
    await a.ok('visits.correct', { visitId, visitOn: TODAY, place: 'outreach', serviceTypeIds: [1], outcome: null, note: null, version: seen });
    expect(await b.call('visits.correct', { visitId, visitOn: TODAY, place: 'phone_online', serviceTypeIds: [1], outcome: null, note: null, version: seen })).toEqual({
      ok: false,
      error: { code: 'RECORD_CHANGED' },
    });
    expect((await b.ok('clients.get', { clientId })).visits.find((visit) => visit.id === visitId)?.place).toBe('outreach');
    // Every saved change is in the history once; the refused ones are not.
    const history = await a.ok('clients.history', { clientId });
    expect(history.filter((row) => row.field === 'alias').map((row) => row.newValue)).toHaveLength(4);
    expect(history.filter((row) => row.field === 'place')).toHaveLength(1);
    await trailHolds();
  });

  it('an offer accepted at one PC while the manager reassigns the case at another: one order of the two, never half of each', async () => {
    const [a, b, m] = [await pc(WORKER), await pc(WORKER2), await pc(MANAGER)];
    for (const [round, motherName] of ['Oanh', 'Phúc', 'Quế', 'Rạng'].entries()) {
      const { clientId } = await a.ok('clients.register', syntheticClient({ motherName, fatherName: 'Nhận', alias: `Chị Chuyển ${round}` }));
      const { offerId } = await a.ok('caseload.offer', { clientId, toUserId: ids.worker2 });
      const [accepted, reassigned] = await Promise.all([
        b.call('caseload.respond', { offerId, accept: true }),
        m.call('caseload.reassign', { selection: { kind: 'clients', clientIds: [clientId] }, toUserId: ids.worker3 }),
      ]);
      expect(reassigned, `round ${round}`).toEqual({ ok: true, value: { reassigned: 1 } });
      const [client] = await rowsOf<{ assigned_worker_id: number }>('select assigned_worker_id from client where id = $1', [clientId]);
      const [offer] = await rowsOf<{ status: string }>('select status from case_offer where id = $1', [offerId]);
      const moves = (await rowsOf<{ worker_id: number; how: string }>('select worker_id, how from assignment where client_id = $1 order by id', [clientId])).map((row) => [row.worker_id, row.how]);
      if (accepted.ok) {
        // Accepted first: worker2 held it, then the manager moved it on.
        expect(offer?.status).toBe('accepted');
        expect(moves.slice(1)).toEqual([[ids.worker2, 'accepted'], [ids.worker3, 'reassigned']]);
      } else {
        // Moved first: the offer could no longer be taken up, and nobody held it in between.
        expect(accepted).toEqual({ ok: false, error: { code: 'OFFER_NOT_FOUND' } });
        expect(offer?.status).toBe('cancelled');
        expect(moves.slice(1)).toEqual([[ids.worker3, 'reassigned']]);
      }
      expect(client?.assigned_worker_id).toBe(ids.worker3);
    }
    await trailHolds();
  });

  it('a report built at one PC while two others record visits: every visit kept, the report finished, the trail whole', async () => {
    const [a, b, m] = [await pc(WORKER), await pc(WORKER), await pc(MANAGER)];
    const { clientId } = await a.ok('clients.register', syntheticClient({ motherName: 'Báo', fatherName: 'Cáo', alias: 'Chị Báo Cáo Thử', reportsConsent: consentNow('reports') }));
    const [before] = await rowsOf<{ n: number }>('select count(*)::int as n from visit');
    const record = (app: TestApp, count: number) =>
      (async () => {
        const made: number[] = [];
        for (let i = 0; i < count; i++) made.push((await app.ok('visits.record', { clientId, visitOn: TODAY, place: 'centre', serviceTypeIds: [1 + (i % 3)] })).visitId);
        return made;
      })();
    const report = (async () => {
      const { jobId } = await m.ok('reports.start', { period: { kind: 'quarter', year: 2026, quarter: 4 } });
      for (let steps = 0; steps < 1000; steps++) {
        const step = await m.ok('reports.next', { jobId });
        if (step.report) return step.report;
      }
      return null;
    })();
    const [fromA, fromB, built] = await Promise.all([record(a, 15), record(b, 15), report]);
    expect(new Set([...fromA, ...fromB]).size).toBe(30);
    const [after] = await rowsOf<{ n: number }>('select count(*)::int as n from visit');
    expect(after!.n - before!.n).toBe(30);
    expect(built).not.toBeNull();
    await trailHolds();
    // Appends one at a time, in order: the trail's numbers have no gap and no twin.
    const [gaps] = await rowsOf<{ n: number; top: number }>('select count(*)::int as n, max(id)::int as top from audit_event');
    expect(gaps!.n).toBe(gaps!.top);
  });

  it('an account deactivated at one PC is stopped at another at its next request, and a changed role counts at once', async () => {
    const admin = await pc(ADMIN);
    const elsewhere = await pc(WORKER2);
    expect((await elsewhere.call('clients.list', {})).ok).toBe(true);
    await admin.ok('users.deactivate', { id: ids.worker2 });
    expect(await elsewhere.call('clients.list', {})).toEqual({ ok: false, error: { code: 'ACCOUNT_DISABLED' } });
    expect(elsewhere.core.session).toBeNull();
    expect(elsewhere.core.vault.isOpen).toBe(false);
    expect((await elsewhere.ok('session.get', {})).vault).toBe('locked');
    // The manager loses the manager's role at the administrator's PC: her next request is judged by what she has now.
    const manager = await pc(MANAGER);
    expect((await manager.call('dashboard.get', { from: '2026-01-01', to: TODAY })).ok).toBe(true);
    await admin.ok('users.update', { id: ids.manager, version: await userVersion(admin, ids.manager), displayName: MANAGER.displayName, roles: ['worker'] });
    expect(await manager.call('dashboard.get', { from: '2026-01-01', to: TODAY })).toEqual({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(manager.core.session?.roles).toEqual(['worker']);
    await admin.ok('users.update', { id: ids.manager, version: await userVersion(admin, ids.manager), displayName: MANAGER.displayName, roles: ['manager'] });
    await trailHolds();
  });

  it('the server stopped as if the power went, during writes: every visit it acknowledged is there when it starts again', async () => {
    const app = await pc(WORKER);
    const { clientId } = await app.ok('clients.register', syntheticClient({ motherName: 'Ánh', fatherName: 'Điện', alias: 'Chị Mất Điện Thử' }));
    const acknowledged: number[] = [];
    const refused: string[] = [];
    const writing = (async () => {
      for (let i = 0; i < 400 && refused.length < 3; i++) {
        const result = await app.call('visits.record', { clientId, visitOn: TODAY, place: 'centre', serviceTypeIds: [1 + (i % 3)] });
        if (result.ok) acknowledged.push(result.value.visitId);
        else refused.push(result.error.code);
      }
    })();
    await expect.poll(() => acknowledged.length, { timeout: 60_000, interval: 5 }).toBeGreaterThanOrEqual(25);
    cluster.stop('immediate');
    try {
      await writing;
    } finally {
      cluster.start();
    }
    expect(refused.length).toBeGreaterThan(0);
    for (const code of refused) expect(['SERVER_CONNECTION_LOST', 'SERVER_UNREACHABLE']).toContain(code);
    const kept = new Set((await rowsOf<{ id: number }>('select id from visit where client_id = $1', [clientId])).map((row) => row.id));
    expect(acknowledged.filter((id) => !kept.has(id))).toEqual([]);
    // Nothing half-written: each visit kept has its service.
    const bare = await rowsOf<{ id: number }>('select id from visit where client_id = $1 and not exists (select 1 from service where service.visit_id = visit.id)', [clientId]);
    expect(bare).toEqual([]);
    expect((await app.call('clients.get', { clientId })).ok).toBe(true);
    await trailHolds();
  });

  it('a server that goes away locks nothing up: each call says so at once, and the same session goes on once it is back', async () => {
    const app = await pc(WORKER);
    expect((await app.call('clients.list', {})).ok).toBe(true);
    cluster.stop('fast');
    try {
      for (let i = 0; i < 2; i++) {
        const started = Date.now();
        const result = await app.call('clients.list', {});
        expect(result.ok).toBe(false);
        expect(['SERVER_CONNECTION_LOST', 'SERVER_UNREACHABLE']).toContain(result.ok ? '' : result.error.code);
        // Said within the connection timeout, not hung (a generous bound: the point is that it ends).
        expect(Date.now() - started).toBeLessThan(30_000);
      }
      expect(app.core.session?.username).toBe(WORKER.username);
      expect(app.logged.some((line) => /SERVER_(CONNECTION_LOST|UNREACHABLE)/.test(line))).toBe(true);
    } finally {
      cluster.start();
    }
    expect((await app.call('clients.list', {})).ok).toBe(true);
    await trailHolds();
  });
});
