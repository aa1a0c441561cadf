import { cpSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VAULT_FILES } from '../../electron/core/vault/vault.ts';
import { checkScreen, field, launch, logIn, readVault, type Harness } from '../support/e2e-harness.ts';
import { ADMIN, MANAGER, standardTemplate, tempDir, WORKER } from '../support/vault-fixture.ts';

/* Administration and the refusals people meet, in Chromium on a copy of the standard vault. */

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

async function onCopy(): Promise<Harness> {
  const dir = tempDir('dh-e2e-');
  cpSync((await standardTemplate()).dir, dir, { recursive: true });
  harness = await launch(dir);
  await expect.poll(() => harness?.page.getByRole('heading', { name: 'Đăng nhập' }).isVisible()).toBe(true);
  return harness;
}

describe('administration in Chromium', () => {
  it('an admin logs in with the keyboard alone, deactivates and reactivates a worker, and filters the log', async () => {
    const { page, app } = await onCopy();
    // The window asking for a list a moment after someone logged out: refused, and kept in the trail.
    expect(await app.call('clients.list', {})).toEqual({ ok: false, error: { code: 'NOT_AUTHENTICATED' } });

    // Keyboard only: the username field has focus; Tab, type, Enter. (Typing starts once the
    // login screen has given it focus; on a busy machine that can take a moment.)
    await expect.poll(() => field(page, 'Tên đăng nhập').evaluate((element) => element === document.activeElement), { timeout: 20_000 }).toBe(true);
    await page.keyboard.type(ADMIN.username);
    await page.keyboard.press('Tab');
    await page.keyboard.type(ADMIN.password);
    await page.keyboard.press('Enter');
    // An administrator without a case-work role lands on administration; she sees no clients.
    await expect.poll(() => page.getByRole('heading', { name: 'Người dùng' }).isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await page.getByRole('link', { name: 'Thân chủ' }).count()).toBe(0);

    await page.getByRole('button', { name: `Ngừng sử dụng: ${WORKER.displayName}` }).click();
    await checkScreen(page, '20-users-deactivate-confirm');
    await page.getByRole('button', { name: 'Ngừng sử dụng', exact: true }).click();
    await expect.poll(() => page.getByText(`Đã ngừng tài khoản ${WORKER.username}.`).isVisible()).toBe(true);
    expect((await readVault(app.dir, ADMIN, (db) => db.selectFrom('user').select('active').where('username', '=', WORKER.username).executeTakeFirst()))?.active).toBe(0);

    await page.getByRole('button', { name: `Kích hoạt lại: ${WORKER.displayName}` }).click();
    const temporary = await field(page, 'Mật khẩu tạm thời').inputValue();
    await checkScreen(page, '21-users-reactivate');
    await page.getByRole('button', { name: 'Kích hoạt lại', exact: true }).click();
    await expect.poll(() => page.getByText(`Đã kích hoạt lại tài khoản ${WORKER.username}.`).isVisible()).toBe(true);

    await page.getByRole('button', { name: `Sửa: ${MANAGER.displayName}` }).click();
    await page.getByLabel('Quản trị hệ thống').check();
    await checkScreen(page, '22-users-edit');
    await page.getByRole('button', { name: 'Lưu' }).click();
    await expect.poll(() => page.getByText('Đã lưu thay đổi.').isVisible()).toBe(true);
    await expect.poll(() => page.getByRole('cell', { name: 'Quản lý, Quản trị hệ thống' }).isVisible()).toBe(true);

    // Her account changed in another window (or by another administrator at another PC) while
    // the form is open: not overwritten; the form says so and shows what is saved now.
    await page.getByRole('button', { name: `Sửa: ${MANAGER.displayName}` }).click();
    await field(page, 'Họ tên').fill('Quản Lý Thử Sửa Ở Đây');
    const manager = (await app.ok('users.list', {})).find((user) => user.username === MANAGER.username);
    if (!manager) throw new Error('manager');
    await app.ok('users.update', { id: manager.id, displayName: 'Quản Lý Thử Sửa Ở Máy Khác', roles: manager.roles, version: manager.version });
    await page.getByRole('button', { name: 'Lưu' }).click();
    await expect.poll(() => page.getByText('Hồ sơ này vừa được thay đổi ở máy khác', { exact: false }).isVisible()).toBe(true);
    const nowSaved = page.getByRole('region', { name: 'Nội dung hiện đang lưu (do máy khác vừa sửa)' });
    expect(await nowSaved.getByText('Quản Lý Thử Sửa Ở Máy Khác').isVisible()).toBe(true);
    expect(await field(page, 'Họ tên').inputValue()).toBe('Quản Lý Thử Sửa Ở Đây');
    // The list behind shows it too, and no notice of the save before stays on screen.
    await expect.poll(() => page.getByRole('cell', { name: 'Quản Lý Thử Sửa Ở Máy Khác', exact: true }).isVisible()).toBe(true);
    expect(await page.getByText('Đã lưu thay đổi.').count()).toBe(0);
    await checkScreen(page, '22b-users-changed-meanwhile');
    // Saved again, knowingly: hers counts.
    await page.getByRole('button', { name: 'Lưu' }).click();
    await expect.poll(() => page.getByRole('cell', { name: 'Quản Lý Thử Sửa Ở Đây', exact: true }).first().isVisible()).toBe(true);

    // The centre's settings changed at another PC while the form is open: the same, on the settings screen.
    await page.getByRole('link', { name: 'Cài đặt' }).click();
    const centrePanel = page.getByRole('form', { name: 'Trung tâm · Bảo mật' });
    await expect.poll(() => centrePanel.isVisible(), { timeout: 20_000 }).toBe(true);
    await field(page, 'Tên trung tâm').fill('Trung tâm Thử Đổi Tên Ở Đây');
    const current = await app.ok('settings.get', {});
    await app.ok('settings.update', { centreName: current.centreName, centreCode: current.centreCode, lockTimeoutMinutes: 12, version: current.versions.centre });
    await centrePanel.getByRole('button', { name: 'Lưu' }).click();
    await expect.poll(() => centrePanel.getByText('Các cài đặt này vừa được người khác thay đổi (ở máy khác)', { exact: false }).isVisible()).toBe(true);
    const settingsNow = centrePanel.getByRole('region', { name: 'Nội dung hiện đang lưu (do máy khác vừa sửa)' });
    expect(await settingsNow.getByText('12', { exact: true }).isVisible()).toBe(true);
    expect(await field(page, 'Tên trung tâm').inputValue()).toBe('Trung tâm Thử Đổi Tên Ở Đây');
    await checkScreen(page, '22c-settings-changed-meanwhile');
    // Saved again knowingly, with the lock time she sees now: both changes hold.
    await field(page, 'Tự động khoá sau (phút không hoạt động)').fill('12');
    await centrePanel.getByRole('button', { name: 'Lưu' }).click();
    await expect.poll(() => centrePanel.getByText('Đã lưu.').isVisible()).toBe(true);
    expect(await app.ok('settings.get', {})).toMatchObject({ centreName: 'Trung tâm Thử Đổi Tên Ở Đây', lockTimeoutMinutes: 12 });
    await page.getByRole('link', { name: 'Quản trị', exact: true }).click();

    // The log: a wrong date is refused on the spot; filters narrow the list.
    await page.getByRole('link', { name: 'Nhật ký hoạt động' }).click();
    await field(page, 'Từ ngày').fill('31/02/2026');
    await page.getByRole('button', { name: 'Lọc', exact: true }).click();
    await expect.poll(() => page.getByText('Ngày không hợp lệ.').isVisible()).toBe(true);
    await field(page, 'Từ ngày').fill('28/11/2026');
    await page.getByLabel('Hoạt động', { exact: true }).selectOption({ label: 'Ngừng tài khoản' });
    await page.getByRole('button', { name: 'Lọc', exact: true }).click();
    await expect.poll(() => page.getByText('1 mục', { exact: true }).isVisible()).toBe(true);
    expect(await page.getByRole('cell', { name: WORKER.displayName, exact: true }).count()).toBe(1);
    await checkScreen(page, '23-audit-filtered');
    // Every activity is named in words: no code name (`todo.count`) among the choices.
    const activities = await page.getByLabel('Hoạt động', { exact: true }).locator('option').allInnerTexts();
    expect(activities.length).toBeGreaterThan(5);
    expect(activities.filter((label) => /^[a-z]+[._][a-zA-Z_.]+$/.test(label))).toEqual([]);
    // A read refused with nobody logged in is not shown as a refusal; times in details are local.
    await page.getByRole('button', { name: 'Xoá bộ lọc' }).click();
    await page.getByLabel('Hoạt động', { exact: true }).selectOption({ label: 'Xem danh sách thân chủ' });
    await page.getByRole('button', { name: 'Lọc', exact: true }).click();
    await expect.poll(() => page.getByText('Không thực hiện: màn hình hỏi khi chưa đăng nhập', { exact: false }).isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await page.getByText('Bị từ chối', { exact: false }).count()).toBe(0);
    await checkScreen(page, '23b-audit-stale-read');

    // The reactivated worker opens with her new temporary password.
    await page.getByRole('button', { name: 'Đăng xuất' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Đăng nhập' }).isVisible()).toBe(true);
    await field(page, 'Tên đăng nhập').fill(WORKER.username);
    await field(page, 'Mật khẩu').fill(temporary);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByText('Bạn đang dùng mật khẩu tạm thời.', { exact: false }).isVisible(), { timeout: 20_000 }).toBe(true);
    expect(harness?.blocked).toEqual([]);
    expect(harness?.consoleErrors).toEqual([]);
  });

  it('a worker sees the centre settings read-only, no administration, and can switch to English', async () => {
    const { page } = await onCopy();
    await logIn(page, WORKER);
    expect(await page.getByRole('link', { name: 'Quản trị' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Cài đặt' }).click();
    await expect.poll(() => field(page, 'Tên trung tâm').isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Tạo mã khôi phục mới' }).count()).toBe(0);
    await checkScreen(page, '24-settings-worker');
    await page.getByLabel('Ngôn ngữ', { exact: true }).selectOption('en');
    await expect.poll(() => page.getByRole('heading', { name: 'Settings' }).isVisible()).toBe(true);
    await checkScreen(page, '25-settings-english');
    await page.getByRole('link', { name: 'Clients' }).click();
    await checkScreen(page, '26-clients-english');
  });

  it('after five wrong passwords, the login asks to wait, with the seconds; the log lists the attempts as unproven', async () => {
    const { page, clock } = await onCopy();
    for (let i = 0; i < 5; i++) {
      await field(page, 'Tên đăng nhập').fill(WORKER.username);
      await field(page, 'Mật khẩu').fill(`sai-mat-khau-${i}-abc`);
      await page.keyboard.press('Enter');
      await expect.poll(() => page.getByText('Tên đăng nhập hoặc mật khẩu không đúng.').isVisible(), { timeout: 20_000 }).toBe(true);
    }
    await field(page, 'Mật khẩu').fill(WORKER.password);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByText('Đã nhập sai nhiều lần liên tiếp. Vui lòng chờ 30 giây rồi thử lại.').isVisible()).toBe(true);
    await checkScreen(page, '27-login-locked-out');
    // Once the wait is over: the failed attempts were kept in the state file while locked, which
    // nothing can prove, and the log says so.
    clock.advance(31_000);
    await logIn(page, ADMIN);
    await page.getByRole('link', { name: 'Nhật ký hoạt động' }).click();
    await expect.poll(() => page.getByText('chưa kiểm chứng', { exact: false }).count(), { timeout: 20_000 }).toBeGreaterThan(0);
    await checkScreen(page, '27b-audit-unproven-attempts');
  });

  it('a damaged key file shows what is wrong and offers nothing that could overwrite it', async () => {
    const dir = tempDir('dh-e2e-');
    cpSync((await standardTemplate()).dir, dir, { recursive: true });
    truncateSync(join(dir, VAULT_FILES.keyring), 50);
    harness = await launch(dir);
    const { page } = harness;
    await expect.poll(() => page.getByRole('heading', { name: 'Không mở được dữ liệu' }).isVisible()).toBe(true);
    expect(await page.getByText('Tệp khoá bị hỏng hoặc đã bị sửa.', { exact: false }).isVisible()).toBe(true);
    expect(await page.getByRole('button').count()).toBe(0);
    await checkScreen(page, '28-broken-vault');
  });
});
