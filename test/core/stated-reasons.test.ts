import { describe, expect, it } from 'vitest';
import { contentSnapshot } from '../support/db-snapshot.ts';
import { ADMIN, copyOfTemplate, loginAs, MANAGER, syntheticClient, WORKER, type TestApp, userVersion } from '../support/vault-fixture.ts';

/*
 * No path gives someone the identity of a client she did not hold without a normal hand-over
 * by someone else (an offer accepted, a manager's reassignment to another person) or a stated
 * reason that managers see in the access review. The security review found two: a manager who
 * is also a worker gave herself a colleague's case and read its identity with no reason, and
 * an administrator gave herself roles unseen.
 */

const REASON = 'Chị phụ trách nghỉ ốm dài ngày, tôi nhận tạm các hồ sơ';

async function managerWhoIsAlsoWorker(): Promise<TestApp & { template: Awaited<ReturnType<typeof copyOfTemplate>>['template'] }> {
  const app = await copyOfTemplate();
  await loginAs(app, ADMIN);
  // An administrator changing someone else's roles: an ordinary change, no reason asked.
  await app.ok('users.update', { id: app.template.ids.manager, version: await userVersion(app, app.template.ids.manager), displayName: MANAGER.displayName, roles: ['manager', 'worker'] });
  await app.ok('auth.logout', {});
  return app;
}

async function accessReview(app: TestApp) {
  await app.ok('auth.logout', {});
  await loginAs(app, MANAGER);
  const rows = (await app.ok('identityAccess.list', {})).rows;
  await app.ok('auth.logout', {});
  return rows;
}

describe('giving a case to oneself', () => {
  it('needs a reason, kept with each case taken and listed for managers; without one nothing moves', async () => {
    const app = await managerWhoIsAlsoWorker();
    const { ids } = app.template;
    await loginAs(app, WORKER);
    const second = (await app.ok('clients.register', syntheticClient({ motherName: 'Hai', fatherName: 'Thử', birthYear: 1992 }))).clientId;
    await app.ok('auth.logout', {});

    await loginAs(app, MANAGER);
    const before = await contentSnapshot(app);
    const toSelf = { selection: { kind: 'worker' as const, workerId: ids.worker, status: 'open' as const }, toUserId: ids.manager };
    expect(await app.call('caseload.reassign', toSelf)).toEqual({ ok: false, error: { code: 'REASON_REQUIRED' } });
    expect(await app.call('caseload.reassign', { selection: { kind: 'clients', clientIds: [ids.client] }, toUserId: ids.manager })).toEqual({ ok: false, error: { code: 'REASON_REQUIRED' } });
    expect(await app.call('caseload.reassign', { ...toSelf, reason: 'ngắn' })).toMatchObject({ ok: false, error: { code: 'VALIDATION', issues: [{ path: 'reason', message: 'reasonTooShort' }] } });
    expect(await contentSnapshot(app)).toBe(before);
    // Still not hers: the identity needs a reason.
    expect(await app.call('clients.identity', { clientId: ids.client })).toEqual({ ok: false, error: { code: 'REASON_REQUIRED' } });

    expect(await app.ok('caseload.reassign', { ...toSelf, reason: REASON })).toEqual({ reassigned: 2 });
    // Now she holds them and reads the identity like any holder...
    expect((await app.ok('clients.identity', { clientId: ids.client })).legalName).toBe('Nguyễn Thị Mẫu Thử');
    // ...and managers see why, once per case, with no reason text in the audit trail.
    const audit = (await app.ok('audit.list', { action: 'caseload.reassign', limit: 3 })).rows;
    expect(audit.map((row) => [row.outcome, row.errorCode ?? null, row.detail?.selfAssignment ?? null])).toEqual([
      ['ok', null, true],
      ['failed', 'REASON_REQUIRED', true],
      ['failed', 'REASON_REQUIRED', true],
    ]);
    expect(JSON.stringify(audit)).not.toContain(REASON);
    const review = await accessReview(app);
    expect(review.filter((row) => row.kind === 'self_assignment').map((row) => [row.userName, row.clientId, row.reason]).sort()).toEqual(
      [
        [MANAGER.displayName, ids.client, REASON],
        [MANAGER.displayName, second, REASON],
      ].sort(),
    );
    await app.core.shutdown();
  });

  it('a manager giving cases to another worker is an ordinary hand-over: no reason, nothing listed', async () => {
    const app = await managerWhoIsAlsoWorker();
    const { ids } = app.template;
    await loginAs(app, MANAGER);
    expect(await app.ok('caseload.reassign', { selection: { kind: 'clients', clientIds: [ids.client] }, toUserId: ids.worker2 })).toEqual({ reassigned: 1 });
    expect(await accessReview(app)).toEqual([]);
    await app.core.shutdown();
  });
});

describe('changing one\'s own roles', () => {
  it('needs a reason, is in the trail and is listed for managers; without one nothing changes', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, ADMIN);
    const me = app.template.ids.admin;
    const before = await contentSnapshot(app);
    const change = { id: me, displayName: ADMIN.displayName, roles: ['admin', 'manager', 'worker'] as const };
    expect(await app.call('users.update', { ...change, roles: [...change.roles], version: await userVersion(app, me) })).toEqual({ ok: false, error: { code: 'REASON_REQUIRED' } });
    expect(await contentSnapshot(app)).toBe(before);
    const roles = async () => [...((await app.ok('session.get', {})).user?.roles ?? [])].sort();
    expect(await roles()).toEqual(['admin']);

    // Her own name alone is not a change of roles.
    await app.ok('users.update', { id: me, version: await userVersion(app, me), displayName: 'Quản Trị Thử Đổi Tên', roles: ['admin'] });
    const reason = 'Trung tâm thiếu người, tôi tạm nhận thêm việc quản lý';
    await app.ok('users.update', { ...change, roles: [...change.roles], reason, version: await userVersion(app, me) });
    expect(await roles()).toEqual(['admin', 'manager', 'worker']);
    const [entry] = (await app.ok('audit.list', { action: 'users.update', limit: 1 })).rows;
    expect(entry).toMatchObject({ outcome: 'ok', targetId: String(me), detail: { roles: ['admin', 'manager', 'worker'], ownRoles: true, rolesBefore: ['admin'] } });
    expect(JSON.stringify(entry)).not.toContain(reason);

    const review = await accessReview(app);
    expect(review).toEqual([
      { id: expect.any(Number), kind: 'own_roles', at: expect.any(String), userName: ADMIN.displayName, clientId: null, clientCode: null, reason, roles: { before: ['admin'], after: ['admin', 'manager', 'worker'] } },
    ]);
    await app.core.shutdown();
  });
});
