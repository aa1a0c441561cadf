import { cpSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { rolesNamed } from '../../electron/core/vault/server-connection.ts';
import { provisionServer, type ServerConnection } from '../../electron/core/vault/server-provision.ts';
import { serverMigrations } from '../../migrations/server/index.ts';
import { checkScreen, launch, logIn, type Harness } from '../support/e2e-harness.ts';
import { MOVED_UP_DIR, SERVER_FILE } from '../../electron/core/vault/server-vault.ts';
import { VAULT_FILES } from '../../electron/core/vault/vault-files.ts';
import { havePostgres, startCluster, type PgCluster } from '../support/pg-cluster.ts';
import { ADMIN, loginAs, openApp, standardTemplate, tempDir, TODAY, WORKER, type TestApp } from '../support/vault-fixture.ts';

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
  harness = null;
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
  });
});
