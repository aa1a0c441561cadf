import { beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../electron/contract/index.ts';
import { currentConsentText } from '../../electron/contract/index.ts';
import { sql } from 'kysely';
import { CLIENT_TABLES } from '../../electron/core/records/deidentify.ts';
import { contentSnapshot } from '../support/db-snapshot.ts';
import { onFile } from '../support/store-under-test.ts';
import { buildReportDataset, Q3_2026, runReport } from '../support/report-data.ts';
import { consentNow, copyOfApp, copyOfTemplate, loginAs, MANAGER, syntheticClient, WORKER, type TestApp } from '../support/vault-fixture.ts';

/*
 * Two records of one person merged through the gate: the report counts her once again, the
 * record that stays holds everything both held (visits, consents, who held them, corrections),
 * the other's number leads to it, and identity is chosen only by someone who may see it.
 * The dataset is the reports' third quarter of 2026 (test/support/report-data.ts), plus her
 * registered a second time in August.
 */

let dir: string;
/** The first woman of 25–34 in the dataset (KHBA95-1), and her second record (KHBA95-1.2). */
let first: number;
let second: number;

beforeAll(async () => {
  const app = await copyOfTemplate();
  await buildReportDataset(app);
  await loginAs(app, WORKER);
  first = (await app.ok('clients.list', { search: 'KHBA95-1', limit: 5 })).rows.find((row) => row.code === 'KHBA95-1')!.id;
  const consent = consentNow('case_record', 'adult', { givenOn: '2026-08-15', expiresOn: '2027-01-15' });
  const registered = await app.ok(
    'clients.register',
    syntheticClient({
      motherName: 'Khánh',
      fatherName: 'Báo',
      birthYear: 1995,
      alias: 'Thử Gộp Lần Hai',
      distinctFromExisting: true,
      consent,
      identity: { legalName: 'Họ Tên Thử Lần Hai', phone: null, idNumber: null, address: null },
      reportsConsent: { ...consent, textVersion: currentConsentText('reports', 'adult') },
    }),
  );
  expect(registered.code).toBe('KHBA95-1.2');
  second = registered.clientId;
  await app.ok('visits.record', { clientId: second, visitOn: '2026-08-20', place: 'outreach', serviceTypeIds: [2] });
  await app.core.shutdown();
  dir = app.dir;
});

async function asManager(): Promise<TestApp> {
  const app = await copyOfApp(dir);
  await loginAs(app, MANAGER);
  return app;
}

const reached = (report: Report) => {
  const table = report.tables.find((each) => each.indicatorId === 'persons_reached')!;
  // The last row and column are the totals (the rows by sex may be suppressed, the grand total is not).
  return table.cells[5]![5];
};

/** The manager states why she looks at both identities (both records carry one, and they differ). */
async function reveal(app: TestApp) {
  for (const clientId of [first, second]) await app.ok('clients.identity', { clientId, reason: 'Gộp hai hồ sơ trùng của cùng thân chủ' });
}

async function versions(app: TestApp, keepId: number, otherId: number) {
  const compared = await app.ok('merge.compare', { keepId, otherId });
  return { keep: compared.keep.version, other: compared.other.version };
}

describe('possible duplicates', () => {
  it('lists records that may be one person, without identity', async () => {
    const app = await asManager();
    const { pairs } = await app.ok('merge.candidates', {});
    const pair = pairs.find((each) => each.a.id === first && each.b.id === second);
    expect(pair).toMatchObject({ a: { code: 'KHBA95-1', birthYear: 1995, visits: 1 }, b: { code: 'KHBA95-1.2', alias: 'Thử Gộp Lần Hai', visits: 1 }, reasons: ['sameCode'] });
    // The list names no one by her legal name.
    expect(JSON.stringify(pairs)).not.toContain('Họ Tên');
    // Aliases a letter apart, the same year and sex, are listed too ("Bí Danh Báo Cáo 01" and "… 02").
    expect(pairs.some((each) => each.reasons.includes('closeAlias'))).toBe(true);
  });
});

describe('merging two records', () => {
  it('counts her once in the report again, and keeps everything both records held', async () => {
    const app = await asManager();
    const before = reached((await runReport(app, { period: Q3_2026 })).report);
    expect(before).toBe(22);

    const hidden = await app.ok('merge.compare', { keepId: first, otherId: second });
    // The manager holds neither case and stated no reason: identity stays hidden, and with two
    // different identities nothing is merged unseen (one of them would be dropped).
    expect(hidden.identityVisible).toBe(false);
    expect(hidden.other).toMatchObject({ alias: 'Thử Gộp Lần Hai', identity: null, hasIdentity: true, counts: { visits: 1, consents: 2 } });
    expect(await app.call('merge.apply', { keepId: first, otherId: second, versions: { keep: hidden.keep.version, other: hidden.other.version } })).toEqual({ ok: false, error: { code: 'MERGE_IDENTITY_HIDDEN' } });
    await reveal(app);
    const compared = await app.ok('merge.compare', { keepId: first, otherId: second });
    const merged = await app.ok('merge.apply', { keepId: first, otherId: second, take: { alias: 'other' }, versions: { keep: compared.keep.version, other: compared.other.version } });
    expect(merged).toEqual({ clientId: first });
    expect(reached((await runReport(app, { period: Q3_2026 })).report)).toBe(21);

    // Her worker sees one record: both visits, every consent, the alias chosen, the change in its history.
    await loginAs(app, WORKER);
    const page = await app.ok('clients.get', { clientId: first });
    expect(page.alias).toBe('Thử Gộp Lần Hai');
    expect(page.visits.map((visit) => visit.visitOn)).toEqual(['2026-08-20', '2026-08-01']);
    // Both consents are in her ledger; the one running longer (July 2027, not January) is current,
    // carried over as the latest entry.
    expect(page.consents.filter((consent) => consent.purpose === 'case_record').map((consent) => [consent.givenOn, consent.expiresOn, consent.state])).toEqual([
      ['2026-07-15', '2027-07-15', 'active'],
      ['2026-08-15', '2027-01-15', 'replaced'],
      ['2026-07-15', '2027-07-15', 'replaced'],
    ]);
    expect(page.registeredOn).toBe('2026-07-15');
    // Her identity is still her own record's (nobody chose otherwise).
    expect((await app.ok('clients.identity', { clientId: first })).legalName).toMatch(/^Họ Tên Mật Báo Cáo/);
    const history = await app.ok('clients.history', { clientId: first });
    expect(history.some((row) => row.field === 'alias' && row.newValue === 'Thử Gộp Lần Hai')).toBe(true);
    // Her second number leads to the record that stayed.
    expect(await app.call('clients.get', { clientId: second })).toEqual({ ok: false, error: { code: 'CLIENT_MERGED', clientId: first } });
    expect(await app.call('visits.record', { clientId: second, visitOn: '2026-11-28', place: 'centre', serviceTypeIds: [2] })).toMatchObject({ ok: false, error: { code: 'CLIENT_MERGED' } });
    // The trail names both numbers and what was taken, never a name.
    // (The first, refused for hidden identities, is in it too.)
    const entry = await app.core.vault.db.selectFrom('audit_event').selectAll().where('action', '=', 'merge.apply').where('outcome', '=', 'ok').executeTakeFirstOrThrow();
    expect(entry).toMatchObject({ outcome: 'ok', target_type: 'client', target_id: String(first) });
    expect(JSON.parse(String(entry.detail))).toMatchObject({ mergedFrom: second, fromOther: ['alias'] });
    expect(String(entry.detail)).not.toContain('Thử Gộp');
  });

  it('keeps the stronger consent current, whichever record it was on', async () => {
    const app = await asManager();
    await reveal(app);
    // Keeping the second record, whose consent runs out in January: the first's (to July) stays current.
    await app.ok('merge.apply', { keepId: second, otherId: first, versions: await versions(app, second, first) });
    await loginAs(app, WORKER);
    const page = await app.ok('clients.get', { clientId: second });
    const current = page.consents.filter((consent) => consent.purpose === 'case_record' && consent.state !== 'replaced');
    expect(current.map((consent) => [consent.givenOn, consent.expiresOn])).toEqual([['2026-07-15', '2027-07-15']]);
    expect(page.code).toBe('KHBA95-1.2');
    expect(await app.call('clients.get', { clientId: first })).toEqual({ ok: false, error: { code: 'CLIENT_MERGED', clientId: second } });
  });

  it('keeps a withdrawal: consent she withdrew on one record is not brought back by the other', async () => {
    const app = await copyOfApp(dir);
    await loginAs(app, WORKER);
    // On her first record she withdraws her consent to reports in September; her second still has one (from August).
    const consent = (await app.ok('clients.get', { clientId: first })).consents.find((each) => each.purpose === 'reports')!;
    await app.ok('consent.withdraw', { consentId: consent.id, on: '2026-09-01' });
    await loginAs(app, MANAGER);
    await reveal(app);
    await app.ok('merge.apply', { keepId: first, otherId: second, versions: await versions(app, first, second) });
    await loginAs(app, WORKER);
    const reports = (await app.ok('clients.get', { clientId: first })).consents.filter((each) => each.purpose === 'reports');
    expect(reports.map((each) => each.state)).toEqual(['withdrawn', 'withdrawn']);
    await loginAs(app, MANAGER);
    // Not counted in the report at all now (one woman fewer than the dataset's 21).
    expect(reached((await runReport(app, { period: Q3_2026 })).report)).toBe(20);
  });

  it('brings back neither record from a backup after the merged record is erased: both fingerprints are in the ledger', async () => {
    const app = await asManager();
    await reveal(app);
    await app.ok('merge.apply', { keepId: first, otherId: second, versions: await versions(app, first, second) });
    await loginAs(app, WORKER);
    const before = await app.core.vault.db.selectFrom('erasure').select('fingerprint').execute();
    await app.ok('clients.erase', { clientId: first, reason: 'client_request', confirmCode: 'KHBA95-1' });
    const after = await app.core.vault.db.selectFrom('erasure').select('fingerprint').execute();
    expect(after.length - before.length).toBe(2);
    expect(await app.core.vault.db.selectFrom('merged_client').selectAll().execute()).toEqual([]);
  });

  it('lets identity be chosen only by someone who may see both, after stating a reason', async () => {
    const app = await asManager();
    const hidden = await versions(app, first, second);
    expect(await app.call('merge.apply', { keepId: first, otherId: second, take: { identity: 'other' }, versions: hidden })).toEqual({ ok: false, error: { code: 'MERGE_IDENTITY_HIDDEN' } });
    await reveal(app);
    const compared = await app.ok('merge.compare', { keepId: first, otherId: second });
    expect(compared.identityVisible).toBe(true);
    expect(compared.other.identity?.legalName).toBe('Họ Tên Thử Lần Hai');
    await app.ok('merge.apply', { keepId: first, otherId: second, take: { identity: 'other' }, versions: { keep: compared.keep.version, other: compared.other.version } });
    await loginAs(app, WORKER);
    expect((await app.ok('clients.identity', { clientId: first })).legalName).toBe('Họ Tên Thử Lần Hai');
  });

  it('refuses, changing nothing: a record frozen at her request, a record changed since it was shown, the same record twice', async () => {
    const app = await copyOfApp(dir);
    await loginAs(app, WORKER);
    await app.ok('clients.restrict', { clientId: second, reason: 'client_request' });
    await loginAs(app, MANAGER);
    const before = await contentSnapshot(app);
    const shown = await versions(app, first, second);
    expect(await app.call('merge.apply', { keepId: first, otherId: second, versions: shown })).toEqual({ ok: false, error: { code: 'CLIENT_RESTRICTED' } });
    expect(await app.call('merge.apply', { keepId: first, otherId: first, versions: shown })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    await loginAs(app, WORKER);
    await app.ok('clients.unrestrict', { clientId: second });
    await app.ok('visits.record', { clientId: second, visitOn: '2026-11-28', place: 'centre', serviceTypeIds: [2] });
    await loginAs(app, MANAGER);
    const changed = await contentSnapshot(app);
    expect(await app.call('merge.apply', { keepId: first, otherId: second, versions: shown })).toEqual({ ok: false, error: { code: 'RECORD_CHANGED' } });
    expect(await contentSnapshot(app)).toBe(changed);
    expect(changed).not.toBe(before);
  });

  onFile('moves every table that holds a client\'s rows (a new one must be named in CLIENT_TABLES, or here)', async () => {
    const app = await asManager();
    const { rows } = await sql<{ name: string }>`select m.name from sqlite_master m join pragma_table_info(m.name) p where m.type = 'table' and p.name = 'client_id' order by 1`.execute(app.core.vault.db);
    // Group attendance is moved on its own (a session both attended counts once); merged_client is the merge's own.
    expect(rows.map((row) => row.name)).toEqual([...CLIENT_TABLES, 'group_attendance', 'merged_client'].sort());
  });

  it('refuses a closed case (reopened first), changing nothing', async () => {
    const app = await copyOfApp(dir);
    await loginAs(app, WORKER);
    await app.ok('clients.close', { clientId: second, reason: 'moved_away', on: '2026-11-28' });
    await loginAs(app, MANAGER);
    await reveal(app);
    const before = await contentSnapshot(app);
    expect(await app.call('merge.apply', { keepId: first, otherId: second, versions: await versions(app, first, second) })).toEqual({ ok: false, error: { code: 'CASE_CLOSED' } });
    expect(await contentSnapshot(app)).toBe(before);
  });

  it('is for managers: a worker may neither list nor merge', async () => {
    const app = await copyOfApp(dir);
    await loginAs(app, WORKER);
    expect(await app.call('merge.candidates', {})).toEqual({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await app.call('merge.apply', { keepId: first, otherId: second, versions: { keep: 'x', other: 'y' } })).toEqual({ ok: false, error: { code: 'FORBIDDEN' } });
  });
});
