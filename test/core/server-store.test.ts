import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerConnection } from '../../electron/core/vault/server-provision.ts';
import { provisionServer } from '../../electron/core/vault/server-provision.ts';
import { serverPool } from '../../electron/core/vault/server-connection.ts';
import { serverMigrations } from '../../migrations/server/index.ts';
import { havePostgres, ownerPool, startCluster, type PgCluster } from '../support/pg-cluster.ts';
import { ADMIN, CENTRE, openApp, runSetup, tempDir, WORKER, type TestApp } from '../support/vault-fixture.ts';

/*
 * The same app against the centre's server (issue "A centre on several PCs"): a first PC's
 * setup makes the server's keyring and first account, a second PC joins it with a staff
 * password, and a password changed on one PC opens the records on the other. What the server
 * keeps of the keys is sealed; the app role's first password stops working at the setup.
 */

let cluster: PgCluster;
let connection: ServerConnection;
const apps: TestApp[] = [];

beforeAll(async () => {
  if (!havePostgres()) throw new Error('PostgreSQL 15 is not installed (.ci/run installs Debian\'s postgresql)');
  cluster = await startCluster();
  const result = await provisionServer({ address: { host: cluster.host, port: cluster.port, database: 'centre_store', ca: cluster.ca }, owner: cluster.owner, migrations: serverMigrations });
  connection = result.connection!;
});
afterAll(async () => {
  for (const app of apps) await app.core.shutdown();
  cluster?.remove();
});

function pc(): TestApp {
  const app = openApp(tempDir('dh-pc-'));
  apps.push(app);
  return app;
}

const TEMPORARY = 'tam-thoi-canbo-0001';
const NEW_PASSWORD = 'mat-khau-rieng-canbo-02';
let first: TestApp;
let second: TestApp;

describe('the centre\'s server as the store', () => {
  it('is set up from a first PC: the server keeps the keyring, the first account and the trail', async () => {
    first = pc();
    expect(await first.core.connectToServer(connection)).toEqual({ present: false });
    expect(first.core.vault.kind).toBe('server');
    await runSetup(first);
    expect(first.core.session?.username).toBe(ADMIN.username);
    const created = await first.ok('users.create', { username: WORKER.username, displayName: WORKER.displayName, roles: ['worker'], temporaryPassword: TEMPORARY });
    expect(created).toMatchObject({ username: WORKER.username, mustChangePassword: true });
    expect(await first.ok('audit.verify', {})).toMatchObject({ ok: true });

    const owner = ownerPool(cluster, 'centre_store', 1);
    try {
      const users = (await owner.query<{ username: string }>('select username from "user" order by id')).rows.map((row) => row.username);
      expect(users).toEqual([ADMIN.username, WORKER.username]);
      const keyring = (await owner.query<{ body: string; app_secret: Buffer }>('select body, app_secret from keyring')).rows[0]!;
      // The keyring: slots and a proof; no password, username or key in the clear.
      expect(JSON.parse(keyring.body)).toMatchObject({ format: 'dong-hanh-keyring', proof: expect.any(String) });
      for (const secret of [ADMIN.password, ADMIN.username, TEMPORARY, connection.firstApp!.password]) expect(keyring.body).not.toContain(secret);
      expect(keyring.app_secret.includes(Buffer.from(connection.firstApp!.password))).toBe(false);
      expect((await owner.query<{ n: number }>('select count(*)::int as n from audit_event')).rows[0]!.n).toBeGreaterThan(1);
    } finally {
      await owner.end();
    }
    // The app role's first password stopped working at the setup.
    const stale = serverPool({ host: cluster.host, port: cluster.port, database: 'centre_store', ca: cluster.ca }, connection.firstApp!, { max: 1 });
    await expect(stale.query('select 1')).rejects.toMatchObject({ code: '28P01' });
    await stale.end();
  });

  it('is joined by a second PC, where a colleague logs in with her temporary password and changes it', async () => {
    second = pc();
    expect(await second.core.connectToServer(connection)).toEqual({ present: true });
    // Nothing to set up here: the server has its data.
    expect(await second.call('setup.begin', { ...CENTRE, adminUsername: 'khac.thu', adminDisplayName: 'Quản Trị Khác', adminPassword: 'mat-khau-khac-thu-01', language: 'vi' })).toEqual({ ok: false, error: { code: 'VAULT_EXISTS' } });
    expect(await second.call('auth.login', { username: WORKER.username, password: 'not-her-password' })).toEqual({ ok: false, error: { code: 'WRONG_CREDENTIALS' } });
    const session = await second.ok('auth.login', { username: WORKER.username, password: TEMPORARY });
    expect(session).toMatchObject({ username: WORKER.username, mustChangePassword: true });
    expect(await second.ok('auth.changePassword', { currentPassword: TEMPORARY, newPassword: NEW_PASSWORD })).toMatchObject({ mustChangePassword: false });
    await second.ok('auth.lock', {});
    expect(await second.call('auth.login', { username: WORKER.username, password: TEMPORARY })).toEqual({ ok: false, error: { code: 'WRONG_CREDENTIALS' } });
    await second.ok('auth.login', { username: WORKER.username, password: NEW_PASSWORD });
  });

  it('a password changed on one PC opens the records on the other; the failed attempts there are in the server\'s trail', async () => {
    await first.ok('auth.logout', {});
    await first.ok('auth.login', { username: WORKER.username, password: NEW_PASSWORD });
    await first.ok('auth.logout', {});
    await first.ok('auth.login', { username: ADMIN.username, password: ADMIN.password });
    const trail = await first.ok('audit.list', {});
    const failed = trail.rows.filter((entry) => entry.action === 'auth.login' && entry.outcome === 'failed');
    // Both refused attempts on the second PC (a wrong password, then the replaced temporary one),
    // kept there while locked and moved into the server's trail at the next unlock there.
    expect(failed.length).toBe(2);
    expect(await first.ok('audit.verify', {})).toMatchObject({ ok: true });
  });

  it('refuses a keyring changed on the server without the data key, and says when the server cannot be reached', async () => {
    await second.ok('auth.lock', {});
    const owner = ownerPool(cluster, 'centre_store', 1);
    try {
      const { body } = (await owner.query<{ body: string }>('select body from keyring')).rows[0]!;
      // Someone with the server's owner account changes what the keyring says (here: that
      // the data are for training, which every screen would then show).
      const planted = { ...(JSON.parse(body) as object), training: true };
      await owner.query('update keyring set body = $1', [JSON.stringify(planted)]);
      expect(await second.call('auth.login', { username: WORKER.username, password: NEW_PASSWORD })).toEqual({ ok: false, error: { code: 'KEYRING_UNPROVEN' } });
      expect(second.core.vault.isOpen).toBe(false);
      // A garbled row is refused as such.
      await owner.query('update keyring set body = $1', ['{"format": "dong-hanh-keyring"}']);
      expect(await second.call('auth.login', { username: WORKER.username, password: NEW_PASSWORD })).toEqual({ ok: false, error: { code: 'KEYRING_CORRUPT' } });
      await owner.query('update keyring set body = $1', [body]);
    } finally {
      await owner.end();
    }
    cluster.stop('fast');
    try {
      expect(await second.call('auth.login', { username: WORKER.username, password: NEW_PASSWORD })).toEqual({ ok: false, error: { code: 'SERVER_UNREACHABLE' } });
      expect(second.core.vault.isOpen).toBe(false);
    } finally {
      cluster.start();
    }
    await second.ok('auth.login', { username: WORKER.username, password: NEW_PASSWORD });
  });

  it('a PC with data of its own cannot be connected to a server', async () => {
    await expect(first.core.connectToServer(connection)).rejects.toMatchObject({ code: 'VAULT_EXISTS' });
  });
});
