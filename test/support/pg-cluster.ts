import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/*
 * A throwaway PostgreSQL 15 cluster for the tests that play a centre's server: initdb into a
 * temp folder, TLS with a throwaway CA and server certificate, connections over TCP only with
 * TLS (pg_hba rejects any other), started with pg_ctl on a free port, stopped and removed
 * afterwards. As root, the server runs as the `postgres` user (PostgreSQL refuses root).
 */

export const PG_BIN = '/usr/lib/postgresql/15/bin';

export interface PgCluster {
  host: string;
  port: number;
  /** The CA that signed the server's certificate (PEM): what a PC is given to check the server. */
  ca: string;
  /** The cluster's owner (a superuser), with its password: what an administrator's setup uses. */
  owner: { user: string; password: string };
  /** The data folder (for the tests that scan the server's files for personal text). */
  dataDir: string;
  /** Stop the server: 'fast' (clean) or 'immediate' (as if the power went). */
  stop(mode?: 'fast' | 'immediate'): void;
  /** Start it again after a stop. */
  start(): void;
  /** Stop it and remove everything. */
  remove(): void;
}

export const havePostgres = (): boolean => existsSync(join(PG_BIN, 'initdb'));

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** Run a PostgreSQL program as the user the server runs as. */
function pgRun(program: string, args: string[]): string {
  const command = asRoot ? ['runuser', ['-u', 'postgres', '--', join(PG_BIN, program), ...args]] as const : [join(PG_BIN, program), args] as const;
  const result = spawnSync(command[0], [...command[1]], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${program} failed (${result.status}): ${result.stderr || result.stdout}`);
  return result.stdout;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** A CA and a server certificate it signed, for localhost and 127.0.0.1. */
export function makeCertificates(folder: string, name = 'ca'): { caFile: string; certFile: string; keyFile: string } {
  const file = (suffix: string) => join(folder, `${name}${suffix}`);
  const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=Dong Hanh test ${name}`, '-keyout', file('.key'), '-out', file('.crt')]);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', file('-server.key'), '-out', file('-server.csr')]);
  writeFileSync(file('-server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  openssl(['x509', '-req', '-in', file('-server.csr'), '-CA', file('.crt'), '-CAkey', file('.key'), '-CAcreateserial', '-days', '2', '-extfile', file('-server.ext'), '-out', file('-server.crt')]);
  return { caFile: file('.crt'), certFile: file('-server.crt'), keyFile: file('-server.key') };
}

export async function startCluster(): Promise<PgCluster> {
  const root = mkdtempSync(join(tmpdir(), 'dh-pg-'));
  const dataDir = join(root, 'data');
  const socketDir = join(root, 'socket');
  const owner = { user: 'dh_owner', password: randomBytes(18).toString('base64url') };
  const port = await freePort();
  const { caFile, certFile, keyFile } = makeCertificates(root);
  const passwordFile = join(root, 'owner-password');
  writeFileSync(passwordFile, `${owner.password}\n`, { mode: 0o600 });
  mkdirSync(socketDir);
  if (asRoot) {
    const { uid, gid } = postgresUser();
    for (const path of [root, socketDir, passwordFile, keyFile, certFile, caFile]) chownSync(path, uid, gid);
  }
  chmodSync(keyFile, 0o600);
  pgRun('initdb', ['-D', dataDir, '-U', owner.user, `--pwfile=${passwordFile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C.UTF-8', '--no-instructions']);
  rmSync(passwordFile);
  const conf = [
    "listen_addresses = '127.0.0.1'",
    `port = ${port}`,
    `unix_socket_directories = '${socketDir}'`,
    'ssl = on',
    `ssl_cert_file = '${certFile}'`,
    `ssl_key_file = '${keyFile}'`,
    "ssl_min_protocol_version = 'TLSv1.2'",
    "password_encryption = 'scram-sha-256'",
  ];
  writeFileSync(join(dataDir, 'postgresql.conf'), `${readFileSync(join(dataDir, 'postgresql.conf'), 'utf8')}\n# The tests' throwaway server\n${conf.join('\n')}\n`);
  // Over TCP only with TLS and a password; nothing else gets in (the socket is for nobody).
  writeFileSync(join(dataDir, 'pg_hba.conf'), ['hostssl all all 127.0.0.1/32 scram-sha-256', 'hostnossl all all 0.0.0.0/0 reject', 'local all all reject', ''].join('\n'));
  const logFile = join(root, 'server.log');
  if (asRoot) {
    writeFileSync(logFile, '');
    const { uid, gid } = postgresUser();
    chownSync(logFile, uid, gid);
  }
  const start = () => {
    pgRun('pg_ctl', ['-D', dataDir, '-l', logFile, '-w', '-t', '60', 'start']);
  };
  const stop = (mode: 'fast' | 'immediate' = 'fast') => {
    pgRun('pg_ctl', ['-D', dataDir, '-m', mode, '-w', 'stop']);
  };
  start();
  let running = true;
  return {
    host: '127.0.0.1',
    port,
    ca: readFileSync(caFile, 'utf8'),
    owner,
    dataDir,
    stop: (mode) => {
      stop(mode);
      running = false;
    },
    start: () => {
      start();
      running = true;
    },
    remove: () => {
      if (running) stop('immediate');
      running = false;
      rmSync(root, { recursive: true, force: true });
    },
  };
}

function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** A connection pool to one of the cluster's databases as its owner, over TLS with the CA checked. */
export function ownerPool(cluster: Pick<PgCluster, 'host' | 'port' | 'ca' | 'owner'>, database: string, max = 4): pg.Pool {
  const pool = new pg.Pool({ host: cluster.host, port: cluster.port, user: cluster.owner.user, password: cluster.owner.password, database, ssl: { ca: cluster.ca, servername: 'localhost' }, max });
  pool.on('error', () => {});
  return pool;
}

/** A new, empty database in the cluster (a centre's server before its setup). */
export async function createDatabase(cluster: PgCluster, name: string): Promise<void> {
  const pool = ownerPool(cluster, 'postgres', 1);
  try {
    await pool.query(`create database "${name.replaceAll('"', '')}" encoding 'UTF8' template template0`);
  } finally {
    await pool.end();
  }
}
