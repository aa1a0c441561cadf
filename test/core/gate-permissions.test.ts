import { describe, expect, it } from 'vitest';
import { contract, CHANNEL_NAMES, ROLE_PERMISSIONS, type ChannelInput, type ChannelName, type Role } from '../../electron/contract/index.ts';
import { ADMIN, ANY_VERSION, CENTRE, consentNow, copyOfTemplate, loginAs, MANAGER, syntheticClient, type Template, TODAY, WORKER } from '../support/vault-fixture.ts';
import { contentSnapshot, lastAuditRow } from '../support/db-snapshot.ts';

/*
 * Every channel, for every role: allowed or refused as the contract says; refused calls change
 * nothing and are audited. A new channel without a sample here fails to compile.
 */

const PEOPLE = { admin: ADMIN, manager: MANAGER, worker: WORKER } as const;

type Samples = { [C in ChannelName]: (ids: Template['ids'], role: Role) => ChannelInput<C> };
const SAMPLES: Samples = {
  'session.get': () => ({}),
  'session.touch': () => ({}),
  'auth.login': () => ({ username: WORKER.username, password: WORKER.password }),
  'auth.serverLook': () => ({}),
  'auth.serverSwitch': () => ({ username: ADMIN.username, password: ADMIN.password }),
  'auth.recover': () => ({ recoveryCode: 'AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH', username: ADMIN.username, newPassword: 'mat-khau-moi-0001' }),
  'auth.logout': () => ({}),
  'auth.lock': () => ({}),
  'auth.changePassword': (_ids, role) => ({ currentPassword: PEOPLE[role as keyof typeof PEOPLE].password, newPassword: 'mat-khau-moi-0001' }),
  'me.setLanguage': () => ({ language: 'en' }),
  'setup.begin': () => ({ ...CENTRE, adminUsername: 'x.admin', adminDisplayName: 'X', adminPassword: 'mat-khau-moi-0001', language: 'vi' }),
  'setup.complete': () => ({ confirmation: 'AAAA' }),
  'setup.cancel': () => ({}),
  'setup.serverCheck': () => ({}),
  'setup.serverConnect': () => ({ confirm: true }),
  'setup.serverLeave': () => ({}),
  'users.list': () => ({}),
  'users.create': () => ({ username: 'perm.test', displayName: 'Thử Quyền', roles: ['worker'], temporaryPassword: 'tam-thoi-quyen-01' }),
  'users.update': (ids) => ({ id: ids.worker, displayName: 'Cán Bộ Đổi Tên', roles: ['worker'], version: ANY_VERSION }),
  'users.deactivate': (ids) => ({ id: ids.worker }),
  'users.reactivate': (ids) => ({ id: ids.worker, temporaryPassword: 'tam-thoi-lai-0001' }),
  'users.resetPassword': (ids) => ({ id: ids.manager, temporaryPassword: 'tam-thoi-lai-0002' }),
  'audit.list': () => ({}),
  'audit.verify': () => ({}),
  'settings.get': () => ({}),
  'settings.update': () => ({ lockTimeoutMinutes: 9, version: ANY_VERSION }),
  'recovery.begin': () => ({}),
  'recovery.complete': () => ({ confirmation: 'AAAA' }),
  'clients.checkCode': () => ({ code: 'THMA95-1' }),
  'clients.register': () => syntheticClient({ motherName: 'Quyền', fatherName: 'Hạn', alias: 'Thử Quyền' }),
  'clients.list': () => ({ search: 'thu' }),
  'clients.get': (ids) => ({ clientId: ids.client }),
  'clients.identity': (ids) => ({ clientId: ids.client, reason: 'Kiểm tra quyền truy cập thử nghiệm' }),
  'clients.updateIdentity': (ids) => ({ clientId: ids.client, identity: { legalName: 'Tên Thử Đổi', phone: null, idNumber: null, address: null }, version: ANY_VERSION }),
  'clients.update': (ids) => ({ clientId: ids.client, alias: 'Chị Thử Đổi', wardCode: null, provinceCode: null, workSetting: null, version: ANY_VERSION }),
  'clients.close': (ids) => ({ clientId: ids.client, reason: 'moved_away', on: TODAY }),
  'clients.reopen': (ids) => ({ clientId: ids.client, on: TODAY }),
  'consent.record': (ids) => ({ clientId: ids.client, purpose: 'reports', consent: consentNow('reports') }),
  'consent.renew': (ids) => ({ consentId: ids.caseConsent, consent: consentNow('case_record') }),
  'consent.setPaperPlace': (ids) => ({ consentId: ids.caseConsent, keptAt: 'Tủ hồ sơ thử, ngăn 1' }),
  'consent.withdraw': (ids) => ({ consentId: ids.contactConsent, on: TODAY }),
  'visits.record': (ids) => ({ clientId: ids.client, visitOn: TODAY, place: 'outreach', serviceTypeIds: [1, 2] }),
  'visits.correct': (ids) => ({ visitId: ids.visit, visitOn: TODAY, place: 'outreach', serviceTypeIds: [1], note: 'Ghi chú thử nghiệm', version: ANY_VERSION }),
  'referrals.create': (ids) => ({ clientId: ids.client, partnerId: ids.partner, serviceTypeId: 1, proposedOn: TODAY }),
  'referrals.setStatus': (ids) => ({ referralId: ids.referral, status: 'sent', on: TODAY }),
  'referrals.slip': (ids) => ({ referralId: ids.referral }),
  'anonymous.record': () => ({ contactOn: TODAY, ageBand: '25_34', sex: 'female', place: 'outreach', serviceTypeIds: [8] }),
  'catalogue.list': () => ({}),
  'catalogue.frequent': () => ({}),
  'groups.record': (ids) => ({ heldOn: TODAY, kind: 'peer_group', place: 'centre', topic: 'Chủ đề thử', serviceTypeId: 12, clientIds: [ids.client], others: [{ sex: 'female', ageBand: '25_34', count: 3 }] }),
  'groups.attend': (ids) => ({ sessionId: 1, clientIds: [ids.client] }),
  'groups.list': () => ({}),
  'groups.get': () => ({ sessionId: 1 }),
  'catalogue.save': () => ({ id: null, group: 'other', nameVi: 'Dịch vụ thử', nameEn: 'Test service', version: null }),
  'catalogue.setActive': () => ({ id: 16, active: false }),
  'partners.list': () => ({}),
  'partners.add': () => ({ name: 'Trường nghề Thử nghiệm', kind: 'vocational_school', wardCode: null, contact: null }),
  'partners.save': (ids) => ({ id: ids.partner, name: 'Phòng khám Thử nghiệm', kind: 'hiv_sti_clinic', wardCode: null, contact: null, version: ANY_VERSION }),
  'identityAccess.list': () => ({}),
  'settings.updateCaseload': () => ({ noContactWarnDays: 45, noContactUrgentDays: 90, reviewIntervalMonths: 3, version: ANY_VERSION }),
  'todo.list': () => ({}),
  'todo.count': () => ({}),
  'caseload.workers': () => ({}),
  'caseload.offer': (ids) => ({ clientId: ids.client, toUserId: ids.worker2 }),
  'caseload.withdrawOffer': () => ({ offerId: 1 }),
  'caseload.respond': () => ({ offerId: 1, accept: true }),
  'caseload.reassign': (ids) => ({ selection: { kind: 'clients', clientIds: [ids.client] }, toUserId: ids.worker2 }),
  'dashboard.get': () => ({ from: '2026-01-01', to: TODAY }),
  'reviews.record': (ids) => ({ clientId: ids.client, comment: 'Rà soát thử nghiệm' }),
  'reviews.due': () => ({}),
  'savedFilters.list': () => ({}),
  'savedFilters.save': () => ({ id: null, name: 'Quá hạn chuyển gửi', filters: { mine: true, overdueReferrals: true }, version: null }),
  'savedFilters.delete': () => ({ id: 1, version: ANY_VERSION }),
  'settings.updateReports': () => ({
    reportK: 10,
    reportParentAgency: 'SỞ Y TẾ',
    reportRecipient: 'Sở Y tế',
    reportDocumentNumber: '01/BC',
    reportPlace: 'TP. Hồ Chí Minh',
    reportSignerTitle: 'GIÁM ĐỐC',
    reportSignerName: '',
    dhis2OrgUnit: '',
    dhis2DataSet: '',
    dhis2Mapping: '{}',
    version: ANY_VERSION,
  }),
  'reports.start': () => ({ period: { kind: 'quarter', year: 2026, quarter: 4 } }),
  'reports.next': () => ({ jobId: '0'.repeat(32) }),
  'reports.cancel': () => ({ jobId: '0'.repeat(32) }),
  'reports.save': () => ({ jobId: '0'.repeat(32), format: 'csv' }),
  'reports.log': () => ({}),
  'backup.start': () => ({}),
  'backup.next': () => ({ jobId: '0'.repeat(32) }),
  'backup.cancel': () => ({ jobId: '0'.repeat(32) }),
  'backup.verify': () => ({ credentials: { username: ADMIN.username, password: ADMIN.password } }),
  'backup.restore': () => ({ credentials: { username: ADMIN.username, password: ADMIN.password }, confirm: true }),
  'backup.setFolder': () => ({}),
  'setup.restore': () => ({ credentials: { username: ADMIN.username, password: ADMIN.password }, confirm: true }),
  'setup.restoreNext': () => ({ jobId: '0'.repeat(32) }),
  'setup.restoreCancel': () => ({ jobId: '0'.repeat(32) }),
  'backup.status': () => ({}),
  'backup.updateSettings': () => ({ backupEveryHours: 24, backupKeep: 5, backupAtExit: true }),
  'clients.history': (ids) => ({ clientId: ids.client }),
  'clients.accessSummary': (ids) => ({ clientId: ids.client, includeNotes: false }),
  'clients.restrict': (ids) => ({ clientId: ids.client, reason: 'client_request' }),
  'clients.unrestrict': (ids) => ({ clientId: ids.client }),
  'clients.erase': (ids) => ({ clientId: ids.client, reason: 'client_request', confirmCode: 'KHONG-PHAI' }),
  'retention.preview': () => ({}),
  'retention.apply': () => ({ clientIds: [], confirm: true }),
  'register.get': () => ({}),
  'vault.moveUp': () => ({ confirm: true }),
  'vault.rotateBegin': () => ({}),
  'vault.rotateKey': () => ({ password: ADMIN.password, confirmation: 'AAAA', confirm: true }),
  'import.open': () => ({}),
  'import.preview': (ids) => ({ plan: { sheet: 0, columns: [], workerId: ids.worker } }),
  'import.commit': (ids) => ({ plan: { sheet: 0, columns: [], workerId: ids.worker }, sha256: '0'.repeat(64) }),
  'import.saveProblems': (ids) => ({ plan: { sheet: 0, columns: [], workerId: ids.worker }, language: 'vi' }),
  'import.close': () => ({}),
  'merge.candidates': () => ({}),
  'import.mappings': () => ({ sheet: 0 }),
  'import.saveMapping': () => ({ name: 'Sổ thử', sheet: 0, columns: [] }),
  'import.deleteMapping': () => ({ name: 'Sổ thử' }),
  'merge.compare': (ids) => ({ keepId: ids.client, otherId: 999_999 }),
  'merge.apply': (ids) => ({ keepId: ids.client, otherId: 999_999, versions: { keep: ANY_VERSION, other: ANY_VERSION } }),
};

const PUBLIC = CHANNEL_NAMES.filter((name) => contract[name].access === 'public');
const SESSION_ENDING: ChannelName[] = ['auth.logout', 'auth.lock'];
const guarded = CHANNEL_NAMES.filter((name) => contract[name].access !== 'public' && !SESSION_ENDING.includes(name));

/** What an allowed call of each sample gives when it does not simply succeed. */
// Samples run in contract order: users.deactivate before users.reactivate (so reactivating
// the worker succeeds), recovery.begin before recovery.complete (whose sample group is wrong), the same for vault.rotateBegin;
// clients.identity (with a reason) before clients.accessSummary, which needs it for a manager.
// caseload.offer before caseload.withdrawOffer, which leaves nothing pending to respond to.
const EXPECTED_WHEN_ALLOWED: Partial<Record<ChannelName, string | Partial<Record<Role, string>>>> = {
  // The worker's session was recorded by the sample before; a manager cannot record one.
  'groups.get': { manager: 'GROUP_NOT_FOUND' },
  'clients.erase': 'ERASE_CONFIRMATION_MISMATCH',
  'recovery.complete': 'RECOVERY_CONFIRMATION_MISMATCH',
  'vault.rotateKey': 'RECOVERY_CONFIRMATION_MISMATCH',
  'caseload.respond': 'OFFER_NOT_FOUND',
  // The sample's version is not the record's: an allowed change to it is refused as made on a record changed since.
  'clients.update': 'RECORD_CHANGED',
  'clients.updateIdentity': 'RECORD_CHANGED',
  'visits.correct': 'RECORD_CHANGED',
  'partners.save': 'RECORD_CHANGED',
  'settings.update': 'RECORD_CHANGED',
  'settings.updateCaseload': 'RECORD_CHANGED',
  'settings.updateReports': 'RECORD_CHANGED',
  'users.update': 'RECORD_CHANGED',
  'savedFilters.delete': 'RECORD_CHANGED',
  'reports.next': 'REPORT_NOT_FOUND',
  'reports.save': 'REPORT_NOT_FOUND',
  'backup.next': 'BACKUP_NOT_RUNNING',
  // No file was opened (the harness's dialog gives no path).
  'import.preview': 'IMPORT_NOT_OPEN',
  'import.commit': 'IMPORT_NOT_OPEN',
  'import.saveProblems': 'IMPORT_NOT_OPEN',
  'import.mappings': 'IMPORT_NOT_OPEN',
  'import.saveMapping': 'IMPORT_NOT_OPEN',
  // The template has one client: the other named is none.
  'merge.compare': 'CLIENT_NOT_FOUND',
  'merge.apply': 'CLIENT_NOT_FOUND',
};

function allowed(channel: ChannelName, role: Role): boolean {
  const access = contract[channel].access;
  return access === 'public' || access === 'session' || ROLE_PERMISSIONS[role].includes(access);
}

const ROLE_LIST = ['worker', 'manager', 'admin'] as const;

describe('permissions, channel by channel', () => {
  it('has exactly the public channels that must work while locked', () => {
    expect(PUBLIC.sort()).toEqual(['auth.login', 'auth.recover', 'auth.serverLook', 'auth.serverSwitch', 'session.get', 'setup.begin', 'setup.cancel', 'setup.complete', 'setup.restore', 'setup.restoreCancel', 'setup.restoreNext', 'setup.serverCheck', 'setup.serverConnect', 'setup.serverLeave']);
  });

  it.each(ROLE_LIST)('%s: refused channels change nothing and are audited; allowed ones pass the gate', async (role) => {
    const app = await copyOfTemplate();
    await loginAs(app, PEOPLE[role]);
    const ids = app.template.ids;
    const order = [...guarded].sort((a, b) => Number(allowed(a, role)) - Number(allowed(b, role)));
    for (const channel of order) {
      const before = await contentSnapshot(app);
      const result = await app.call(channel, SAMPLES[channel](ids, role) as never);
      if (allowed(channel, role)) {
        const expected = EXPECTED_WHEN_ALLOWED[channel];
        expect(result.ok ? 'ok' : result.error.code, `${channel} for ${role}`).toBe((typeof expected === 'object' ? expected[role] : expected) ?? 'ok');
      } else {
        expect(result, `${channel} for ${role}`).toEqual({ ok: false, error: { code: 'FORBIDDEN' } });
        expect((await contentSnapshot(app)), `${channel} changed something for ${role}`).toBe(before);
        expect(await lastAuditRow(app)).toMatchObject({ action: channel, outcome: 'refused', error_code: 'FORBIDDEN', actor_user_id: ids[role] });
      }
    }
    expect(app.logged).toEqual([]);
  });

  it.each(ROLE_LIST)('%s: may lock and log out', async (role) => {
    const app = await copyOfTemplate();
    for (const channel of SESSION_ENDING) {
      await loginAs(app, PEOPLE[role]);
      await app.ok(channel, {});
      expect(app.core.vault.isOpen).toBe(false);
    }
  });

  it('with the vault locked, every guarded channel is refused and the refusals reach the trail', async () => {
    const app = await copyOfTemplate();
    for (const channel of [...guarded, ...SESSION_ENDING]) {
      expect(await app.call(channel, SAMPLES[channel](app.template.ids, 'admin') as never), channel).toEqual({
        ok: false,
        error: { code: 'NOT_AUTHENTICATED' },
      });
    }
    await loginAs(app, ADMIN);
    const { rows } = await app.ok('audit.list', { limit: 200 });
    const refused = rows.filter((row) => row.outcome === 'refused').map((row) => row.action).sort();
    expect(refused).toEqual([...guarded, ...SESSION_ENDING].sort());
  });
});
