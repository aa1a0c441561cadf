import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VAULT_FILES } from '../../electron/core/vault/vault.ts';
import { checkScreen, field, launch, SCREENSHOTS, type Harness } from '../support/e2e-harness.ts';
import { tempDir } from '../support/vault-fixture.ts';

/*
 * The foundation, end to end in Chromium through the real gate: first run → recovery code →
 * log in → create a worker → log out → the worker logs in with the temporary password and
 * must change it → idle lock → unlock. Every screen is checked (axe, 1366×768) and saved.
 */

const ADMIN = { name: 'Quản Trị Thử', username: 'admin.thu', password: 'mat-khau-admin-thu-01' };
const WORKER = { name: 'Cán Bộ Thử Một', username: 'canbo.thu', password: 'mat-khau-rieng-canbo-01' };


describe('first run to idle lock, in Chromium', () => {
  let harness: Harness;
  afterAll(async () => harness?.close());

  it('walks through the whole foundation', async () => {
    harness = await launch(tempDir('dh-e2e-'));
    const { page, app, clock } = harness;

    // First run, step 1: nothing filled in gives field-level messages in Vietnamese.
    await expect.poll(() => page.getByRole('heading', { name: 'Thiết lập lần đầu' }).isVisible()).toBe(true);
    await checkScreen(page, '01-setup-centre');
    await page.getByRole('button', { name: 'Tiếp tục' }).click();
    await expect.poll(() => page.getByText('Vui lòng nhập thông tin này.').count()).toBeGreaterThan(0);
    await checkScreen(page, '02-setup-centre-errors');

    await field(page, 'Tên trung tâm').fill('Trung tâm Thử nghiệm Ánh Dương');
    await field(page, 'Mã trung tâm').fill('tt-thu');
    await field(page, 'Họ tên quản trị viên').fill(ADMIN.name);
    await field(page, 'Tên đăng nhập của quản trị viên').fill(ADMIN.username);
    await field(page, 'Mật khẩu').fill(ADMIN.password);
    await field(page, 'Nhập lại mật khẩu').fill(ADMIN.password);
    await page.keyboard.press('Enter');

    // Step 2: the recovery code, shown once, with a print view.
    const code = page.getByTestId('recovery-code');
    await code.waitFor({ timeout: 60_000 });
    const groups = await page.locator('[data-group]').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-group') ?? ''));
    expect(groups).toHaveLength(8);
    expect(groups.join('')).toMatch(/^[0-9A-HJKMNP-TV-Z]{32}$/);
    await checkScreen(page, '03-setup-recovery-code');
    await page.emulateMedia({ media: 'print' });
    await page.screenshot({ path: 'test-results/e2e/04-setup-recovery-print.png', fullPage: true });
    expect(await page.getByText('Mã khôi phục dữ liệu').isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Tôi đã ghi lại mã' }).isVisible()).toBe(false);
    await page.emulateMedia({ media: 'screen' });
    await page.getByRole('button', { name: 'Tôi đã ghi lại mã' }).click();

    // Step 3: type back the group asked for; a wrong one is refused and nothing is written.
    const asked = await page.getByText(/nhóm ký tự thứ \d+/).textContent();
    const groupNumber = Number(/thứ (\d+)/.exec(asked ?? '')?.[1]);
    const confirm = page.getByLabel(`Nhóm thứ ${groupNumber}`);
    await confirm.fill(groups[groupNumber - 1] === 'ZZZZ' ? 'YYYY' : 'ZZZZ');
    await page.getByRole('button', { name: 'Hoàn tất thiết lập' }).click();
    await expect.poll(() => page.getByText('Nhóm ký tự vừa nhập không khớp').isVisible()).toBe(true);
    // Nothing was written: the data folder holds neither the key file nor the database.
    expect([VAULT_FILES.keyring, VAULT_FILES.database].filter((file) => existsSync(join(app.dir, file)))).toEqual([]);
    await checkScreen(page, '05-setup-confirm-mismatch');
    await confirm.fill((groups[groupNumber - 1] ?? '').toLowerCase());
    await page.keyboard.press('Enter');

    // The app frame, as the first administrator: administration, no clients.
    await expect.poll(() => page.getByRole('heading', { name: 'Người dùng' }).isVisible(), { timeout: 30_000 }).toBe(true);
    expect(await page.getByRole('link', { name: 'Thân chủ' }).count()).toBe(0);
    // An administrator alone keeps no case and sends no report.
    for (const section of ['Việc cần làm', 'Giám sát', 'Báo cáo']) expect(await page.getByRole('link', { name: section }).count()).toBe(0);

    // Create a worker.
    await page.getByRole('link', { name: 'Quản trị' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Người dùng' }).isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Thêm người dùng' }).click();
    await field(page, 'Họ tên').fill(WORKER.name);
    await field(page, 'Tên đăng nhập').fill(WORKER.username);
    const temporary = await field(page, 'Mật khẩu tạm thời').inputValue();
    expect(temporary.length).toBeGreaterThanOrEqual(10);
    await checkScreen(page, '07-users-add');
    await page.getByRole('button', { name: 'Lưu' }).click();
    // Creating an account derives a key (slow on a busy machine): wait as long as other key derivations.
    await expect.poll(() => page.getByText(`Đã tạo tài khoản ${WORKER.username}.`).isVisible(), { timeout: 20_000 }).toBe(true);
    // The temporary password stays on screen once saved, to hand over or print, with the reminder.
    const handOver = page.getByRole('region', { name: `Mật khẩu tạm thời cho ${WORKER.name}` });
    await expect.poll(() => handOver.getByText(temporary, { exact: true }).isVisible()).toBe(true);
    expect(await handOver.getByText('phải đổi mật khẩu ngay khi đăng nhập lần đầu', { exact: false }).isVisible()).toBe(true);
    expect(await handOver.getByRole('button', { name: 'In để trao tay' }).isVisible()).toBe(true);
    await checkScreen(page, '07b-users-hand-over');
    // Printed: the sheet alone, with its date.
    await page.emulateMedia({ media: 'print' });
    await page.screenshot({ path: `${SCREENSHOTS}/07c-users-hand-over-print.png`, fullPage: true });
    expect(await page.getByRole('table').isVisible()).toBe(false);
    expect(await handOver.getByText(temporary, { exact: true }).isVisible()).toBe(true);
    await page.emulateMedia({ media: 'screen' });
    await handOver.getByRole('button', { name: 'Xong, đã trao' }).click();
    await expect.poll(() => page.getByText(temporary, { exact: true }).count()).toBe(0);
    await expect.poll(() => page.getByRole('cell', { name: WORKER.name, exact: true }).isVisible()).toBe(true);
    await checkScreen(page, '08-users-list');

    // A short idle timeout for this centre (the setting), then the activity log.
    await page.getByRole('link', { name: 'Cài đặt' }).click();
    const timeout = field(page, 'Tự động khoá sau (phút không hoạt động)');
    await timeout.fill('1');
    await page.getByRole('button', { name: 'Lưu' }).click();
    await expect.poll(() => page.getByText('Đã lưu.').isVisible()).toBe(true);
    await checkScreen(page, '09-settings');

    await page.getByRole('link', { name: 'Quản trị' }).click();
    await page.getByRole('link', { name: 'Nhật ký hoạt động' }).click();
    await page.getByRole('button', { name: 'Kiểm tra toàn vẹn' }).click();
    await expect.poll(() => page.getByText(/Nhật ký toàn vẹn: đã kiểm tra \d+ mục/).isVisible()).toBe(true);
    await expect.poll(() => page.getByRole('cell', { name: 'Tạo tài khoản', exact: true }).first().isVisible()).toBe(true);
    await checkScreen(page, '10-audit');

    // Log out: the login screen.
    await page.getByRole('button', { name: 'Đăng xuất' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Đăng nhập' }).isVisible()).toBe(true);
    expect(app.core.vault.isOpen).toBe(false);
    await checkScreen(page, '11-login');

    // A wrong password gets a clear sentence.
    await field(page, 'Tên đăng nhập').fill(WORKER.username);
    await field(page, 'Mật khẩu').fill('khong-dung-mat-khau');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByText('Tên đăng nhập hoặc mật khẩu không đúng.').isVisible(), { timeout: 20_000 }).toBe(true);
    await checkScreen(page, '12-login-wrong-password');

    // The worker's first login: the temporary password must be changed before anything else.
    await field(page, 'Mật khẩu').fill(temporary);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByText('Bạn đang dùng mật khẩu tạm thời.', { exact: false }).isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await page.getByRole('link', { name: 'Thân chủ' }).count()).toBe(0);
    await checkScreen(page, '13-forced-password-change');
    await field(page, 'Mật khẩu tạm thời').fill(temporary);
    await field(page, 'Mật khẩu mới').fill(WORKER.password);
    await field(page, 'Nhập lại mật khẩu mới').fill(WORKER.password);
    await page.getByRole('button', { name: 'Đổi mật khẩu' }).click();
    // A worker's day starts with her to-do list.
    await expect.poll(() => page.getByRole('heading', { name: 'Việc cần làm', level: 1 }).isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await page.getByRole('link', { name: 'Quản trị' }).count()).toBe(0);

    // Idle: a minute and a bit later the vault closes and the page drops its state.
    // (A call the page was still making when the clock moved counts as activity: then the next
    // minute and a bit does it.)
    await expect
      .poll(async () => {
        clock.advance(61_000);
        return app.core.checkIdle();
      })
      .toBe(true);
    await expect.poll(() => page.getByRole('heading', { name: 'Phiên làm việc đã khoá' }).isVisible(), { timeout: 20_000 }).toBe(true);
    expect(app.core.vault.isOpen).toBe(false);
    expect(await page.getByText(`Mở khoá cho ${WORKER.username}`).isVisible()).toBe(true);
    await checkScreen(page, '14-lock-screen');

    await field(page, 'Mật khẩu').fill(WORKER.password);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('heading', { name: 'Việc cần làm', level: 1 }).isVisible(), { timeout: 20_000 }).toBe(true);

    // Quick lock from the keyboard.
    await page.keyboard.press('Control+l');
    await expect.poll(() => page.getByRole('heading', { name: 'Phiên làm việc đã khoá' }).isVisible(), { timeout: 20_000 }).toBe(true);
    expect(app.core.vault.isOpen).toBe(false);

    // Another person at the same PC; the recovery screen; English.
    await page.getByRole('button', { name: 'Đăng nhập bằng tài khoản khác' }).click();
    await page.getByRole('button', { name: /Dùng mã khôi phục/ }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Khôi phục bằng mã khôi phục' }).isVisible()).toBe(true);
    await checkScreen(page, '15-recovery');
    await page.getByLabel('Ngôn ngữ').selectOption('en');
    await expect.poll(() => page.getByRole('heading', { name: 'Recover with the recovery code' }).isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Back to log in' }).click();
    await checkScreen(page, '16-login-english');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    expect(await page.title()).toBe('Đồng Hành');

    // Nothing tried to leave the page, and the audit trail has the whole story.
    expect(harness.blocked).toEqual([]);
    await app.ok('auth.login', { username: ADMIN.username, password: ADMIN.password });
    const { rows } = await app.ok('audit.list', { limit: 200 });
    const story = rows.map((row) => `${row.action}:${row.outcome}${row.detail?.reason ? `:${String(row.detail.reason)}` : ''}`);
    for (const step of [
      'setup.complete:ok',
      'users.create:ok',
      'settings.update:ok',
      'audit.verify:ok',
      'auth.logout:ok',
      'auth.login:failed',
      'auth.changePassword:ok',
      'auth.lock:ok:idle',
      'auth.lock:ok:manual',
    ]) {
      expect(story).toContain(step);
    }
    expect(harness.consoleErrors).toEqual([]);
  });
});
