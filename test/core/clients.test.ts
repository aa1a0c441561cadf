import { describe, expect, it } from 'vitest';
import { clientCode, currentConsentText } from '../../electron/contract/index.ts';
import { ADMIN, ANY_VERSION, consentNow, copyOfTemplate, detailsVersion, identityVersion, loginAs, MANAGER, syntheticClient, type TestApp, TODAY, WORKER, WORKER2, userVersion } from '../support/vault-fixture.ts';
import { contentSnapshot } from '../support/db-snapshot.ts';
import { containsLetters, containsText, vaultPlaintext } from '../support/decrypt.ts';
import { typeId } from '../support/calls.ts';
import { sqliteOf } from '../support/file-store.ts';
import { ON_SERVER } from '../support/store-under-test.ts';
import { countTrips } from '../support/server-trips.ts';

async function asWorker() {
  const app = await copyOfTemplate();
  await loginAs(app, WORKER);
  return app;
}

describe('registration starts with consent', () => {
  it('registers a client with a code built from repeatable facts, assigned to the worker, the case opened', async () => {
    const app = await asWorker();
    const input = syntheticClient({ motherName: 'Lan', fatherName: 'Hùng', birthYear: 1998, alias: 'Đặng Thị Thử' });
    const registered = await app.ok('clients.register', input);
    expect(registered).toMatchObject({ code: 'LAHU98-1', childPath: false });
    expect(registered.code).toBe(clientCode({ motherName: 'Lan', fatherName: 'Hùng', birthYear: 1998, sex: 'female' }));
    const page = await app.ok('clients.get', { clientId: registered.clientId });
    expect(page).toMatchObject({ alias: 'Đặng Thị Thử', ageBand: '25_34', isMine: true, assignedWorkerId: app.template.ids.worker, status: 'open' });
    expect(page.consents).toHaveLength(1);
    expect(page.consents[0]).toMatchObject({ purpose: 'case_record', state: 'active', textVersion: 'case_record.adult.v1', expiresOn: '2027-11-28' });
    expect(page.consents[0]?.textShown).toContain('Trung tâm xin phép lập hồ sơ');
    expect(page.timeline.map((item) => item.kind)).toEqual(expect.arrayContaining(['consent', 'case']));
    // The parts of the code are never stored.
    const content = await contentSnapshot(app);
    expect(content).not.toContain('"Lan"');
    expect(content).not.toContain('Hùng');
  });

  it('refuses a registration without consent, with an outdated text, or a verbal consent without a witness, and writes nothing', async () => {
    const app = await asWorker();
    const before = await contentSnapshot(app);
    // Other parts than the template's client, so no code collision hides the refusal under test.
    const refused = (overrides = {}) => syntheticClient({ motherName: 'Từ', fatherName: 'Chối', ...overrides });
    const { consent: _dropped, ...noConsent } = refused();
    expect((await app.call('clients.register', noConsent as never)).ok).toBe(false);
    expect(await app.call('clients.register', refused({ consent: consentNow('case_record', 'adult', { textVersion: 'case_record.child.v1' }) })))
      .toEqual({ ok: false, error: { code: 'CONSENT_TEXT_OUTDATED' } });
    const verbal = await app.call('clients.register', refused({ consent: consentNow('case_record', 'adult', { method: 'verbal_witnessed' }) }));
    expect(verbal).toMatchObject({ ok: false, error: { code: 'VALIDATION', issues: [{ path: 'consent.witness', message: 'witnessRequired' }] } });
    expect(await app.call('clients.register', refused({ consent: consentNow('case_record', 'adult', { givenOn: '2026-12-01' }) })))
      .toEqual({ ok: false, error: { code: 'DATE_IN_FUTURE' } });
    // A phone number needs consent to be contacted.
    expect(await app.call('clients.register', refused({ identity: { legalName: null, phone: '0911 111 111', idNumber: null, address: null } })))
      .toEqual({ ok: false, error: { code: 'CONSENT_REQUIRED' } });
    expect(await contentSnapshot(app)).toBe(before);
  });

  it('warns about an existing code and offers that record; a different person gets a suffix', async () => {
    const app = await asWorker();
    const existing = await app.ok('clients.checkCode', { code: 'thma95-1' });
    expect(existing).toEqual({ exists: true, clientId: app.template.ids.client });
    expect(await app.call('clients.register', syntheticClient())).toEqual({ ok: false, error: { code: 'CLIENT_CODE_EXISTS', clientId: app.template.ids.client } });
    const second = await app.ok('clients.register', syntheticClient({ distinctFromExisting: true, alias: 'Người Khác' }));
    expect(second.code).toBe('THMA95-1.2');
    const third = await app.ok('clients.register', syntheticClient({ distinctFromExisting: true, alias: 'Người Thứ Ba' }));
    expect(third.code).toBe('THMA95-1.3');
  });
});

describe('the child-protection path', () => {
  it('takes an under-18 through guardian consent and a required child-protection referral', async () => {
    const app = await asWorker();
    const child = syntheticClient({ motherName: 'Em', fatherName: 'Nhỏ', birthYear: 2011, alias: 'Bé Thử', consent: consentNow('case_record', 'child') });
    expect(await app.call('clients.register', { ...child, consent: consentNow('case_record', 'child', { givenBy: 'client' }) }))
      .toEqual({ ok: false, error: { code: 'CONSENT_GIVER_INVALID' } });
    expect(await app.call('clients.register', { ...child, consent: consentNow('case_record', 'adult', { givenBy: 'guardian' }) }))
      .toEqual({ ok: false, error: { code: 'CONSENT_TEXT_OUTDATED' } });
    const registered = await app.ok('clients.register', child);
    expect(registered.childPath).toBe(true);
    const page = await app.ok('clients.get', { clientId: registered.clientId });
    expect(page.ageBand).toBe('under_18');
    expect(page.consents[0]).toMatchObject({ givenBy: 'guardian', textVersion: currentConsentText('case_record', 'child') });
    expect(page.referrals).toHaveLength(1);
    expect(page.referrals[0]).toMatchObject({ status: 'proposed', partnerId: null, dueOn: '2026-12-05' });
    expect(page.referrals[0]?.serviceTypeId).toBe(await typeId(app, 'child_protection'));
  });

  it('words a child\'s consent to reports for her and her guardian, never as to an adult', async () => {
    const app = await asWorker();
    const child = syntheticClient({ motherName: 'Em', fatherName: 'Báo', birthYear: 2011, alias: 'Bé Thử Báo Cáo', consent: consentNow('case_record', 'child') });
    // The adult wording is refused for a child.
    expect(await app.call('clients.register', { ...child, reportsConsent: consentNow('reports', 'adult', { givenBy: 'guardian' }) })).toEqual({ ok: false, error: { code: 'CONSENT_TEXT_OUTDATED' } });
    const { clientId } = await app.ok('clients.register', { ...child, reportsConsent: consentNow('reports', 'child') });
    const reports = (await app.ok('clients.get', { clientId })).consents.find((consent) => consent.purpose === 'reports');
    expect(reports).toMatchObject({ textVersion: 'reports.child.v1', givenBy: 'guardian' });
    expect(reports?.textShown).toContain('về em');
    expect(currentConsentText('reports', 'adult')).toBe('reports.v1');
  });

  it('asks whether someone turning 18 this year has had her birthday', async () => {
    const app = await asWorker();
    const eighteen = syntheticClient({ motherName: 'Mười', fatherName: 'Tám', birthYear: 2008 });
    expect(await app.call('clients.register', eighteen)).toEqual({ ok: false, error: { code: 'AGE_UNCLEAR' } });
    expect((await app.ok('clients.register', { ...eighteen, turned18: true })).childPath).toBe(false);
    const notYet = { ...eighteen, motherName: 'Chưa', turned18: false, consent: consentNow('case_record', 'child') };
    expect((await app.ok('clients.register', notYet)).childPath).toBe(true);
  });
});

describe('every write needs the consent for it', () => {
  it('refuses visits, edits, identity and referrals once case-record consent has expired, until it is renewed', async () => {
    const app = await asWorker();
    const id = app.template.ids.client;
    app.clock.advance(366 * 24 * 3600 * 1000);
    const later = '2027-11-29';
    const refused = { ok: false, error: { code: 'CONSENT_REQUIRED' } };
    const before = await contentSnapshot(app);
    expect(await app.call('visits.record', { clientId: id, visitOn: later, place: 'centre', serviceTypeIds: [1] })).toEqual(refused);
    expect(await app.call('clients.update', { clientId: id, alias: 'Đổi', wardCode: null, provinceCode: null, workSetting: null, version: ANY_VERSION })).toEqual(refused);
    expect(await app.call('clients.updateIdentity', { clientId: id, identity: { legalName: 'Tên Mới Thử', phone: null, idNumber: null, address: null }, version: ANY_VERSION })).toEqual(refused);
    expect(await app.call('referrals.create', { clientId: id, partnerId: app.template.ids.partner, serviceTypeId: 1, proposedOn: later })).toEqual(refused);
    expect(await app.call('consent.record', { clientId: id, purpose: 'reports', consent: { ...consentNow('reports'), givenOn: later } })).toEqual(refused);
    expect(await app.call('referrals.setStatus', { referralId: app.template.ids.referral, status: 'sent', on: later })).toEqual(refused);
    expect(await contentSnapshot(app)).toBe(before);
    const page = await app.ok('clients.get', { clientId: id });
    expect(page.consents.find((consent) => consent.purpose === 'case_record')?.state).toBe('expired');

    await app.ok('consent.renew', { consentId: app.template.ids.caseConsent, consent: { ...consentNow('case_record'), givenOn: later } });
    await app.ok('visits.record', { clientId: id, visitOn: later, place: 'centre', serviceTypeIds: [1] });
    const renewed = await app.ok('clients.get', { clientId: id });
    expect(renewed.consents.filter((consent) => consent.purpose === 'case_record').map((consent) => consent.state)).toEqual(['active', 'replaced']);
  });

  it('flags consents expiring within 30 days', async () => {
    const app = await asWorker();
    app.clock.advance(340 * 24 * 3600 * 1000);
    const page = await app.ok('clients.get', { clientId: app.template.ids.client });
    expect(page.consents.find((consent) => consent.purpose === 'case_record')?.state).toBe('expiring');
  });

  it('needs consent to share with that partner before referring, recordable on the spot', async () => {
    const app = await asWorker();
    const id = app.template.ids.client;
    const other = await loginAndMakePartner(app);
    const legal = await typeId(app, 'legal_counselling');
    expect(await app.call('referrals.create', { clientId: id, partnerId: other, serviceTypeId: legal, proposedOn: TODAY }))
      .toEqual({ ok: false, error: { code: 'CONSENT_REQUIRED' } });
    const referral = await app.ok('referrals.create', { clientId: id, partnerId: other, serviceTypeId: legal, proposedOn: TODAY, dueOn: '2026-12-10', shareConsent: consentNow('share_partner') });
    expect(referral).toMatchObject({ status: 'proposed', partnerId: other, dueOn: '2026-12-10', overdue: false });
  });
});

async function loginAndMakePartner(app: TestApp): Promise<number> {
  await app.ok('auth.logout', {});
  await loginAs(app, MANAGER);
  const partner = await app.ok('partners.save', { id: null, name: 'Trợ giúp pháp lý Thử', kind: 'legal_aid', wardCode: null, contact: null, version: null });
  await app.ok('auth.logout', {});
  await loginAs(app, WORKER);
  return partner.id;
}

describe('consent on paper', () => {
  it('keeps where a signed form is kept: given with the consent or said later, only for written consent, only by her worker', async () => {
    const app = await asWorker();
    const registered = await app.ok('clients.register', syntheticClient({ motherName: 'Giấy', fatherName: 'Phiếu', consent: consentNow('case_record', 'adult', { paperKeptAt: 'Tủ hồ sơ thử, ngăn 1' }) }));
    let page = await app.ok('clients.get', { clientId: registered.clientId });
    expect(page.consents[0]).toMatchObject({ method: 'written', paperKeptAt: 'Tủ hồ sơ thử, ngăn 1' });
    // Verbal consent has no paper: a place given with it is not kept, and none can be said later.
    const verbal = await app.ok('consent.record', {
      clientId: registered.clientId,
      purpose: 'reports',
      consent: consentNow('reports', 'adult', { method: 'verbal_witnessed', witness: 'Người Chứng Thử', paperKeptAt: 'Không có phiếu' }),
    });
    page = await app.ok('clients.get', { clientId: registered.clientId });
    expect(page.consents.find((consent) => consent.id === verbal.consentId)?.paperKeptAt).toBeNull();
    expect(await app.call('consent.setPaperPlace', { consentId: verbal.consentId, keptAt: 'Tủ hồ sơ thử' })).toEqual({ ok: false, error: { code: 'CONSENT_NOT_WRITTEN' } });
    expect(await app.call('consent.setPaperPlace', { consentId: app.template.ids.caseConsent, keptAt: '   ' })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    // The template's written consent was recorded without a place: said afterwards, and in the trail.
    await app.ok('consent.setPaperPlace', { consentId: app.template.ids.caseConsent, keptAt: 'Tủ hồ sơ thử, ngăn 2' });
    page = await app.ok('clients.get', { clientId: app.template.ids.client });
    expect(page.consents.find((consent) => consent.id === app.template.ids.caseConsent)?.paperKeptAt).toBe('Tủ hồ sơ thử, ngăn 2');
    // Someone else's client: refused, nothing changed.
    await app.ok('auth.logout', {});
    await loginAs(app, WORKER2);
    expect(await app.call('consent.setPaperPlace', { consentId: app.template.ids.caseConsent, keptAt: 'Chỗ khác' })).toEqual({ ok: false, error: { code: 'NOT_ASSIGNED' } });
    await app.ok('auth.logout', {});
    await loginAs(app, WORKER);
    page = await app.ok('clients.get', { clientId: app.template.ids.client });
    expect(page.consents.find((consent) => consent.id === app.template.ids.caseConsent)?.paperKeptAt).toBe('Tủ hồ sơ thử, ngăn 2');
    // The trail: who said it for which client, and the call refused to another worker; never the words typed.
    await app.ok('auth.logout', {});
    await loginAs(app, ADMIN);
    const trail = (await app.ok('audit.list', { action: 'consent.setPaperPlace' })).rows;
    expect(trail.map((row) => [row.outcome, row.targetId])).toEqual(expect.arrayContaining([['ok', String(app.template.ids.client)], ['failed', String(app.template.ids.client)]]));
    expect(JSON.stringify(trail)).not.toContain('ngăn');
  });
});

describe('visits, follow-ups and referrals', () => {
  it('records a visit with several services; the follow-up it sets is settled by the next visit', async () => {
    const app = await asWorker();
    const id = app.template.ids.client;
    const services = [await typeId(app, 'psychological_counselling'), await typeId(app, 'harm_reduction_supplies')];
    await app.ok('visits.record', { clientId: id, visitOn: TODAY, place: 'outreach', serviceTypeIds: services, outcome: 'Đã tư vấn', nextFollowUpOn: '2026-12-12' });
    let page = await app.ok('clients.get', { clientId: id });
    expect(page.visits[0]).toMatchObject({ place: 'outreach', outcome: 'Đã tư vấn', serviceTypeIds: services });
    expect(page.nextFollowUpOn).toBe('2026-12-12');
    let row = (await app.ok('clients.list', { search: 'THMA95' })).rows[0];
    expect(row).toMatchObject({ lastContactOn: TODAY, nextFollowUpOn: '2026-12-12', openReferrals: 1 });

    app.clock.advance(5 * 24 * 3600 * 1000);
    await app.ok('visits.record', { clientId: id, visitOn: '2026-12-03', place: 'centre', serviceTypeIds: [services[0] ?? 0] });
    page = await app.ok('clients.get', { clientId: id });
    expect(page.nextFollowUpOn).toBeNull();
    row = (await app.ok('clients.list', { search: 'THMA95' })).rows[0];
    expect(row?.lastContactOn).toBe('2026-12-03');
  });

  it('lists the worker\'s own frequent services of the last 90 days, most used first', async () => {
    const app = await asWorker();
    const id = app.template.ids.client;
    const [psych, legal, other, methadone] = [await typeId(app, 'psychological_counselling'), await typeId(app, 'legal_counselling'), await typeId(app, 'other'), await typeId(app, 'methadone')];
    for (const serviceTypeIds of [[psych, legal], [psych], [legal, psych]]) await app.ok('visits.record', { clientId: id, visitOn: TODAY, place: 'centre', serviceTypeIds });
    // Long ago: not among what she does now, however often.
    for (let i = 0; i < 4; i++) await app.ok('visits.record', { clientId: id, visitOn: '2026-08-01', place: 'centre', serviceTypeIds: [other] });
    // Another worker's visits are his, not hers.
    await app.ok('auth.logout', {});
    await loginAs(app, WORKER2);
    const his = await app.ok('clients.register', syntheticClient({ motherName: 'Khác', fatherName: 'Người', alias: 'Người Khác Thử' }));
    for (let i = 0; i < 5; i++) await app.ok('visits.record', { clientId: his.clientId, visitOn: TODAY, place: 'centre', serviceTypeIds: [methadone] });
    expect((await app.ok('catalogue.frequent', {})).serviceTypeIds[0]).toBe(methadone);
    await app.ok('auth.logout', {});
    await loginAs(app, WORKER);
    const frequent = (await app.ok('catalogue.frequent', {})).serviceTypeIds;
    expect(frequent.slice(0, 2)).toEqual([psych, legal]);
    expect(frequent).not.toContain(other);
    expect(frequent).not.toContain(methadone);
    expect(frequent.length).toBeLessThanOrEqual(5);
  });

  it('refuses an inactive or unknown service type and a visit in the future', async () => {
    const app = await asWorker();
    const id = app.template.ids.client;
    expect(await app.call('visits.record', { clientId: id, visitOn: '2026-11-29', place: 'centre', serviceTypeIds: [1] })).toEqual({ ok: false, error: { code: 'DATE_IN_FUTURE' } });
    const before = await contentSnapshot(app);
    expect(await app.call('visits.record', { clientId: id, visitOn: TODAY, place: 'centre', serviceTypeIds: [999] })).toEqual({ ok: false, error: { code: 'SERVICE_TYPE_NOT_FOUND' } });
    // The services are checked as they are inserted, after the visit: a known type beside an
    // unknown one leaves neither the visit nor any service. The same type twice is refused before.
    expect(await app.call('visits.record', { clientId: id, visitOn: TODAY, place: 'centre', serviceTypeIds: [2, 999], note: 'Ghi chú thử' })).toEqual({ ok: false, error: { code: 'SERVICE_TYPE_NOT_FOUND' } });
    expect(await app.call('visits.record', { clientId: id, visitOn: TODAY, place: 'centre', serviceTypeIds: [2, 2] })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(await contentSnapshot(app)).toBe(before);
    await app.ok('auth.logout', {});
    await loginAs(app, ADMIN);
    await app.ok('catalogue.setActive', { id: 1, active: false });
    await app.ok('auth.logout', {});
    await loginAs(app, WORKER);
    const lastContact = (await app.ok('clients.list', { search: 'THMA95' })).rows[0]?.lastContactOn;
    const visits = (await app.ok('clients.get', { clientId: id })).visits.length;
    expect(await app.call('visits.record', { clientId: id, visitOn: TODAY, place: 'centre', serviceTypeIds: [2, 1] })).toEqual({ ok: false, error: { code: 'SERVICE_TYPE_INACTIVE' } });
    expect((await app.ok('clients.list', { search: 'THMA95' })).rows[0]?.lastContactOn).toBe(lastContact);
    expect((await app.ok('clients.get', { clientId: id })).visits).toHaveLength(visits);
    // Her services come back in the catalogue's order, however they were ticked.
    await app.ok('visits.record', { clientId: id, visitOn: TODAY, place: 'centre', serviceTypeIds: [3, 2] });
    expect((await app.ok('clients.get', { clientId: id })).visits[0]).toMatchObject({ visitOn: TODAY, serviceTypeIds: [2, 3] });
  });

  it.runIf(ON_SERVER)('records a visit in two trips to the server while the trail is held, with words in it too, all of it there after', async () => {
    const app = await asWorker();
    const id = app.template.ids.client;
    // A first visit of each kind (two services and a follow-up set; one service, words, the
    // follow-up settled): this PC's connection parses the statements it names (a trip more for
    // each, once; the test below counts those).
    await app.ok('visits.record', { clientId: id, visitOn: TODAY, place: 'centre', serviceTypeIds: [1, 2], nextFollowUpOn: '2026-12-05' });
    await app.ok('visits.record', { clientId: id, visitOn: TODAY, place: 'centre', serviceTypeIds: [1], note: 'Ghi chú thử lần đầu' });
    const wire = countTrips();
    const tripsOf = async (call: () => Promise<number>) => {
      wire.reset();
      const made = await call();
      return { made, trips: wire.trips };
    };
    let counted: { made: number; trips: number }[];
    try {
      counted = [
        await tripsOf(async () => (await app.ok('visits.record', { clientId: id, visitOn: TODAY, place: 'outreach', serviceTypeIds: [3, 2], nextFollowUpOn: '2026-12-05' })).visitId),
        await tripsOf(async () => (await app.ok('visits.record', { clientId: id, visitOn: TODAY, place: 'centre', serviceTypeIds: [1], outcome: 'Kết quả thử', note: 'Ghi chú thử' })).visitId),
      ];
    } finally {
      wire.stop();
    }
    const [visitId, notedId] = counted.map((entry) => entry.made) as [number, number];
    // BEGIN, the trail's lock, the gate's first read and, read ahead, her record, freeze and
    // consent, the visit's id and its service types; then the visit, its services, the follow-up
    // she set (or the settling of the one the visit before set), her summary, the audit entry and
    // the COMMIT.
    expect(counted.map((entry) => entry.trips)).toEqual([2, 2]);
    const page = await app.ok('clients.get', { clientId: id });
    expect(page.visits.find((visit) => visit.id === visitId)).toMatchObject({ visitOn: TODAY, place: 'outreach', serviceTypeIds: [2, 3] });
    // Its words sealed under the id read ahead: they open there.
    expect(page.visits.find((visit) => visit.id === notedId)).toMatchObject({ outcome: 'Kết quả thử', note: 'Ghi chú thử', serviceTypeIds: [1] });
    expect((await app.ok('clients.list', { search: 'THMA95' })).rows[0]).toMatchObject({ lastContactOn: TODAY, nextFollowUpOn: null });
    await app.ok('auth.logout', {});
    await loginAs(app, ADMIN);
    const entry = (await app.ok('audit.list', {})).rows.find((row) => row.action === 'visits.record');
    expect(entry).toMatchObject({ outcome: 'ok', targetType: 'client', targetId: String(id) });
    expect(await app.ok('audit.verify', {})).toMatchObject({ ok: true });
  });

  it('moves a referral along its statuses, and refuses moves that skip back', async () => {
    const app = await asWorker();
    const referral = app.template.ids.referral;
    app.clock.advance(3 * 24 * 3600 * 1000);
    expect((await app.ok('referrals.setStatus', { referralId: referral, status: 'sent', on: '2026-11-29' })).sentOn).toBe('2026-11-29');
    expect(await app.call('referrals.setStatus', { referralId: referral, status: 'proposed', on: '2026-11-30' })).toEqual({ ok: false, error: { code: 'REFERRAL_STATUS_INVALID' } });
    expect(await app.call('referrals.setStatus', { referralId: referral, status: 'completed', on: '2026-11-01' })).toEqual({ ok: false, error: { code: 'REFERRAL_STATUS_INVALID' } });
    await app.ok('referrals.setStatus', { referralId: referral, status: 'received', on: '2026-11-30' });
    const done = await app.ok('referrals.setStatus', { referralId: referral, status: 'completed', on: '2026-12-01' });
    expect(done).toMatchObject({ status: 'completed', completedOn: '2026-12-01', overdue: false });
    expect(await app.call('referrals.setStatus', { referralId: referral, status: 'lost', on: '2026-12-01' })).toEqual({ ok: false, error: { code: 'REFERRAL_STATUS_INVALID' } });
    expect((await app.ok('clients.list', { search: 'THMA95' })).rows[0]?.openReferrals).toBe(0);
    // The case history holds each step on its own day, not the referral's first status alone.
    const steps = (await app.ok('clients.get', { clientId: app.template.ids.client })).timeline
      .filter((item) => item.kind === 'referral')
      .map((item) => [item.on, item.summary.status]);
    expect(steps).toEqual([
      ['2026-12-01', 'completed'],
      ['2026-11-30', 'received'],
      ['2026-11-29', 'sent'],
      [TODAY, 'proposed'],
    ]);
  });

  it('prints a slip with code, alias, service, partner and date; the name only when consent allows', async () => {
    const app = await asWorker();
    const slip = await app.ok('referrals.slip', { referralId: app.template.ids.referral });
    expect(slip).toMatchObject({ code: 'THMA95-1', alias: 'Chị Thử Nghiệm', partnerName: 'Phòng khám Thử nghiệm', proposedOn: TODAY, legalName: null, phone: null });
    await app.ok('consent.record', { clientId: app.template.ids.client, purpose: 'share_partner', partnerId: app.template.ids.partner, scope: ['legal_name'], consent: consentNow('share_partner') });
    expect((await app.ok('referrals.slip', { referralId: app.template.ids.referral })).legalName).toBe('Nguyễn Thị Mẫu Thử');
  });

  it('closes a case with a reason (no more writes) and reopens it', async () => {
    const app = await asWorker();
    const id = app.template.ids.client;
    await app.ok('clients.close', { clientId: id, reason: 'reintegrated', on: TODAY });
    const closed = { ok: false, error: { code: 'CASE_CLOSED' } };
    const before = await contentSnapshot(app);
    expect(await app.call('visits.record', { clientId: id, visitOn: TODAY, place: 'centre', serviceTypeIds: [1] })).toEqual(closed);
    expect(await app.call('referrals.setStatus', { referralId: app.template.ids.referral, status: 'sent', on: TODAY })).toEqual(closed);
    expect(await app.call('referrals.create', { clientId: id, partnerId: app.template.ids.partner, serviceTypeId: 1, proposedOn: TODAY })).toEqual(closed);
    expect(await app.call('clients.update', { clientId: id, alias: 'Đổi', wardCode: null, provinceCode: null, workSetting: null, version: ANY_VERSION })).toEqual(closed);
    expect(await app.call('clients.updateIdentity', { clientId: id, identity: { legalName: null, phone: null, idNumber: null, address: null }, version: ANY_VERSION })).toEqual(closed);
    expect(await app.call('consent.record', { clientId: id, purpose: 'reports', consent: consentNow('reports') })).toEqual(closed);
    expect(await app.call('consent.renew', { consentId: app.template.ids.contactConsent, consent: consentNow('contact') })).toEqual(closed);
    expect(await contentSnapshot(app)).toBe(before);
    // Case-record consent can still be renewed, so the case can be reopened after it lapsed.
    await app.ok('consent.renew', { consentId: app.template.ids.caseConsent, consent: consentNow('case_record') });
    expect((await app.ok('clients.list', { status: 'closed' })).rows.map((row) => row.id)).toEqual([id]);
    await app.ok('clients.reopen', { clientId: id, on: TODAY });
    const page = await app.ok('clients.get', { clientId: id });
    expect(page.status).toBe('open');
    expect(page.timeline.filter((item) => item.kind === 'case').map((item) => item.summary.event)).toEqual(expect.arrayContaining(['opened', 'closed', 'reopened']));
  });

  it('reopens a case only with her case-record consent in force', async () => {
    const app = await asWorker();
    const id = app.template.ids.client;
    await app.ok('clients.close', { clientId: id, reason: 'reintegrated', on: TODAY });
    app.clock.advance(366 * 24 * 3600 * 1000);
    const later = '2027-11-29';
    const before = await contentSnapshot(app);
    expect(await app.call('clients.reopen', { clientId: id, on: later })).toEqual({ ok: false, error: { code: 'CONSENT_REQUIRED' } });
    expect(await contentSnapshot(app)).toBe(before);
    await app.ok('consent.renew', { consentId: app.template.ids.caseConsent, consent: { ...consentNow('case_record'), givenOn: later } });
    await app.ok('clients.reopen', { clientId: id, on: later });
    expect((await app.ok('clients.get', { clientId: id })).status).toBe('open');
  });

  it('counts an anonymous contact as services, not as a person', async () => {
    const app = await asWorker();
    const { contactId } = await app.ok('anonymous.record', { contactOn: TODAY, ageBand: '18_24', sex: 'trans_female', place: 'outreach', serviceTypeIds: [8, 4] });
    const services = await app.core.vault.db.selectFrom('anonymous_service').select('service_type_id').where('contact_id', '=', contactId).execute();
    expect(services).toHaveLength(2);
    expect((await app.ok('clients.list', { status: 'all' })).total).toBe(1);
  });
});

describe('finding people', () => {
  it('ignores tones and folds đ: "dang" finds "Đặng", on code and alias', async () => {
    const app = await asWorker();
    await app.ok('clients.register', syntheticClient({ motherName: 'Hoa', fatherName: 'Bình', alias: 'Đặng Thị Thử' }));
    await app.ok('clients.register', syntheticClient({ motherName: 'Mai', fatherName: 'Dũng', alias: 'Dương Văn Mẫu', sex: 'male' }));
    const names = async (search: string) => (await app.ok('clients.list', { search, sort: 'alias', direction: 'asc' })).rows.map((row) => row.alias);
    expect(await names('dang')).toEqual(['Đặng Thị Thử']);
    expect(await names('ĐẶNG')).toEqual(['Đặng Thị Thử']);
    expect(await names('thi thu')).toEqual(['Đặng Thị Thử']);
    expect(await names('hobi')).toEqual(['Đặng Thị Thử']);
    expect(await names('mau')).toEqual(['Chị Thử Nghiệm', 'Dương Văn Mẫu'].sort());
    expect(await names('%')).toEqual([]);
  });

  it('finds the start of any word from one letter on: "ut" finds "Huỳnh Thị Út", and own clients by a word of the legal name', async () => {
    const app = await asWorker();
    for (const [motherName, alias] of [['Một', 'Huỳnh Thị Út'], ['Sáu', 'Trần Vy'], ['Ba', 'Lê Thu Hà'], ['Bốn', 'Tú Hutu']]) {
      await app.ok('clients.register', syntheticClient({ motherName, fatherName: 'Ngắn', alias }));
    }
    const names = async (search: string) => (await app.ok('clients.list', { search, sort: 'alias', direction: 'asc' })).rows.map((row) => row.alias);
    expect(await names('ut')).toEqual(['Huỳnh Thị Út']);
    expect(await names('Út')).toEqual(['Huỳnh Thị Út']);
    expect(await names('vy')).toEqual(['Trần Vy']);
    expect(await names('ha')).toEqual(['Lê Thu Hà']);
    // Every typed word starts a word: "t u" finds "Thị Út" and "Tú Hutu" (whose "ut" is inside a word, not at its start).
    expect(await names('t u')).toEqual(['Huỳnh Thị Út']);
    expect(await names('h')).toEqual(['Huỳnh Thị Út', 'Lê Thu Hà', 'Tú Hutu']);
    // The template's client: her legal name (Nguyễn Thị Mẫu) is found by a word's start, only by her own worker.
    const byName = await app.ok('clients.list', { search: 'ma' });
    expect(byName.rows.map((row) => [row.id, row.matchedLegalName])).toEqual([[app.template.ids.client, true]]);
    await app.ok('auth.logout', {});
    await loginAs(app, MANAGER);
    expect((await app.ok('clients.list', { search: 'ma' })).total).toBe(0);
    expect((await app.ok('clients.list', { search: 'ut' })).rows.map((row) => row.alias)).toEqual(['Huỳnh Thị Út']);
  });

  it('searches legal names only among the viewer\'s own clients', async () => {
    const app = await asWorker();
    const mine = await app.ok('clients.list', { search: 'nguyen thi mau' });
    expect(mine.rows.map((row) => [row.id, row.matchedLegalName])).toEqual([[app.template.ids.client, true]]);
    await app.ok('auth.logout', {});
    await loginAs(app, MANAGER);
    expect((await app.ok('clients.list', { search: 'nguyen thi mau' })).total).toBe(0);
  });

  it('filters and sorts the list', async () => {
    const app = await asWorker();
    await app.ok('clients.register', syntheticClient({ motherName: 'Già', fatherName: 'Hơn', birthYear: 1970, alias: 'Bà Thử' }));
    const byAge = await app.ok('clients.list', { ageBand: '50_plus' });
    expect(byAge.rows.map((row) => row.alias)).toEqual(['Bà Thử']);
    const referrals = await app.ok('clients.list', { withOpenReferrals: true });
    expect(referrals.rows.map((row) => row.id)).toEqual([app.template.ids.client]);
    // Youngest age band first.
    const sorted = await app.ok('clients.list', { sort: 'ageBand', direction: 'asc' });
    expect(sorted.rows.map((row) => row.alias)).toEqual(['Chị Thử Nghiệm', 'Bà Thử']);
    expect((await app.ok('clients.list', { sort: 'ageBand', direction: 'desc' })).rows.map((row) => row.alias)).toEqual(['Bà Thử', 'Chị Thử Nghiệm']);
  });
});

describe('the restricted identity section', () => {
  it('shows identity and notes to the assigned worker; anyone else states a reason, which is recorded and listed', async () => {
    const app = await asWorker();
    const id = app.template.ids.client;
    expect((await app.ok('clients.identity', { clientId: id })).legalName).toBe('Nguyễn Thị Mẫu Thử');
    expect((await app.ok('clients.get', { clientId: id })).visits[0]?.note).toBe('Ghi chú thử nghiệm');
    await app.ok('auth.logout', {});

    await loginAs(app, MANAGER);
    const page = await app.ok('clients.get', { clientId: id });
    expect(page).toMatchObject({ isMine: false, restrictedVisible: false });
    expect(page.visits[0]).toMatchObject({ note: null, hasNote: true });
    expect(await app.call('clients.identity', { clientId: id })).toEqual({ ok: false, error: { code: 'REASON_REQUIRED' } });
    expect((await app.call('clients.identity', { clientId: id, reason: 'ngắn' })).ok).toBe(false);
    const identity = await app.ok('clients.identity', { clientId: id, reason: 'Cán bộ phụ trách nghỉ ốm, cần gọi hẹn lịch' });
    expect(identity).toMatchObject({ legalName: 'Nguyễn Thị Mẫu Thử', phone: '0900 000 000', contactConsent: true });
    expect((await app.ok('clients.get', { clientId: id })).visits[0]?.note).toBe('Ghi chú thử nghiệm');
    const accesses = await app.ok('identityAccess.list', {});
    expect(accesses.total).toBe(1);
    expect(accesses.rows[0]).toMatchObject({ userName: MANAGER.displayName, clientId: id, reason: 'Cán bộ phụ trách nghỉ ốm, cần gọi hẹn lịch' });
    const audit = await app.ok('audit.list', { action: 'clients.identity' });
    expect(audit.rows[0]).toMatchObject({ actorId: app.template.ids.manager, detail: { brokeGlass: true } });
    expect(JSON.stringify(audit.rows[0])).not.toContain('ốm');
    // A new session starts closed again.
    await app.ok('auth.lock', {});
    await loginAs(app, MANAGER);
    expect((await app.ok('clients.get', { clientId: id })).restrictedVisible).toBe(false);
  });

  it('lets only the assigned worker edit identity; a phone needs consent to be contacted', async () => {
    const app = await asWorker();
    const other = await app.ok('clients.register', syntheticClient({ motherName: 'Khác', fatherName: 'Nữa', alias: 'Người Thử Khác' }));
    expect(await app.call('clients.updateIdentity', { clientId: other.clientId, identity: { legalName: null, phone: '0912 345 678', idNumber: null, address: null }, version: ANY_VERSION }))
      .toEqual({ ok: false, error: { code: 'CONSENT_REQUIRED' } });
    await app.ok('auth.logout', {});
    await loginAs(app, ADMIN);
    await app.ok('users.update', { id: app.template.ids.manager, version: await userVersion(app, app.template.ids.manager), displayName: MANAGER.displayName, roles: ['manager', 'worker'] });
    await app.ok('auth.logout', {});
    await loginAs(app, MANAGER);
    expect(await app.call('clients.updateIdentity', { clientId: other.clientId, identity: { legalName: 'X Thử', phone: null, idNumber: null, address: null }, version: ANY_VERSION }))
      .toEqual({ ok: false, error: { code: 'NOT_ASSIGNED' } });
  });

  it('withdrawing contact consent erases the phone, from the files too', async () => {
    const app = await asWorker();
    // On the file: its decrypted pages and log (on a server the column is sealed, and its row goes).
    const inFiles = async () => !ON_SERVER && containsText(await vaultPlaintext(app.dir, WORKER), '0900 000 000');
    expect(await inFiles()).toBe(!ON_SERVER);
    await app.ok('consent.withdraw', { consentId: app.template.ids.contactConsent, on: TODAY });
    expect(await app.ok('clients.identity', { clientId: app.template.ids.client })).toMatchObject({ phone: null, contactConsent: false, legalName: 'Nguyễn Thị Mẫu Thử' });
    expect(await inFiles()).toBe(false);
  });
});

describe('withdrawing case-record consent', () => {
  it('de-identifies the client: nothing erased is left in the database file, its WAL or the search indexes', async () => {
    const app = await asWorker();
    const id = app.template.ids.client;
    // Rare letter runs, so that their trigrams (what the search index stores) are found nowhere else.
    const planted = {
      alias: 'Qxj Vwq Zkp 4417',
      legal: 'Jkq Pxk Zxw 5528',
      phone: '0987 654 321',
      address: 'Địa chỉ xóa bỏ 6639',
      note: 'Ghi chú cần xóa 7740',
      outcome: 'Kết quả cần xóa 9962',
      referralNote: 'Ghi chú chuyển gửi xóa 8851',
      offerMessage: 'Lời nhắn chuyển hồ sơ xóa 1173',
      declineReason: 'Lý do từ chối xóa 2284',
      reviewComment: 'Nhận xét rà soát xóa 3395',
    };
    const trigrams = ['qxj', 'vwq', 'zkp', 'jkq', 'pxk', 'zxw'];
    await app.ok('clients.update', { clientId: id, alias: planted.alias, wardCode: null, provinceCode: null, workSetting: null, version: await detailsVersion(app, id) });
    await app.ok('clients.updateIdentity', { clientId: id, identity: { legalName: planted.legal, phone: planted.phone, idNumber: '079000000000', address: planted.address }, version: await identityVersion(app, id) });
    await app.ok('visits.record', { clientId: id, visitOn: TODAY, place: 'centre', serviceTypeIds: [1, 2], note: planted.note, outcome: planted.outcome });
    await app.ok('referrals.create', { clientId: id, partnerId: app.template.ids.partner, serviceTypeId: 3, proposedOn: TODAY, note: planted.referralNote });
    // Words about her between colleagues and from a manager's review go with her too.
    const { offerId } = await app.ok('caseload.offer', { clientId: id, toUserId: app.template.ids.worker2, message: planted.offerMessage });
    await app.ok('auth.logout', {});
    await loginAs(app, WORKER2);
    await app.ok('caseload.respond', { offerId, accept: false, reason: planted.declineReason });
    await app.ok('auth.logout', {});
    await loginAs(app, MANAGER);
    await app.ok('reviews.record', { clientId: id, comment: planted.reviewComment });
    await app.ok('auth.logout', {});
    await loginAs(app, WORKER);
    const vocabulary = () => {
      const sqlite = sqliteOf(app.core);
      // The trigram indexes and the word indexes (the planted words are three letters long, so both hold them).
      const indexes = ['client_search', 'identity_search', 'client_words', 'identity_words'];
      for (const index of indexes) sqlite.exec(`create virtual table if not exists temp.${index}_terms using fts5vocab(main, '${index}', 'row')`);
      return sqlite.prepare(indexes.map((index) => `select term from temp.${index}_terms`).join(' union all ')).pluck().all() as string[];
    };

    // Control: while the record exists, the decrypted files and the indexes do hold all of it
    // (the file's bytes; a server's are scanned by the server tests).
    if (!ON_SERVER) {
      const before = await vaultPlaintext(app.dir, WORKER);
      for (const text of [...Object.values(planted), 'qxj vwq zkp 4417', 'jkq pxk zxw 5528']) expect(containsText(before, text), text).toBe(true);
      for (const trigram of trigrams) expect(containsLetters(before, trigram), trigram).toBe(true);
      expect(vocabulary()).toEqual(expect.arrayContaining(trigrams));
      // Each planted word is in both kinds of index: twice.
      expect(vocabulary().filter((term) => trigrams.includes(term))).toHaveLength(2 * trigrams.length);
    }

    // Someone else's worker cannot erase her record.
    await app.ok('auth.logout', {});
    await loginAs(app, ADMIN);
    await app.ok('users.update', { id: app.template.ids.manager, version: await userVersion(app, app.template.ids.manager), displayName: MANAGER.displayName, roles: ['manager', 'worker'] });
    await app.ok('auth.logout', {});
    await loginAs(app, MANAGER);
    expect(await app.call('consent.withdraw', { consentId: app.template.ids.caseConsent, on: TODAY })).toEqual({ ok: false, error: { code: 'NOT_ASSIGNED' } });
    await app.ok('auth.logout', {});
    await loginAs(app, WORKER);

    expect(await app.ok('consent.withdraw', { consentId: app.template.ids.caseConsent, on: TODAY })).toEqual({ deidentified: true });
    expect(await app.call('clients.get', { clientId: id })).toEqual({ ok: false, error: { code: 'CLIENT_NOT_FOUND' } });
    const anonymous = await app.core.vault.db.selectFrom('anonymous_contact').selectAll().execute();
    expect(anonymous).toHaveLength(2);
    // Nothing ties the contacts to one erasure or to her number: only the month, random ids
    // (not a run), and no column saying where a contact came from, who recorded it or when.
    expect(Object.keys(anonymous[0] ?? {}).sort()).toEqual(['age_band', 'contact_on', 'id', 'place', 'sex']);
    expect(anonymous.every((row) => /^\d{4}-\d{2}-01$/.test(row.contact_on))).toBe(true);
    expect(Math.abs((anonymous[0]?.id ?? 0) - (anonymous[1]?.id ?? 0))).toBeGreaterThan(1_000);
    expect(anonymous.map((row) => row.id)).not.toContain(id);
    expect(await app.core.vault.db.selectFrom('anonymous_service').selectAll().execute()).toHaveLength(3);

    if (!ON_SERVER) {
      const after = await vaultPlaintext(app.dir, WORKER);
      // Her texts whole, and as the search indexes fold them.
      for (const text of [...Object.values(planted), 'qxj vwq zkp 4417', 'jkq pxk zxw 5528', 'Nguyễn Thị Mẫu Thử', 'Ghi chú thử nghiệm', 'THMA95-1']) {
        expect(containsText(after, text), text).toBe(false);
      }
      for (const trigram of trigrams) expect(containsLetters(after, trigram), trigram).toBe(false);
      expect(vocabulary().filter((term) => trigrams.includes(term))).toEqual([]);
    }
    await app.ok('auth.logout', {});
    await loginAs(app, ADMIN);
    const audit = await app.ok('audit.list', { action: 'consent.withdraw' });
    expect(audit.rows[0]).toMatchObject({ targetType: 'client', detail: { purpose: 'case_record', deidentified: true } });
  });
});

describe('rules found in review', () => {
  it('shows the legal name on a slip only to someone who may read restricted parts', async () => {
    const app = await asWorker();
    await app.ok('consent.record', { clientId: app.template.ids.client, purpose: 'share_partner', partnerId: app.template.ids.partner, scope: ['legal_name', 'phone'], consent: consentNow('share_partner') });
    expect(await app.ok('referrals.slip', { referralId: app.template.ids.referral })).toMatchObject({ legalName: 'Nguyễn Thị Mẫu Thử', phone: '0900 000 000' });
    await app.ok('auth.logout', {});
    await loginAs(app, ADMIN);
    await app.ok('users.update', { id: app.template.ids.manager, version: await userVersion(app, app.template.ids.manager), displayName: MANAGER.displayName, roles: ['manager', 'worker'] });
    await app.ok('auth.logout', {});
    await loginAs(app, MANAGER);
    expect(await app.ok('referrals.slip', { referralId: app.template.ids.referral })).toMatchObject({ code: 'THMA95-1', legalName: null, phone: null });
    await app.ok('clients.identity', { clientId: app.template.ids.client, reason: 'Cần in phiếu chuyển gửi cho khám' });
    expect((await app.ok('referrals.slip', { referralId: app.template.ids.referral })).legalName).toBe('Nguyễn Thị Mẫu Thử');
  });

  it('does not mark a referral sent once consent to share with that partner is withdrawn', async () => {
    const app = await asWorker();
    const share = (await app.ok('clients.get', { clientId: app.template.ids.client })).consents.find((consent) => consent.purpose === 'share_partner');
    await app.ok('consent.withdraw', { consentId: share?.id ?? 0, on: TODAY });
    expect(await app.call('referrals.setStatus', { referralId: app.template.ids.referral, status: 'sent', on: TODAY })).toEqual({ ok: false, error: { code: 'CONSENT_REQUIRED' } });
    // Declining needs no sharing.
    await app.ok('referrals.setStatus', { referralId: app.template.ids.referral, status: 'declined', on: TODAY });
  });

  it('keeps referral steps in date order', async () => {
    const app = await asWorker();
    app.clock.advance(10 * 24 * 3600 * 1000);
    await app.ok('referrals.setStatus', { referralId: app.template.ids.referral, status: 'sent', on: '2026-12-05' });
    expect(await app.call('referrals.setStatus', { referralId: app.template.ids.referral, status: 'received', on: '2026-11-29' })).toEqual({ ok: false, error: { code: 'REFERRAL_STATUS_INVALID' } });
    await app.ok('referrals.setStatus', { referralId: app.template.ids.referral, status: 'received', on: '2026-12-05' });
  });

  it('does not let a visit entered late settle a follow-up arranged after it', async () => {
    const app = await asWorker();
    const id = app.template.ids.client;
    await app.ok('visits.record', { clientId: id, visitOn: TODAY, place: 'centre', serviceTypeIds: [1], nextFollowUpOn: '2026-12-20' });
    await app.ok('visits.record', { clientId: id, visitOn: '2026-11-01', place: 'outreach', serviceTypeIds: [2] });
    expect((await app.ok('clients.get', { clientId: id })).nextFollowUpOn).toBe('2026-12-20');
  });

  it('refuses a consent that would already have expired', async () => {
    const app = await asWorker();
    const result = await app.call('clients.register', syntheticClient({ motherName: 'Cũ', fatherName: 'Quá', consent: consentNow('case_record', 'adult', { givenOn: '2025-10-01' }) }));
    expect(result).toEqual({ ok: false, error: { code: 'VALIDATION', issues: [{ path: 'consent.expiresOn', message: 'consentExpired' }] } });
  });

  it('moves a child to the adult path from the year after she turns 18', async () => {
    const app = await asWorker();
    const child = await app.ok('clients.register', syntheticClient({ motherName: 'Lớn', fatherName: 'Lên', birthYear: 2009, consent: consentNow('case_record', 'child') }));
    expect((await app.ok('clients.get', { clientId: child.clientId })).childPath).toBe(true);
    app.clock.advance(2 * 366 * 24 * 3600 * 1000);
    const later = await app.ok('clients.get', { clientId: child.clientId });
    expect(later).toMatchObject({ childPath: false, ageBand: '18_24' });
    const caseConsent = later.consents.find((consent) => consent.purpose === 'case_record');
    await app.ok('consent.renew', { consentId: caseConsent?.id ?? 0, consent: { ...consentNow('case_record', 'adult'), givenOn: '2028-11-28' } });
  });

  it('finds a code that only exists with a suffix, so the duplicate warning and the registration agree', async () => {
    const app = await asWorker();
    const second = await app.ok('clients.register', syntheticClient({ distinctFromExisting: true, alias: 'Người Khác' }));
    await app.ok('consent.withdraw', { consentId: app.template.ids.caseConsent, on: TODAY });
    expect(await app.ok('clients.checkCode', { code: 'THMA95-1' })).toEqual({ exists: true, clientId: second.clientId });
    expect(await app.call('clients.register', syntheticClient())).toEqual({ ok: false, error: { code: 'CLIENT_CODE_EXISTS', clientId: second.clientId } });
  });

  it('keeps the visit outcome restricted like the note', async () => {
    const app = await asWorker();
    await app.ok('visits.record', { clientId: app.template.ids.client, visitOn: TODAY, place: 'centre', serviceTypeIds: [1], outcome: 'Kết quả riêng tư' });
    await app.ok('auth.logout', {});
    await loginAs(app, MANAGER);
    const visit = (await app.ok('clients.get', { clientId: app.template.ids.client })).visits[0];
    expect(visit).toMatchObject({ outcome: null, hasNote: true });
  });
});

describe('catalogue and partners', () => {
  it('lets an admin add, rename and deactivate service types, never moving a used one to another group', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, ADMIN);
    const catalogue = await app.ok('catalogue.list', {});
    expect(catalogue).toHaveLength(16);
    expect(catalogue.find((type) => type.code === 'hiv_testing')).toMatchObject({ nameVi: 'Xét nghiệm HIV', used: 2 });
    const added = await app.ok('catalogue.save', { id: null, group: 'vocational_training', nameVi: 'Học nghề may', nameEn: 'Sewing course', version: null });
    expect(added).toMatchObject({ group: 'vocational_training', active: true, used: 0 });
    const hiv = catalogue.find((type) => type.code === 'hiv_testing');
    const renamed = await app.ok('catalogue.save', { id: hiv?.id ?? 0, group: 'other', nameVi: 'Xét nghiệm HIV (nhanh)', nameEn: 'HIV testing (rapid)', version: hiv?.version ?? null });
    expect(renamed).toMatchObject({ nameVi: 'Xét nghiệm HIV (nhanh)', group: 'hiv_testing' });
    // A form opened before that rename (at another PC) does not overwrite it.
    const before = await contentSnapshot(app);
    expect(await app.call('catalogue.save', { id: hiv?.id ?? 0, group: 'hiv_testing', nameVi: 'Xét nghiệm HIV', nameEn: 'HIV test', version: hiv?.version ?? null })).toEqual({ ok: false, error: { code: 'RECORD_CHANGED' } });
    expect(await app.call('catalogue.save', { id: hiv?.id ?? 0, group: 'hiv_testing', nameVi: 'Xét nghiệm HIV', nameEn: 'HIV test', version: null })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(await contentSnapshot(app)).toBe(before);
    expect((await app.ok('catalogue.setActive', { id: added.id, active: false })).active).toBe(false);
  });

  it('never overwrites a partner changed since its form opened: the second save is refused and nothing changes', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, MANAGER);
    const [opened] = await app.ok('partners.list', {});
    if (!opened) throw new Error('template partner');
    const form = { id: opened.id, name: opened.name, kind: opened.kind, wardCode: opened.wardCode, contact: opened.contact, active: true };
    // One PC renames it; another, whose form opened before, changes the telephone.
    const renamed = await app.ok('partners.save', { ...form, name: 'Phòng khám Thử nghiệm Quận 1', version: opened.version });
    expect(renamed.version).not.toBe(opened.version);
    const before = await contentSnapshot(app);
    expect(await app.call('partners.save', { ...form, contact: '028 1111 1111', version: opened.version })).toEqual({ ok: false, error: { code: 'RECORD_CHANGED' } });
    expect(await contentSnapshot(app)).toBe(before);
    // A change needs the version it was made on; a new partner has none.
    expect(await app.call('partners.save', { ...form, version: null })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(await app.call('partners.save', { ...form, id: null, version: opened.version })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(await contentSnapshot(app)).toBe(before);
    // Saved again on what is there now: both changes hold.
    expect(await app.ok('partners.save', { ...form, name: renamed.name, contact: '028 1111 1111', version: renamed.version })).toMatchObject({ name: 'Phòng khám Thử nghiệm Quận 1', contact: '028 1111 1111' });
    const trail = (await app.ok('audit.list', { action: 'partners.save' })).rows.map((row) => row.errorCode);
    expect(trail.filter((code) => code === 'RECORD_CHANGED')).toHaveLength(1);
  });
});
