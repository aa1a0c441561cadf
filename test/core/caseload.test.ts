import { describe, expect, it } from 'vitest';
import type { RegisterClientInput, TodoItem } from '../../electron/contract/index.ts';
import { ADMIN, consentNow, copyOfTemplate, loginAs, MANAGER, syntheticClient, TODAY, WORKER, WORKER2, type TestApp, userVersion, settingsVersion } from '../support/vault-fixture.ts';
import { contentSnapshot } from '../support/db-snapshot.ts';
import { typeId } from '../support/calls.ts';

/*
 * The worker's to-do list, rule by rule with dates either side of each threshold (the test
 * clock moves, day by day); cases offered, accepted, declined and reassigned, and who may then
 * see identity; working lists. The dashboard's numbers are in dashboard.test.ts.
 */

const DAY = 86_400_000;
// Code parts are the first two letters of each name: these give distinct codes.
const MOTHERS = ['An', 'Bé', 'Cúc', 'Dung', 'Giang', 'Hà', 'Khánh', 'Lụa', 'My', 'Nga', 'Oanh', 'Phấn', 'Quế', 'Sen', 'Tâm', 'Uyên', 'Vân', 'Xuân', 'Yến'];
const FATHERS = ['Bảo', 'Cường', 'Đạt', 'Hiếu'];
let parts = 0;

/** A client of the logged-in worker, registered on `on` (consent given that day), with distinct code parts. */
async function register(app: TestApp, on: string, overrides: Partial<RegisterClientInput> = {}) {
  parts++;
  const motherName = MOTHERS[parts % MOTHERS.length] ?? 'An';
  const fatherName = FATHERS[Math.floor(parts / MOTHERS.length) % FATHERS.length] ?? 'Bảo';
  const registered = await app.ok(
    'clients.register',
    syntheticClient({ motherName, fatherName, alias: `Thử Việc ${parts}`, consent: consentNow('case_record', 'adult', { givenOn: on }), ...overrides }),
  );
  return registered.clientId;
}

const kinds = (items: TodoItem[], clientId: number) => items.filter((item) => item.clientId === clientId).map((item) => `${item.kind}@${item.daysOverdue}`);

async function todo(app: TestApp) {
  const list = await app.ok('todo.list', {});
  // The badge counts what is due now; what is only coming up is listed, not counted.
  expect((await app.ok('todo.count', {})).total).toBe(list.items.filter((item) => !item.upcoming).length);
  return list.items;
}

async function switchTo(app: TestApp, person: { username: string; password: string }) {
  await app.ok('auth.logout', {});
  await loginAs(app, person);
}

describe('the to-do list', () => {
  it('starts empty for a worker whose cases are all in order', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, WORKER);
    expect(await app.ok('todo.list', {})).toMatchObject({ items: [], counts: { follow_up: 0, referral_overdue: 0, no_contact: 0 } });
  });

  it('shows a follow-up coming up within the week, then due on its day, overdue after; a visit clears it', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, WORKER);
    const id = await register(app, TODAY);
    await app.ok('visits.record', { clientId: id, visitOn: TODAY, place: 'centre', serviceTypeIds: [1], nextFollowUpOn: '2026-11-29' });
    expect((await todo(app)).find((item) => item.clientId === id)).toMatchObject({ kind: 'follow_up', daysOverdue: -1, upcoming: true });
    app.clock.advance(DAY);
    expect(kinds(await todo(app), id)).toEqual(['follow_up@0']);
    app.clock.advance(DAY);
    const [item] = await todo(app);
    expect(item).toMatchObject({ kind: 'follow_up', clientId: id, dueOn: '2026-11-29', daysOverdue: 1, alias: expect.stringContaining('Thử Việc') });
    await app.ok('visits.record', { clientId: id, visitOn: '2026-11-30', place: 'phone_online', serviceTypeIds: [2] });
    expect(kinds(await todo(app), id)).toEqual([]);
  });

  it('shows a referral from a week before its due date while it has no outcome; an outcome clears it', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, WORKER);
    const id = await register(app, TODAY);
    const referral = await app.ok('referrals.create', {
      clientId: id,
      partnerId: app.template.ids.partner,
      serviceTypeId: await typeId(app, 'prep'),
      proposedOn: TODAY,
      dueOn: '2026-11-29',
      shareConsent: consentNow('share_partner'),
    });
    app.clock.advance(DAY);
    // Due today: on the list (it was already there as coming up), not yet late.
    expect(kinds(await todo(app), id)).toEqual(['referral_overdue@0']);
    app.clock.advance(DAY);
    expect((await todo(app)).find((item) => item.clientId === id)).toMatchObject({
      kind: 'referral_overdue',
      referralId: referral.id,
      partnerName: 'Phòng khám Thử nghiệm',
      serviceTypeId: await typeId(app, 'prep'),
      daysOverdue: 1,
    });
    // Received is not an outcome.
    await app.ok('referrals.setStatus', { referralId: referral.id, status: 'sent', on: '2026-11-30' });
    await app.ok('referrals.setStatus', { referralId: referral.id, status: 'received', on: '2026-11-30' });
    expect(kinds(await todo(app), id)).toEqual(['referral_overdue@1']);
    await app.ok('referrals.setStatus', { referralId: referral.id, status: 'completed', on: '2026-11-30' });
    expect(kinds(await todo(app), id)).toEqual([]);
  });

  it('warns of consents expiring within 30 days, keeps an expired case-record consent, and drops what is renewed', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, WORKER);
    const in30 = await register(app, TODAY, { consent: consentNow('case_record', 'adult', { expiresOn: '2026-12-28' }) });
    const in31 = await register(app, TODAY, { consent: consentNow('case_record', 'adult', { expiresOn: '2026-12-29' }) });
    const contact = await register(app, TODAY, {
      identity: { legalName: null, phone: '0000 111 222', idNumber: null, address: null },
      contactConsent: consentNow('contact', 'adult', { expiresOn: '2026-12-10' }),
    });
    expect(kinds(await todo(app), in30)).toEqual(['consent_expiring@-30']);
    expect(kinds(await todo(app), in31)).toEqual([]);
    expect(kinds(await todo(app), contact)).toEqual(['consent_expiring@-12']);
    // Sharing with a partner matters only while a referral to that partner is open.
    const shared = await register(app, TODAY);
    const referral = await app.ok('referrals.create', {
      clientId: shared,
      partnerId: app.template.ids.partner,
      serviceTypeId: await typeId(app, 'prep'),
      proposedOn: TODAY,
      shareConsent: consentNow('share_partner', 'adult', { expiresOn: '2026-12-20' }),
    });
    expect((await todo(app)).find((item) => item.clientId === shared)).toMatchObject({ kind: 'consent_expiring', consentPurpose: 'share_partner', dueOn: '2026-12-20' });
    await app.ok('referrals.setStatus', { referralId: referral.id, status: 'declined', on: TODAY });
    expect(kinds(await todo(app), shared)).toEqual([]);

    app.clock.advance(31 * DAY);
    // An expired case-record consent stays (nothing can be written until it is renewed); an expired contact consent goes.
    expect(kinds(await todo(app), in30)).toEqual(['consent_expired@1']);
    expect(kinds(await todo(app), in31)).toEqual(['consent_expiring@0']);
    expect(kinds(await todo(app), contact)).toEqual([]);
    const page = await app.ok('clients.get', { clientId: in30 });
    const consentId = page.consents.find((consent) => consent.purpose === 'case_record')?.id ?? 0;
    await app.ok('consent.renew', { consentId, consent: consentNow('case_record', 'adult', { givenOn: '2026-12-29' }) });
    expect(kinds(await todo(app), in30)).toEqual([]);
  });

  it('lists what is coming up within the setting\'s days after what is due, a child\'s items first; managers count only what is due', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, WORKER);
    const adult = await register(app, TODAY);
    await app.ok('visits.record', { clientId: adult, visitOn: TODAY, place: 'centre', serviceTypeIds: [1], nextFollowUpOn: '2026-12-02' });
    const late = await register(app, '2026-11-20');
    await app.ok('visits.record', { clientId: late, visitOn: '2026-11-20', place: 'centre', serviceTypeIds: [1], nextFollowUpOn: '2026-11-27' });
    // A child: her child-protection referral is due within 7 days of registration.
    const year = Number(TODAY.slice(0, 4));
    const child = await register(app, TODAY, { birthYear: year - 15, consent: consentNow('case_record', 'child') });
    const items = await todo(app);
    expect(items.map((item) => [item.clientId, item.kind, item.daysOverdue, item.upcoming])).toEqual([
      [late, 'follow_up', 1, false],
      [child, 'referral_overdue', -7, true],
      [adult, 'follow_up', -4, true],
    ]);
    expect((await app.ok('todo.count', {})).total).toBe(1);
    expect((await app.ok('todo.list', {})).aheadDays).toBe(7);

    // The manager's counts per worker are what is due, as before.
    await switchTo(app, MANAGER);
    const dashboard = await app.ok('dashboard.get', { from: '2026-11-01', to: TODAY });
    expect(dashboard.workers.find((row) => row.workerId === app.template.ids.worker)?.todo).toMatchObject({ follow_up: 1, referral_overdue: 0 });
    // With the window at 0 days, the list holds only what is due.
    await app.ok('settings.updateCaseload', { noContactWarnDays: 60, noContactUrgentDays: 90, reviewIntervalMonths: 6, todoAheadDays: 0, version: await settingsVersion(app, 'caseload') });
    await switchTo(app, WORKER);
    expect((await todo(app)).map((item) => item.clientId)).toEqual([late]);
    expect(await app.call('settings.updateCaseload', { noContactWarnDays: 60, noContactUrgentDays: 90, reviewIntervalMonths: 6, todoAheadDays: 31, version: await settingsVersion(app, 'caseload') })).toMatchObject({ ok: false });
  });

  it('flags no contact at the warning and the urgent thresholds, which the manager can change', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, WORKER);
    const days59 = await register(app, '2026-09-30');
    const days60 = await register(app, '2026-09-29');
    const days89 = await register(app, '2026-08-31');
    const days90 = await register(app, '2026-08-30');
    const visited = await register(app, '2026-08-01');
    await app.ok('visits.record', { clientId: visited, visitOn: '2026-09-28', place: 'outreach', serviceTypeIds: [1] });
    const items = await todo(app);
    expect(kinds(items, days59)).toEqual([]);
    expect(kinds(items, days60)).toEqual(['no_contact@0']);
    expect(kinds(items, days89)).toEqual(['no_contact@29']);
    expect(kinds(items, days90)).toEqual(['no_contact@0']);
    expect(items.find((item) => item.clientId === days90)).toMatchObject({ noContactDays: 90, lastContactOn: '2026-08-30', dueOn: '2026-11-28' });
    expect(items.find((item) => item.clientId === visited)).toMatchObject({ noContactDays: 60, lastContactOn: '2026-09-28' });
    // Most overdue first.
    expect(items.map((item) => item.dueOn)).toEqual([...items.map((item) => item.dueOn)].sort());

    await switchTo(app, MANAGER);
    const invalid = await app.call('settings.updateCaseload', { noContactWarnDays: 60, noContactUrgentDays: 60, reviewIntervalMonths: 6, version: await settingsVersion(app, 'caseload') });
    expect(invalid).toMatchObject({ ok: false, error: { code: 'VALIDATION', issues: [{ path: 'noContactUrgentDays', message: 'urgentAfterWarn' }] } });
    await app.ok('settings.updateCaseload', { noContactWarnDays: 30, noContactUrgentDays: 59, reviewIntervalMonths: 6, version: await settingsVersion(app, 'caseload') });
    await switchTo(app, WORKER);
    const after = await todo(app);
    expect(after.find((item) => item.clientId === days59)).toMatchObject({ kind: 'no_contact', noContactDays: 59, daysOverdue: 0 });
    await app.ok('visits.record', { clientId: days59, visitOn: TODAY, place: 'centre', serviceTypeIds: [1] });
    expect(kinds(await todo(app), days59)).toEqual([]);
    // A closed case asks for nothing.
    await app.ok('clients.close', { clientId: days90, reason: 'lost_contact', on: TODAY });
    expect(kinds(await todo(app), days90)).toEqual([]);
    // Another worker's list holds none of it.
    await switchTo(app, WORKER2);
    expect(await todo(app)).toEqual([]);
  });
});

describe('moving cases between workers', () => {
  it('offers a case; the colleague sees it in her list, accepts, and gains the identity view the old holder loses', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, WORKER);
    const id = app.template.ids.client;
    const { offerId } = await app.ok('caseload.offer', { clientId: id, toUserId: app.template.ids.worker2, message: 'Chị ấy chuyển về gần văn phòng của chị' });
    await switchTo(app, WORKER2);
    expect(await todo(app)).toEqual([expect.objectContaining({ kind: 'offer', offerId, clientId: id, offeredBy: WORKER.displayName, daysOverdue: 0 })]);
    expect(await app.call('clients.identity', { clientId: id })).toEqual({ ok: false, error: { code: 'REASON_REQUIRED' } });
    expect((await app.ok('clients.list', { search: 'mau thu' })).rows).toEqual([]);
    expect(await app.ok('caseload.respond', { offerId, accept: true })).toEqual({ clientId: id });

    expect(await app.ok('clients.identity', { clientId: id })).toMatchObject({ legalName: 'Nguyễn Thị Mẫu Thử' });
    expect((await app.ok('clients.list', { search: 'mau thu' })).rows.map((row) => row.id)).toEqual([id]);
    const page = await app.ok('clients.get', { clientId: id });
    expect(page).toMatchObject({ isMine: true, assignedWorkerId: app.template.ids.worker2, restrictedVisible: true });
    expect(page.assignments).toEqual([
      { workerName: WORKER.displayName, startedOn: TODAY, endedOn: TODAY, how: 'registered', byName: WORKER.displayName },
      { workerName: WORKER2.displayName, startedOn: TODAY, endedOn: null, how: 'accepted', byName: WORKER2.displayName },
    ]);
    expect(page.offers).toEqual([expect.objectContaining({ status: 'accepted', message: 'Chị ấy chuyển về gần văn phòng của chị' })]);
    expect(page.timeline).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'assignment', summary: { how: 'accepted', workerName: WORKER2.displayName } })]));
    expect(await todo(app)).toEqual([]);

    await switchTo(app, WORKER);
    expect(await app.call('clients.identity', { clientId: id })).toEqual({ ok: false, error: { code: 'REASON_REQUIRED' } });
    expect((await app.ok('clients.get', { clientId: id })).visits[0]?.note).toBeNull();
    expect(await app.call('caseload.offer', { clientId: id, toUserId: app.template.ids.worker2 })).toEqual({ ok: false, error: { code: 'NOT_ASSIGNED' } });

    await switchTo(app, ADMIN);
    const audit = await app.ok('audit.list', { limit: 10 });
    expect(audit.rows.find((row) => row.action === 'caseload.respond')).toMatchObject({ outcome: 'ok', targetType: 'client', targetId: String(id), detail: { offerId, accepted: true } });
    const offers = await app.ok('audit.list', { action: 'caseload.offer' });
    expect(offers.rows.map((row) => [row.outcome, row.errorCode])).toEqual([['failed', 'NOT_ASSIGNED'], ['ok', null]]);
    expect(offers.rows[1]).toMatchObject({ targetId: String(id), detail: { toUserId: app.template.ids.worker2 } });
    // The message between colleagues stays out of the trail.
    expect(JSON.stringify([...audit.rows, ...offers.rows])).not.toContain('văn phòng');
  });

  it('declines only with a reason, which the offering worker and managers read; the holder stays', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, WORKER);
    const id = app.template.ids.client;
    const { offerId } = await app.ok('caseload.offer', { clientId: id, toUserId: app.template.ids.worker2 });
    await switchTo(app, WORKER2);
    const before = await contentSnapshot(app);
    expect(await app.call('caseload.respond', { offerId, accept: false })).toEqual({
      ok: false,
      error: { code: 'VALIDATION', issues: [{ path: 'reason', message: 'declineReasonRequired' }] },
    });
    expect(await app.call('caseload.respond', { offerId, accept: false, reason: '   ' })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(await contentSnapshot(app)).toBe(before);
    await app.ok('caseload.respond', { offerId, accept: false, reason: 'Tháng này em đã nhận đủ số ca' });
    expect(await app.call('caseload.respond', { offerId, accept: true })).toEqual({ ok: false, error: { code: 'OFFER_NOT_FOUND' } });
    for (const person of [WORKER, MANAGER]) {
      await switchTo(app, person);
      const page = await app.ok('clients.get', { clientId: id });
      expect(page.assignedWorkerId).toBe(app.template.ids.worker);
      expect(page.offers[0]).toMatchObject({ status: 'declined', reason: 'Tháng này em đã nhận đủ số ca', toName: WORKER2.displayName });
    }
  });

  it('refuses offers that make no sense, and changes nothing', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, WORKER);
    const id = app.template.ids.client;
    const ids = app.template.ids;
    const before = await contentSnapshot(app);
    expect(await app.call('caseload.offer', { clientId: id, toUserId: ids.worker })).toEqual({ ok: false, error: { code: 'OFFER_TO_SELF' } });
    expect(await app.call('caseload.offer', { clientId: id, toUserId: ids.manager })).toEqual({ ok: false, error: { code: 'NOT_A_WORKER' } });
    expect(await app.call('caseload.offer', { clientId: id, toUserId: 999 })).toEqual({ ok: false, error: { code: 'NOT_A_WORKER' } });
    expect(await app.call('caseload.offer', { clientId: 999, toUserId: ids.worker2 })).toEqual({ ok: false, error: { code: 'CLIENT_NOT_FOUND' } });
    expect(await contentSnapshot(app)).toBe(before);
    const { offerId } = await app.ok('caseload.offer', { clientId: id, toUserId: ids.worker2 });
    expect(await app.call('caseload.offer', { clientId: id, toUserId: ids.worker2 })).toEqual({ ok: false, error: { code: 'OFFER_PENDING' } });
    // Only the colleague answers; only the offering worker withdraws.
    expect(await app.call('caseload.respond', { offerId, accept: true })).toEqual({ ok: false, error: { code: 'OFFER_NOT_FOUND' } });
    await switchTo(app, WORKER2);
    expect(await app.call('caseload.withdrawOffer', { offerId })).toEqual({ ok: false, error: { code: 'OFFER_NOT_FOUND' } });
    await switchTo(app, WORKER);
    await app.ok('caseload.withdrawOffer', { offerId });
    await switchTo(app, WORKER2);
    expect(await todo(app)).toEqual([]);
    expect(await app.call('caseload.respond', { offerId, accept: true })).toEqual({ ok: false, error: { code: 'OFFER_NOT_FOUND' } });
  });

  it('taking the worker role from someone cancels offers to or from her', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, WORKER);
    const { offerId } = await app.ok('caseload.offer', { clientId: app.template.ids.client, toUserId: app.template.ids.worker2 });
    await switchTo(app, ADMIN);
    await app.ok('users.update', { id: app.template.ids.worker2, version: await userVersion(app, app.template.ids.worker2), displayName: WORKER2.displayName, roles: ['manager'] });
    await switchTo(app, WORKER);
    expect((await app.ok('clients.get', { clientId: app.template.ids.client })).offers[0]).toMatchObject({ id: offerId, status: 'cancelled' });
  });

  it('closing a case or deactivating a worker cancels the offers it leaves hanging', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, WORKER);
    const other = await register(app, TODAY);
    const first = await app.ok('caseload.offer', { clientId: app.template.ids.client, toUserId: app.template.ids.worker2 });
    const second = await app.ok('caseload.offer', { clientId: other, toUserId: app.template.ids.worker2 });
    await app.ok('clients.close', { clientId: app.template.ids.client, reason: 'moved_away', on: TODAY });
    expect((await app.ok('clients.get', { clientId: app.template.ids.client })).offers[0]?.status).toBe('cancelled');
    await switchTo(app, ADMIN);
    await app.ok('users.deactivate', { id: app.template.ids.worker2 });
    await switchTo(app, WORKER);
    expect((await app.ok('clients.get', { clientId: other })).offers[0]).toMatchObject({ id: second.offerId, status: 'cancelled' });
    expect(first.offerId).not.toBe(second.offerId);
  });

  it('lets a manager reassign one case, a list, or everything a worker who left holds', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, WORKER);
    const a = await register(app, TODAY);
    const b = await register(app, TODAY);
    const closed = await register(app, TODAY);
    await app.ok('clients.close', { clientId: closed, reason: 'moved_away', on: TODAY });
    const pending = await app.ok('caseload.offer', { clientId: a, toUserId: app.template.ids.worker2 });
    await switchTo(app, MANAGER);
    const ids = app.template.ids;

    // All or nothing: one unknown client refuses the whole list.
    const before = await contentSnapshot(app);
    expect(await app.call('caseload.reassign', { selection: { kind: 'clients', clientIds: [a, 999] }, toUserId: ids.worker2 })).toEqual({ ok: false, error: { code: 'CLIENT_NOT_FOUND' } });
    expect(await app.call('caseload.reassign', { selection: { kind: 'clients', clientIds: [a] }, toUserId: ids.manager })).toEqual({ ok: false, error: { code: 'NOT_A_WORKER' } });
    expect(await contentSnapshot(app)).toBe(before);

    expect(await app.ok('caseload.reassign', { selection: { kind: 'clients', clientIds: [a, a] }, toUserId: ids.worker2 })).toEqual({ reassigned: 1 });
    const pageA = await app.ok('clients.get', { clientId: a });
    expect(pageA.assignedWorkerId).toBe(ids.worker2);
    expect(pageA.assignments.at(-1)).toMatchObject({ how: 'reassigned', byName: MANAGER.displayName, endedOn: null });
    // The reassignment overtook the offer.
    expect(pageA.offers[0]).toMatchObject({ id: pending.offerId, status: 'cancelled' });

    // She leaves: her account is deactivated, her cases wait on the dashboard until moved.
    await switchTo(app, ADMIN);
    await app.ok('users.deactivate', { id: ids.worker });
    await switchTo(app, MANAGER);
    const load = await app.ok('dashboard.get', { from: '2026-11-01', to: TODAY });
    expect(load.workers[0]).toMatchObject({ workerId: ids.worker, active: false, openCases: 2 });
    expect(await app.ok('caseload.reassign', { selection: { kind: 'worker', workerId: ids.worker, status: 'open' }, toUserId: ids.worker2 })).toEqual({ reassigned: 2 });
    expect((await app.ok('clients.get', { clientId: closed })).assignedWorkerId).toBe(ids.worker);
    expect(await app.ok('caseload.reassign', { selection: { kind: 'worker', workerId: ids.worker, status: 'all' }, toUserId: ids.worker2 })).toEqual({ reassigned: 1 });
    const after = await app.ok('dashboard.get', { from: '2026-11-01', to: TODAY });
    expect(after.workers.map((worker) => [worker.name, worker.openCases])).toEqual([[WORKER2.displayName, 3]]);
    expect((await app.ok('clients.get', { clientId: b })).assignments.map((holding) => holding.how)).toEqual(['registered', 'reassigned']);

    await switchTo(app, ADMIN);
    const audit = await app.ok('audit.list', { action: 'caseload.reassign' });
    expect(audit.rows.map((row) => row.detail)).toEqual([
      { selection: 'worker', fromWorkerId: ids.worker, status: 'all', reassigned: 1 },
      { selection: 'worker', fromWorkerId: ids.worker, status: 'open', reassigned: 2 },
      { selection: 'clients', clientIds: [a, a], reassigned: 1 },
      // To herself (refused: she is not a worker); the trail says whom it was for.
      { selection: 'clients', clientIds: [a], selfAssignment: true },
      { selection: 'clients', clientIds: [a, 999] },
    ]);
    expect(audit.rows.map((row) => row.outcome)).toEqual(['ok', 'ok', 'ok', 'failed', 'failed']);
  });

  it('lists active workers with their open cases, to choose whom to give a case', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, MANAGER);
    expect(await app.ok('caseload.workers', {})).toEqual([
      { id: app.template.ids.worker2, displayName: WORKER2.displayName, active: true, openCases: 0, cases: 0 },
      { id: app.template.ids.worker, displayName: WORKER.displayName, active: true, openCases: 1, cases: 1 },
    ]);
    // Someone who left still shows among the holders, so that her cases can be moved on.
    await app.ok('auth.logout', {});
    await loginAs(app, ADMIN);
    await app.ok('users.deactivate', { id: app.template.ids.worker });
    await app.ok('auth.logout', {});
    await loginAs(app, MANAGER);
    expect((await app.ok('caseload.workers', {})).map((worker) => worker.id)).toEqual([app.template.ids.worker2]);
    expect(await app.ok('caseload.workers', { holders: true })).toEqual([
      { id: app.template.ids.worker2, displayName: WORKER2.displayName, active: true, openCases: 0, cases: 0 },
      { id: app.template.ids.worker, displayName: WORKER.displayName, active: false, openCases: 1, cases: 1 },
    ]);
  });
});

describe('case review', () => {
  it('marks a case reviewed with a comment restricted like notes, and lists the cases not reviewed for N months', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, WORKER);
    const onCutoff = await register(app, '2026-09-28');
    const afterCutoff = await register(app, '2026-09-29');
    const older = await register(app, '2026-03-01');
    await switchTo(app, MANAGER);
    const due = await app.ok('reviews.due', { months: 2 });
    expect(due).toMatchObject({ total: 2, months: 2, before: '2026-09-28' });
    expect(due.rows.map((row) => row.clientId)).toEqual([older, onCutoff]);
    expect((await app.ok('reviews.due', {})).rows.map((row) => row.clientId)).toEqual([older]);
    expect(afterCutoff).toBeGreaterThan(0);

    // Her record without the restricted parts, then a review.
    const page = await app.ok('clients.get', { clientId: app.template.ids.client });
    expect(page.visits[0]?.note).toBeNull();
    await app.ok('reviews.record', { clientId: older, comment: 'Cần kết nối thêm hỗ trợ pháp lý' });
    expect((await app.ok('reviews.due', { months: 2 })).rows.map((row) => row.clientId)).toEqual([onCutoff]);
    const reviewed = await app.ok('clients.get', { clientId: older });
    expect(reviewed).toMatchObject({ lastReviewedOn: TODAY, reviews: [{ reviewerName: MANAGER.displayName, comment: 'Cần kết nối thêm hỗ trợ pháp lý', hasComment: true }] });

    await switchTo(app, WORKER);
    expect((await app.ok('clients.get', { clientId: older })).reviews[0]?.comment).toBe('Cần kết nối thêm hỗ trợ pháp lý');
    await switchTo(app, WORKER2);
    expect((await app.ok('clients.get', { clientId: older })).reviews[0]).toMatchObject({ comment: null, hasComment: true });
    await app.ok('clients.identity', { clientId: older, reason: 'Thay cán bộ phụ trách trong tuần nghỉ phép' });
    expect((await app.ok('clients.get', { clientId: older })).reviews[0]?.comment).toBe('Cần kết nối thêm hỗ trợ pháp lý');

    await switchTo(app, ADMIN);
    const audit = await app.ok('audit.list', { action: 'reviews.record' });
    expect(audit.rows[0]).toMatchObject({ targetId: String(older), detail: { comment: true } });
    expect(JSON.stringify(audit.rows)).not.toContain('pháp lý');
  });
});

describe('working lists', () => {
  it('saves a named filter per person and lists exactly what it describes', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, WORKER);
    const overdue = await register(app, TODAY);
    await app.ok('referrals.create', { clientId: overdue, partnerId: app.template.ids.partner, serviceTypeId: 1, proposedOn: '2026-11-01', dueOn: '2026-11-15', shareConsent: consentNow('share_partner') });
    const saved = await app.ok('savedFilters.save', { id: null, name: 'Ca của tôi quá hạn chuyển gửi', filters: { mine: true, overdueReferrals: true }, version: null });
    expect(saved.filters).toMatchObject({ mine: true, overdueReferrals: true, status: 'open', sort: 'lastContact' });
    // Never the search text: it may be a legal name, which must not outlive her identity.
    expect(saved.filters).not.toHaveProperty('search');
    expect(await app.call('savedFilters.save', { id: null, name: 'Tìm tên', filters: { search: 'Nguyễn Thị Mẫu Thử' } as never, version: null })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    const [listed] = await app.ok('savedFilters.list', {});
    expect(listed).toEqual(saved);
    expect((await app.ok('clients.list', listed?.filters ?? {})).rows.map((row) => row.id)).toEqual([overdue]);
    expect(JSON.stringify(await app.core.vault.db.selectFrom('saved_filter').select('filters').execute())).not.toContain('Mẫu');
    expect((await app.ok('clients.list', {})).rows.length).toBe(2);

    expect(await app.call('savedFilters.save', { id: null, name: 'ca cua toi qua han chuyen gui', filters: {}, version: null })).toEqual({ ok: false, error: { code: 'SAVED_FILTER_NAME_TAKEN' } });
    expect(await app.call('savedFilters.save', { id: null, name: '  ', filters: {}, version: null })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(await app.call('savedFilters.save', { id: null, name: 'Lạ', filters: { colour: 'red' } as never, version: null })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    // Replacing a list needs the version she was shown.
    expect(await app.call('savedFilters.save', { id: saved.id, name: 'Quá hạn', filters: {}, version: null })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    const renamed = await app.ok('savedFilters.save', { id: saved.id, name: 'Quá hạn', filters: { mine: true, overdueReferrals: true, noContact: true }, version: saved.version });
    expect(renamed).toMatchObject({ id: saved.id, name: 'Quá hạn', filters: { noContact: true } });
    expect(renamed.version).not.toBe(saved.version);
    expect((await app.ok('clients.list', renamed.filters)).rows).toEqual([]);
    // The list as it was before (another PC of hers showed it so): neither replaced nor deleted over the change.
    const before = await contentSnapshot(app);
    expect(await app.call('savedFilters.save', { id: saved.id, name: 'Cũ', filters: {}, version: saved.version })).toEqual({ ok: false, error: { code: 'RECORD_CHANGED' } });
    expect(await app.call('savedFilters.delete', { id: saved.id, version: saved.version })).toEqual({ ok: false, error: { code: 'RECORD_CHANGED' } });
    expect(await contentSnapshot(app)).toBe(before);
    expect(await app.ok('savedFilters.list', {})).toEqual([renamed]);

    // Someone else's lists are not hers to see, change or delete.
    await switchTo(app, WORKER2);
    expect(await app.ok('savedFilters.list', {})).toEqual([]);
    expect(await app.call('savedFilters.save', { id: saved.id, name: 'Của tôi', filters: {}, version: renamed.version })).toEqual({ ok: false, error: { code: 'SAVED_FILTER_NOT_FOUND' } });
    expect(await app.call('savedFilters.delete', { id: saved.id, version: renamed.version })).toEqual({ ok: false, error: { code: 'SAVED_FILTER_NOT_FOUND' } });
    await switchTo(app, WORKER);
    await app.ok('savedFilters.delete', { id: saved.id, version: renamed.version });
    expect(await app.ok('savedFilters.list', {})).toEqual([]);
  });

  it('filters by worker, no contact and review for managers', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, WORKER);
    const quiet = await register(app, '2026-08-01');
    await switchTo(app, MANAGER);
    const ids = (rows: { id: number }[]) => rows.map((row) => row.id).sort((x, y) => x - y);
    expect(ids((await app.ok('clients.list', { workerId: app.template.ids.worker })).rows)).toEqual([app.template.ids.client, quiet]);
    expect((await app.ok('clients.list', { workerId: app.template.ids.worker2 })).rows).toEqual([]);
    expect(ids((await app.ok('clients.list', { noContact: true })).rows)).toEqual([quiet]);
    expect(ids((await app.ok('clients.list', { notReviewed: true })).rows)).toEqual([]);
    await app.ok('settings.updateCaseload', { noContactWarnDays: 60, noContactUrgentDays: 90, reviewIntervalMonths: 3, version: await settingsVersion(app, 'caseload') });
    expect(ids((await app.ok('clients.list', { notReviewed: true })).rows)).toEqual([quiet]);
  });
});
