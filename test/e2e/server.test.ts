import { X509Certificate } from 'node:crypto';
import { cpSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { rolesNamed } from '../../electron/core/vault/server-connection.ts';
import { provisionServer, type ServerConnection } from '../../electron/core/vault/server-provision.ts';
import { serverMigrations } from '../../migrations/server/index.ts';
import { checkScreen, field, launch, logIn, type Harness } from '../support/e2e-harness.ts';
import { MOVED_UP_DIR, SERVER_FILE } from '../../electron/core/vault/server-vault.ts';
import { VAULT_FILES } from '../../electron/core/vault/vault-files.ts';
import { havePostgres, ownerPool, startCluster, type PgCluster } from '../support/pg-cluster.ts';
import { ADMIN, CENTRE, loginAs, openApp, runSetup, standardTemplate, syntheticClient, tempDir, TODAY, WORKER, type TestApp } from '../support/vault-fixture.ts';

/*
 * A centre outgrows one PC (DESIGN.md §8): its administrator moves the records up to the
 * centre's server from the backup screen, picking the connection file the server's setup wrote.
 * The app returns to the login screen, says where the records went, and everyone logs in with
 * her own password; a second PC joined to the server records a visit, and it shows on the first
 * PC's client page.
 */

let cluster: PgCluster;
let connection: ServerConnection;
let connectionFile: string;
let harness: Harness | null = null;
let secondHarness: Harness | null = null;
const others: TestApp[] = [];

beforeAll(async () => {
  if (!havePostgres()) throw new Error('PostgreSQL 15 is not installed (.ci/run installs Debian\'s postgresql)');
  cluster = await startCluster();
  const database = 'centre_e2e';
  connection = (await provisionServer({ address: { host: cluster.host, port: cluster.port, database, ca: cluster.ca }, owner: cluster.owner, migrations: serverMigrations, roles: rolesNamed(database) })).connection!;
  connectionFile = join(tempDir('dh-e2e-conn-'), 'trung-tam.server');
  writeFileSync(connectionFile, JSON.stringify(connection));
});
afterEach(async () => {
  await harness?.close();
  await secondHarness?.close();
  harness = null;
  secondHarness = null;
});
afterAll(async () => {
  for (const app of others) await app.core.shutdown();
  cluster?.remove();
});

describe('the centre\'s server in Chromium', () => {
  it('an administrator moves the records up; colleagues log in there; a visit recorded at another PC shows here', async () => {
    const dir = tempDir('dh-e2e-server-');
    cpSync((await standardTemplate()).dir, dir, { recursive: true });
    harness = await launch(dir);
    const { page } = harness;
    await logIn(page, ADMIN);
    await page.getByRole('navigation', { name: 'Quản trị' }).getByRole('link', { name: 'Sao lưu' }).click();
    const panel = page.getByRole('region', { name: 'Chuyển dữ liệu lên máy chủ của trung tâm' });
    await expect.poll(() => panel.isVisible(), { timeout: 20_000 }).toBe(true);
    const move = panel.getByRole('button', { name: 'Chọn tệp kết nối và chuyển…' });
    // Only once she has said she understands.
    expect(await move.isDisabled()).toBe(true);
    await panel.getByLabel('Tôi hiểu: sau khi chuyển, dữ liệu trên máy này được xoá khi có người đăng nhập thành công trên máy chủ.').check();
    await checkScreen(page, '85-move-up');
    harness.openedFile = connectionFile;
    await move.click();
    // Moved: back at the login screen, which says where the records went.
    await expect.poll(() => page.getByText('Dữ liệu đã được chuyển lên máy chủ của trung tâm. Hãy đăng nhập bằng mật khẩu của bạn.').isVisible(), { timeout: 60_000 }).toBe(true);
    await checkScreen(page, '85b-moved-up-login');

    await logIn(page, WORKER);
    await page.getByRole('link', { name: 'Thân chủ', exact: true }).click();
    await page.getByRole('link', { name: 'THMA95-1' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Các lần gặp' }).isVisible(), { timeout: 20_000 }).toBe(true);
    const clientId = Number(/clients\/(\d+)/.exec(page.url())?.[1]);

    // Another PC of the centre joins the server and records a visit to her.
    const other = openApp(tempDir('dh-e2e-pc2-'));
    others.push(other);
    expect(await other.core.connectToServer(connection)).toEqual({ present: true });
    await loginAs(other, WORKER);
    await other.ok('visits.record', { clientId, visitOn: TODAY, place: 'phone_online', serviceTypeIds: [1], note: 'Gọi điện từ máy thứ hai' });

    await page.reload();
    await expect.poll(() => page.getByText('Gọi điện từ máy thứ hai').isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await page.getByText('Điện thoại / trực tuyến', { exact: false }).first().isVisible()).toBe(true);
    await checkScreen(page, '85c-visit-from-another-pc');
    // Everything above went through the server: this PC keeps its connection, and no vault of its own.
    expect(existsSync(join(dir, SERVER_FILE))).toBe(true);
    expect(existsSync(join(dir, VAULT_FILES.database))).toBe(false);
    expect(existsSync(join(dir, MOVED_UP_DIR))).toBe(false);

    // The administrator backs the server up from this PC; the screen says how a server is restored.
    await page.getByRole('button', { name: 'Đăng xuất' }).click();
    await logIn(page, ADMIN);
    await page.getByRole('navigation', { name: 'Quản trị' }).getByRole('link', { name: 'Sao lưu' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Khôi phục máy chủ từ bản sao lưu' }).isVisible(), { timeout: 20_000 }).toBe(true);
    // No restore over the server's records, nothing to move up.
    expect(await page.getByRole('button', { name: 'Khôi phục từ bản sao lưu…' }).count()).toBe(0);
    expect(await page.getByRole('region', { name: 'Chuyển dữ liệu lên máy chủ của trung tâm' }).count()).toBe(0);
    // Nor a backup at every PC's exit: the schedule makes them, one PC at a time.
    expect(await page.getByLabel('Sao lưu khi đóng ứng dụng').count()).toBe(0);
    expect(await page.getByText('Không sao lưu lúc đóng ứng dụng', { exact: false }).isVisible()).toBe(true);
    const usb = tempDir('dh-e2e-usb-');
    harness.chosenFolder = usb;
    await page.getByRole('button', { name: 'Sao lưu vào thư mục…' }).click();
    await expect.poll(() => page.getByText('Đã sao lưu và kiểm tra bản sao.').isVisible(), { timeout: 60_000 }).toBe(true);
    expect(await page.getByText('1 thân chủ, 2 lần gặp, 4 tài khoản', { exact: false }).first().isVisible()).toBe(true);
    expect(readdirSync(usb).filter((name) => name.startsWith('dong-hanh-sao-luu-'))).toHaveLength(1);
    await checkScreen(page, '87-server-backup');

    // Someone has left: the administrator changes the centre's key from this PC; the other PC is logged out at its next call.
    await page.getByRole('button', { name: 'Bắt đầu thay khoá…' }).click();
    await expect.poll(() => page.getByTestId('recovery-code').isVisible(), { timeout: 20_000 }).toBe(true);
    const groups = await page.locator('[data-group]').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-group') ?? ''));
    await page.getByRole('button', { name: 'Tôi đã ghi lại mã' }).click();
    await field(page, 'Mật khẩu của bạn').fill(ADMIN.password);
    const groupNumber = Number((await page.locator('label', { hasText: /^Nhóm thứ \d+$/ }).innerText()).replace(/\D/g, ''));
    await page.getByLabel(/^Nhóm thứ \d+$/).fill(groups[groupNumber - 1] ?? '');
    await page.getByLabel('Tôi hiểu: mọi người sẽ phải đăng nhập lại', { exact: false }).check();
    expect(await page.getByText('các máy khác sẽ tự đăng xuất ở thao tác tiếp theo', { exact: false }).isVisible()).toBe(true);
    await checkScreen(page, '87b-server-rotate-confirm');
    await page.getByRole('button', { name: 'Thay khoá', exact: true }).click();
    await expect.poll(() => page.getByText('Đã thay khoá mã hoá dữ liệu.', { exact: false }).isVisible(), { timeout: 60_000 }).toBe(true);
    await checkScreen(page, '87c-server-rotated-login');
    expect(await other.call('clients.get', { clientId })).toEqual({ ok: false, error: { code: 'KEY_CHANGED' } });
    await loginAs(other, WORKER);
    expect((await other.ok('clients.get', { clientId })).code).toBe('THMA95-1');
    await logIn(page, ADMIN);
    await page.getByRole('navigation', { name: 'Quản trị' }).getByRole('link', { name: 'Sao lưu' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Khôi phục máy chủ từ bản sao lưu' }).isVisible(), { timeout: 20_000 }).toBe(true);
    // The same in English.
    await page.getByRole('link', { name: 'Cài đặt' }).click();
    await page.getByLabel('Ngôn ngữ', { exact: true }).selectOption('en');
    await expect.poll(() => page.getByRole('heading', { name: 'Settings' }).isVisible()).toBe(true);
    await page.getByRole('link', { name: 'Administration', exact: true }).click();
    await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Backups' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Restore the server from a backup' }).isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await page.getByRole('listitem').filter({ hasText: 'makes a new, empty database with the setup command' }).isVisible()).toBe(true);
    await checkScreen(page, '87-server-backup-en');
  });

  it('after the records moved to a new database, an administrator connects a PC to it from the login screen', async () => {
    // A PC working with the centre's server; its records then restored into a new database
    // (here: a copy, which keeps the first one's roles), and a new database nobody has set up.
    const provision = async (database: string) => {
      const made = (await provisionServer({ address: { host: cluster.host, port: cluster.port, database, ca: cluster.ca }, owner: cluster.owner, migrations: serverMigrations, roles: rolesNamed(database) })).connection!;
      const path = join(tempDir('dh-e2e-conn-'), `${database}.server`);
      writeFileSync(path, JSON.stringify(made));
      return { connection: made, path };
    };
    const old = await provision('centre_old_db');
    const dir = tempDir('dh-e2e-moving-');
    const before = openApp(dir);
    await before.core.connectToServer(old.connection);
    await runSetup(before);
    await before.ok('auth.logout', {});
    await before.core.shutdown();
    const owner = ownerPool(cluster, 'postgres', 1);
    try {
      await owner.query('create database centre_new_db template centre_old_db');
      await owner.query('alter database centre_old_db allow_connections false');
    } finally {
      await owner.end();
    }
    const moved = join(tempDir('dh-e2e-conn-'), 'may-chu-moi.server');
    writeFileSync(moved, JSON.stringify({ ...old.connection, database: 'centre_new_db' }));
    const blank = await provision('centre_blank_db');

    harness = await launch(dir);
    const { page } = harness;
    await expect.poll(() => page.getByRole('heading', { name: 'Đăng nhập' }).isVisible(), { timeout: 20_000 }).toBe(true);
    await page.getByRole('button', { name: 'Dữ liệu đã chuyển sang máy chủ khác? Kết nối máy này với máy chủ mới…' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Làm việc với máy chủ khác' }).isVisible()).toBe(true);
    expect(await page.getByText(`Hiện tại: máy chủ ${cluster.host}:${cluster.port}, cơ sở dữ liệu centre_old_db.`).isVisible()).toBe(true);
    // The keyboard starts at the first thing to do.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Chọn tệp kết nối…');
    await checkScreen(page, '88-other-server');
    // A database with no centre's records: said so, and nobody is asked to log in there.
    harness.openedFile = blank.path;
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByText('Máy chủ này chưa có dữ liệu của trung tâm nào.', { exact: false }).isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await page.getByLabel('Mật khẩu').count()).toBe(0);
    // The new database: what to compare, then an administrator's login.
    harness.openedFile = moved;
    await page.getByRole('button', { name: 'Chọn tệp khác…' }).click();
    await expect.poll(() => page.getByText('centre_new_db', { exact: true }).isVisible(), { timeout: 20_000 }).toBe(true);
    expect((await page.locator('dd.fingerprint').innerText()).replace(/\s/g, '')).toBe(new X509Certificate(cluster.ca).fingerprint256);
    // It wraps within the narrow card rather than running out of it.
    expect(await page.locator('dd.fingerprint').evaluate((node) => node.scrollWidth <= node.clientWidth)).toBe(true);
    // The keyboard goes on at the administrator's username.
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('autocomplete'))).toBe('username');
    await page.keyboard.type(ADMIN.username);
    await field(page, 'Mật khẩu').fill('khong-phai-mat-khau');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByText('Tên đăng nhập hoặc mật khẩu không đúng.').isVisible(), { timeout: 20_000 }).toBe(true);
    await checkScreen(page, '88b-other-server-checked');
    await page.getByLabel('Ngôn ngữ', { exact: true }).selectOption('en');
    await expect.poll(() => page.getByRole('heading', { name: 'Work with another server' }).isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Connect and log in' }).isVisible()).toBe(true);
    await checkScreen(page, '88b-other-server-checked-en');
    await page.getByLabel('Language', { exact: true }).selectOption('vi');
    await field(page, 'Mật khẩu').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Kết nối và đăng nhập' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Đăng xuất' }).isVisible(), { timeout: 30_000 }).toBe(true);
    await page.getByRole('button', { name: 'Đăng xuất' }).click();
    await expect.poll(() => page.getByText(`Dữ liệu của trung tâm ở máy chủ ${cluster.host}:${cluster.port} (cơ sở dữ liệu centre_new_db).`).isVisible(), { timeout: 20_000 }).toBe(true);
    await checkScreen(page, '88c-other-server-login');
    // Recorded in the new server's trail.
    await harness.app.ok('auth.login', { username: ADMIN.username, password: ADMIN.password });
    const entry = (await harness.app.ok('audit.list', {})).rows.find((row) => row.action === 'auth.serverSwitch' && row.outcome === 'ok');
    expect(entry?.detail).toEqual({ fromServer: `${cluster.host}:${cluster.port}/centre_old_db`, toServer: `${cluster.host}:${cluster.port}/centre_new_db` });
  });

  it('a centre sets up on its server from a first PC\'s screens; a second PC joins from its own; a visit recorded on one shows on the other', async () => {
    const database = 'centre_setup';
    const setupConnection = (await provisionServer({ address: { host: cluster.host, port: cluster.port, database, ca: cluster.ca }, owner: cluster.owner, migrations: serverMigrations, roles: rolesNamed(database) })).connection!;
    const file = join(tempDir('dh-e2e-conn-'), 'may-chu.server');
    writeFileSync(file, JSON.stringify(setupConnection));

    // The first PC: a new install asks where the records are kept.
    const firstDir = tempDir('dh-e2e-first-');
    harness = await launch(firstDir);
    const { page } = harness;
    await expect.poll(() => page.getByRole('heading', { name: 'Thiết lập lần đầu' }).isVisible(), { timeout: 20_000 }).toBe(true);
    await page.getByLabel('Trên máy chủ của trung tâm (nhiều máy cùng làm việc)').check();
    const panel = page.getByRole('region', { name: 'Trên máy chủ của trung tâm (nhiều máy cùng làm việc)' });
    // Closing the dialog changes nothing.
    harness.openedFile = null;
    await panel.getByRole('button', { name: 'Chọn tệp kết nối…' }).click();
    expect(await panel.getByText('Máy chủ trong tệp kết nối').count()).toBe(0);
    harness.openedFile = file;
    await panel.getByRole('button', { name: 'Chọn tệp kết nối…' }).click();
    await expect.poll(() => panel.getByText('Máy chủ này chưa có dữ liệu.', { exact: false }).isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await panel.getByText(`${cluster.host}:${cluster.port}`).isVisible()).toBe(true);
    // The certificate authority's fingerprint, as the administrator reads it from `server:init`'s output.
    const fingerprint = new X509Certificate(cluster.ca).fingerprint256;
    expect((await panel.locator('dd.fingerprint').innerText()).replace(/\s/g, '')).toBe(fingerprint);
    // Nothing kept on this PC before she connects.
    expect(existsSync(join(firstDir, SERVER_FILE))).toBe(false);
    await checkScreen(page, '86-setup-server-checked');
    // The same in English.
    await page.getByLabel('Ngôn ngữ', { exact: true }).selectOption('en');
    await expect.poll(() => page.getByText('This server has no records yet.', { exact: false }).isVisible()).toBe(true);
    expect(await page.getByText('SHA-256 fingerprint', { exact: true }).isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Connect to this server' }).isVisible()).toBe(true);
    await checkScreen(page, '86-setup-server-checked-en');
    await page.getByLabel('Language', { exact: true }).selectOption('vi');
    await expect.poll(() => panel.getByRole('button', { name: 'Kết nối với máy chủ này' }).isVisible()).toBe(true);
    await panel.getByRole('button', { name: 'Kết nối với máy chủ này' }).click();
    await expect.poll(() => page.getByText(`Máy này đã kết nối với máy chủ ${cluster.host}:${cluster.port} (cơ sở dữ liệu ${database}).`, { exact: false }).isVisible(), { timeout: 20_000 }).toBe(true);
    expect(existsSync(join(firstDir, SERVER_FILE))).toBe(true);
    await field(page, 'Tên trung tâm').fill(CENTRE.centreName);
    await field(page, 'Mã trung tâm').fill(CENTRE.centreCode);
    await field(page, 'Họ tên quản trị viên').fill(ADMIN.displayName);
    await field(page, 'Tên đăng nhập của quản trị viên').fill(ADMIN.username);
    await field(page, 'Mật khẩu').fill(ADMIN.password);
    await field(page, 'Nhập lại mật khẩu').fill(ADMIN.password);
    await checkScreen(page, '86b-setup-on-server');
    await page.keyboard.press('Enter');
    await page.getByTestId('recovery-code').waitFor({ timeout: 60_000 });
    const groups = await page.locator('[data-group]').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-group') ?? ''));
    await page.getByRole('button', { name: 'Tôi đã ghi lại mã' }).click();
    const asked = Number(/thứ (\d+)/.exec((await page.getByText(/nhóm ký tự thứ \d+/).textContent()) ?? '')?.[1]);
    await page.getByLabel(`Nhóm thứ ${asked}`).fill(groups[asked - 1] ?? '');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('heading', { name: 'Người dùng' }).isVisible(), { timeout: 30_000 }).toBe(true);
    // Nothing of the records on this PC: the server holds them.
    expect(existsSync(join(firstDir, VAULT_FILES.database))).toBe(false);

    // The administrator adds a worker (here through the same calls the screens make); she
    // registers a client at this PC.
    const first = harness.app;
    await first.ok('users.create', { username: WORKER.username, displayName: WORKER.displayName, roles: ['worker'], temporaryPassword: 'tam-thoi-canbo-0001' });
    await first.ok('auth.logout', {});
    await first.ok('auth.login', { username: WORKER.username, password: 'tam-thoi-canbo-0001' });
    await first.ok('auth.changePassword', { currentPassword: 'tam-thoi-canbo-0001', newPassword: WORKER.password });
    const { clientId, code } = await first.ok('clients.register', syntheticClient({ alias: 'Chị Hai Máy Thử' }));
    await page.reload();
    await page.evaluate((id) => {
      location.hash = `#/clients/${id}`;
    }, clientId);
    await expect.poll(() => page.getByRole('heading', { name: 'Các lần gặp' }).isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await page.getByText('Tư vấn tâm lý').count()).toBe(0);

    // The second PC joins from its own setup screen and logs in there.
    const secondDir = tempDir('dh-e2e-second-');
    secondHarness = await launch(secondDir);
    const second = secondHarness.page;
    await expect.poll(() => second.getByRole('heading', { name: 'Thiết lập lần đầu' }).isVisible(), { timeout: 20_000 }).toBe(true);
    await second.getByLabel('Trên máy chủ của trung tâm (nhiều máy cùng làm việc)').check();
    secondHarness.openedFile = file;
    await second.getByRole('button', { name: 'Chọn tệp kết nối…' }).click();
    await expect.poll(() => second.getByText('Trung tâm đã được thiết lập trên máy chủ này.', { exact: false }).isVisible(), { timeout: 20_000 }).toBe(true);
    await checkScreen(second, '86c-join-checked');
    await second.getByRole('button', { name: 'Kết nối với máy chủ này' }).click();
    await expect.poll(() => second.getByRole('heading', { name: 'Đăng nhập' }).isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await second.getByText(`Dữ liệu của trung tâm ở máy chủ ${cluster.host}:${cluster.port} (cơ sở dữ liệu ${database}).`).isVisible()).toBe(true);
    await checkScreen(second, '86d-join-login');
    await second.getByLabel('Ngôn ngữ', { exact: true }).selectOption('en');
    await expect.poll(() => second.getByText(`The centre’s records are on the server ${cluster.host}:${cluster.port} (database ${database}).`).isVisible()).toBe(true);
    await checkScreen(second, '86d-join-login-en');
    await second.getByLabel('Language', { exact: true }).selectOption('vi');
    await expect.poll(() => second.getByRole('heading', { name: 'Đăng nhập' }).isVisible()).toBe(true);
    await logIn(second, WORKER);
    await second.getByRole('link', { name: 'Thân chủ', exact: true }).click();
    await second.getByRole('link', { name: code }).click();
    await second.getByRole('link', { name: 'Ghi lần gặp' }).click();
    await expect.poll(() => second.getByRole('heading', { name: 'Ghi lần gặp' }).isVisible(), { timeout: 20_000 }).toBe(true);
    await second.getByRole('option', { name: 'Tư vấn tâm lý' }).click();
    await second.getByRole('button', { name: 'Lưu' }).click();
    await expect.poll(() => second.getByText('Đã ghi lần gặp ngày', { exact: false }).isVisible(), { timeout: 20_000 }).toBe(true);

    // The first PC's page, opened again, shows the visit recorded at the second.
    await page.reload();
    await expect.poll(() => page.getByText('Tư vấn tâm lý').first().isVisible(), { timeout: 20_000 }).toBe(true);
    await checkScreen(page, '86e-visit-from-the-second-pc');
    expect(existsSync(join(secondDir, VAULT_FILES.database))).toBe(false);
  });
});
