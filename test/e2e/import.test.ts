import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { writeImportSheets } from '../fixtures/import/make-sheets.ts';
import { checkScreen, launch, logIn, readVault, type Harness } from '../support/e2e-harness.ts';
import { consentNow, loginAs, MANAGER, openApp, standardTemplate, syntheticClient, tempDir, WORKER } from '../support/vault-fixture.ts';

/*
 * A manager brings an old register in, in Chromium through the real gate: she picks the sheet
 * with every kind of problem, reads each row's result, gives the register's unknown words their
 * meaning, says who holds the cases, and imports; only then is anything written.
 */

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

describe('importing an old register in Chromium', () => {
  it('a manager previews a sheet with errors, fixes the columns and the words it did not know, and imports', async () => {
    const dir = tempDir('dh-e2e-import-');
    cpSync((await standardTemplate()).dir, dir, { recursive: true });
    const sheets = tempDir('dh-e2e-sheets-');
    await writeImportSheets(sheets);
    harness = await launch(dir);
    const { page } = harness;
    await logIn(page, MANAGER);
    await page.getByRole('link', { name: 'Giám sát', exact: true }).click();
    await page.getByRole('link', { name: 'Nhập sổ cũ' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Nhập sổ cũ từ Excel', level: 1 }).isVisible(), { timeout: 20_000 }).toBe(true);
    await checkScreen(page, '90-import-start');

    harness.openedFile = join(sheets, 'loi.xlsx');
    await page.getByRole('button', { name: 'Chọn tệp…' }).click();
    // Each column's guess, from its header.
    await expect.poll(() => page.getByRole('heading', { name: '1. Cột nào ghi gì' }).isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await page.getByRole('combobox', { name: 'Ngày ký đồng ý' }).inputValue()).toBe('f:consentOn');
    expect(await page.getByRole('combobox', { name: 'SĐT' }).inputValue()).toBe('f:phone');
    // Every row's result, its problems in words.
    const summary = page.getByText(/^Sẽ tạo \d+ hồ sơ/);
    await expect.poll(() => summary.innerText(), { timeout: 20_000 }).toBe('Sẽ tạo 4 hồ sơ, thêm 0 lần gặp và 0 lần chuyển gửi, gộp vào 0 hồ sơ đã có. 10 dòng không nhập.');
    const rowOf = (n: number) => page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: String(n), exact: true }) });
    expect(await rowOf(8).getByText('Ngày ký đồng ý: Ngày này không có trên lịch.').isVisible()).toBe(true);
    expect(await rowOf(5).getByText(/Thân chủ dưới 18 tuổi/).isVisible()).toBe(true);
    expect(await rowOf(7).getByText('Giới tính: Chưa chọn nghĩa cho chữ này', { exact: false }).isVisible()).toBe(true);
    // Nothing can be imported before someone is chosen to hold the cases.
    const importButton = page.getByRole('button', { name: /^Nhập \d+ hồ sơ/ });
    expect(await importButton.isDisabled()).toBe(true);
    await page.setViewportSize({ width: 1366, height: 768 });
    await checkScreen(page, '91-import-preview');

    // She corrects the columns: the phone numbers are not to be imported at all.
    expect(await rowOf(15).getByText(/^SĐT: Số điện thoại không được nhập/).isVisible()).toBe(true);
    await page.getByRole('combobox', { name: 'SĐT' }).selectOption({ label: 'Không nhập' });
    await expect.poll(() => rowOf(15).getByText(/^SĐT:/).count(), { timeout: 20_000 }).toBe(0);
    // She tells the app what the register's words mean, and who holds the cases.
    await page.getByRole('combobox', { name: 'Không rõ' }).selectOption({ label: 'Khác / không muốn nói' });
    await page.getByRole('combobox', { name: 'Hỗ trợ gạo' }).selectOption({ label: 'Dịch vụ khác' });
    await page.getByLabel('Cán bộ phụ trách các hồ sơ được nhập').selectOption({ label: 'Cán Bộ Thử' });
    await page.getByLabel('Nơi lưu phiếu đồng ý giấy').fill('Tủ hồ sơ thử, ngăn 1');
    await expect.poll(() => summary.innerText(), { timeout: 20_000 }).toBe('Sẽ tạo 5 hồ sơ, thêm 1 lần gặp và 0 lần chuyển gửi, gộp vào 0 hồ sơ đã có. 9 dòng không nhập.');
    await page.getByLabel('Dòng cần xem').selectOption('error');
    await expect.poll(() => rowOf(7).count()).toBe(0);
    await checkScreen(page, '92-import-errors-only');

    // Nothing is in the vault yet; then she imports.
    const countClients = () => readVault(dir, MANAGER, async (db) => Number((await db.selectFrom('client').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n));
    const before = await countClients();
    page.once('dialog', (dialog) => void dialog.accept());
    await importButton.click();
    await expect.poll(() => page.getByText('Đã nhập 5 hồ sơ mới, 1 lần gặp và 0 lần chuyển gửi', { exact: false }).isVisible(), { timeout: 30_000 }).toBe(true);
    expect(await countClients()).toBe(before + 5);
    // The preview again: those rows are now records of the app.
    await page.getByLabel('Dòng cần xem').selectOption('existing');
    await expect.poll(() => rowOf(7).getByText(/^Trùng hồ sơ/).isVisible(), { timeout: 20_000 }).toBe(true);
    await checkScreen(page, '93-import-done');

    // She keeps this way of reading the register, and finds it again with the next file like it.
    await page.getByLabel('Tên để lưu cách ghép cột và nghĩa của chữ').fill('Sổ theo dõi cũ');
    await page.getByRole('button', { name: 'Lưu cách ghép' }).click();
    await expect.poll(() => page.getByText('Đã lưu cách ghép "Sổ theo dõi cũ"', { exact: false }).isVisible(), { timeout: 20_000 }).toBe(true);
    harness.openedFile = join(sheets, 'sach.xlsx');
    await page.getByRole('button', { name: 'Chọn tệp khác…' }).click();
    const saved = page.getByLabel('Cách ghép cột đã lưu');
    await expect.poll(() => saved.locator('option').first().innerText(), { timeout: 20_000 }).toBe('Sổ theo dõi cũ (biết 13 trên 14 cột)');
    await page.getByRole('button', { name: 'Dùng cách ghép này' }).click();
    await expect.poll(() => page.getByText('Đã dùng cách ghép "Sổ theo dõi cũ" cho 13 cột.', { exact: false }).isVisible()).toBe(true);
    await checkScreen(page, '93b-import-mapping-used');

    // The same in English: every word of the page, the problems' too (a column keeps the register's own header).
    await page.getByRole('link', { name: 'Cài đặt' }).click();
    await page.getByLabel('Ngôn ngữ', { exact: true }).selectOption('en');
    await expect.poll(() => page.getByRole('heading', { name: 'Settings' }).isVisible()).toBe(true);
    await page.getByRole('link', { name: 'Supervision', exact: true }).click();
    await page.getByRole('link', { name: 'Import a register' }).click();
    harness.openedFile = join(sheets, 'loi.xlsx');
    await page.getByRole('button', { name: 'Choose a file…' }).click();
    await expect.poll(() => page.getByRole('heading', { name: '5. Every row, before importing' }).isVisible(), { timeout: 20_000 }).toBe(true);
    await expect.poll(() => rowOf(8).getByText('Ngày ký đồng ý: This day is not on the calendar.').isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await page.getByRole('combobox', { name: 'Ngày ký đồng ý' }).inputValue()).toBe('f:consentOn');
    await checkScreen(page, '93c-import-preview-en');
  });

  it('shows how far a long import has come, and stopping it writes nothing', async () => {
    const dir = tempDir('dh-e2e-import-stop-');
    cpSync((await standardTemplate()).dir, dir, { recursive: true });
    // A register long enough to watch: 6,000 people, one visit each (every name holds "Mẫu").
    const register = join(tempDir('dh-e2e-sheets-'), 'so-dai.xlsx');
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('Sổ');
    sheet.addRow(['Mã hồ sơ', 'Tên gọi', 'Năm sinh', 'Giới tính', 'Tên mẹ', 'Tên cha', 'Ngày ký đồng ý', 'Ngày tư vấn', 'Dịch vụ']);
    for (let n = 0; n < 6000; n++) sheet.addRow([`D-${n}`, `Mẫu Dài ${n}`, 1970 + (n % 30), 'Nữ', 'Lan', 'Hùng', '01/06/2026', '02/06/2026', 'Tư vấn pháp lý']);
    await book.xlsx.writeFile(register);
    harness = await launch(dir);
    const { page } = harness;
    await logIn(page, MANAGER);
    await page.getByRole('link', { name: 'Giám sát', exact: true }).click();
    await page.getByRole('link', { name: 'Nhập sổ cũ' }).click();
    harness.openedFile = register;
    await page.getByRole('button', { name: 'Chọn tệp…' }).click();
    await page.getByLabel('Dòng trùng với một dòng trước trong tệp').selectOption({ label: 'Là người khác (mã thêm hậu tố)' });
    await page.getByLabel('Cán bộ phụ trách các hồ sơ được nhập').selectOption({ label: 'Cán Bộ Thử' });
    const importButton = page.getByRole('button', { name: 'Nhập 6000 hồ sơ và 6000 lần gặp' });
    await expect.poll(() => importButton.isEnabled(), { timeout: 30_000 }).toBe(true);
    const countClients = () => readVault(dir, MANAGER, async (db) => Number((await db.selectFrom('client').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n));
    const before = await countClients();
    page.once('dialog', (dialog) => void dialog.accept());
    await importButton.click();
    const bar = page.getByRole('progressbar');
    await expect.poll(async () => Number((await bar.getAttribute('value')) ?? 0), { timeout: 30_000 }).toBeGreaterThan(0);
    await checkScreen(page, '94-import-progress');
    await page.getByRole('button', { name: 'Dừng nhập' }).click();
    await expect.poll(() => page.getByText('Đã dừng theo yêu cầu của bạn. Không có gì được ghi.').isVisible(), { timeout: 30_000 }).toBe(true);
    expect(await countClients()).toBe(before);
    expect(await importButton.isEnabled()).toBe(true);
  });

  it('a manager merges a client registered twice: side by side, the alias of the second, one record after', async () => {
    const dir = tempDir('dh-e2e-merge-');
    cpSync((await standardTemplate()).dir, dir, { recursive: true });
    const setup = openApp(dir);
    await loginAs(setup, WORKER);
    const twice = [] as number[];
    for (const [alias, distinct] of [['Thử Gộp Một', false], ['Thử Gộp Hai', true]] as const) {
      const registered = await setup.ok('clients.register', syntheticClient({ motherName: 'Nguyệt', fatherName: 'Quang', birthYear: 1992, alias, distinctFromExisting: distinct, consent: consentNow('case_record', 'adult', { givenOn: '2026-10-01' }) }));
      await setup.ok('visits.record', { clientId: registered.clientId, visitOn: distinct ? '2026-11-02' : '2026-10-01', place: 'centre', serviceTypeIds: [2] });
      twice.push(registered.clientId);
    }
    await setup.core.shutdown();
    harness = await launch(dir);
    const { page } = harness;
    await logIn(page, MANAGER);
    await page.getByRole('link', { name: 'Giám sát', exact: true }).click();
    await page.getByRole('link', { name: 'Hồ sơ trùng' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Hồ sơ có thể trùng', level: 1 }).isVisible(), { timeout: 20_000 }).toBe(true);
    const pairRow = page.getByRole('row').filter({ hasText: 'NGQU92-1.2' });
    await expect.poll(() => pairRow.getByText('Cùng mã').isVisible(), { timeout: 20_000 }).toBe(true);
    await checkScreen(page, '95-duplicates');
    await pairRow.getByRole('button', { name: /^So sánh/ }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'So sánh hai hồ sơ' }).isVisible(), { timeout: 20_000 }).toBe(true);
    await page.getByLabel('Hồ sơ được giữ lại').selectOption({ label: 'Giữ NGQU92-1 (Thử Gộp Một)' });
    await expect.poll(() => page.getByRole('columnheader', { name: 'Hồ sơ gộp vào: NGQU92-1.2' }).isVisible(), { timeout: 20_000 }).toBe(true);
    // The identity stays hidden from a manager who stated no reason.
    expect(await page.getByText(/Thông tin nhận diện bị ẩn/).isVisible()).toBe(true);
    await page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Tên gọi' }) }).getByLabel('Của hồ sơ gộp vào').check();
    await checkScreen(page, '96-merge-compare');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Gộp vào hồ sơ NGQU92-1' }).click();
    await expect.poll(() => page.getByText('Đã gộp. Đây là hồ sơ được giữ lại.').isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toContain('Thử Gộp Hai');
    await checkScreen(page, '97-merged-record');
    // The second record's number leads here.
    await page.evaluate((id) => (window.location.hash = `#/clients/${id}`), twice[1]);
    await expect.poll(() => page.getByText('Hồ sơ bạn mở đã được gộp vào hồ sơ này (cùng một thân chủ).').isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await page.evaluate(() => window.location.hash)).toBe(`#/clients/${twice[0]}`);
    // One record now: nothing left to merge; the list says so, in English too.
    await page.getByRole('link', { name: 'Cài đặt' }).click();
    await page.getByLabel('Ngôn ngữ', { exact: true }).selectOption('en');
    await expect.poll(() => page.getByRole('heading', { name: 'Settings' }).isVisible()).toBe(true);
    await page.getByRole('link', { name: 'Supervision', exact: true }).click();
    await page.getByRole('link', { name: 'Duplicates' }).click();
    await expect.poll(() => page.getByText('No records look like duplicates.').isVisible(), { timeout: 20_000 }).toBe(true);
    await checkScreen(page, '95b-duplicates-en');
  });
});
