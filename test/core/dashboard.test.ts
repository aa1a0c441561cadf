import { sql, type RawBuilder } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Dashboard } from '../../electron/contract/index.ts';
import { medianOf, monthsOf, splitPeriod } from '../../electron/core/caseload/dashboard.ts';
import { consentNow, copyOfTemplate, loginAs, MANAGER, syntheticClient, type TestApp, TODAY, WORKER, WORKER2, settingsVersion } from '../support/vault-fixture.ts';

/*
 * The manager's dashboard against a small dataset whose every number was worked out by hand
 * (below, next to the records that make it). Period: September to November 2026; today is
 * 28 November. The template adds one client registered today, with a visit (HIV testing) and
 * a proposed HIV-testing referral.
 *
 *   A  registered 05/09: visits 05/09 (psychological, legal) and 20/09 (vocational);
 *      HIV testing proposed 05/09, completed 15/09 (10 days); legal aid proposed 01/11, due
 *      15/11, sent, no outcome (overdue). Last contact 20/09: 69 days, no contact ≥ 60.
 *   B  registered 02/10: visit 02/10 (psychological) with a follow-up on 20/11 (overdue);
 *      methadone proposed 02/10, completed 06/10 (4 days); HIV testing proposed 03/10, declined.
 *   C  registered 20/10: visit 20/10 (HIV testing); HIV testing proposed 20/10, completed
 *      10/11 (21 days); closed 15/11 as reintegrated.
 *   D  registered 10/08 (before the period): visit 10/08, job placement 10/08–20/08, closed
 *      25/08: counts nowhere.
 *   An anonymous contact on 15/10: harm reduction and HIV testing.
 */

async function typeIds(app: TestApp) {
  const types = await app.ok('catalogue.list', {});
  return (code: string) => types.find((type) => type.code === code)?.id ?? 0;
}

async function buildDataset() {
  const app = await copyOfTemplate();
  await loginAs(app, WORKER);
  const type = await typeIds(app);
  const partnerId = app.template.ids.partner;
  const client = async (mother: string, on: string) =>
    (await app.ok('clients.register', syntheticClient({ motherName: mother, fatherName: 'Đông', alias: `Thử Bảng ${mother}`, consent: consentNow('case_record', 'adult', { givenOn: on }) }))).clientId;
  const visit = (clientId: number, on: string, codes: string[], nextFollowUpOn: string | null = null) =>
    app.ok('visits.record', { clientId, visitOn: on, place: 'centre', serviceTypeIds: codes.map(type), nextFollowUpOn });
  const refer = async (clientId: number, code: string, proposedOn: string, steps: [status: 'sent' | 'completed' | 'declined', on: string][], dueOn: string | null = null) => {
    const { id } = await app.ok('referrals.create', { clientId, partnerId, serviceTypeId: type(code), proposedOn, dueOn, shareConsent: consentNow('share_partner') });
    for (const [status, on] of steps) await app.ok('referrals.setStatus', { referralId: id, status, on });
  };

  const a = await client('An', '2026-09-05');
  await visit(a, '2026-09-05', ['psychological_counselling', 'legal_counselling']);
  await visit(a, '2026-09-20', ['vocational_training']);
  await refer(a, 'hiv_testing', '2026-09-05', [['sent', '2026-09-06'], ['completed', '2026-09-15']]);
  await refer(a, 'legal_counselling', '2026-11-01', [['sent', '2026-11-02']], '2026-11-15');
  const b = await client('Bích', '2026-10-02');
  await visit(b, '2026-10-02', ['psychological_counselling'], '2026-11-20');
  await refer(b, 'methadone', '2026-10-02', [['sent', '2026-10-03'], ['completed', '2026-10-06']]);
  await refer(b, 'hiv_testing', '2026-10-03', [['declined', '2026-10-05']]);
  const c = await client('Cúc', '2026-10-20');
  await visit(c, '2026-10-20', ['hiv_testing']);
  await refer(c, 'hiv_testing', '2026-10-20', [['sent', '2026-10-21'], ['completed', '2026-11-10']]);
  await app.ok('clients.close', { clientId: c, reason: 'reintegrated', on: '2026-11-15' });
  const d = await client('Dung', '2026-08-10');
  await visit(d, '2026-08-10', ['psychological_counselling']);
  await refer(d, 'job_placement', '2026-08-10', [['sent', '2026-08-11'], ['completed', '2026-08-20']]);
  await app.ok('clients.close', { clientId: d, reason: 'moved_away', on: '2026-08-25' });
  await app.ok('anonymous.record', { contactOn: '2026-10-15', ageBand: '25_34', sex: 'female', place: 'outreach', serviceTypeIds: [type('harm_reduction_supplies'), type('hiv_testing')] });
  const todo = await app.ok('todo.list', {});
  await app.ok('auth.logout', {});
  await loginAs(app, MANAGER);
  return { app, a, todo };
}

const servicesByCell = (dashboard: Dashboard) => Object.fromEntries(dashboard.services.map((row) => [`${row.month} ${row.group}`, row.count]));

describe('the dashboard', () => {
  it('gives the hand-computed numbers of a small centre, and no identities', async () => {
    const { app, a, todo } = await buildDataset();
    const ids = app.template.ids;
    const dashboard = await app.ok('dashboard.get', { from: '2026-09-01', to: '2026-11-30' });
    expect(dashboard.months).toEqual(['2026-09', '2026-10', '2026-11']);
    expect(dashboard.newClients).toEqual([
      { month: '2026-09', count: 1 },
      { month: '2026-10', count: 2 },
      { month: '2026-11', count: 1 },
    ]);
    expect(servicesByCell(dashboard)).toEqual({
      '2026-09 legal': 1,
      '2026-09 psychological': 1,
      '2026-09 vocational_training': 1,
      '2026-10 psychological': 1,
      '2026-10 hiv_testing': 2,
      '2026-10 harm_reduction': 1,
      '2026-11 hiv_testing': 1,
    });
    expect(dashboard.referrals).toEqual([
      { group: 'legal', made: 1, completed: 0, declined: 0, lost: 0, open: 1, medianDays: null },
      { group: 'hiv_testing', made: 4, completed: 2, declined: 1, lost: 0, open: 1, medianDays: 15.5 },
      { group: 'methadone', made: 1, completed: 1, declined: 0, lost: 0, open: 0, medianDays: 4 },
    ]);
    expect(dashboard.closures).toEqual([{ reason: 'reintegrated', count: 1 }]);
    expect(dashboard.totals).toEqual({ openCases: 3, newClients: 4, services: 8, referralsMade: 6, referralsCompleted: 3, closures: 1 });

    const noTodo = { offer: 0, follow_up: 0, referral_overdue: 0, consent_expired: 0, consent_expiring: 0, no_contact: 0 };
    expect(dashboard.workers).toEqual([
      { workerId: ids.worker2, name: WORKER2.displayName, active: true, openCases: 0, todo: noTodo, noContactUrgent: 0, notReviewed: 0 },
      { workerId: ids.worker, name: WORKER.displayName, active: true, openCases: 3, todo: { ...noTodo, follow_up: 1, referral_overdue: 1, no_contact: 1 }, noContactUrgent: 0, notReviewed: 0 },
    ]);
    // The worker's own list says the same.
    expect(todo.counts).toEqual(dashboard.workers[1]?.todo);

    // Counts and staff names only: no alias, code or legal name of any client.
    const text = JSON.stringify(dashboard);
    for (const word of ['Thử Bảng', 'Chị Thử Nghiệm', 'THMA95', 'ANDO', 'Nguyễn']) expect(text).not.toContain(word);

    // A shorter review interval makes A (opened 05/09, never reviewed) due; reviewing her clears it.
    await app.ok('settings.updateCaseload', { noContactWarnDays: 60, noContactUrgentDays: 90, reviewIntervalMonths: 2, version: await settingsVersion(app, 'caseload') });
    const due = await app.ok('dashboard.get', { from: '2026-09-01', to: '2026-11-30' });
    expect(due.workers[1]).toMatchObject({ notReviewed: 1 });
    expect(due.reviewIntervalMonths).toBe(2);
    await app.ok('reviews.record', { clientId: a, comment: null });
    expect((await app.ok('dashboard.get', { from: '2026-09-01', to: '2026-11-30' })).workers[1]).toMatchObject({ notReviewed: 0 });
  });

  it('counts only what falls in the period', async () => {
    const { app } = await buildDataset();
    const october = await app.ok('dashboard.get', { from: '2026-10-01', to: '2026-10-31' });
    expect(october.months).toEqual(['2026-10']);
    expect(october.totals).toEqual({ openCases: 3, newClients: 2, services: 4, referralsMade: 3, referralsCompleted: 2, closures: 0 });
    const august = await app.ok('dashboard.get', { from: '2026-08-01', to: '2026-08-31' });
    expect(august.referrals).toEqual([{ group: 'job_placement', made: 1, completed: 1, declined: 0, lost: 0, open: 0, medianDays: 10 }]);
    expect(august.closures).toEqual([{ reason: 'moved_away', count: 1 }]);
  });

  it('reads whole months from the monthly counts and the days at either end from the rows; the counts follow corrections and erasure', async () => {
    const { app } = await buildDataset();
    // The monthly counts (kept by triggers) agree with the rows, at every point below.
    const agree = async () => {
      const db = app.core.vault.db;
      const rows = async (query: RawBuilder<unknown>) => (await query.execute(db)).rows.map((row) => Object.fromEntries(Object.entries(row as object).map(([key, value]) => [key, typeof value === 'string' ? value : Number(value)])));
      expect(await rows(sql`select month, service_type_id, n from service_month where n > 0 order by 1, 2`)).toEqual(
        await rows(sql`select substr(service_on, 1, 7) as month, service_type_id, count(*) as n from service group by 1, 2 order by 1, 2`),
      );
      expect(await rows(sql`select month, service_type_id, status, days, n from referral_month where n > 0 order by 1, 2, 3, 4`)).toEqual(
        await rows(sql`select substr(proposed_on, 1, 7) as month, service_type_id, status,
              case when status = 'completed' then ${app.core.vault.dialect.daysBetween(sql`proposed_on`, sql`completed_on`)} else -1 end as days, count(*) as n
             from referral group by 1, 2, 3, 4 order by 1, 2, 3, 4`),
      );
    };
    await agree();

    // 06/09 to 19/10: A's 20/09 visit, B's 02/10 visit and the anonymous contact of October
    // count; A's 05/09 and C's 20/10 visits do not. B's two referrals (02/10, 03/10) count.
    const middle = await app.ok('dashboard.get', { from: '2026-09-06', to: '2026-10-19' });
    expect(servicesByCell(middle)).toEqual({ '2026-09 vocational_training': 1, '2026-10 psychological': 1, '2026-10 hiv_testing': 1, '2026-10 harm_reduction': 1 });
    expect(middle.referrals).toEqual([
      { group: 'hiv_testing', made: 1, completed: 0, declined: 1, lost: 0, open: 0, medianDays: null },
      { group: 'methadone', made: 1, completed: 1, declined: 0, lost: 0, open: 0, medianDays: 4 },
    ]);
    // Within one month, from the rows alone.
    const days = await app.ok('dashboard.get', { from: '2026-10-02', to: '2026-10-03' });
    expect(servicesByCell(days)).toEqual({ '2026-10 psychological': 1, '2026-10 hiv_testing': 1, '2026-10 harm_reduction': 1 });
    expect(days.totals.referralsMade).toBe(2);

    // B's visit corrected (legal, not psychological) and C erased: the months follow.
    await app.ok('auth.logout', {});
    await loginAs(app, WORKER);
    const clients = (await app.ok('clients.list', { search: 'Thử Bảng', status: 'all' })).rows;
    const [b, c] = ['Thử Bảng Bích', 'Thử Bảng Cúc'].map((alias) => clients.find((row) => row.alias === alias));
    const bPage = await app.ok('clients.get', { clientId: b?.id ?? 0 });
    const bVisit = bPage.visits.find((visit) => visit.visitOn === '2026-10-02');
    const type = await typeIds(app);
    await app.ok('visits.correct', { visitId: bVisit?.id ?? 0, visitOn: '2026-10-02', place: 'centre', serviceTypeIds: [type('legal_counselling')], outcome: null, note: null, version: bVisit?.version ?? '' });
    await app.ok('clients.erase', { clientId: c?.id ?? 0, reason: 'client_request', confirmCode: c?.code ?? '' });
    await agree();
    await app.ok('auth.logout', {});
    await loginAs(app, MANAGER);
    const october = await app.ok('dashboard.get', { from: '2026-10-01', to: '2026-10-31' });
    // C's visit is still counted, now as an anonymous contact (erasure keeps counts, not the person); her referral is gone.
    expect(servicesByCell(october)).toEqual({ '2026-10 legal': 1, '2026-10 hiv_testing': 2, '2026-10 harm_reduction': 1 });
    expect(october.referrals).toEqual([
      { group: 'hiv_testing', made: 1, completed: 0, declined: 1, lost: 0, open: 0, medianDays: null },
      { group: 'methadone', made: 1, completed: 1, declined: 0, lost: 0, open: 0, medianDays: 4 },
    ]);
  });

  it('refuses a period that ends before it starts or runs over 36 months', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, MANAGER);
    expect(await app.call('dashboard.get', { from: '2026-11-01', to: '2026-10-01' })).toEqual({ ok: false, error: { code: 'VALIDATION', issues: [{ path: 'to', message: 'periodOrder' }] } });
    expect(await app.call('dashboard.get', { from: '2023-01-01', to: '2026-01-31' })).toEqual({ ok: false, error: { code: 'VALIDATION', issues: [{ path: 'to', message: 'periodTooLong' }] } });
    expect((await app.ok('dashboard.get', { from: '2023-12-01', to: TODAY })).months).toHaveLength(36);
  });
});

describe('dashboard arithmetic', () => {
  it('lists the months a period touches, across a year end', () => {
    expect(monthsOf('2026-11-15', '2027-02-01')).toEqual(['2026-11', '2026-12', '2027-01', '2027-02']);
    expect(monthsOf('2026-03-31', '2026-03-31')).toEqual(['2026-03']);
  });

  it('splits a period into whole months and the days at either end', () => {
    expect(splitPeriod('2026-01-01', '2026-12-31')).toEqual({ months: ['2026-01', '2026-12'], days: [] });
    expect(splitPeriod('2025-11-29', '2026-11-28')).toEqual({ months: ['2025-12', '2026-10'], days: [{ from: '2025-11-29', to: '2025-11-30' }, { from: '2026-11-01', to: '2026-11-28' }] });
    expect(splitPeriod('2026-02-01', '2026-02-28')).toEqual({ months: ['2026-02', '2026-02'], days: [] });
    expect(splitPeriod('2024-02-01', '2024-02-28')).toEqual({ months: null, days: [{ from: '2024-02-01', to: '2024-02-28' }] });
    expect(splitPeriod('2026-10-02', '2026-10-03')).toEqual({ months: null, days: [{ from: '2026-10-02', to: '2026-10-03' }] });
    expect(splitPeriod('2026-10-02', '2026-11-30')).toEqual({ months: ['2026-11', '2026-11'], days: [{ from: '2026-10-02', to: '2026-10-31' }] });
  });

  it('takes the median of a histogram, odd and even', () => {
    expect(medianOf(new Map())).toBeNull();
    expect(medianOf(new Map([[7, 1]]))).toBe(7);
    expect(medianOf(new Map([[10, 1], [21, 1]]))).toBe(15.5);
    expect(medianOf(new Map([[1, 2], [5, 1], [9, 3]]))).toBe(7);
    expect(medianOf(new Map([[9, 1], [1, 1], [5, 1]]))).toBe(5);
  });
});
