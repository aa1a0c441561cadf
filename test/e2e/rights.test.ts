import { cpSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { checkScreen, field, launch, logIn, type Harness } from '../support/e2e-harness.ts';
import { ADMIN, MANAGER, standardTemplate, tempDir, WORKER } from '../support/vault-fixture.ts';

/*
 * Clients' rights in Chromium: her worker corrects a detail (the history shows it), freezes
 * the record while a request is handled, prints her a summary of what the centre holds, and
 * erases the record at her request; an administrator sets retention; a manager prints the
 * processing register.
 */

const CODE = 'THMA95-1';
let harness: Harness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});


async function vault(): Promise<string> {
  const dir = tempDir('dh-e2e-rights-');
  cpSync((await standardTemplate()).dir, dir, { recursive: true });
  return dir;
}

describe('clients’ rights in Chromium', () => {
  it('her worker corrects, freezes, prints her summary, and erases the record on request', async () => {
    harness = await launch(await vault());
    const { page } = harness;
    await logIn(page, WORKER);
    await page.getByRole('link', { name: 'Thân chủ', exact: true }).click();
    await page.getByRole('link', { name: CODE }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Quyền của thân chủ đối với dữ liệu' }).isVisible(), { timeout: 20_000 }).toBe(true);

    // A correction, and its history.
    await page.getByRole('button', { name: 'Sửa thông tin hồ sơ…' }).click();
    await field(page, 'Tên gọi').fill('Chị Thử Đã Sửa');
    await page.getByRole('button', { name: 'Lưu', exact: true }).click();
    const history = page.getByRole('table', { name: 'Lịch sử chỉnh sửa' });
    await expect.poll(() => history.getByRole('row').filter({ hasText: 'Chị Thử Nghiệm' }).filter({ hasText: 'Chị Thử Đã Sửa' }).isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await history.getByText('Cán Bộ Thử').isVisible()).toBe(true);
    await checkScreen(page, '90-client-rights');

    // Changed at another PC while her form is open: refused, with what is saved now beside what
    // she typed; saving again saves hers, knowingly.
    await page.getByRole('button', { name: 'Sửa thông tin hồ sơ…' }).click();
    await field(page, 'Tên gọi').fill('Chị Thử Sửa Lần Hai');
    const clientId = Number(/clients\/(\d+)/.exec(page.url())?.[1]);
    const behind = await harness.app.ok('clients.get', { clientId });
    await harness.app.ok('clients.update', { clientId, alias: 'Chị Đổi Ở Máy Khác', wardCode: behind.wardCode, provinceCode: behind.provinceCode, workSetting: behind.workSetting, version: behind.detailsVersion });
    await page.getByRole('button', { name: 'Lưu', exact: true }).click();
    await expect.poll(() => page.getByText('Hồ sơ này vừa được thay đổi ở máy khác sau khi bạn mở', { exact: false }).isVisible(), { timeout: 20_000 }).toBe(true);
    const nowSaved = page.getByRole('region', { name: 'Nội dung hiện đang lưu (do máy khác vừa sửa)' });
    await expect.poll(() => nowSaved.getByText('Chị Đổi Ở Máy Khác').isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await field(page, 'Tên gọi').inputValue()).toBe('Chị Thử Sửa Lần Hai');
    await checkScreen(page, '90a-record-changed');
    await page.getByRole('button', { name: 'Lưu', exact: true }).click();
    await expect.poll(() => history.getByRole('row').filter({ hasText: 'Chị Đổi Ở Máy Khác' }).filter({ hasText: 'Chị Thử Sửa Lần Hai' }).isVisible(), { timeout: 20_000 }).toBe(true);

    // A visit recorded wrongly: corrected, and the history says what it was.
    await page.getByRole('link', { name: 'Sửa lần gặp ngày 28/11/2026' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Sửa lần gặp ngày 28/11/2026' }).isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await field(page, 'Ghi chú (hạn chế)').inputValue()).toBe('Ghi chú thử nghiệm');
    await field(page, 'Nơi gặp').selectOption({ label: 'Tiếp cận cộng đồng' });
    await page.getByRole('option', { name: 'Tư vấn pháp lý' }).click();
    await field(page, 'Ghi chú (hạn chế)').fill('Ghi chú đã sửa lại');
    await checkScreen(page, '90b-visit-correct');
    await page.getByRole('button', { name: 'Lưu', exact: true }).click();
    await expect.poll(() => page.getByText('Đã sửa lần gặp.').isVisible(), { timeout: 20_000 }).toBe(true);
    const corrected = history.getByRole('row').filter({ hasText: 'Lần gặp 28/11/2026: Nơi gặp' });
    await expect.poll(() => corrected.isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await corrected.textContent()).toContain('Tại trung tâm');
    // Service names come with the catalogue, which may arrive just after the history.
    await expect.poll(() => history.getByRole('row').filter({ hasText: 'Lần gặp 28/11/2026: Dịch vụ' }).textContent(), { timeout: 20_000 }).toContain('Tư vấn pháp lý');
    expect(await history.getByRole('row').filter({ hasText: 'Lần gặp 28/11/2026: Ghi chú của cán bộ' }).textContent()).toContain('Ghi chú đã sửa lại');
    expect(await page.getByText('Ghi chú đã sửa lại', { exact: true }).count()).toBeGreaterThan(0);
    await checkScreen(page, '90c-visit-corrected');

    // Frozen while her request is handled: nothing can be added.
    expect([await page.getByRole('link', { name: 'Phiếu chuyển gửi' }).count(), await page.getByRole('button', { name: 'Gia hạn' }).count()]).toEqual([1, 3]);
    await field(page, 'Lý do tạm khoá').selectOption({ label: 'Thân chủ cho rằng thông tin chưa đúng' });
    await page.getByRole('button', { name: 'Tạm khoá hồ sơ' }).click();
    await expect.poll(() => page.getByText('Hồ sơ đang tạm khoá (hạn chế xử lý)', { exact: false }).isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await page.getByRole('link', { name: 'Ghi lần gặp' }).count()).toBe(0);
    // The word about the corrected visit was for then; it goes with the next change.
    expect(await page.getByText('Đã sửa lần gặp.').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Sửa thông tin hồ sơ…' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Phiếu chuyển gửi' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Gia hạn' }).count()).toBe(0);
    // Withdrawing a consent stays possible: it is her right at any time.
    expect(await page.getByRole('button', { name: 'Rút đồng ý' }).count()).toBeGreaterThan(0);
    await checkScreen(page, '91-client-frozen');
    await page.getByRole('button', { name: 'Mở khoá hồ sơ' }).click();
    await expect.poll(() => page.getByRole('link', { name: 'Ghi lần gặp' }).isVisible(), { timeout: 20_000 }).toBe(true);

    // Her summary, in Vietnamese, with her identity.
    await page.getByRole('link', { name: 'Bản tóm tắt hồ sơ cho thân chủ…' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Thông tin trung tâm đang lưu về chị/anh' }).isVisible(), { timeout: 20_000 }).toBe(true);
    await expect.poll(() => page.getByText('Nguyễn Thị Mẫu Thử').isVisible(), { timeout: 20_000 }).toBe(true);
    // Without the worker's notes unless asked: neither the note nor its corrections.
    for (const note of ['Ghi chú thử nghiệm', 'Ghi chú đã sửa lại']) expect(await page.getByText(note, { exact: false }).count()).toBe(0);
    await page.getByLabel('Kèm kết quả và ghi chú của cán bộ').check();
    // With them: the note as it is now, and in the corrections what it said before.
    await expect.poll(() => page.getByText('Ghi chú đã sửa lại', { exact: false }).first().isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await page.getByText('Ghi chú thử nghiệm', { exact: false }).isVisible()).toBe(true);
    await checkScreen(page, '92-access-summary');
    await page.getByRole('button', { name: 'Quay lại' }).click();

    // Erasure at her request: her code typed back, then gone.
    await expect.poll(() => page.getByRole('heading', { name: 'Quyền của thân chủ đối với dữ liệu' }).isVisible(), { timeout: 20_000 }).toBe(true);
    await page.getByText('Xoá hồ sơ theo yêu cầu…').click();
    await field(page, 'Lý do xoá').selectOption({ label: 'Thân chủ yêu cầu xoá' });
    await field(page, `Gõ lại mã thân chủ (${CODE}) để xác nhận`).fill('SAI-MA');
    await page.getByLabel('Tôi hiểu: việc xoá không thể hoàn tác.').check();
    await checkScreen(page, '93-erase-confirm');
    await page.getByRole('button', { name: 'Xoá hẳn hồ sơ' }).click();
    await expect.poll(() => page.getByText('Mã thân chủ gõ lại không khớp.', { exact: false }).isVisible(), { timeout: 20_000 }).toBe(true);
    await field(page, `Gõ lại mã thân chủ (${CODE}) để xác nhận`).fill(CODE);
    await page.getByRole('button', { name: 'Xoá hẳn hồ sơ' }).click();
    await expect.poll(() => page.getByText('Đã xoá hồ sơ.', { exact: false }).isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await page.getByRole('link', { name: CODE }).count()).toBe(0);
    await checkScreen(page, '94-erased');
    expect(harness.blocked).toEqual([]);
    expect(harness.consoleErrors).toEqual([]);
  });

  it('an administrator sets retention; a manager prints the processing register', async () => {
    harness = await launch(await vault());
    const { page } = harness;
    await logIn(page, ADMIN);
    await page.getByRole('link', { name: 'Quản trị' }).click();
    await page.getByRole('navigation', { name: 'Quản trị' }).getByRole('link', { name: 'Lưu trữ' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Thời hạn lưu trữ', level: 1 }).isVisible(), { timeout: 20_000 }).toBe(true);
    // The preview arrives after the page's heading.
    await expect.poll(() => page.getByText('Chưa đặt thời hạn lưu trữ.').isVisible(), { timeout: 20_000 }).toBe(true);
    await field(page, 'Khử nhận dạng hồ sơ đã đóng quá (năm)').fill('5');
    // Another administrator (at another PC) set it meanwhile: not overwritten; the page says so and shows hers.
    const behind = await harness.app.ok('settings.get', {});
    await harness.app.ok('settings.update', { retentionYears: 3, version: behind.versions.retention });
    await page.getByRole('button', { name: 'Lưu', exact: true }).click();
    await expect.poll(() => page.getByText('Các cài đặt này vừa được người khác thay đổi (ở máy khác)', { exact: false }).isVisible(), { timeout: 20_000 }).toBe(true);
    const nowSaved = page.getByRole('region', { name: 'Nội dung hiện đang lưu (do máy khác vừa sửa)' });
    expect(await nowSaved.getByText('3', { exact: true }).isVisible()).toBe(true);
    expect(await field(page, 'Khử nhận dạng hồ sơ đã đóng quá (năm)').inputValue()).toBe('5');
    // The cases due are those under the period saved now.
    await expect.poll(() => page.getByText('Không có hồ sơ nào đến hạn.').isVisible(), { timeout: 20_000 }).toBe(true);
    await checkScreen(page, '95b-retention-changed-meanwhile');
    // Saved again, knowingly: hers counts.
    await page.getByRole('button', { name: 'Lưu', exact: true }).click();
    await expect.poll(() => page.getByText('Đã lưu.', { exact: true }).isVisible(), { timeout: 20_000 }).toBe(true);
    expect((await harness.app.ok('settings.get', {})).retentionYears).toBe(5);
    await expect.poll(() => page.getByText('Không có hồ sơ nào đến hạn.').isVisible(), { timeout: 20_000 }).toBe(true);
    await checkScreen(page, '95-retention');
    await page.getByRole('button', { name: 'Đăng xuất' }).click();

    await logIn(page, MANAGER);
    await page.getByRole('link', { name: 'Quản trị' }).click();
    await page.getByRole('navigation', { name: 'Quản trị' }).getByRole('link', { name: 'Sổ xử lý dữ liệu' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Sổ đăng ký hoạt động xử lý dữ liệu cá nhân' }).isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await page.getByText('Hồ sơ đã đóng quá 5 năm được khử nhận dạng', { exact: false }).isVisible()).toBe(true);
    expect(await page.getByText('Nhân viên CTXH: 2 người', { exact: false }).isVisible()).toBe(true);
    await checkScreen(page, '96-register');
    expect(harness.blocked).toEqual([]);
    expect(harness.consoleErrors).toEqual([]);
  });
});
