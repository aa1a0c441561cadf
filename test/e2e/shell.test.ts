import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRendererRecovery } from '../../electron/main/lifecycle.ts';
import { checkScreen, launch, logIn, type Harness } from '../support/e2e-harness.ts';
import { copyOfTemplate, TODAY, WORKER } from '../support/vault-fixture.ts';

/*
 * What the shell says in the window about itself, as a person meets it: a second start of the
 * app with another data folder (refused; the open window says so), and a window whose page
 * died (the session locked first, the page loaded again, and why), and a core's thread that
 * died (restarted locked, and why). The page's crash is a real one (Chromium's renderer is
 * killed); the recovery is main's own code; the core's thread is ended abruptly.
 */

describe('the shell speaks through the window', () => {
  let harness: Harness;
  afterAll(async () => harness?.close());

  it('says a second start with another data folder was refused, in the person\'s language, and closes by keyboard', async () => {
    const template = await copyOfTemplate();
    await template.core.shutdown();
    harness = await launch(template.dir);
    const { page, notices } = harness;

    // On the login screen, in English (chosen there); Escape closes.
    await expect.poll(() => page.getByRole('heading', { name: 'Đăng nhập' }).isVisible(), { timeout: 20_000 }).toBe(true);
    await page.getByLabel('Ngôn ngữ').selectOption('en');
    notices.post({ kind: 'otherDataFolder', folder: 'D:\\Tap huan\\data' });
    const english = page.getByRole('dialog', { name: 'A second data folder could not be opened' });
    await expect.poll(() => english.isVisible()).toBe(true);
    expect(await english.textContent()).toContain('D:\\Tap huan\\data');
    await checkScreen(page, '96b-shell-other-data-folder-en');
    await page.keyboard.press('Escape');
    await expect.poll(() => english.isVisible()).toBe(false);
    await page.getByLabel('Language').selectOption('vi');

    // At work, in Vietnamese: the button has the keyboard; Enter closes, and the work behind it is where it was.
    await logIn(page, WORKER);
    notices.post({ kind: 'otherDataFolder', folder: '/home/canbo/tap-huan/data' });
    const dialog = page.getByRole('dialog', { name: 'Không mở được thư mục dữ liệu thứ hai' });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await dialog.textContent()).toContain('/home/canbo/tap-huan/data');
    expect(await dialog.textContent()).toContain('lần mở đó đã bị huỷ');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Đã hiểu');
    await checkScreen(page, '96-shell-other-data-folder');
    await page.keyboard.press('Enter');
    await expect.poll(() => dialog.isVisible()).toBe(false);
    expect(await page.getByRole('navigation', { name: 'Các mục chính' }).isVisible()).toBe(true);
  });

  it('after the page crashes: the session is locked, the page comes back, and says why', async () => {
    const { app, notices, context } = harness;
    let page = harness.page;
    expect((await app.ok('session.get', {})).user?.username).toBe(WORKER.username);

    // As main wires it: the page's death locks the session, then the page is loaded again.
    let reloads = 0;
    const recover = createRendererRecovery({
      core: app.core,
      stopping: () => false,
      reload: () => reloads++,
      notify: () => notices.post({ kind: 'windowRestarted' }),
      giveUp: () => {},
      now: Date.now,
      log: () => {},
    });
    const died = new Promise<void>((resolve) => page.once('crash', () => resolve()));
    const cdp = await context.newCDPSession(page);
    // The answer never comes: the page is gone.
    void cdp.send('Page.crash').catch(() => undefined);
    await died;
    await recover({ reason: 'crashed' });
    expect([(await app.ok('session.get', {})).user, app.core.vault.isOpen]).toEqual([null, false]);

    // The window's new page (a crashed page cannot be reused; Electron reloads the same window).
    await page.close().catch(() => undefined);
    page = await context.newPage();
    await page.goto('https://dong-hanh.test/index.html');
    const dialog = page.getByRole('dialog', { name: 'Cửa sổ đã được mở lại' });
    await expect.poll(() => dialog.isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await dialog.textContent()).toContain('phiên làm việc đã được khoá');
    // Behind it, the lock screen offers her own name: nothing of the session was kept open.
    expect(await page.getByRole('heading', { name: 'Phiên làm việc đã khoá' }).isVisible()).toBe(true);
    await checkScreen(page, '97-shell-window-restarted');
    await page.keyboard.press('Enter');
    await expect.poll(() => dialog.isVisible()).toBe(false);
    // Shown once: a reload does not bring it back.
    await page.reload();
    await expect.poll(() => page.getByRole('heading', { name: 'Phiên làm việc đã khoá' }).isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await dialog.isVisible()).toBe(false);
    expect(reloads).toBe(0);
    await page.close();
  });

  it('after the core\'s thread dies: the call under way is told, the window says so, the vault is locked, nothing saved is lost', async () => {
    await harness?.close();
    const template = await copyOfTemplate();
    await template.core.shutdown();
    harness = await launch(template.dir);
    const { page, app } = harness;
    await logIn(page, WORKER);
    await app.ok('visits.record', { clientId: template.template.ids.client, visitOn: TODAY, place: 'centre', serviceTypeIds: [1], note: 'ghi-chu-truoc-su-co' });

    // The thread ends while a call waits on the shell's dialog (so it is under way for certain).
    const underWay = app.core.invoke('backup.setFolder', {}, () => new Promise(() => {}));
    await app.workers.at(-1)?.terminate();
    expect(await underWay).toEqual({ ok: false, error: { code: 'CORE_STOPPED' } });

    const dialog = page.getByRole('dialog', { name: 'Phần xử lý dữ liệu đã được mở lại' });
    await expect.poll(() => dialog.isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await dialog.textContent()).toContain('phiên làm việc đã được khoá');
    expect(await dialog.textContent()).toContain('Mọi việc đã lưu trước đó vẫn còn');
    expect(app.core.vault.isOpen).toBe(false);
    await checkScreen(page, '98-shell-core-restarted');
    await page.keyboard.press('Enter');
    await expect.poll(() => dialog.isVisible()).toBe(false);

    // In English too.
    await page.getByLabel('Ngôn ngữ').selectOption('en');
    harness.notices.post({ kind: 'coreRestarted' });
    const english = page.getByRole('dialog', { name: 'The data part of the app was restarted' });
    await expect.poll(() => english.isVisible()).toBe(true);
    expect(await english.textContent()).toContain('Everything saved before is still there');
    await checkScreen(page, '98b-shell-core-restarted-en');
    await page.keyboard.press('Escape');
    await page.getByLabel('Language').selectOption('vi');

    // The new thread opens the vault again for her; the visit saved before the failure is there.
    await logIn(page, WORKER);
    const client = await app.ok('clients.get', { clientId: template.template.ids.client });
    expect(client.visits.map((visit) => visit.note)).toContain('ghi-chu-truoc-su-co');
    expect(app.workers).toHaveLength(2);
    expect(harness.consoleErrors).toEqual([]);
  });

  it('ships a shell that holds no vault: the database module and the key code are only in the core\'s worker', () => {
    // `npm run test:e2e` builds first, so this reads the bundle the app would ship.
    const shell = readFileSync(join('out', 'main', 'index.js'), 'utf8');
    expect(shell).toContain('core-worker.js');
    expect(readFileSync(join('out', 'main', 'core-worker.js'), 'utf8')).toContain('better-sqlite3-multiple-ciphers');
    for (const part of ['better-sqlite3-multiple-ciphers', 'scrypt', 'openEncrypted', 'createCore']) expect(shell).not.toContain(part);
  });
});
