import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ChannelOutput, ImportPlan, ImportPreview } from '../../electron/contract/index.ts';
import { CELL_PROBLEM_WORDS } from '../../electron/contract/import.ts';
import { writeImportSheets } from '../fixtures/import/make-sheets.ts';
import { refreshClientSummary } from '../../electron/core/records/access.ts';
import { invoke, typeId } from '../support/calls.ts';
import { contentSnapshot } from '../support/db-snapshot.ts';
import { ON_SERVER } from '../support/store-under-test.ts';
import { copyOfTemplate, loginAs, MANAGER, tempDir, TODAY, WORKER, type TestApp } from '../support/vault-fixture.ts';

/*
 * Old registers brought in through the gate, from the synthetic sheets test/fixtures/import
 * writes into a temporary folder: each row's result asserted, what was written read back through
 * the app's own channels, nothing written before the import or by one refused, and a second
 * import of the same register adding nothing.
 */

let folder: string;
beforeAll(async () => {
  folder = tempDir('dh-import-');
  await writeImportSheets(folder);
});

type Opened = NonNullable<ChannelOutput<'import.open'>>;

async function open(app: TestApp, file: string): Promise<Opened> {
  const opened = await invoke<ChannelOutput<'import.open'>>(app, 'import.open', {}, join(folder, file));
  if (!opened || 'error' in opened) throw new Error(`import.open: ${JSON.stringify(opened)}`);
  return opened;
}

/** The plan as the screen starts it: the app's suggestions for the first sheet, the template's worker to hold the cases. */
function suggestedPlan(app: TestApp & { template: { ids: { worker: number } } }, opened: Opened, extra: Partial<ImportPlan> = {}): ImportPlan {
  return { sheet: 0, columns: opened.sheets[0]!.columns.map((column) => column.suggested), workerId: app.template.ids.worker, ...extra };
}

async function preview(app: TestApp, plan: ImportPlan, show: 'all' | 'problems' = 'all'): Promise<ImportPreview> {
  return app.ok('import.preview', { plan, show, limit: 500 });
}

/** The trail's last entry, whole. */
const lastAudit = (app: TestApp) => app.core.vault.db.selectFrom('audit_event').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();

const byRow = (view: ImportPreview) => new Map(view.rows.map((row) => [row.rowNumber, row]));
const problemsOf = (view: ImportPreview, rowNumber: number) => byRow(view).get(rowNumber)?.issues.map((issue) => `${issue.severity}:${issue.problem}`) ?? [];

async function manager() {
  const app = await copyOfTemplate();
  await loginAs(app, MANAGER);
  return app;
}

describe('reading a register under a plan', () => {
  it('suggests each column from its header words, and the sheet\'s words from the app\'s', async () => {
    const app = await manager();
    const opened = await open(app, 'sach.xlsx');
    expect(opened.kind).toBe('xlsx');
    expect(opened.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(opened.importedBefore).toBeNull();
    const sheet = opened.sheets[0]!;
    // The title row above is not the header.
    expect(sheet.headerRow).toBe(2);
    expect(sheet.rows).toBe(6);
    expect(sheet.columns.map((column) => column.suggested?.field ?? null)).toEqual([
      null, 'fileNumber', 'alias', 'legalName', 'birthYear', 'sex', 'motherName', 'fatherName', 'ward', 'district', 'consentOn', 'visitOn', 'services', 'place',
    ]);
    expect(sheet.columns[2]!.samples).toEqual(['Chị Mẫu Một', 'Chị Mẫu Một', 'Bé Thử Hai']);

    const view = await preview(app, suggestedPlan(app, opened));
    const legal = await typeId(app, 'legal_counselling');
    const health = await typeId(app, 'health_check_sti');
    expect(view.values.sex).toEqual([
      { word: 'Nữ', rows: 3, meaning: 'female', suggested: true },
      { word: 'Chuyển giới nữ', rows: 2, meaning: 'trans_female', suggested: true },
      { word: 'Nam', rows: 1, meaning: 'male', suggested: true },
    ]);
    expect(view.values.services.find((value) => value.word === 'Tư vấn pháp lý')).toMatchObject({ rows: 2, meaning: legal });
    expect(view.values.services.find((value) => value.word === 'Khám sức khoẻ')).toMatchObject({ rows: 1, meaning: health });
    expect(view.values.place.map((value) => [value.word, value.meaning])).toEqual([
      ['Văn phòng', 'centre'],
      // As many rows each: in the order of the Vietnamese alphabet (Đ before T).
      ['Điện thoại', 'phone_online'],
      ['Tiếp cận cộng đồng', 'outreach'],
    ]);
    expect(view.missing).toEqual([]);
  });

  it('previews a clean register row by row, writing nothing', async () => {
    const app = await manager();
    const before = await contentSnapshot(app);
    const opened = await open(app, 'sach.xlsx');
    const view = await preview(app, suggestedPlan(app, opened));
    expect(view.counts).toMatchObject({ rows: 6, create: 4, visit: 2, error: 0, noConsent: 0, undecided: 0, clientsCreated: 4, visitsAdded: 6, consentExpired: 3 });
    expect(view.rows.map((row) => [row.rowNumber, row.outcome, row.code, row.visitOn])).toEqual([
      [3, 'create', 'LAHU90-1', '2023-01-05'],
      [4, 'visit', 'LAHU90-1', '2023-02-12'],
      [5, 'create', 'MATU95-1', '2024-03-10'],
      [6, 'create', 'HONA88-3', '2025-12-01'],
      [7, 'visit', 'HONA88-3', '2026-01-15'],
      [8, 'create', 'CUBI00-2', '2025-11-20'],
    ]);
    expect(byRow(view).get(4)?.sameAs).toEqual({ clientId: null, rowNumber: 3, code: 'LAHU90-1' });
    // Her paper consent of 05/01/2023 ran out after twelve months: her worker will be asked to renew it.
    expect(problemsOf(view, 3)).toEqual(['warning:consentExpired']);
    expect(problemsOf(view, 6)).toEqual([]);
    expect(await contentSnapshot(app)).toBe(before);
  });

  it('reads a register typed in TCVN3 or VNI fonts as the same register, showing the text made Unicode', async () => {
    const app = await manager();
    const clean = await preview(app, suggestedPlan(app, await open(app, 'sach.xlsx')));
    for (const file of ['sach-tcvn3.xlsx', 'sach-vni.xlsx', 'sach.csv']) {
      const opened = await open(app, file);
      expect(opened.sheets[0]!.columns.map((column) => column.suggested?.field ?? null), file).toEqual(
        ['STT', 'fileNumber', 'alias', 'legalName', 'birthYear', 'sex', 'motherName', 'fatherName', 'ward', 'district', 'consentOn', 'visitOn', 'services', 'place'].map((field) => (field === 'STT' ? null : field)),
      );
      const view = await preview(app, suggestedPlan(app, opened));
      expect(view.counts, file).toEqual(clean.counts);
      // The CSV has no title row above its header: its rows are numbered one less.
      const shift = file === 'sach.csv' ? 1 : 0;
      expect(view.rows.map((row) => [row.rowNumber + shift, row.outcome, row.code, row.alias, row.visitOn]), file).toEqual(clean.rows.map((row) => [row.rowNumber, row.outcome, row.code, row.alias, row.visitOn]));
      if (file !== 'sach.csv') {
        expect(opened.sheets[0]!.columns[2]!.encoding, file).toBe(file.includes('tcvn3') ? 'tcvn3' : 'vni');
        expect(byRow(view).get(3)?.converted.find((cell) => cell.column === 2)?.text, file).toBe('Chị Mẫu Một');
      }
    }
  });

  it('gives every problem its own message, cell by cell; the rows with only notes are imported', async () => {
    const app = await manager();
    const opened = await open(app, 'loi.xlsx');
    const view = await preview(app, suggestedPlan(app, opened), 'all');
    const expected: Record<number, string[]> = {
      3: ['error:required'],
      4: ['error:birthYearRange'],
      5: ['error:child'],
      6: ['error:ageUnclear'],
      7: ['error:valueUnmapped'],
      8: ['error:dateInvalid'],
      9: ['error:dateFormat'],
      10: ['error:dateFuture'],
      11: ['error:consentMissing'],
      12: ['error:tooLong'],
      13: ['warning:noServices'],
      14: ['warning:wardUnknown'],
      15: ['warning:contactConsent'],
      16: ['warning:valueUnmapped', 'warning:noServices'],
    };
    for (const [row, problems] of Object.entries(expected)) expect(problemsOf(view, Number(row)), `row ${row}`).toEqual(problems);
    expect(byRow(view).get(11)?.outcome).toBe('noConsent');
    expect(view.counts).toMatchObject({ rows: 14, create: 4, error: 9, noConsent: 1, clientsCreated: 4, visitsAdded: 0 });
    // The cell is named: the column and what it held.
    expect(byRow(view).get(8)?.issues[0]).toMatchObject({ column: 10, value: '31/02/2024' });
    expect(byRow(view).get(13)?.visitOn).toBeNull();
    expect(byRow(view).get(7)?.issues[0]).toMatchObject({ column: 5, value: 'Không rõ' });
    // Every problem has words in both languages.
    for (const words of Object.values(CELL_PROBLEM_WORDS)) expect(words.vi && words.en).toBeTruthy();
  });

  it('takes the manager\'s meaning for a word, and her statement that consent is on paper', async () => {
    const app = await manager();
    const opened = await open(app, 'loi.xlsx');
    const rice = await typeId(app, 'other');
    const view = await preview(app, suggestedPlan(app, opened, { values: { sex: { 'Không rõ': 'other' }, services: { 'Hỗ trợ gạo': rice }, place: {} }, consentStatement: true }));
    expect(byRow(view).get(7)?.outcome).toBe('create');
    expect(byRow(view).get(11)?.outcome).toBe('create');
    expect(problemsOf(view, 16)).toEqual([]);
    expect(view.values.sex.find((value) => value.word === 'Không rõ')).toMatchObject({ meaning: 'other', suggested: false });
    expect(view.counts).toMatchObject({ create: 6, error: 8, noConsent: 0, visitsAdded: 1 });
  });

  it('brings old wards forward to 2025 and asks where a split ward went', async () => {
    const app = await manager();
    const opened = await open(app, 'phuong-cu.xlsx');
    const plan = suggestedPlan(app, opened);
    const view = await preview(app, plan);
    expect(view.wardChoices).toEqual([
      {
        key: 'Phường 7|Quận 8',
        oldName: 'Phường 7',
        districtName: 'Quận 8',
        rows: 1,
        options: [
          { code: 27424, name: 'Phường Bình Đông' },
          { code: 27619, name: 'Xã Bình Hưng' },
        ],
        chosen: null,
      },
      expect.objectContaining({ key: 'Phường 07|Quận 8', rows: 1, chosen: null }),
    ]);
    expect(problemsOf(view, 4)).toEqual(['warning:wardSplit']);
    const chosen = await preview(app, { ...plan, wards: { 'Phường 7|Quận 8': 27619, 'Phường 07|Quận 8': 27424 } });
    expect(chosen.wardChoices.map((choice) => choice.chosen)).toEqual([27619, 27424]);
    expect(problemsOf(chosen, 4)).toEqual([]);
    await app.ok('import.commit', { plan: { ...plan, wards: { 'Phường 7|Quận 8': 27619, 'Phường 07|Quận 8': 27424 } }, sha256: opened.sha256 });
    await loginAs(app, WORKER);
    const { rows } = await app.ok('clients.list', { search: 'Mẫu Quận', limit: 50 });
    const wards = Object.fromEntries(await Promise.all(rows.map(async (row) => [row.alias, (await app.ok('clients.get', { clientId: row.id })).wardCode])));
    expect(wards).toEqual({ 'Mẫu Quận Năm': 27316, 'Mẫu Quận Tám': 27619, 'Mẫu Quận Tám Hai': 27424 });
    const byCode = await app.ok('clients.list', { search: 'Mẫu Mã Cũ', limit: 5 });
    expect((await app.ok('clients.get', { clientId: byCode.rows[0]!.id })).wardCode).toBe(26743);
  });
});

describe('importing', () => {
  it('writes every valid row in one go, as registration would, and audits it with the file\'s SHA-256', async () => {
    const app = await manager();
    const opened = await open(app, 'sach.xlsx');
    const plan = suggestedPlan(app, opened, { paperKeptAt: 'Tủ hồ sơ 2, ngăn 2023', paperCoversReports: true });
    const result = await app.ok('import.commit', { plan, sha256: opened.sha256 });
    expect(result).toEqual({ clientsCreated: 4, clientsMerged: 0, visitsAdded: 6, referralsAdded: 0, rowsLeftOut: 0 });
    const audit = await lastAudit(app);
    expect(audit).toMatchObject({ action: 'import.commit', outcome: 'ok', actor_user_id: app.template.ids.manager, target_type: 'import_file', target_id: opened.sha256 });
    expect(JSON.parse(String(audit.detail))).toMatchObject({ rows: 6, clientsCreated: 4, visitsAdded: 6, consentBasis: 'column', paperCoversReports: true });

    // Her worker finds her, her paper consent under the "before the app" text, her visits.
    await loginAs(app, WORKER);
    const { rows } = await app.ok('clients.list', { search: 'Mẫu Một', limit: 5 });
    expect(rows.map((row) => row.code)).toEqual(['LAHU90-1']);
    const page = await app.ok('clients.get', { clientId: rows[0]!.id });
    expect(page).toMatchObject({ alias: 'Chị Mẫu Một', birthYear: 1990, sex: 'female', wardCode: 27316, registeredOn: '2023-01-05', isMine: true, status: 'open' });
    expect(page.consents.map((consent) => [consent.purpose, consent.method, consent.textVersion, consent.givenOn, consent.expiresOn, consent.state, consent.paperKeptAt])).toEqual([
      ['reports', 'written', 'reports.before_app.v1', '2023-01-05', '2024-01-05', 'expired', 'Tủ hồ sơ 2, ngăn 2023'],
      ['case_record', 'written', 'case_record.before_app.v1', '2023-01-05', '2024-01-05', 'expired', 'Tủ hồ sơ 2, ngăn 2023'],
    ]);
    expect(page.visits.map((visit) => [visit.visitOn, visit.place, visit.serviceTypeIds.length])).toEqual([
      ['2023-02-12', 'outreach', 2],
      ['2023-01-05', 'centre', 1],
    ]);
    const identity = await app.ok('clients.identity', { clientId: rows[0]!.id });
    expect(identity).toMatchObject({ legalName: 'Nguyễn Thị Thử Một', phone: null });
    // Each new record's summary (what the list sorts and filters on) is what the app would work out itself.
    const summary = () =>
      app.core.vault.db.selectFrom('client').select(['id', 'last_contact_on', 'next_follow_up_on', 'open_referrals', 'next_referral_due_on']).orderBy('id').execute();
    const written = await summary();
    for (const row of written) await refreshClientSummary(app.core.vault.db, row.id);
    expect(await summary()).toEqual(written);
    // Her consent in force (12/2025) lets the worker record today.
    const active = (await app.ok('clients.list', { search: 'Mẫu Ba', limit: 5 })).rows[0]!;
    await app.ok('visits.record', { clientId: active.id, visitOn: TODAY, place: 'centre', serviceTypeIds: [await typeId(app, 'legal_counselling')] });
  });

  it('brings referrals in with what became of them, counted in her summary, never twice', async () => {
    const app = await manager();
    const opened = await open(app, 'chuyen-gui.xlsx');
    const plan = suggestedPlan(app, opened);
    expect(plan.columns.slice(14).map((column) => column?.field ?? null)).toEqual(['referralOn', 'referralService', 'referralStatus']);
    const view = await preview(app, plan);
    expect(view.values.referralStatus.map((value) => [value.word, value.meaning])).toEqual([
      ['Chưa rõ', null],
      ['Đã chuyển', 'sent'],
      ['Hoàn thành', 'completed'],
    ]);
    expect(view.counts).toMatchObject({ clientsCreated: 3, visitsAdded: 1, referralsAdded: 2 });
    expect(problemsOf(view, 5)).toEqual(['warning:valueUnmapped']);
    expect(problemsOf(view, 6)).toEqual(['warning:noReferralService']);
    const chosen = { ...plan, values: { sex: {}, services: {}, place: {}, referralStatus: { 'Chưa rõ': 'lost' } } } as const;
    expect(await app.ok('import.commit', { plan: chosen, sha256: opened.sha256 })).toMatchObject({ clientsCreated: 3, referralsAdded: 3 });
    await loginAs(app, WORKER);
    const one = (await app.ok('clients.list', { search: 'Mẫu Chuyển Một', limit: 5 })).rows[0]!;
    expect(one.openReferrals).toBe(1);
    const page = await app.ok('clients.get', { clientId: one.id });
    expect(page.referrals.map((referral) => [referral.proposedOn, referral.status, referral.completedOn, referral.partnerId]).sort()).toEqual([
      ['2026-03-10', 'completed', '2026-03-10', null],
      ['2026-04-12', 'sent', null, null],
    ]);
    // Her summary is what the app works out itself.
    const summary = () => app.core.vault.db.selectFrom('client').select(['id', 'open_referrals', 'next_referral_due_on', 'last_contact_on']).orderBy('id').execute();
    const written = await summary();
    for (const row of written) await refreshClientSummary(app.core.vault.db, row.id);
    expect(await summary()).toEqual(written);
    // Again, merged into the records now there: nothing is added twice.
    await loginAs(app, MANAGER);
    await open(app, 'chuyen-gui.xlsx');
    const again = await preview(app, { ...chosen, duplicates: { existing: 'merge', inFile: null } });
    expect(again.counts).toMatchObject({ clientsCreated: 0, visitsAdded: 0, referralsAdded: 0 });
    expect(problemsOf(again, 4)).toContain('warning:duplicateReferral');
  });

  it('imports nothing more from the same register a second time', async () => {
    const app = await manager();
    let opened = await open(app, 'sach.xlsx');
    await app.ok('import.commit', { plan: suggestedPlan(app, opened), sha256: opened.sha256 });
    const after = await contentSnapshot(app);
    opened = await open(app, 'sach.xlsx');
    expect(opened.importedBefore).toMatchObject({ byName: MANAGER.displayName });
    const again = await preview(app, suggestedPlan(app, opened));
    expect(again.counts).toMatchObject({ create: 0, existing: 4, undecided: 4, clientsCreated: 0 });
    expect(problemsOf(again, 3)).toContain('error:decisionNeeded');
    expect(await app.call('import.commit', { plan: suggestedPlan(app, opened), sha256: opened.sha256 })).toEqual({ ok: false, error: { code: 'IMPORT_DECISIONS_NEEDED' } });
    for (const existing of ['skip', 'merge'] as const) {
      const plan = suggestedPlan(app, opened, { duplicates: { existing, inFile: null } });
      const view = await preview(app, plan);
      expect(view.counts, existing).toMatchObject({ existing: 4, undecided: 0, clientsCreated: 0, visitsAdded: 0 });
      if (existing === 'merge') {
        // Her visits are there already; where her paper consent has run out, nothing may be added at all.
        expect(problemsOf(view, 7)).toEqual(['warning:duplicateVisit']);
        expect(problemsOf(view, 3)).toContain('error:recordNoConsent');
      }
      expect(await app.call('import.commit', { plan, sha256: opened.sha256 })).toEqual({ ok: false, error: { code: 'IMPORT_NOTHING' } });
    }
    expect(await contentSnapshot(app)).toBe(after);
  });

  it('shows duplicates in the file and in the app for a decision: skip, merge, or a different person', async () => {
    const app = await manager();
    const opened = await open(app, 'trung.xlsx');
    const plan = suggestedPlan(app, opened);
    expect(plan.columns.map((column) => column?.field ?? null)).toEqual([null, 'code', 'alias', 'birthYear', 'sex', 'motherName', 'fatherName', 'consentOn', 'visitOn', 'services']);
    const view = await preview(app, plan);
    expect(view.rows.map((row) => [row.rowNumber, row.outcome, row.code, row.decision])).toEqual([
      [3, 'create', 'OAPH85-1', null],
      [4, 'create', 'QUSA93-1', null],
      [5, 'inFile', 'QUSA93-1', null],
      [6, 'existing', 'THMA95-1', null],
      [7, 'create', 'TUVI97-1', null],
    ]);
    expect(byRow(view).get(5)?.sameAs).toEqual({ clientId: null, rowNumber: 4, code: 'QUSA93-1' });
    expect(byRow(view).get(6)?.sameAs).toEqual({ clientId: app.template.ids.client, rowNumber: null, code: 'THMA95-1' });
    expect(view.counts.undecided).toBe(2);

    // Row 5 is her again (merge: her visit goes to row 4's record); row 6 is someone else than the app's THMA95-1.
    const decided = { ...plan, decisions: { '5': 'merge', '6': 'new' } } as const;
    const result = await app.ok('import.commit', { plan: decided, sha256: opened.sha256 });
    expect(result).toEqual({ clientsCreated: 4, clientsMerged: 0, visitsAdded: 5, referralsAdded: 0, rowsLeftOut: 0 });
    await loginAs(app, WORKER);
    const twice = (await app.ok('clients.list', { search: 'QUSA93', limit: 5 })).rows;
    expect(twice.map((row) => row.code)).toEqual(['QUSA93-1']);
    expect((await app.ok('clients.get', { clientId: twice[0]!.id })).visits.map((visit) => visit.visitOn)).toEqual(['2026-04-09', '2026-03-02']);
    expect((await app.ok('clients.list', { search: 'THMA95', limit: 5 })).rows.map((row) => row.code).sort()).toEqual(['THMA95-1', 'THMA95-1.2']);
  });

  it('merges a row\'s visit into the app\'s record when told to, never twice', async () => {
    const app = await manager();
    const opened = await open(app, 'trung.xlsx');
    const plan = { ...suggestedPlan(app, opened), duplicates: { existing: 'merge', inFile: 'merge' } } as const;
    expect(await app.ok('import.commit', { plan, sha256: opened.sha256 })).toEqual({ clientsCreated: 3, clientsMerged: 1, visitsAdded: 5, referralsAdded: 0, rowsLeftOut: 0 });
    await loginAs(app, WORKER);
    const page = await app.ok('clients.get', { clientId: app.template.ids.client });
    expect(page.visits.map((visit) => visit.visitOn)).toContain('2026-04-10');
    await loginAs(app, MANAGER);
    await open(app, 'trung.xlsx');
    const view = await preview(app, plan);
    expect(view.counts).toMatchObject({ clientsCreated: 0, visitsAdded: 0 });
  });
});

describe('saved ways of reading a register', () => {
  it('keeps the columns and words a manager chose, and lays them onto the next sheet by its headers', async () => {
    const app = await manager();
    const errors = await open(app, 'loi.xlsx');
    const columns = suggestedPlan(app, errors).columns;
    // Her choices: the legal name not imported; "Không rõ" is "other".
    columns[3] = null;
    await app.ok('import.saveMapping', { name: 'Sổ theo dõi 2023', sheet: 0, columns, values: { sex: { 'Không rõ': 'other', 'Nữ': 'female' }, services: { 'Hỗ trợ gạo': null }, place: {} }, defaultPlace: 'outreach' });
    const raw = await app.core.vault.db.selectFrom('setting').select('value').where('key', '=', 'import.mappings').executeTakeFirstOrThrow();
    // On the centre's server the register's words are sealed like every word about a person.
    if (ON_SERVER) expect(raw.value).not.toContain('Không rõ');

    // The clean register has the same headers but the phone column: the twelve it knows are laid on
    // (a column "not imported" is kept as nothing: STT, and the legal name she left out).
    await open(app, 'sach.xlsx');
    const { mappings } = await app.ok('import.mappings', { sheet: 0 });
    expect(mappings).toHaveLength(1);
    expect(mappings[0]).toMatchObject({ name: 'Sổ theo dõi 2023', byName: MANAGER.displayName, matched: 12, defaultPlace: 'outreach', values: { sex: { 'Không rõ': 'other', 'Nữ': 'female' }, services: {}, place: {} } });
    expect(mappings[0]!.columns).toEqual(columns.slice(0, 14));
    // The same name replaces it; deleting it leaves none.
    await app.ok('import.saveMapping', { name: 'Sổ theo dõi 2023', sheet: 0, columns: [], defaultPlace: 'centre' });
    expect((await app.ok('import.mappings', { sheet: 0 })).mappings.map((mapping) => [mapping.name, mapping.matched])).toEqual([['Sổ theo dõi 2023', 0]]);
    expect(await app.ok('import.deleteMapping', { name: 'Sổ theo dõi 2023' })).toEqual({ deleted: true });
    expect((await app.ok('import.mappings', { sheet: 0 })).mappings).toEqual([]);
  });
});

describe('what an import refuses', () => {
  it('writes nothing when refused: no file open, another file, a holder who is not a worker, undecided rows', async () => {
    const app = await manager();
    const before = await contentSnapshot(app);
    const plan = { sheet: 0, columns: [], workerId: app.template.ids.worker };
    expect(await app.call('import.preview', { plan })).toEqual({ ok: false, error: { code: 'IMPORT_NOT_OPEN' } });
    const opened = await open(app, 'sach.xlsx');
    const full = suggestedPlan(app, opened);
    expect(await app.call('import.commit', { plan: full, sha256: 'a'.repeat(64) })).toEqual({ ok: false, error: { code: 'IMPORT_FILE_CHANGED' } });
    expect(await app.call('import.commit', { plan: { ...full, workerId: app.template.ids.manager }, sha256: opened.sha256 })).toEqual({ ok: false, error: { code: 'USER_NOT_FOUND' } });
    // The preview needs nobody to hold the cases yet; the import does.
    expect((await preview(app, { ...full, workerId: null })).counts.clientsCreated).toBe(4);
    expect(await app.call('import.commit', { plan: { ...full, workerId: null }, sha256: opened.sha256 })).toEqual({ ok: false, error: { code: 'IMPORT_HOLDER_NEEDED' } });
    expect(await app.call('import.commit', { plan: { ...full, columns: [] }, sha256: opened.sha256 })).toEqual({ ok: false, error: { code: 'IMPORT_NOTHING' } });
    expect(await app.call('import.preview', { plan: { ...full, sheet: 3 } })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(await contentSnapshot(app)).toBe(before);
    // A refused import is in the trail, with the file's SHA-256.
    expect(await lastAudit(app)).toMatchObject({ action: 'import.commit', outcome: 'failed', error_code: 'IMPORT_NOTHING', target_id: opened.sha256 });
  });

  it('stops when asked while it writes, and then has written nothing; a stop asked before it began is forgotten', async () => {
    const app = await manager();
    const opened = await open(app, 'sach.xlsx');
    const plan = suggestedPlan(app, opened);
    const before = await contentSnapshot(app);
    const seen: { done: number; total: number }[] = [];
    const stopOnce = app.core.onProgress((progress) => {
      seen.push({ done: progress.done, total: progress.total });
      if (progress.done > 0) app.core.askToStop();
    });
    expect(await app.call('import.commit', { plan, sha256: opened.sha256 })).toEqual({ ok: false, error: { code: 'CALL_STOPPED' } });
    stopOnce();
    // It had written every record before the last step, all of it rolled back.
    expect(seen).toEqual([
      { done: 0, total: 10 },
      { done: 10, total: 10 },
    ]);
    expect(await contentSnapshot(app)).toBe(before);
    expect(await lastAudit(app)).toMatchObject({ action: 'import.commit', outcome: 'failed', error_code: 'CALL_STOPPED', target_id: opened.sha256 });
    app.core.askToStop();
    expect(await app.ok('import.commit', { plan, sha256: opened.sha256 })).toMatchObject({ clientsCreated: 4 });
  });

  it('stops when asked while it still reads the register, before a row is written', async () => {
    const app = await manager();
    const opened = await open(app, 'sach.xlsx');
    const before = await contentSnapshot(app);
    // The call has arrived (it waits its turn behind another): a stop asked now is its own.
    const waiting = app.call('import.preview', { plan: suggestedPlan(app, opened) });
    const importing = app.call('import.commit', { plan: suggestedPlan(app, opened), sha256: opened.sha256 });
    app.core.askToStop();
    await waiting;
    expect(await importing).toEqual({ ok: false, error: { code: 'CALL_STOPPED' } });
    expect(await contentSnapshot(app)).toBe(before);
  });

  it('refuses files it cannot read with their reason, and lets go of the file at lock', async () => {
    const app = await manager();
    expect(await invoke(app, 'import.open', {}, join(folder, 'nothing-here.xlsx'))).toEqual({ error: 'IMPORT_FILE_UNREADABLE' });
    expect(await invoke(app, 'import.open', {}, null)).toBeNull();
    await open(app, 'sach.xlsx');
    await app.ok('auth.lock', {});
    await loginAs(app, MANAGER);
    expect(await app.call('import.preview', { plan: { sheet: 0, columns: [], workerId: app.template.ids.worker } })).toEqual({ ok: false, error: { code: 'IMPORT_NOT_OPEN' } });
  });

  it('is for managers: a worker may not import', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, WORKER);
    expect(await invoke(app, 'import.open', {}, join(folder, 'sach.xlsx'))).toEqual({ error: 'FORBIDDEN' });
  });

  it('saves the rows to fix where the manager chooses: row, column, problem, never a cell\'s text', async () => {
    const app = await manager();
    const opened = await open(app, 'loi.xlsx');
    const target = join(tempDir('dh-import-save-'), 'can-sua.csv');
    const saved = await invoke<{ saved: boolean; rows: number }>(app, 'import.saveProblems', { plan: suggestedPlan(app, opened), language: 'vi' }, target);
    expect(saved).toEqual({ saved: true, rows: 14 });
    const text = readFileSync(target, 'utf8');
    // Separated as the centre's report CSVs are (";" by default: Vietnamese Windows' Excel).
    expect(text.startsWith('\uFEFFDòng;Cột;Mức;Vấn đề\r\n')).toBe(true);
    expect(text).toContain(`8;Ngày ký đồng ý;Không nhập;${CELL_PROBLEM_WORDS.dateInvalid.vi}`);
    for (const secret of ['31/02/2024', 'Mẫu Sai Ngày', 'Không rõ', '0900 000 000', 'Thử Không Tên']) expect(text).not.toContain(secret);
    expect(await invoke(app, 'import.saveProblems', { plan: suggestedPlan(app, opened), language: 'en' }, null)).toEqual({ saved: false, rows: 0 });
  });
});
