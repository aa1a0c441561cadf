import { PENDING_SETUP } from '../../electron/core/setup/handlers.ts';
import { permissionsFor } from '../../electron/contract/index.ts';
import { describe, expect, it } from 'vitest';
import { ADMIN, ANY_VERSION, CENTRE, copyOfTemplate, loginAs, MANAGER, openApp, tempDir, userVersion, WORKER } from '../support/vault-fixture.ts';
import { contentSnapshot } from '../support/db-snapshot.ts';

describe('first run', () => {
  const admin = {
    ...CENTRE,
    adminUsername: ADMIN.username,
    adminDisplayName: ADMIN.displayName,
    adminPassword: ADMIN.password,
    language: 'vi' as const,
  };

  it('writes nothing until a group of the recovery code is typed back', async () => {
    const dir = tempDir();
    const app = openApp(dir);
    const begun = await app.ok('setup.begin', admin);
    expect(begun.recoveryCode).toMatch(/^([0-9A-HJKMNP-TV-Z]{4}-){7}[0-9A-HJKMNP-TV-Z]{4}$/);
    expect(begun.groupCount).toBe(8);
    expect((await app.ok('session.get', {})).vault).toBe('setup-pending');
    expect(app.core.vault.presence().state).toBe('absent');

    const wrongGroup = begun.recoveryCode.split('-')[begun.confirmGroup % 8] ?? '';
    expect(await app.call('setup.complete', { confirmation: wrongGroup })).toEqual({
      ok: false,
      error: { code: 'RECOVERY_CONFIRMATION_MISMATCH' },
    });
    expect(app.core.vault.presence().state).toBe('absent');

    // Typed by hand: lower case, O for 0 and l for 1 are forgiven.
    const group = (begun.recoveryCode.split('-')[begun.confirmGroup - 1] ?? '').toLowerCase().replaceAll('0', 'o').replaceAll('1', 'l');
    const user = await app.ok('setup.complete', { confirmation: group });
    expect(user).toMatchObject({ username: ADMIN.username, roles: ['admin'], mustChangePassword: false });
    expect(app.core.vault.presence().state).toBe('present');
    expect(await app.call('setup.begin', admin)).toEqual({ ok: false, error: { code: 'VAULT_EXISTS' } });
  });

  it('cancelling forgets the prepared keys', async () => {
    const app = openApp(tempDir());
    await app.ok('setup.begin', admin);
    const dataKey = app.core.betweenSessions.get(PENDING_SETUP)?.prepared.dataKey;
    await app.ok('setup.cancel', {});
    expect(dataKey?.every((byte) => byte === 0)).toBe(true);
    expect(await app.call('setup.complete', { confirmation: 'AAAA' })).toEqual({ ok: false, error: { code: 'SETUP_NOT_STARTED' } });
  });
});

describe('accounts', () => {
  it('a new worker must change the temporary password before doing anything else', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, ADMIN);
    const created = await app.ok('users.create', {
      username: 'Moi.Thu ',
      displayName: 'Nhân Viên Mới Thử',
      roles: ['worker', 'manager'],
      temporaryPassword: 'tam-thoi-moi-0001',
    });
    expect(created).toMatchObject({ username: 'moi.thu', roles: ['worker', 'manager'], mustChangePassword: true, active: true });
    expect(await app.call('users.create', { username: 'moi.thu', displayName: 'Trùng', roles: ['worker'], temporaryPassword: 'tam-thoi-moi-0002' }))
      .toEqual({ ok: false, error: { code: 'USERNAME_TAKEN' } });
    await app.ok('auth.logout', {});

    const first = await app.ok('auth.login', { username: 'moi.thu', password: 'tam-thoi-moi-0001' });
    expect(first.mustChangePassword).toBe(true);
    expect(await app.call('audit.list', {})).toEqual({ ok: false, error: { code: 'PASSWORD_CHANGE_REQUIRED' } });
    expect(await app.call('settings.get', {})).toEqual({ ok: false, error: { code: 'PASSWORD_CHANGE_REQUIRED' } });
    const changed = await app.ok('auth.changePassword', { currentPassword: 'tam-thoi-moi-0001', newPassword: 'mat-khau-rieng-0001' });
    expect(changed.mustChangePassword).toBe(false);
    expect((await app.ok('audit.list', {})).total).toBeGreaterThan(0);
  });

  it('deactivation removes the key slot: the password opens nothing; reactivation needs a new one', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, ADMIN);
    const worker = await app.ok('users.deactivate', { id: app.template.ids.worker });
    expect(worker.active).toBe(false);
    expect(await app.call('users.deactivate', { id: app.template.ids.worker })).toEqual({ ok: false, error: { code: 'USER_INACTIVE' } });
    expect(await app.call('users.resetPassword', { id: app.template.ids.worker, temporaryPassword: 'tam-thoi-0000001' }))
      .toEqual({ ok: false, error: { code: 'USER_INACTIVE' } });
    await app.ok('auth.logout', {});
    expect(await app.call('auth.login', { username: WORKER.username, password: WORKER.password })).toEqual({
      ok: false,
      error: { code: 'WRONG_CREDENTIALS' },
    });
    await loginAs(app, ADMIN);
    await app.ok('users.reactivate', { id: app.template.ids.worker, temporaryPassword: 'tam-thoi-lai-0001' });
    await app.ok('auth.logout', {});
    expect((await app.ok('auth.login', { username: WORKER.username, password: 'tam-thoi-lai-0001' })).mustChangePassword).toBe(true);
  });

  it('reactivates only inactive accounts, never her own', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, ADMIN);
    expect(await app.call('users.reactivate', { id: app.template.ids.worker, temporaryPassword: 'tam-thoi-0000001' }))
      .toEqual({ ok: false, error: { code: 'USER_ACTIVE' } });
    expect(await app.call('users.reactivate', { id: app.template.ids.admin, temporaryPassword: 'tam-thoi-0000001' }))
      .toEqual({ ok: false, error: { code: 'CANNOT_CHANGE_SELF' } });
    await app.ok('auth.logout', {});
    await loginAs(app, WORKER);
  });

  it('logging in over an open session ends and records it first', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, ADMIN);
    expect((await app.call('auth.login', { username: 'no.such.person', password: 'sai-mat-khau-123' })).ok).toBe(false);
    await loginAs(app, MANAGER);
    const { rows } = await app.ok('audit.list', { action: 'auth.logout', limit: 1 });
    expect(rows[0]).toMatchObject({ actorId: app.template.ids.admin, detail: { reason: 'switch' } });
  });

  it('an admin resets someone else\'s password; her own she changes herself', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, ADMIN);
    expect(await app.call('users.resetPassword', { id: app.template.ids.admin, temporaryPassword: 'tam-thoi-0000001' }))
      .toEqual({ ok: false, error: { code: 'CANNOT_CHANGE_SELF' } });
    await app.ok('users.resetPassword', { id: app.template.ids.manager, temporaryPassword: 'tam-thoi-0000001' });
    await app.ok('auth.logout', {});
    expect((await app.call('auth.login', { username: MANAGER.username, password: MANAGER.password })).ok).toBe(false);
    expect((await app.ok('auth.login', { username: MANAGER.username, password: 'tam-thoi-0000001' })).mustChangePassword).toBe(true);
  });

  it('never leaves the centre without an active administrator', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, ADMIN);
    expect(await app.call('users.update', { id: app.template.ids.admin, version: await userVersion(app, app.template.ids.admin), displayName: ADMIN.displayName, roles: ['manager'] }))
      .toEqual({ ok: false, error: { code: 'LAST_ADMIN' } });
    expect(await app.call('users.deactivate', { id: app.template.ids.admin })).toEqual({ ok: false, error: { code: 'CANNOT_CHANGE_SELF' } });
    // With a second admin, the first may step down; her session follows at once.
    await app.ok('users.update', { id: app.template.ids.manager, version: await userVersion(app, app.template.ids.manager), displayName: MANAGER.displayName, roles: ['manager', 'admin'] });
    // Her own roles: with a reason (listed for managers).
    expect(await app.call('users.update', { id: app.template.ids.admin, version: await userVersion(app, app.template.ids.admin), displayName: ADMIN.displayName, roles: ['manager'] })).toEqual({ ok: false, error: { code: 'REASON_REQUIRED' } });
    await app.ok('users.update', { id: app.template.ids.admin, version: await userVersion(app, app.template.ids.admin), displayName: ADMIN.displayName, roles: ['manager'], reason: 'Bàn giao quản trị cho chị Quản Lý' });
    expect(await app.call('users.list', {})).toEqual({ ok: false, error: { code: 'FORBIDDEN' } });
    expect((await app.ok('session.get', {})).user?.permissions).toEqual(permissionsFor(['manager']));
  });

  it('never overwrites an account changed by another administrator since the form opened', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, ADMIN);
    const worker = app.template.ids.worker;
    const opened = await userVersion(app, worker);
    // At one PC her name is corrected; at another, whose form opened before, a role is added.
    await app.ok('users.update', { id: worker, displayName: 'Cán Bộ Thử Đã Sửa', roles: ['worker'], version: opened });
    const before = await contentSnapshot(app);
    expect(await app.call('users.update', { id: worker, displayName: WORKER.displayName, roles: ['worker', 'manager'], version: opened })).toEqual({ ok: false, error: { code: 'RECORD_CHANGED' } });
    expect(await contentSnapshot(app)).toBe(before);
    // Made again on what is there now: it counts.
    const saved = await app.ok('users.update', { id: worker, displayName: 'Cán Bộ Thử Đã Sửa', roles: ['worker', 'manager'], version: await userVersion(app, worker) });
    expect(saved.displayName).toBe('Cán Bộ Thử Đã Sửa');
    expect([...saved.roles].sort()).toEqual(['manager', 'worker']);
  });

  it('never overwrites the centre\'s settings changed by someone else since the form opened; each form\'s group on its own', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, ADMIN);
    const opened = (await app.ok('settings.get', {})).versions;
    expect((await app.ok('settings.get', {})).lockTimeoutMinutes).not.toBe(7);
    // At one PC the lock time is shortened; at another, whose form opened before, the centre is renamed with the form's old lock time.
    await app.ok('settings.update', { centreName: CENTRE.centreName, centreCode: CENTRE.centreCode, lockTimeoutMinutes: 7, version: opened.centre });
    const before = await contentSnapshot(app);
    expect(await app.call('settings.update', { centreName: 'Trung tâm Đổi Tên Thử', centreCode: CENTRE.centreCode, lockTimeoutMinutes: 15, version: opened.centre })).toEqual({ ok: false, error: { code: 'RECORD_CHANGED' } });
    expect(await contentSnapshot(app)).toBe(before);
    // Another group is not held up by it: the retention period's version has not changed.
    await app.ok('settings.update', { retentionYears: 7, version: opened.retention });
    // Nor a version of another group, nor both groups at once, nor none.
    expect(await app.call('settings.update', { retentionYears: 8, version: opened.centre })).toEqual({ ok: false, error: { code: 'RECORD_CHANGED' } });
    expect(await app.call('settings.update', { lockTimeoutMinutes: 9, retentionYears: 8, version: opened.centre })).toMatchObject({ ok: false, error: { code: 'VALIDATION', issues: [{ path: 'retentionYears' }] } });
    expect(await app.call('settings.update', { lockTimeoutMinutes: 9 } as never)).toMatchObject({ ok: false, error: { code: 'VALIDATION', issues: [{ path: 'version' }] } });
    // Made again on what is there now: it counts, and the lock time set meanwhile stays.
    const now = await app.ok('settings.get', {});
    expect(now).toMatchObject({ lockTimeoutMinutes: 7, retentionYears: 7 });
    const saved = await app.ok('settings.update', { centreName: 'Trung tâm Đổi Tên Thử', centreCode: CENTRE.centreCode, lockTimeoutMinutes: now.lockTimeoutMinutes, version: now.versions.centre });
    expect(saved).toMatchObject({ centreName: 'Trung tâm Đổi Tên Thử', lockTimeoutMinutes: 7 });
    expect(saved.versions.centre).not.toBe(now.versions.centre);
    expect(saved.versions.caseload).toBe(opened.caseload);
    const trail = (await app.ok('audit.list', { action: 'settings.update' })).rows.map((row) => row.errorCode);
    expect(trail.filter((code) => code === 'RECORD_CHANGED')).toHaveLength(2);
    // The managers' groups likewise.
    await app.ok('auth.logout', {});
    await loginAs(app, MANAGER);
    const manager = (await app.ok('settings.get', {})).versions;
    await app.ok('settings.updateCaseload', { noContactWarnDays: 45, noContactUrgentDays: 90, reviewIntervalMonths: 6, version: manager.caseload });
    expect(await app.call('settings.updateCaseload', { noContactWarnDays: 60, noContactUrgentDays: 120, reviewIntervalMonths: 3, version: manager.caseload })).toEqual({ ok: false, error: { code: 'RECORD_CHANGED' } });
    const reports = await app.ok('settings.get', {});
    const reportForm = { reportK: 10, reportParentAgency: reports.reportParentAgency, reportRecipient: reports.reportRecipient, reportDocumentNumber: '', reportPlace: reports.reportPlace, reportSignerTitle: reports.reportSignerTitle, reportSignerName: '', dhis2OrgUnit: '', dhis2DataSet: '', dhis2Mapping: '{}' };
    await app.ok('settings.updateReports', { ...reportForm, reportSignerName: 'Người Ký Thử', version: manager.reports });
    expect(await app.call('settings.updateReports', { ...reportForm, reportK: 12, version: manager.reports })).toEqual({ ok: false, error: { code: 'RECORD_CHANGED' } });
    expect(await app.ok('settings.get', {})).toMatchObject({ noContactWarnDays: 45, reportK: 10, reportSignerName: 'Người Ký Thử' });
  });

  it('unknown people are reported as such', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, ADMIN);
    expect(await app.call('users.update', { id: 999, version: ANY_VERSION, displayName: 'Không Có', roles: ['worker'] })).toEqual({
      ok: false,
      error: { code: 'USER_NOT_FOUND' },
    });
  });

  it('keeps each person\'s language', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, WORKER);
    expect((await app.ok('me.setLanguage', { language: 'en' })).language).toBe('en');
    await app.ok('auth.logout', {});
    expect((await loginAs(app, WORKER)).language).toBe('en');
  });
});
