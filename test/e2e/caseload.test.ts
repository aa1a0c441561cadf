import { cpSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { checkScreen, field, launch, logIn, type Harness } from '../support/e2e-harness.ts';
import { ADMIN, consentNow, loginAs, MANAGER, openApp, standardTemplate, syntheticClient, tempDir, WORKER, WORKER2, userVersion } from '../support/vault-fixture.ts';

/*
 * Caseloads in Chromium through the real gate: a worker clears an overdue follow-up from her
 * to-do list; a case is offered to a colleague who accepts it (and then sees identity); a
 * manager reads the dashboard, opens a case due for review and marks it reviewed; a manager who
 * is also a worker gives herself a case and an administrator changes her own roles, each with a
 * reason that the access review then lists.
 */

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});


async function logOut(page: Page) {
  await page.getByRole('button', { name: 'Đăng xuất' }).click();
}

/** The template vault, plus a client the worker registered on 10/11 with a follow-up set for 25/11 (now 3 days overdue). */
async function vaultWithDueFollowUp(): Promise<{ dir: string; clientCode: string }> {
  const dir = tempDir('dh-e2e-caseload-');
  cpSync((await standardTemplate()).dir, dir, { recursive: true });
  const app = openApp(dir);
  await loginAs(app, WORKER);
  const registered = await app.ok(
    'clients.register',
    syntheticClient({ motherName: 'Hằng', fatherName: 'Tín', alias: 'Thử Hẹn Quá Hạn', consent: consentNow('case_record', 'adult', { givenOn: '2026-11-10' }) }),
  );
  await app.ok('visits.record', { clientId: registered.clientId, visitOn: '2026-11-10', place: 'outreach', serviceTypeIds: [2], nextFollowUpOn: '2026-11-25' });
  // A case opened in March and never reviewed: due for review.
  await app.ok('clients.register', syntheticClient({ motherName: 'Xuân', fatherName: 'Lộc', alias: 'Thử Chờ Rà Soát', consent: consentNow('case_record', 'adult', { givenOn: '2026-03-02' }) }));
  await app.core.shutdown();
  return { dir, clientCode: registered.code };
}

describe('caseloads in Chromium', () => {
  it('a worker clears an overdue follow-up from her to-do list; the badge follows', async () => {
    const { dir, clientCode } = await vaultWithDueFollowUp();
    harness = await launch(dir);
    const { page } = harness;
    await logIn(page, WORKER);
    // Her day starts with the to-do list.
    await expect.poll(() => page.getByRole('heading', { name: 'Việc cần làm', level: 1 }).isVisible(), { timeout: 20_000 }).toBe(true);
    const row = page.getByRole('row').filter({ hasText: clientCode });
    await expect.poll(() => row.getByText('Quá hạn 3 ngày').isVisible()).toBe(true);
    expect(await row.getByText('Hẹn theo dõi ngày 25/11/2026.').isVisible()).toBe(true);
    // Two items: this follow-up, and the March client not seen since she registered.
    const badge = page.getByRole('navigation', { name: 'Các mục chính' }).locator('.count-badge');
    await expect.poll(() => badge.innerText()).toMatch(/2$/);
    expect(await page.getByRole('row').filter({ hasText: 'Thử Chờ Rà Soát' }).getByText('Lâu chưa liên lạc').isVisible()).toBe(true);
    // Two parts: what is due now, and what is coming up within the setting's 7 days.
    expect(await page.getByRole('heading', { name: 'Hôm nay và quá hạn (2)' }).isVisible()).toBe(true);
    expect(await page.getByRole('heading', { name: 'Sắp tới (trong 7 ngày tới) (0)' }).isVisible()).toBe(true);
    expect(await page.getByText('Không có việc nào sắp đến hạn.').isVisible()).toBe(true);
    // The alias is part of the link to her record, not only the code.
    expect(await row.getByRole('link', { name: `${clientCode} · Thử Hẹn Quá Hạn` }).isVisible()).toBe(true);
    await checkScreen(page, '50-todo');

    await row.getByRole('link', { name: `Ghi lần gặp: ${clientCode}` }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Ghi lần gặp' }).isVisible()).toBe(true);
    await page.getByRole('option', { name: 'Tư vấn tâm lý' }).click();
    await page.getByRole('button', { name: 'Lưu' }).click();
    // Back on the list, the item is gone, and the badge counts one less.
    await expect.poll(() => page.getByRole('heading', { name: 'Việc cần làm', level: 1 }).isVisible(), { timeout: 20_000 }).toBe(true);
    await expect.poll(() => page.getByRole('row').filter({ hasText: 'Thử Chờ Rà Soát' }).isVisible()).toBe(true);
    expect(await row.count()).toBe(0);
    await expect.poll(() => badge.innerText()).toMatch(/1$/);
    await checkScreen(page, '51-todo-cleared');

    // Working lists: the worker saves "overdue referrals among mine" on the client list.
    await page.getByRole('link', { name: 'Thân chủ', exact: true }).click();
    await page.getByLabel('Thân chủ tôi phụ trách').check();
    await page.getByLabel('Chuyển gửi quá hạn').check();
    await page.getByRole('button', { name: 'Lưu bộ lọc này…' }).click();
    // The form says what does not belong in a list's name.
    expect(await page.getByText('Không ghi tên thân chủ vào đây.', { exact: false }).isVisible()).toBe(true);
    await field(page, 'Tên danh sách').fill('Ca của tôi quá hạn chuyển gửi');
    await page.getByRole('button', { name: 'Lưu', exact: true }).click();
    await expect.poll(() => field(page, 'Danh sách đã lưu').inputValue()).not.toBe('');
    await expect.poll(() => page.getByText('0 thân chủ', { exact: true }).isVisible()).toBe(true);
    await checkScreen(page, '52-saved-list');
    // Renamed, then deleted.
    await page.getByRole('button', { name: 'Đổi tên “Ca của tôi quá hạn chuyển gửi”…' }).click();
    await field(page, 'Tên danh sách').fill('Chuyển gửi quá hạn');
    await page.getByRole('button', { name: 'Lưu', exact: true }).click();
    const listNames = () => field(page, 'Danh sách đã lưu').locator('option').allTextContents();
    await expect.poll(listNames).toEqual(['— Chọn danh sách —', 'Chuyển gửi quá hạn']);
    // Meanwhile she renames it at another PC: deleting it here is refused, and the list shows as it is now.
    const [shown] = await harness.app.ok('savedFilters.list', {});
    await harness.app.ok('savedFilters.save', { id: shown!.id, name: 'Quá hạn (máy khác)', filters: shown!.filters, version: shown!.version });
    await page.getByRole('button', { name: 'Xoá “Chuyển gửi quá hạn”' }).click();
    await expect.poll(() => page.getByText('Hồ sơ này vừa được thay đổi ở máy khác', { exact: false }).isVisible()).toBe(true);
    await expect.poll(listNames).toEqual(['— Chọn danh sách —', 'Quá hạn (máy khác)']);
    await page.getByRole('button', { name: 'Xoá “Quá hạn (máy khác)”' }).click();
    await expect.poll(listNames).toEqual(['Chưa có danh sách nào']);
    expect(await page.getByText('Hồ sơ này vừa được thay đổi ở máy khác', { exact: false }).count()).toBe(0);
    expect(harness.blocked).toEqual([]);
    expect(harness.consoleErrors).toEqual([]);
  });

  it('a worker offers a case; her colleague accepts it from her to-do list and gains the identity view', async () => {
    const { dir } = await vaultWithDueFollowUp();
    harness = await launch(dir);
    const { page } = harness;
    await logIn(page, WORKER);
    await page.getByRole('link', { name: 'Thân chủ', exact: true }).click();
    await page.getByRole('link', { name: 'THMA95-1' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Cán bộ phụ trách' }).isVisible(), { timeout: 20_000 }).toBe(true);
    await field(page, 'Chuyển cho').selectOption({ label: 'Cán Bộ Hai Thử (0 hồ sơ đang mở)' });
    await field(page, 'Lời nhắn cho đồng nghiệp (không bắt buộc)').fill('Chị ấy hay đến điểm hẹn gần chỗ em');
    await page.getByRole('button', { name: 'Đề nghị chuyển' }).click();
    await expect.poll(() => page.getByText('Cán Bộ Thử đề nghị chuyển hồ sơ cho Cán Bộ Hai Thử', { exact: false }).isVisible(), { timeout: 20_000 }).toBe(true);
    await checkScreen(page, '53-case-offered');
    await logOut(page);

    await logIn(page, WORKER2);
    await expect.poll(() => page.getByRole('heading', { name: 'Việc cần làm', level: 1 }).isVisible(), { timeout: 20_000 }).toBe(true);
    const offer = page.getByRole('row').filter({ hasText: 'THMA95-1' });
    await expect.poll(() => offer.getByText('Cán Bộ Thử đề nghị chuyển hồ sơ này cho bạn.').isVisible()).toBe(true);
    await offer.getByRole('link', { name: 'Xem và trả lời: THMA95-1' }).click();
    await expect.poll(() => page.getByText('Chị ấy hay đến điểm hẹn gần chỗ em').isVisible(), { timeout: 20_000 }).toBe(true);
    // Before taking it, her identity is someone else's client's, and so is the record: the page
    // says how to stand in (a reason), and offers nothing core would refuse.
    await expect.poll(() => page.getByText('Đây không phải thân chủ bạn phụ trách', { exact: false }).isVisible()).toBe(true);
    expect(await page.getByText('Bạn không phụ trách hồ sơ này. Để ghi nhận hay thay đổi', { exact: false }).isVisible()).toBe(true);
    expect(await page.getByRole('link', { name: 'Ghi lần gặp' }).count()).toBe(0);
    await checkScreen(page, '54-offer-to-answer');
    await page.getByRole('button', { name: 'Nhận hồ sơ' }).click();
    // Hers now: she may record.
    await expect.poll(() => page.getByRole('link', { name: 'Ghi lần gặp' }).isVisible(), { timeout: 20_000 }).toBe(true);
    await expect.poll(() => page.locator('#holder-panel + p').innerText(), { timeout: 20_000 }).toContain('Cán Bộ Hai Thử (bạn)');
    await page.getByRole('button', { name: 'Xem thông tin nhận diện' }).click();
    await expect.poll(() => page.getByText('Nguyễn Thị Mẫu Thử').isVisible(), { timeout: 20_000 }).toBe(true);
    await page.getByText('Lịch sử phụ trách (2)').click();
    await expect.poll(() => page.locator('.holder-history').innerText()).toMatch(/Cán Bộ Hai Thử: 28\/11\/2026 – nay · nhận chuyển giao/);
    await checkScreen(page, '55-case-accepted');
    expect(harness.blocked).toEqual([]);
    expect(harness.consoleErrors).toEqual([]);
  });

  it('a manager reads the dashboard, opens a case due for review and marks it reviewed', async () => {
    const { dir } = await vaultWithDueFollowUp();
    harness = await launch(dir);
    const { page } = harness;
    await logIn(page, MANAGER);
    await expect.poll(() => page.getByRole('heading', { name: 'Tổng quan', level: 1 }).isVisible(), { timeout: 20_000 }).toBe(true);
    const workerRow = page.getByRole('row').filter({ hasText: 'Cán Bộ Thử' }).filter({ hasNotText: 'Hai' });
    await expect.poll(() => workerRow.getByRole('cell').first().innerText(), { timeout: 20_000 }).toBe('3');
    await checkScreen(page, '56-dashboard');
    // Every chart has its numbers as a table.
    const newClients = page.getByRole('figure', { name: 'Thân chủ mới theo tháng' });
    await newClients.getByRole('button', { name: 'Bảng số liệu' }).click();
    await expect.poll(() => newClients.getByRole('row', { name: '11/2026 2' }).isVisible()).toBe(true);
    expect(await newClients.getByRole('row', { name: '03/2026 1' }).isVisible()).toBe(true);
    await checkScreen(page, '57-dashboard-table');

    await page.getByRole('navigation', { name: 'Giám sát' }).getByRole('link', { name: 'Hồ sơ cần rà soát' }).click();
    await expect.poll(() => page.getByText('1 hồ sơ chưa rà soát từ ngày 28/05/2026').isVisible(), { timeout: 20_000 }).toBe(true);
    await checkScreen(page, '58-review-queue');
    await page.getByRole('table').getByRole('link').first().click();
    await expect.poll(() => page.getByRole('heading', { name: 'Rà soát của quản lý' }).isVisible(), { timeout: 20_000 }).toBe(true);
    await field(page, 'Nhận xét (không bắt buộc)').fill('Hồ sơ đầy đủ; đề nghị kết nối học nghề');
    await page.getByRole('button', { name: 'Đánh dấu đã rà soát' }).click();
    await expect.poll(() => page.getByText('Rà soát gần nhất: 28/11/2026').isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await page.getByText('Hồ sơ đầy đủ; đề nghị kết nối học nghề').isVisible()).toBe(true);
    await checkScreen(page, '59-case-reviewed');
    await page.getByRole('link', { name: 'Giám sát' }).click();
    await page.getByRole('link', { name: 'Hồ sơ cần rà soát' }).click();
    await expect.poll(() => page.getByText('Không có hồ sơ nào cần rà soát.').isVisible(), { timeout: 20_000 }).toBe(true);

    // Reassigning: the page opens on one worker's cases.
    await page.getByRole('link', { name: 'Tổng quan' }).click();
    await page.getByRole('link', { name: 'Giao lại hồ sơ của Cán Bộ Thử' }).click();
    await expect.poll(() => page.getByRole('table', { name: 'Hồ sơ của Cán Bộ Thử' }).isVisible(), { timeout: 20_000 }).toBe(true);
    await checkScreen(page, '60-reassign');
    expect(harness.blocked).toEqual([]);
    expect(harness.consoleErrors).toEqual([]);
  });

  it('a manager gives herself a case and an administrator changes her own roles: each states why, and the access review lists both', async () => {
    const dir = tempDir('dh-e2e-caseload-');
    cpSync((await standardTemplate()).dir, dir, { recursive: true });
    const setup = openApp(dir);
    await loginAs(setup, ADMIN);
    const managerId = (await setup.ok('users.list', {})).find((user) => user.username === MANAGER.username)?.id ?? 0;
    await setup.ok('users.update', { id: managerId, version: await userVersion(setup, managerId), displayName: MANAGER.displayName, roles: ['manager', 'worker'] });
    await setup.core.shutdown();
    harness = await launch(dir);
    const { page } = harness;

    await logIn(page, MANAGER);
    // Also a worker now, she starts on her to-do list; the dashboard is under Giám sát.
    await page.getByRole('link', { name: 'Giám sát' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Tổng quan', level: 1 }).isVisible(), { timeout: 20_000 }).toBe(true);
    await page.getByRole('link', { name: 'Giao lại hồ sơ của Cán Bộ Thử' }).click();
    await expect.poll(() => page.getByRole('table', { name: 'Hồ sơ của Cán Bộ Thử' }).isVisible(), { timeout: 20_000 }).toBe(true);
    // Giving the cases to herself: the choice says it is her, and a reason box appears.
    await field(page, 'Giao cho').selectOption({ label: 'Quản Lý Thử (chính bạn, 0 hồ sơ đang mở)' });
    await expect.poll(() => field(page, 'Lý do tự nhận các hồ sơ này').isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Giao lại 1 hồ sơ…' }).click();
    await page.getByRole('button', { name: 'Giao lại', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').getByText('Cần nêu lý do trước', { exact: false }).isVisible(), { timeout: 20_000 }).toBe(true);
    await field(page, 'Lý do tự nhận các hồ sơ này').fill('Cán bộ phụ trách nghỉ sinh, tôi nhận tạm hồ sơ này');
    await checkScreen(page, '61-reassign-to-self');
    await page.getByRole('button', { name: 'Giao lại 1 hồ sơ…' }).click();
    await page.getByRole('button', { name: 'Giao lại', exact: true }).click();
    await expect.poll(() => page.getByText('Đã giao 1 hồ sơ cho Quản Lý Thử.').isVisible(), { timeout: 20_000 }).toBe(true);
    await logOut(page);

    await logIn(page, ADMIN);
    await expect.poll(() => page.getByRole('heading', { name: 'Người dùng' }).isVisible(), { timeout: 20_000 }).toBe(true);
    await page.getByRole('button', { name: `Sửa: ${ADMIN.displayName}` }).click();
    await page.getByLabel('Quản lý', { exact: true }).check();
    await expect.poll(() => field(page, 'Lý do đổi vai trò của chính bạn').isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Lưu' }).click();
    await expect.poll(() => page.getByRole('alert').getByText('Cần nêu lý do trước', { exact: false }).isVisible(), { timeout: 20_000 }).toBe(true);
    await field(page, 'Lý do đổi vai trò của chính bạn').fill('Quản lý trung tâm nghỉ phép, tôi rà soát thay hai tuần');
    await checkScreen(page, '62-own-roles-reason');
    await page.getByRole('button', { name: 'Lưu' }).click();
    await expect.poll(() => page.getByText('Đã lưu thay đổi.').isVisible(), { timeout: 20_000 }).toBe(true);

    // Now a manager herself, she sees both in the access review, in words.
    await page.getByRole('link', { name: 'Truy cập nhận diện' }).click();
    const table = page.getByRole('table', { name: 'Truy cập thông tin nhận diện' });
    await expect.poll(() => table.getByRole('row').count(), { timeout: 20_000 }).toBe(3);
    await expect.poll(() => table.getByRole('row').nth(1).innerText()).toMatch(/Quản Trị Thử\s+Tự đổi vai trò: Quản trị hệ thống → Quản lý, Quản trị hệ thống\s+—\s+Quản lý trung tâm nghỉ phép/);
    expect(await table.getByRole('row').nth(2).innerText()).toMatch(/Quản Lý Thử\s+Tự giao hồ sơ cho chính mình\s+THMA95-1\s+Cán bộ phụ trách nghỉ sinh/);
    await checkScreen(page, '63-access-review-stated-reasons');
    // The trail says that a reason was given, not what it was.
    await page.getByRole('link', { name: 'Nhật ký hoạt động' }).click();
    await page.getByLabel('Hoạt động', { exact: true }).selectOption({ label: 'Sửa tài khoản' });
    await page.getByRole('button', { name: 'Lọc', exact: true }).click();
    await expect.poll(() => page.getByText('Tự đổi vai trò của mình: Có', { exact: false }).first().isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await page.getByText('Vai trò trước đó: Quản trị hệ thống', { exact: false }).count()).toBeGreaterThan(0);
    expect(await page.getByText('Quản lý trung tâm nghỉ phép', { exact: false }).count()).toBe(0);
    await checkScreen(page, '64-audit-own-roles');
    expect(harness.blocked).toEqual([]);
    expect(harness.consoleErrors).toEqual([]);
  });
});
