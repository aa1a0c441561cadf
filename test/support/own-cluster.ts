import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { rolesNamed } from '../../electron/core/vault/server-connection.ts';
import { provisionServer, type ServerConnection } from '../../electron/core/vault/server-provision.ts';
import { serverMigrations } from '../../migrations/server/index.ts';
import { havePostgres, startCluster, type PgCluster } from './pg-cluster.ts';
import { consentNow, copyOfTemplate, identityVersion, loginAs, syntheticClient, tempDir, TODAY, visitVersion, WORKER, type TestApp } from './vault-fixture.ts';

/*
 * For a test file about the centre's server itself (moving up, backups): a throwaway cluster
 * of its own, started before its tests and removed after them (the apps it opened shut down
 * first), new databases on it as `server:init` makes them, and a one-PC vault with words in
 * every sealed kind of column to move up.
 */

export function ownCluster() {
  let cluster: PgCluster | null = null;
  const apps: TestApp[] = [];
  beforeAll(async () => {
    if (!havePostgres()) throw new Error('PostgreSQL 15 is not installed (.ci/run installs Debian\'s postgresql)');
    cluster = await startCluster();
  });
  afterAll(async () => {
    for (const app of apps) await app.core.shutdown();
    cluster?.remove();
  });
  const started = (): PgCluster => {
    if (!cluster) throw new Error('the cluster has not started');
    return cluster;
  };
  return {
    get cluster(): PgCluster {
      return started();
    },
    /** An app to shut down once the file's tests are done. */
    keep<T extends TestApp>(app: T): T {
      apps.push(app);
      return app;
    },
    /** A new, empty database with roles of its own, and its connection file (what `server:init` hands a centre). */
    async newServer(database: string): Promise<{ connection: ServerConnection; file: string }> {
      const { host, port, ca, owner } = started();
      const result = await provisionServer({ address: { host, port, database, ca }, owner, migrations: serverMigrations, roles: rolesNamed(database) });
      const file = join(tempDir('dh-conn-'), `${database}.server`);
      writeFileSync(file, JSON.stringify(result.connection));
      return { connection: result.connection!, file };
    },
  };
}

/** What `busyVault` writes about people: none of it may be found in the clear on a server or in a backup. */
export const BUSY_WORDS = ['THMA95', 'XUYE95', 'Chị Thử', 'Lên Máy Chủ', 'Mẫu Chuyển', 'Trần Thị', '0900 111 222', 'Đường Thử', 'Ghi chú', 'Kết quả chuyển', 'Chủ đề chuyển', 'Gặp lần đầu'];

/** A one-PC vault with a bit of everything: identities, notes, a correction, a referral, a group. Locked. */
export async function busyVault(): Promise<Awaited<ReturnType<typeof copyOfTemplate>>> {
  const app = await copyOfTemplate();
  const id = app.template.ids.client;
  await loginAs(app, WORKER);
  await app.ok('clients.updateIdentity', { clientId: id, identity: { legalName: 'Nguyễn Thị Mẫu Chuyển', phone: '0900 111 222', idNumber: null, address: 'Số 1 Đường Thử' }, version: await identityVersion(app, id) });
  await app.ok('visits.correct', { visitId: app.template.ids.visit, visitOn: TODAY, place: 'outreach', serviceTypeIds: [1], outcome: 'Kết quả chuyển thử', note: 'Ghi chú chuyển thử', version: await visitVersion(app, id, app.template.ids.visit) });
  const other = await app.ok('clients.register', syntheticClient({ motherName: 'Xuân', fatherName: 'Yên', alias: 'Chị Lên Máy Chủ', reportsConsent: consentNow('reports'), identity: { legalName: 'Trần Thị Lên Thử', phone: null, idNumber: null, address: null } }));
  await app.ok('visits.record', { clientId: other.clientId, visitOn: TODAY, place: 'centre', serviceTypeIds: [1, 2], note: 'Gặp lần đầu thử' });
  await app.ok('groups.record', { heldOn: TODAY, kind: 'peer_group', place: 'centre', topic: 'Chủ đề chuyển thử', serviceTypeId: 12, clientIds: [id, other.clientId], others: [{ sex: 'female', ageBand: '25_34', count: 3 }] });
  await app.ok('auth.logout', {});
  return app;
}
