import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { Kysely, Migrator, PostgresDialect, sql, type Migration } from 'kysely';
import type pg from 'pg';
import { AppError } from '../app-error.ts';
import { serverFailure, serverPool, SERVER_ROLES, type ServerAddress, type ServerRoles } from './server-connection.ts';

/*
 * An administrator's one-time command on the centre's server (`npm run server:init`), run
 * again at each upgrade: from the owner account it creates the database and the app's two
 * roles when absent, runs the server's migrations, and (again every time) grants each role
 * exactly what it needs and nothing more:
 * - `dh_login` may read the keyring table, and nothing else: a PC reads the key slots with it
 *   before anyone unlocks;
 * - `dh_app` may do what the app does: read and write the records; append to the audit trail
 *   but never change, remove or empty it (no grant, and the trail's triggers); no DDL.
 * Passwords reach the server only as SCRAM verifiers, never in the clear (not even in its log).
 */

/** What a PC needs to reach the server: given to the administrator when the roles are made. */
export interface ServerConnection {
  version: 1;
  host: string;
  port: number;
  database: string;
  ca: string;
  login: { user: string; password: string };
  /** The app role's first password: the first PC's setup replaces it at once (sealed under the data key). */
  firstApp: { user: string; password: string } | null;
  /** The app role's name (its password is sealed in the keyring from the first setup on). */
  appRole: string;
}

export interface ProvisionOptions {
  address: ServerAddress;
  owner: { user: string; password: string };
  migrations: Readonly<Record<string, Migration>>;
  /** Give the login role a new password (a connection file was lost); the old one stops working. */
  newLoginPassword?: boolean;
  /** The roles' names (default dh_login, dh_app; see `rolesNamed`). */
  roles?: ServerRoles;
}

export interface ProvisionResult {
  createdDatabase: boolean;
  createdRoles: string[];
  migrated: string[];
  /** Present when a password was set now: what each PC's setup is given. */
  connection: ServerConnection | null;
}

const DATABASE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** A SCRAM-SHA-256 verifier (RFC 5802/7677), as PostgreSQL keeps passwords. */
export function scramVerifier(password: string, salt = randomBytes(16), iterations = 4096): string {
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  salted.fill(0);
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/** A new random password for a role (only ever stored as a verifier on the server). */
export const newRolePassword = (): string => randomBytes(24).toString('base64url');

/** Set a role's password from the role itself or the owner, as a verifier. */
export async function setRolePassword(client: pg.ClientBase | pg.Pool, role: string, password: string): Promise<void> {
  await client.query(`alter role ${quoteIdentifier(role)} password '${scramVerifier(password)}'`);
}

export async function provisionServer(options: ProvisionOptions): Promise<ProvisionResult> {
  const { address, owner } = options;
  const roles = options.roles ?? SERVER_ROLES;
  if (!DATABASE_NAME.test(address.database)) throw new AppError('VALIDATION', { issues: [{ path: 'database', message: 'invalid' }] });
  if (![roles.login, roles.app].every((role) => DATABASE_NAME.test(role))) throw new AppError('VALIDATION', { issues: [{ path: 'roles', message: 'invalid' }] });
  const admin = serverPool(address, owner, { max: 1, database: 'postgres' });
  let createdDatabase = false;
  const createdRoles: string[] = [];
  const passwords: Partial<Record<keyof ServerRoles, string>> = {};
  try {
    const exists = await admin.query('select 1 from pg_database where datname = $1', [address.database]);
    if (exists.rowCount === 0) {
      await admin.query(`create database ${quoteIdentifier(address.database)} encoding 'UTF8' template template0`);
      createdDatabase = true;
    }
    for (const [kind, role] of Object.entries(roles) as [keyof ServerRoles, string][]) {
      const found = await admin.query('select 1 from pg_roles where rolname = $1', [role]);
      if (found.rowCount === 0) {
        passwords[kind] = newRolePassword();
        await admin.query(`create role ${quoteIdentifier(role)} login nosuperuser nocreatedb nocreaterole noinherit noreplication password '${scramVerifier(passwords[kind])}'`);
        createdRoles.push(role);
      } else if (kind === 'login' && options.newLoginPassword) {
        passwords.login = newRolePassword();
        await setRolePassword(admin, role, passwords.login);
      }
    }
  } catch (error) {
    throw serverFailure(error);
  } finally {
    await admin.end();
  }

  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: serverPool(address, owner, { max: 1 }) }) });
  try {
    const { results, error } = await new Migrator({ db, provider: { getMigrations: async () => options.migrations } }).migrateToLatest();
    if (error) throw serverFailure(error);
    await grantRoles(db, address.database, roles);
    return {
      createdDatabase,
      createdRoles,
      migrated: (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName),
      connection: passwords.login || passwords.app
        ? {
            version: 1,
            host: address.host,
            port: address.port,
            database: address.database,
            ca: address.ca,
            login: { user: roles.login, password: passwords.login ?? '' },
            firstApp: passwords.app ? { user: roles.app, password: passwords.app } : null,
            appRole: roles.app,
          }
        : null,
    };
  } catch (error) {
    throw serverFailure(error);
  } finally {
    await db.destroy();
  }
}

/** Each role's rights, set afresh (after every migration run, so a new table is covered). */
async function grantRoles(db: Kysely<unknown>, database: string, roles: ServerRoles): Promise<void> {
  const login = quoteIdentifier(roles.login);
  const app = quoteIdentifier(roles.app);
  const tables = (await sql<{ name: string }>`select tablename as name from pg_tables where schemaname = 'public' order by 1`.execute(db)).rows.map((row) => row.name);
  const records = tables.filter((name) => name !== 'audit_event' && name !== 'keyring' && !name.startsWith('kysely_'));
  await db.transaction().execute(async (trx) => {
    const run = (statement: string) => sql.raw(statement).execute(trx);
    await run(`revoke all on database ${quoteIdentifier(database)} from public`);
    await run(`grant connect on database ${quoteIdentifier(database)} to ${login}, ${app}`);
    // Temporary tables: a report's counted clients, a reassignment's cases (never DDL on the schema).
    await run(`grant temporary on database ${quoteIdentifier(database)} to ${app}`);
    await run(`revoke all on schema public from public`);
    await run(`grant usage on schema public to ${login}, ${app}`);
    await run(`revoke all on all tables in schema public from ${login}, ${app}`);
    await run(`revoke all on all sequences in schema public from ${login}, ${app}`);
    await run(`revoke all on all functions in schema public from public`);
    await run(`grant select on keyring to ${login}`);
    // Delete: the keyring waiting during a key change, at its end (a trigger keeps row 1).
    await run(`grant select, insert, update, delete on keyring to ${app}`);
    await run(`grant select, insert, update, delete on ${records.map(quoteIdentifier).join(', ')} to ${app}`);
    await run(`grant select, insert on audit_event to ${app}`);
    await run(`grant select on kysely_migration to ${app}`);
    await run(`grant usage, select on all sequences in schema public to ${app}`);
    // A record table's counter set on from a one-PC vault's when it moves up (vault/move-up.ts);
    // never the trail's (its entries carry their numbers, and nothing may move its end).
    await run(`grant update on all sequences in schema public to ${app}`);
    await run(`revoke update on sequence audit_event_id_seq from ${app}`);
  });
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
