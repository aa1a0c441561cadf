import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { havePostgres, makeCertificates, startCluster, type PgCluster } from '../support/pg-cluster.ts';
import { tempDir } from '../support/vault-fixture.ts';

/*
 * The throwaway server the multi-PC tests play a centre's server on (issue "A centre on several
 * PCs"): it speaks only TLS, and a client that checks the certificate against the centre's CA
 * gets in, while one without TLS, or one that trusts another CA, does not.
 */

let cluster: PgCluster;

beforeAll(async () => {
  if (!havePostgres()) throw new Error('PostgreSQL 15 is not installed (.ci/run installs Debian\'s postgresql)');
  cluster = await startCluster();
});
afterAll(() => cluster?.remove());

const connect = async (ssl: pg.ClientConfig['ssl']) => {
  const client = new pg.Client({ host: cluster.host, port: cluster.port, user: cluster.owner.user, password: cluster.owner.password, database: 'postgres', ssl, connectionTimeoutMillis: 10_000 });
  await client.connect();
  return client;
};

describe('the tests\' PostgreSQL server', () => {
  it('lets in a client that checks its certificate, over TLS', async () => {
    const client = await connect({ ca: cluster.ca, rejectUnauthorized: true, servername: 'localhost' });
    try {
      const { rows } = await client.query<{ ssl: boolean; version: string }>('select ssl, version from pg_stat_ssl where pid = pg_backend_pid()');
      expect(rows[0]).toMatchObject({ ssl: true, version: expect.stringMatching(/^TLSv1\.[23]$/) });
      expect(Number((await client.query<{ server_version_num: string }>('show server_version_num')).rows[0]?.server_version_num)).toBeGreaterThanOrEqual(150000);
    } finally {
      await client.end();
    }
  });

  it('refuses a client without TLS, one that trusts another CA, and a wrong password', async () => {
    await expect(connect(false)).rejects.toThrow(/no pg_hba.conf entry|rejects|SSL off/i);
    const other = makeCertificates(tempDir('dh-other-ca-'), 'other');
    await expect(connect({ ca: readFileSync(other.caFile, 'utf8'), rejectUnauthorized: true, servername: 'localhost' })).rejects.toThrow(/self.signed|unable to verify|certificate/i);
    const wrong = new pg.Client({ host: cluster.host, port: cluster.port, user: cluster.owner.user, password: 'not-the-password', database: 'postgres', ssl: { ca: cluster.ca, servername: 'localhost' } });
    await expect(wrong.connect()).rejects.toThrow(/password authentication failed/);
  });

  it('keeps its data where the tests can scan it, and comes back after an immediate stop', async () => {
    expect(readFileSync(join(cluster.dataDir, 'PG_VERSION'), 'utf8').trim()).toBe('15');
    const client = await connect({ ca: cluster.ca, servername: 'localhost' });
    await client.query('create table kept (n int)');
    await client.query('insert into kept values (1)');
    await client.end();
    cluster.stop('immediate');
    cluster.start();
    const again = await connect({ ca: cluster.ca, servername: 'localhost' });
    expect((await again.query<{ n: number }>('select n from kept')).rows).toEqual([{ n: 1 }]);
    await again.end();
  });
});
