import { cpSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { checkScreen, field, launch, logIn, readVault, SCREENSHOTS, type Harness } from '../support/e2e-harness.ts';
import { seedVault } from '../support/synthetic.ts';
import { FLOOR_KDF, loginAs, MANAGER, openApp, standardTemplate, START_TIME, tempDir, WORKER } from '../support/vault-fixture.ts';

/*
 * A social worker's day, in Chromium through the real gate: register with consent → record a
 * visit with two services → refer to a clinic → print the slip → mark it completed → close the
 * case; an anonymous contact; the search finds "Đặng" from "dang". Then a manager breaks the
 * glass, and the access shows up for review.
 */

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

/** From the login screen to the client list, as the worker (her day starts on the to-do list). */
async function toClientsAsWorker(page: Page) {
  await expect.poll(() => page.getByRole('heading', { name: 'Đăng nhập' }).isVisible()).toBe(true);
  await logIn(page, WORKER);
  await expect.poll(() => page.getByRole('heading', { name: 'Việc cần làm', level: 1 }).isVisible(), { timeout: 20_000 }).toBe(true);
  await page.getByRole('link', { name: 'Thân chủ', exact: true }).click();
}

describe('the daily work in Chromium', () => {
  it('registers, records, refers, prints, completes and closes; anonymous contact; folded search; break the glass', async () => {
    const dir = tempDir('dh-e2e-');
    cpSync((await standardTemplate()).dir, dir, { recursive: true });
    harness = await launch(dir);
    const { page, app } = harness;
    await toClientsAsWorker(page);
    await expect.poll(() => page.getByRole('heading', { name: 'Thân chủ', exact: true }).isVisible(), { timeout: 20_000 }).toBe(true);
    await expect.poll(() => page.getByRole('link', { name: 'THMA95-1' }).isVisible()).toBe(true);
    // The alias opens the record too.
    expect(await page.getByRole('link', { name: 'Chị Thử Nghiệm', exact: true }).getAttribute('href')).toMatch(/\/clients\/\d+$/);
    await checkScreen(page, '30-clients-list');

    // Registration: code facts, consent, record.
    await page.getByRole('link', { name: 'Đăng ký thân chủ' }).click();
    await field(page, 'Tên mẹ (chỉ tên, không họ)').fill('Hoa');
    await field(page, 'Tên cha (chỉ tên, không họ)').fill('Bình');
    await field(page, 'Năm sinh').fill('1996');
    // Arrow keys do not change a birth year.
    await field(page, 'Năm sinh').press('ArrowUp');
    await field(page, 'Năm sinh').press('ArrowDown');
    await field(page, 'Năm sinh').press('ArrowDown');
    expect(await field(page, 'Năm sinh').inputValue()).toBe('1996');
    await expect.poll(() => page.getByText('HOBI96-1', { exact: true }).isVisible()).toBe(true);
    await expect.poll(() => page.getByText('Trung tâm xin phép lập hồ sơ', { exact: false }).isVisible()).toBe(true);
    await field(page, 'Tên gọi').fill('Đặng Thị Thử E2E');
    // The save bar is in sight from the start, at the foot of the window.
    const registerButton = await page.getByRole('button', { name: 'Đăng ký', exact: true }).boundingBox();
    expect((registerButton?.y ?? 1e9) + (registerButton?.height ?? 0)).toBeLessThanOrEqual(768);
    // A filter that leaves one ward chooses it.
    await page.getByRole('searchbox', { name: 'Lọc phường/xã' }).fill('ben thanh');
    expect(await page.getByText('Chỉ một nơi khớp: đã chọn Phường Bến Thành.').isVisible()).toBe(true);
    expect(await field(page, 'Phường/xã hiện ở').locator('option:checked').innerText()).toBe('Phường Bến Thành');
    await field(page, 'Họ tên thật').fill('Họ Tên Phiếu Thử');
    await checkScreen(page, '31-register');
    await page.getByRole('button', { name: 'Đăng ký', exact: true }).click();
    await expect.poll(() => page.getByRole('heading', { name: /HOBI96-1/ }).isVisible(), { timeout: 20_000 }).toBe(true);
    await checkScreen(page, '32-client-registered');
    const clientId = Number(/clients\/(\d+)/.exec(page.url())?.[1]);
    // The consent text read is named in words, not by its code.
    expect(await page.getByText('Văn bản đã đọc (bản số 1, dành cho người lớn)').first().isVisible()).toBe(true);
    expect(await page.getByText('case_record.adult.v1', { exact: false }).count()).toBe(0);

    // A visit with two services, a follow-up and an outcome, from her page, by keyboard alone:
    // every key pressed beyond the text typed is counted.
    let keys = 0;
    const press = async (key: string) => {
      keys += 1;
      await page.keyboard.press(key);
    };
    const focused = () => page.evaluate(() => ({ id: document.activeElement?.id ?? '', role: document.activeElement?.getAttribute('role') ?? '', text: document.activeElement?.textContent ?? '' }));
    // Her page's heading holds the focus once it is open: the next Tab is "record a visit".
    await expect.poll(async () => (await focused()).id).toBe('page-title');
    await press('Tab');
    expect((await focused()).text).toBe('Ghi lần gặp');
    await press('Enter');
    await expect.poll(() => page.getByRole('heading', { name: 'Ghi lần gặp' }).isVisible()).toBe(true);
    // The services are one stop: typing filters them (without tones), Enter ticks and clears.
    await expect.poll(async () => (await focused()).role).toBe('combobox');
    const services = page.getByRole('listbox', { name: 'Dịch vụ đã cung cấp' });
    await page.keyboard.type('tam');
    expect(await services.getByRole('option').allInnerTexts()).toEqual(['Tư vấn tâm lý', 'Hỗ trợ khẩn cấp / nơi tạm lánh']);
    await press('Escape');
    await page.keyboard.type('tâm');
    expect(await services.getByRole('option').allInnerTexts()).toEqual(['Tư vấn tâm lý']);
    await press('Enter');
    await page.keyboard.type('hiv');
    await press('Enter');
    expect((await services.getByRole('option', { selected: true }).allInnerTexts()).map((text) => text.replace('✓', '').trim()).sort()).toEqual(['Tư vấn tâm lý', 'Xét nghiệm HIV']);
    expect(await page.getByText('Đã chọn: Tư vấn tâm lý, Xét nghiệm HIV.').isVisible()).toBe(true);
    // The follow-up next: a day of this year typed short is written out in full on leaving it.
    await press('Tab');
    await page.keyboard.type('5/12');
    await press('Tab');
    expect(await field(page, 'Hẹn theo dõi lần sau').inputValue()).toBe('05/12/2026');
    await page.keyboard.type('Đã tư vấn, hẹn xét nghiệm');
    // The save bar stays in sight at the foot of the window, and says how to save from here.
    const bar = await page.locator('.actions.sticky').boundingBox();
    expect((bar?.y ?? 1e9) + (bar?.height ?? 0)).toBeLessThanOrEqual(768);
    expect(await page.getByText('Ctrl+Enter để lưu từ bất kỳ ô nào').isVisible()).toBe(true);
    await checkScreen(page, '33-visit-form');
    await press('Control+Enter');
    // Back on her page, told what was saved, with the focus on its heading again.
    await expect.poll(() => page.getByText('Đã ghi lần gặp ngày 28/11/2026: Tư vấn tâm lý, Xét nghiệm HIV. Hẹn theo dõi ngày 05/12/2026.').isVisible(), { timeout: 20_000 }).toBe(true);
    await expect.poll(async () => (await focused()).id).toBe('page-title');
    expect(await page.getByText('Hẹn theo dõi: 05/12/2026').isVisible()).toBe(true);
    // Open the form, a filter cleared, two services, the follow-up, the outcome, save: 8 keys beyond the text (the goal is at most 12).
    expect(keys).toBe(8);
    // Her own visit with an outcome and no note: the outcome, and no "restricted note" marker.
    expect(await page.getByText('Đã tư vấn, hẹn xét nghiệm').isVisible()).toBe(true);
    expect(await page.getByText('(Có ghi chú hạn chế)').count()).toBe(0);

    // A referral to the clinic, with consent to share recorded on the spot.
    await page.getByRole('link', { name: 'Chuyển gửi', exact: true }).click();
    await field(page, 'Đơn vị tiếp nhận').selectOption({ label: 'Phòng khám Thử nghiệm (Phòng khám HIV/STI)' });
    await field(page, 'Dịch vụ').selectOption({ label: 'Xét nghiệm HIV' });
    await expect.poll(() => page.getByText('Cần đồng ý chia sẻ thông tin với đơn vị này').isVisible()).toBe(true);
    // Without saying that consent was given, nothing is sent: the box itself says what is missing,
    // and the words go once it is ticked.
    await page.getByRole('button', { name: 'Tạo chuyển gửi' }).click();
    const tick = 'Đánh dấu ô trên khi thân chủ (hoặc người giám hộ) đã nghe văn bản và đồng ý';
    await expect.poll(() => page.getByText(tick, { exact: false }).isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await page.getByText('Hãy ghi nhận hoặc gia hạn đồng ý trước', { exact: false }).count()).toBe(0);
    await page.getByLabel('Thân chủ (hoặc người giám hộ) đã nghe văn bản trên và đồng ý').check();
    expect(await page.getByText(tick, { exact: false }).count()).toBe(0);
    await checkScreen(page, '34-referral-form');
    await page.getByRole('button', { name: 'Tạo chuyển gửi' }).click();
    await expect.poll(() => page.getByRole('heading', { name: /HOBI96-1/ }).isVisible(), { timeout: 20_000 }).toBe(true);

    // The slip, on screen and as printed: code, alias, service, partner, date, and no legal name.
    await page.getByRole('link', { name: 'Phiếu chuyển gửi' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'PHIẾU CHUYỂN GỬI' }).isVisible()).toBe(true);
    const slip = await page.locator('.slip').innerText();
    expect(slip).toContain('HOBI96-1');
    expect(slip).toContain('Đặng Thị Thử E2E');
    expect(slip).toContain('Phòng khám Thử nghiệm');
    expect(slip).toContain('28/11/2026');
    // She gave a legal name, but did not agree to share it: the slip does not carry it.
    expect(slip).not.toContain('Họ Tên Phiếu Thử');
    expect(slip).not.toContain('Họ tên thật');
    await checkScreen(page, '35-referral-slip');
    await page.emulateMedia({ media: 'print' });
    await page.screenshot({ path: `${SCREENSHOTS}/36-referral-slip-print.png`, fullPage: true });
    await page.emulateMedia({ media: 'screen' });
    await page.getByRole('button', { name: 'Quay lại' }).click();

    // Sent, then completed (the app records completion, never a result).
    // Each step is asked for, with its date, before it is recorded; a step asked for can be let go.
    await page.getByRole('button', { name: 'Thân chủ từ chối', exact: true }).click();
    await expect.poll(() => page.getByText('ghi nhận “Thân chủ từ chối”? Bước này không hoàn tác được.', { exact: false }).isVisible()).toBe(true);
    await page.locator('.confirm-step').getByRole('button', { name: 'Huỷ' }).click();
    expect((await app.ok('clients.get', { clientId })).referrals[0]?.status).toBe('proposed');
    await page.getByRole('button', { name: 'Đã gửi', exact: true }).click();
    expect(await page.locator('.confirm-step').getByLabel('Ngày', { exact: true }).inputValue()).toMatch(/^\d{2}\/\d{2}\/\d{4}$/);
    await checkScreen(page, '36b-referral-step-confirm');
    await page.getByRole('button', { name: 'Ghi nhận “Đã gửi”' }).click();
    await expect.poll(() => page.locator('.referral-list .badge').getByText('Đã gửi', { exact: true }).isVisible(), { timeout: 20_000 }).toBe(true);
    await page.getByRole('button', { name: 'Hoàn thành', exact: true }).click();
    await page.getByRole('button', { name: 'Ghi nhận “Hoàn thành”' }).click();
    await expect.poll(() => page.locator('.referral-list').getByText('Hoàn thành', { exact: true }).isVisible(), { timeout: 20_000 }).toBe(true);
    await checkScreen(page, '37-client-page');

    // Close the case.
    await field(page, 'Lý do đóng hồ sơ').selectOption('reintegrated');
    await page.getByRole('button', { name: 'Đóng hồ sơ' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Mở lại hồ sơ' }).isVisible(), { timeout: 20_000 }).toBe(true);
    const page_ = await app.ok('clients.get', { clientId });
    expect(page_).toMatchObject({ status: 'closed', visits: [{ serviceTypeIds: [2, 4] }], referrals: [{ status: 'completed' }] });

    // The search ignores tones: "dang" finds "Đặng".
    await page.getByRole('link', { name: 'Danh sách thân chủ' }).click();
    await field(page, 'Trạng thái hồ sơ').selectOption('all');
    await page.getByRole('searchbox', { name: 'Tìm theo mã hoặc tên gọi' }).fill('dang');
    await expect.poll(() => page.getByRole('cell', { name: 'Đặng Thị Thử E2E' }).isVisible(), { timeout: 20_000 }).toBe(true);
    await expect.poll(() => page.getByText('1 thân chủ', { exact: true }).isVisible()).toBe(true);
    await checkScreen(page, '38-search-dang');
    // Two letters find the start of any word of the alias, not only its first.
    await page.getByRole('searchbox', { name: 'Tìm theo mã hoặc tên gọi' }).fill('e2');
    await expect.poll(() => page.getByText('1 thân chủ', { exact: true }).isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await page.getByRole('cell', { name: 'Đặng Thị Thử E2E' }).isVisible()).toBe(true);

    // An anonymous contact.
    await page.getByRole('link', { name: 'Ghi lượt hỗ trợ ẩn danh' }).click();
    await field(page, 'Nhóm tuổi').selectOption('18_24');
    await page.getByRole('option', { name: 'Vật dụng giảm hại (bao cao su, bơm kim tiêm…)' }).click();
    await checkScreen(page, '39-anonymous');
    await page.getByRole('button', { name: 'Lưu' }).click();
    await expect.poll(() => page.getByText('Đã ghi lượt hỗ trợ ẩn danh.').isVisible(), { timeout: 20_000 }).toBe(true);

    // A manager looks at someone else's client: she must say why; it is listed for review.
    await page.getByRole('button', { name: 'Đăng xuất' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Đăng nhập' }).isVisible()).toBe(true);
    await logIn(page, MANAGER);
    await expect.poll(() => page.getByRole('heading', { name: 'Tổng quan', level: 1 }).isVisible(), { timeout: 20_000 }).toBe(true);
    await page.getByRole('link', { name: 'Thân chủ', exact: true }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Thân chủ', exact: true }).isVisible(), { timeout: 20_000 }).toBe(true);
    await page.getByRole('link', { name: 'THMA95-1' }).click();
    await expect.poll(() => page.getByText('Đây không phải thân chủ bạn phụ trách', { exact: false }).isVisible()).toBe(true);
    expect(await page.getByText('Ghi chú thử nghiệm').count()).toBe(0);
    await page.getByRole('button', { name: 'Xem thông tin nhận diện' }).click();
    await expect.poll(() => page.getByRole('alert').getByText('Cần nêu lý do trước', { exact: false }).isVisible()).toBe(true);
    await field(page, 'Lý do cần xem').fill('ngắn');
    await page.getByRole('button', { name: 'Xem thông tin nhận diện' }).click();
    await expect.poll(() => page.getByText('Hãy nêu lý do rõ hơn (ít nhất 10 ký tự).').isVisible()).toBe(true);
    await field(page, 'Lý do cần xem').fill('Cán bộ phụ trách vắng, cần gọi hẹn lịch khám');
    await page.getByRole('button', { name: 'Xem thông tin nhận diện' }).click();
    await expect.poll(() => page.getByText('Nguyễn Thị Mẫu Thử').isVisible(), { timeout: 20_000 }).toBe(true);
    await expect.poll(() => page.getByText('Ghi chú thử nghiệm').isVisible()).toBe(true);
    await checkScreen(page, '40-break-the-glass');
    await page.getByRole('link', { name: 'Quản trị' }).click();
    await page.getByRole('link', { name: 'Truy cập nhận diện' }).click();
    await expect.poll(() => page.getByRole('cell', { name: 'Cán bộ phụ trách vắng, cần gọi hẹn lịch khám' }).isVisible()).toBe(true);
    await checkScreen(page, '41-access-review');
    await page.getByRole('link', { name: 'Đơn vị tiếp nhận' }).click();
    await expect.poll(() => page.getByRole('cell', { name: 'Phòng khám Thử nghiệm', exact: true }).isVisible()).toBe(true);
    await checkScreen(page, '42-partners');

    expect(harness.blocked).toEqual([]);
    expect(harness.consoleErrors).toEqual([]);
  });
});

describe('training data in Chromium', () => {
  it('refers when no partner exists yet: the worker adds one from the referral form', async () => {
    const dir = tempDir('dh-e2e-');
    cpSync((await standardTemplate()).dir, dir, { recursive: true });
    const setup = openApp(dir);
    await loginAs(setup, MANAGER);
    // The centre's only partner retired: the list is empty.
    const [only] = await setup.ok('partners.list', {});
    if (!only) throw new Error('template partner');
    await setup.ok('partners.save', { id: only.id, name: only.name, kind: only.kind, wardCode: only.wardCode, contact: only.contact, active: false, version: only.version });
    await setup.core.shutdown();
    harness = await launch(dir);
    const { page, app } = harness;
    await toClientsAsWorker(page);
    await page.getByRole('link', { name: 'THMA95-1' }).click();
    await page.getByRole('link', { name: 'Chuyển gửi', exact: true }).click();
    await expect.poll(() => page.getByText('Chưa có đơn vị tiếp nhận nào.', { exact: false }).isVisible(), { timeout: 20_000 }).toBe(true);
    const adding = page.getByRole('group', { name: 'Thêm đơn vị tiếp nhận mới' });
    // Incomplete: said field by field, nothing added.
    await adding.getByRole('button', { name: 'Thêm đơn vị này' }).click();
    await expect.poll(() => adding.locator('.field-error').count()).toBeGreaterThan(0);
    expect(await readVault(app.dir, WORKER, (db) => db.selectFrom('partner').select('id').where('active', '=', 1).execute())).toEqual([]);
    await adding.getByLabel('Tên đơn vị', { exact: true }).fill('Trường Nghề Thử Nghiệm Quận Tư');
    await adding.getByLabel('Loại', { exact: true }).selectOption({ label: 'Cơ sở đào tạo nghề' });
    await adding.getByLabel('Liên hệ', { exact: true }).fill('028 0000 1111');
    // What was missing is put right: its words are gone.
    expect(await adding.locator('.field-error').count()).toBe(0);
    await checkScreen(page, '34b-referral-add-partner');
    await adding.getByRole('button', { name: 'Thêm đơn vị này' }).click();
    await expect.poll(() => page.getByText('Đã thêm “Trường Nghề Thử Nghiệm Quận Tư” và chọn cho lần chuyển gửi này.').isVisible(), { timeout: 20_000 }).toBe(true);
    await expect.poll(() => field(page, 'Đơn vị tiếp nhận').locator('option:checked').innerText()).toBe('Trường Nghề Thử Nghiệm Quận Tư (Cơ sở đào tạo nghề)');
    // Chosen, so the consent to share with it is asked for at once.
    await expect.poll(() => page.getByText('Cần đồng ý chia sẻ thông tin với đơn vị này').isVisible()).toBe(true);
    await field(page, 'Dịch vụ').selectOption({ label: 'Đào tạo nghề' });
    await page.getByLabel('Thân chủ (hoặc người giám hộ) đã nghe văn bản trên và đồng ý').check();
    await page.getByRole('button', { name: 'Tạo chuyển gửi' }).click();
    await expect.poll(() => page.getByRole('heading', { name: /THMA95-1/ }).isVisible(), { timeout: 20_000 }).toBe(true);
    await expect.poll(() => page.getByText('Trường Nghề Thử Nghiệm Quận Tư', { exact: false }).first().isVisible()).toBe(true);
    const partners = await readVault(app.dir, WORKER, (db) => db.selectFrom('partner').select(['name', 'kind', 'active']).orderBy('id').execute());
    expect(partners.at(-1)).toEqual({ name: 'Trường Nghề Thử Nghiệm Quận Tư', kind: 'vocational_school', active: 1 });
    expect(harness.blocked).toEqual([]);
    expect(harness.consoleErrors).toEqual([]);
  });

  it('a vault made by the seed tool says "dữ liệu tập huấn" on every screen, login included', async () => {
    const dir = tempDir('dh-e2e-training-');
    await seedVault({ dir, clients: 40, password: 'mat-khau-tap-huan', calibrateKdf: FLOOR_KDF, today: new Date(START_TIME) });
    harness = await launch(dir);
    const { page } = harness;
    const banner = page.getByRole('note').filter({ hasText: 'DỮ LIỆU TẬP HUẤN' });
    await expect.poll(() => banner.isVisible()).toBe(true);
    await logIn(page, { username: 'canbo01', password: 'mat-khau-tap-huan' });
    await expect.poll(() => page.getByRole('heading', { name: 'Việc cần làm', level: 1 }).isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await banner.isVisible()).toBe(true);
    await checkScreen(page, '44-training-todo');
    await page.getByRole('link', { name: 'Thân chủ', exact: true }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Thân chủ', exact: true }).isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await banner.isVisible()).toBe(true);
    await checkScreen(page, '43-training-clients');
  });
});
