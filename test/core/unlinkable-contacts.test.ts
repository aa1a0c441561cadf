import { describe, expect, it } from 'vitest';
import { currentConsentText, type Report } from '../../electron/contract/index.ts';
import { migrations } from '../../migrations/index.ts';
import { buildReportDataset, Q3_2026, runReport } from '../support/report-data.ts';
import { ADMIN, consentNow, loginAs, MANAGER, migrateTo, openApp, runSetup, syntheticClient, tempDir, WORKER } from '../support/vault-fixture.ts';
import { sqliteOf } from '../support/file-store.ts';

/*
 * When a client withdraws or is erased, her visits stay in the counts as anonymous contacts,
 * and nothing ties those contacts to each other or to her former number: random ids (no run),
 * only the month (reports and the dashboard count by month), no origin marker, no recorder,
 * no time of recording. Walk-ins are kept the same way, so nothing singles the others out.
 * Reports count exactly as before. (The security review found consecutive ids, one origin
 * marker and exact dates.)
 */

const cell = (report: Report, indicatorId: string, row: string, column: string) => {
  const table = report.tables.find((each) => each.indicatorId === indicatorId);
  const r = table?.rows.findIndex((each) => each.key === row) ?? -1;
  const c = table?.columns.findIndex((each) => each.key === column) ?? -1;
  return table?.cells[r]?.[c];
};

describe('anonymous contacts made from a withdrawn client', () => {
  it('cannot be tied together or to her, and the quarter counts exactly as before', async () => {
    const app = openApp(tempDir());
    await runSetup(app);
    for (const person of [MANAGER, WORKER]) {
      await app.ok('users.create', { username: person.username, displayName: person.displayName, roles: [person === MANAGER ? 'manager' : 'worker'], temporaryPassword: `tam-thoi-${person.password}` });
    }
    await app.ok('auth.logout', {});
    for (const person of [MANAGER, WORKER]) {
      await app.ok('auth.login', { username: person.username, password: `tam-thoi-${person.password}` });
      await app.ok('auth.changePassword', { currentPassword: `tam-thoi-${person.password}`, newPassword: person.password });
      await app.ok('auth.logout', {});
    }
    await buildReportDataset(app);

    // One more woman 25–34 who agreed to reports, seen on the first and last days of the
    // quarter and on the first day of the next one.
    await loginAs(app, WORKER);
    const psych = (await app.ok('catalogue.list', {})).find((type) => type.code === 'psychological_counselling')?.id ?? 0;
    const given = consentNow('case_record', 'adult', { givenOn: '2026-07-01' });
    const her = await app.ok(
      'clients.register',
      syntheticClient({ motherName: 'Rút', fatherName: 'Thử', birthYear: 1995, sex: 'female', consent: given, reportsConsent: { ...given, textVersion: currentConsentText('reports', 'adult') } }),
    );
    for (const visitOn of ['2026-07-01', '2026-09-30', '2026-10-01']) {
      await app.ok('visits.record', { clientId: her.clientId, visitOn, place: 'centre', serviceTypeIds: [psych], note: null });
    }
    await app.ok('auth.logout', {});
    await loginAs(app, MANAGER);
    const before = (await runReport(app, { period: Q3_2026 })).report;
    await app.ok('auth.logout', {});

    await loginAs(app, WORKER);
    const caseConsent = (await app.ok('clients.get', { clientId: her.clientId })).consents.find((consent) => consent.purpose === 'case_record')?.id ?? 0;
    expect(await app.ok('consent.withdraw', { consentId: caseConsent, on: '2026-11-28' })).toEqual({ deidentified: true });

    const rows = sqliteOf(app.core).prepare('select * from anonymous_contact order by contact_on, id').all() as { id: number; contact_on: string; age_band: string; sex: string; place: string }[];
    // Twelve walk-ins on 10/08 and her three visits: all by month (the one of 01/10 in the
    // fourth quarter), nothing about their origin.
    expect(rows.map((row) => row.contact_on)).toEqual(['2026-07-01', ...Array(12).fill('2026-08-01'), '2026-09-01', '2026-10-01']);
    expect(Object.keys(rows[0] ?? {}).sort()).toEqual(['age_band', 'contact_on', 'id', 'place', 'sex']);
    const ids = rows.map((row) => row.id).sort((a, b) => a - b);
    // No run: the gaps between ids are large and irregular (a run of consecutive ids was the link).
    for (let i = 1; i < ids.length; i++) expect((ids[i] ?? 0) - (ids[i - 1] ?? 0)).toBeGreaterThan(1_000);
    expect(ids).not.toContain(her.clientId);
    // Services carry no row numbers of their own: the table is keyed by contact and type.
    expect(() => sqliteOf(app.core).prepare('select rowid from anonymous_service').all()).toThrow(/rowid/);
    await app.ok('auth.logout', {});

    await loginAs(app, MANAGER);
    const after = (await runReport(app, { period: Q3_2026 })).report;
    // Her two visits of the quarter are now two anonymous contacts; every service is counted as before.
    expect(cell(after, 'anonymous_contacts', 'female', '25_34')).toBe(14);
    expect(cell(before, 'anonymous_contacts', 'female', '25_34')).toBe(12);
    const services = (report: Report) => report.tables.find((table) => table.indicatorId === 'services_by_type')?.cells;
    expect(services(after)).toEqual(services(before));
    expect(cell(after, 'services_by_type', 'psychological_counselling', 'services')).toBe(23);
    await app.core.shutdown();
  });
});

describe('migrations 0007 and 0008 on a vault written before them', () => {
  it('give old contacts random ids and months, keep every count, and keep stated reasons as identity openings', async () => {
    const { dir, app: old } = await migrateTo('0006');
    const sqlite = sqliteOf(old.core);
    sqlite.exec(`insert into client (code, alias, alias_folded, birth_year, sex, child_path, status, assigned_worker_id, registered_on, registered_by, open_referrals)
                 values ('OLDC90-1', 'Thử Cũ', 'thu cu', 1990, 'female', 0, 'open', 1, '2025-03-01', 1, 0)`);
    sqlite.exec(`insert into identity_access (client_id, user_id, reason, at) values (1, 1, 'Lý do thử nghiệm cũ', '2025-03-02T02:00:00.000Z')`);
    const contact = sqlite.prepare(`insert into anonymous_contact (contact_on, age_band, sex, place, origin, worker_id, recorded_at) values (?, ?, ?, ?, ?, ?, ?)`);
    const service = sqlite.prepare('insert into anonymous_service (contact_id, service_type_id) values (?, ?)');
    // Walk-ins, then one withdrawn client's visits as 0.1.0 wrote them: a run of ids, one marker.
    const written: [string, string, string, string, string, number | null, string, number[]][] = [
      ['2025-01-09', '25_34', 'female', 'outreach', 'walk_in', 1, '2025-01-09T03:00:00.000Z', [1]],
      ['2025-01-31', '18_24', 'male', 'centre', 'walk_in', 1, '2025-01-31T03:00:00.000Z', [2, 3]],
      ['2025-02-14', '25_34', 'female', 'outreach', 'walk_in', 1, '2025-02-14T03:00:00.000Z', [1]],
      ['2025-01-20', '35_49', 'female', 'centre', 'deidentified', null, '2025-01-20', [4]],
      ['2025-02-03', '35_49', 'female', 'centre', 'deidentified', null, '2025-02-03', [4, 5]],
      ['2025-03-30', '35_49', 'female', 'outreach', 'deidentified', null, '2025-03-30', [4]],
    ];
    for (const [on, age, sex, place, origin, worker, at, types] of written) {
      const id = Number(contact.run(on, age, sex, place, origin, worker, at).lastInsertRowid);
      for (const type of types) service.run(id, type);
    }
    const countsByMonth = (db: typeof sqlite) => ({
      contacts: db.prepare(`select substr(contact_on, 1, 7) as month, sex, age_band, place, count(*) as n from anonymous_contact group by 1, 2, 3, 4 order by 1, 2, 3, 4`).all(),
      services: db.prepare(`select substr(contact_on, 1, 7) as month, service_type_id, count(*) as n from anonymous_contact join anonymous_service on contact_id = anonymous_contact.id group by 1, 2 order by 1, 2`).all(),
    });
    const counted = countsByMonth(sqlite);
    await old.core.shutdown();

    const app = openApp(dir);
    await loginAs(app, ADMIN);
    const db = sqliteOf(app.core);
    expect(db.prepare('select name from kysely_migration order by name').pluck().all()).toEqual(Object.keys(migrations).sort());
    expect(countsByMonth(db)).toEqual(counted);
    const rows = db.prepare('select * from anonymous_contact').all() as { id: number; contact_on: string }[];
    expect(rows.every((row) => row.contact_on.endsWith('-01'))).toBe(true);
    expect(Object.keys(rows[0] ?? {}).sort()).toEqual(['age_band', 'contact_on', 'id', 'place', 'sex']);
    expect(rows.map((row) => row.id).filter((id) => id <= 6)).toEqual([]);
    expect(db.prepare(`select kind, client_id, user_id, reason, detail from identity_access`).all()).toEqual([
      { kind: 'identity', client_id: 1, user_id: 1, reason: 'Lý do thử nghiệm cũ', detail: null },
    ]);
    // The new tables hold their rules: a date that is not a month's first day is refused.
    expect(() => db.prepare(`insert into anonymous_contact (id, contact_on, age_band, sex, place) values (7, '2025-04-02', '25_34', 'female', 'centre')`).run()).toThrow(/CHECK/);
    expect(() => db.prepare(`insert into identity_access (kind, client_id, user_id, reason, at) values ('own_roles', 1, 1, 'x', 'y')`).run()).toThrow(/CHECK/);
    await app.core.shutdown();
  });
});
