import { existsSync, readFileSync, rmSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { Kysely, PostgresDialect, sql, type ControlledTransaction, type Migration } from 'kysely';
import type pg from 'pg';
import { z } from 'zod';
import { AppError } from '../app-error.ts';
import { isoNow } from '../clock.ts';
import { postgresDialect } from '../db/dialect.ts';
import type { Database, Db } from '../db/schema.ts';
import { putSetting } from '../db/setting-store.ts';
import { writeFileAtomic } from '../files.ts';
import { columnKeys, openText, sealText, wipe, type SealedPlace } from './column-seal.ts';
import { ServerSealer } from './column-sealers.ts';
import { prepareVault, type PreparedVault } from './creation.ts';
import { SEALING_KEY_SETTING } from './key-file.ts';
import { checkProof, keyringText, openPasswordSlot, openRecoverySlot, parseKeyring, withSlot, withoutSlot, type Keyring } from './key-slots.ts';
import { OpenKeys } from './open-keys.ts';
import { normalizeRecoveryCode } from './recovery-code.ts';
import { seal as sealUsername } from './sealed-box.ts';
import { serverFailure, serverPool, type ServerAddress } from './server-connection.ts';
import { newRolePassword, scramVerifier, type ServerConnection } from './server-provision.ts';
import type { KeyringChange, ServerBackupSource, Store, VaultPresence } from './store.ts';
import { CopyDown } from './copy-down.ts';
import type { VaultOptions } from './vault.ts';
import { takePendingEvents, UnlockStateFile, type PendingEvent } from './unlock-state.ts';
import { KEYRING_PROOF_SETTING, VAULT_FILES } from './vault-files.ts';

/*
 * The centre's server as the store (DESIGN.md §8): the same records through Kysely's
 * PostgreSQL dialect, reached over TLS with the centre's CA. Before anyone unlocks, this PC
 * can read only the keyring (as `dh_login`); a person's password opens her slot and so the
 * data key, which opens the app role's password (sealed in the keyring row), and only then
 * does the PC reach the records (as `dh_app`). Failed attempts are throttled and recorded on
 * this PC as with the file, and moved into the server's trail at the next unlock here.
 */

/** What this PC keeps of the server, beside nothing else: no client data, no key. */
export const SERVER_FILE = 'dong-hanh.server';

const serverFileSchema = z
  .object({
    version: z.literal(1),
    host: z.string().min(1).max(253),
    port: z.number().int().min(1).max(65535),
    database: z.string().min(1).max(63),
    ca: z.string().min(1).max(20_000),
    login: z.object({ user: z.string(), password: z.string() }).strict(),
    /** The app role's first password, until a setup on any PC replaced it. */
    firstApp: z.object({ user: z.string(), password: z.string() }).strict().nullable(),
    appRole: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/),
    /** The server had a keyring when this PC last looked (a setup has been done). */
    present: z.boolean(),
    training: z.boolean(),
  })
  .strict();
type ServerFile = z.infer<typeof serverFileSchema>;

/** A connection file as `server:init` writes it (what a PC is given to reach the server). */
const connectionFileSchema = serverFileSchema.omit({ present: true, training: true });

/** Read a connection file the administrator picked: CONNECTION_FILE_INVALID when it is not one. */
export function readConnectionFile(path: string): ServerConnection {
  try {
    return connectionFileSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  } catch (error) {
    throw new AppError('CONNECTION_FILE_INVALID', {}, { cause: error });
  }
}

/** The app role's password, sealed in the keyring row under the data key. */
const APP_SECRET: SealedPlace = { table: 'keyring', column: 'app_secret', rowId: 1 };

/**
 * The same as the file vault's (where this PC keeps its part, the clock, the server's
 * migrations, how slots are made, the accounts' slots), and the file's migrations: a backup of
 * the server is a file of the one-PC format (copy-down.ts).
 */
export type ServerVaultOptions = VaultOptions & { fileMigrations: Readonly<Record<string, Migration>> };

/** Where a PC's one-PC vault waits after it moved up, until the first login on the server proves the move (then it goes). */
export const MOVED_UP_DIR = 'before-move-up';

/** Where the server's connection is kept while a move up is under way (it becomes this PC's at the end). */
export const MOVING_UP_DIR = 'moving-up';

/** Does this PC work against a server (its connection is kept in the data folder)? */
export function usesServer(dataDir: string): boolean {
  return existsSync(join(dataDir, SERVER_FILE));
}

/**
 * Connect this PC to the centre's server with the connection file `server:init` wrote: the
 * server's keyring is looked at (as the login role), and the connection kept. A server with a
 * keyring is joined (its staff log in); one without waits for this PC's setup.
 */
export async function connectToServer(dataDir: string, connection: ServerConnection): Promise<{ present: boolean }> {
  const address = addressOf(connection);
  const row = await readKeyringRow(address, connection.login);
  const file: ServerFile = {
    version: 1,
    host: connection.host,
    port: connection.port,
    database: connection.database,
    ca: connection.ca,
    login: connection.login,
    firstApp: row ? null : connection.firstApp,
    appRole: connection.appRole,
    present: row !== null,
    training: row ? parseKeyring(row.body).training === true : false,
  };
  writeFileAtomic(join(dataDir, SERVER_FILE), `${JSON.stringify(file, null, 2)}\n`);
  return { present: file.present };
}

/**
 * What a PC about to be connected shows of a connection file, so that the person can check it
 * with the administrator: the server's address, the database, the certificate authority's
 * SHA-256 fingerprint and end of validity, and whether a centre is set up there already.
 */
export interface ServerLook {
  host: string;
  port: number;
  database: string;
  certificate: { fingerprint: string; subject: string; validTo: string };
  present: boolean;
}

export async function lookAtServer(connection: ServerConnection): Promise<ServerLook> {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(connection.ca);
  } catch (error) {
    throw new AppError('CONNECTION_FILE_INVALID', {}, { cause: error });
  }
  const row = await readKeyringRow(addressOf(connection), connection.login);
  return {
    host: connection.host,
    port: connection.port,
    database: connection.database,
    certificate: {
      fingerprint: certificate.fingerprint256,
      subject: /(?:^|\n)CN=([^\n]*)/.exec(certificate.subject)?.[1] ?? certificate.subject,
      validTo: new Date(certificate.validTo).toISOString(),
    },
    present: row !== null,
  };
}

const addressOf = (file: Pick<ServerFile, 'host' | 'port' | 'database' | 'ca'>): ServerAddress => ({ host: file.host, port: file.port, database: file.database, ca: file.ca });

/** The keyring row as the login role reads it (null: no setup yet). */
async function readKeyringRow(address: ServerAddress, login: { user: string; password: string }): Promise<{ body: string; appSecret: Buffer | null } | null> {
  const pool = serverPool(address, login, { max: 1 });
  try {
    const { rows } = await pool.query<{ body: string; app_secret: Buffer | null }>('select body, app_secret from keyring where id = 1');
    const row = rows[0];
    return row ? { body: row.body, appSecret: row.app_secret } : null;
  } catch (error) {
    throw serverFailure(error);
  } finally {
    await pool.end();
  }
}

export class ServerVault extends OpenKeys implements Store {
  readonly kind = 'server';
  readonly dialect = postgresDialect;
  readonly unlockState: UnlockStateFile;
  readonly #path: string;
  #columns: ServerSealer | null = null;

  constructor(private readonly options: ServerVaultOptions) {
    super();
    this.#path = join(options.dataDir, SERVER_FILE);
    this.unlockState = new UnlockStateFile(join(options.dataDir, VAULT_FILES.unlockState), () => options.clock.now());
  }

  #file(): ServerFile {
    try {
      return serverFileSchema.parse(JSON.parse(readFileSync(this.#path, 'utf8')));
    } catch (error) {
      throw new AppError('VAULT_INCOMPLETE', {}, { cause: error });
    }
  }

  #saveFile(file: ServerFile): void {
    writeFileAtomic(this.#path, `${JSON.stringify(file, null, 2)}\n`);
  }

  /** Serialisable: what another PC committed meanwhile makes this transaction fail (a conflict), never silently lost. */
  begin(): Promise<ControlledTransaction<Database>> {
    return this.db.startTransaction().setIsolationLevel('serializable').execute();
  }

  /** PostgreSQL's serialisation failure and deadlock: the transaction was rolled back whole, and may run again. */
  isConflict(error: unknown): boolean {
    const code = (error as { code?: unknown } | null)?.code;
    return code === '40001' || code === '40P01';
  }

  explain(error: unknown): unknown {
    return serverFailure(error);
  }

  presence(): VaultPresence {
    if (!existsSync(this.#path)) return { state: 'absent' };
    try {
      return this.#file().present ? { state: 'present' } : { state: 'absent' };
    } catch {
      return { state: 'broken', problem: 'VAULT_INCOMPLETE' };
    }
  }

  /** Where this PC's records are kept: the server's address and database (null before it was connected). */
  place(): { host: string; port: number; database: string } | null {
    if (!existsSync(this.#path)) return null;
    try {
      const file = this.#file();
      return { host: file.host, port: file.port, database: file.database };
    } catch {
      return null;
    }
  }

  isTraining(): boolean {
    if (this.keyringIfOpen) return this.keyringIfOpen.training === true;
    return this.presence().state === 'present' && this.#file().training;
  }

  get columns(): ServerSealer {
    if (!this.#columns) throw new AppError('NOT_AUTHENTICATED');
    return this.#columns;
  }

  get migrations(): Readonly<Record<string, Migration>> {
    return this.options.migrations;
  }

  get backupMigrations(): Readonly<Record<string, Migration>> {
    return this.options.fileMigrations;
  }

  // ---- Creating (the first PC's setup) --------------------------------------------------------

  async prepare(admin: { username: string; password: string }, recoveryCode: string): Promise<PreparedVault> {
    if (this.presence().state !== 'absent') throw new AppError('VAULT_EXISTS');
    if (!existsSync(this.#path)) throw new AppError('VAULT_ABSENT');
    return prepareVault(this.options, admin, recoveryCode);
  }

  /**
   * The server's first content and its keyring, in one transaction with the app role's new
   * password (the first one, handed out by `server:init`, stops working at the commit): the
   * new one is known only sealed under the data key, in the keyring row.
   */
  async create(prepared: PreparedVault, seed: (trx: Db) => Promise<void>): Promise<void> {
    if (this.presence().state !== 'absent') throw new AppError('VAULT_EXISTS');
    const file = this.#file();
    if (!file.firstApp) throw new AppError('VAULT_EXISTS');
    const appPassword = newRolePassword();
    const keys = columnKeys(prepared.dataKey);
    const db = this.#kysely(file.firstApp, 1);
    try {
      await this.#assertSchema(db);
      await db.transaction().execute(async (trx) => {
        const at = isoNow(this.options.clock);
        await putSetting(trx, SEALING_KEY_SETTING, prepared.sealingPrivateKey, { userId: null, at });
        await putSetting(trx, KEYRING_PROOF_SETTING, 'required', { userId: null, at });
        await seed(trx);
        await sql`insert into keyring (id, body, app_secret, updated_at)
          values (1, ${keyringText(prepared.keyring, prepared.dataKey)}, ${sealText(keys, APP_SECRET, appPassword)}, ${at})`.execute(trx);
        await sql.raw(`alter role "${file.appRole}" password '${scramVerifier(appPassword)}'`).execute(trx);
      });
    } catch (error) {
      prepared.dataKey.fill(0);
      // Another PC's setup got there first: the keyring row exists.
      if ((error as { code?: unknown }).code === '23505') throw new AppError('VAULT_EXISTS', {}, { cause: error });
      throw serverFailure(error);
    } finally {
      wipe(keys);
      await db.destroy();
    }
    this.#saveFile({ ...file, firstApp: null, present: true, training: prepared.keyring.training === true });
    try {
      await this.#openWith(prepared.keyring, prepared.dataKey, appPassword);
    } catch (error) {
      prepared.dataKey.fill(0);
      throw error;
    }
  }

  // ---- Unlocking ------------------------------------------------------------------------------

  async unlockWithPassword(username: string, password: string): Promise<string> {
    const opened = await this.#unlock((keyring) => openPasswordSlot(keyring, username, password), 'auth.login', 'WRONG_CREDENTIALS', username);
    return opened ?? '';
  }

  async unlockWithRecoveryCode(code: string, username: string): Promise<void> {
    const canonical = normalizeRecoveryCode(code);
    await this.#unlock(
      async (keyring) => {
        const dataKey = canonical ? await openRecoverySlot(keyring, canonical) : null;
        return dataKey ? { dataKey, slotId: null, renewed: null } : null;
      },
      'auth.recover',
      'RECOVERY_CODE_INVALID',
      username,
    );
  }

  async #unlock(
    open: (keyring: Keyring) => Promise<{ dataKey: Buffer; slotId: string | null; renewed: unknown } | null>,
    action: 'auth.login' | 'auth.recover',
    failure: 'WRONG_CREDENTIALS' | 'RECOVERY_CODE_INVALID',
    username: string,
  ): Promise<string | null> {
    const waitMs = this.unlockState.retryAfterMs();
    if (waitMs > 0) throw new AppError('LOCKED_OUT', { retryAfterSeconds: Math.ceil(waitMs / 1000) });
    const presence = this.presence();
    if (presence.state === 'absent') throw new AppError('VAULT_ABSENT');
    if (presence.state === 'broken') throw new AppError(presence.problem);
    const file = this.#file();
    const row = await readKeyringRow(addressOf(file), file.login);
    if (!row || !row.appSecret) throw new AppError('SERVER_NOT_SET_UP');
    const keyring = parseKeyring(row.body);
    const opened = await open(keyring);
    if (!opened) {
      this.unlockState.recordFailure({ at: isoNow(this.options.clock), action, outcome: 'failed', errorCode: failure, sealedUsername: sealUsername(keyring.auditKey, username) });
      throw new AppError(failure);
    }
    // A keyring changed by someone without the data key (a slot added on the server) is refused.
    if (checkProof(keyring, opened.dataKey) !== 'proven') {
      opened.dataKey.fill(0);
      throw new AppError('KEYRING_UNPROVEN');
    }
    const keys = columnKeys(opened.dataKey);
    let appPassword: string;
    try {
      appPassword = openText(keys, APP_SECRET, row.appSecret);
    } catch (error) {
      opened.dataKey.fill(0);
      throw error;
    } finally {
      wipe(keys);
    }
    try {
      await this.#openWith(keyring, opened.dataKey, appPassword);
    } catch (error) {
      opened.dataKey.fill(0);
      throw error;
    }
    if (keyring.training !== file.training) this.#saveFile({ ...file, training: keyring.training === true });
    return opened.slotId;
  }

  async #openWith(keyring: Keyring, dataKey: Buffer, appPassword: string): Promise<void> {
    await this.close();
    const db = this.#kysely({ user: this.#file().appRole, password: appPassword }, 4);
    try {
      await this.#assertSchema(db);
    } catch (error) {
      await db.destroy();
      throw serverFailure(error);
    }
    this.#columns = new ServerSealer(dataKey);
    this.holdOpen(keyring, dataKey, db);
  }

  #kysely(role: { user: string; password: string }, max: number): Kysely<Database> {
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool: serverPool(addressOf(this.#file()), role, { max }) as pg.Pool }) });
  }

  /** The server's schema is this version's: newer refused (DATABASE_NEWER), older to be upgraded by server:init. */
  async #assertSchema(db: Kysely<Database>): Promise<void> {
    let names: string[];
    try {
      names = (await sql<{ name: string }>`select name from kysely_migration`.execute(db)).rows.map((row) => row.name);
    } catch (error) {
      // No migrations table: server:init never ran on this database.
      if ((error as { code?: unknown }).code === '42P01') throw new AppError('SERVER_NOT_SET_UP', {}, { cause: error });
      throw serverFailure(error);
    }
    const known = Object.keys(this.options.migrations);
    if (names.some((name) => !known.includes(name))) throw new AppError('DATABASE_NEWER');
    if (known.some((name) => !names.includes(name))) throw new AppError('SERVER_NOT_SET_UP');
  }

  takePendingEvents(): Promise<{ events: (PendingEvent & { username: string | null })[]; droppedEvents: number }> {
    return takePendingEvents(this.db, this.unlockState, SEALING_KEY_SETTING);
  }

  recordLockedEvent(event: PendingEvent): void {
    this.unlockState.recordEvent(event);
  }

  async close(): Promise<void> {
    this.#columns?.wipe();
    this.#columns = null;
    await this.dropOpen()?.destroy();
  }

  // ---- Slots ------------------------------------------------------------------------------------

  /**
   * The change is applied to the keyring row as it stands now, locked in the call's
   * transaction, so two PCs changing different slots at once both count: the slots this
   * change adds and removes, nothing else. A row whose proof fails is refused.
   */
  async saveKeyring(change: KeyringChange, db: Db): Promise<{ undo(): void; done(): void }> {
    const previous = this.keyring;
    const row = (await sql<{ body: string }>`select body from keyring where id = 1 for update`.execute(db)).rows[0];
    if (!row) throw new AppError('SERVER_NOT_SET_UP');
    const current = parseKeyring(row.body);
    if (checkProof(current, this.dataKey) !== 'proven') throw new AppError('KEYRING_UNPROVEN');
    const before = new Map(previous.slots.map((slot) => [slot.id, slot]));
    const after = new Map(change.keyring.slots.map((slot) => [slot.id, slot]));
    let next = current;
    for (const id of before.keys()) if (!after.has(id)) next = withoutSlot(next, id);
    for (const [id, slot] of after) if (before.get(id) !== slot) next = withSlot(next, slot);
    await sql`update keyring set body = ${keyringText(next, this.dataKey)}, updated_at = ${isoNow(this.options.clock)} where id = 1`.execute(db);
    this.keyring = next;
    return {
      undo: () => {
        this.keyring = previous;
      },
      done: () => {},
    };
  }

  // ---- The schema and erasure -------------------------------------------------------------------

  async hasTable(name: string): Promise<boolean> {
    const { rows } = await sql<{ found: number }>`select 1 as found from pg_tables where schemaname = 'public' and tablename = ${name}`.execute(this.db);
    return rows.length > 0;
  }

  purgeErasedPages(): void {
    // The app's role may not VACUUM (PostgreSQL 15 lets only a table's owner): the deleted rows,
    // whose words are sealed, wait for the server's autovacuum. An owner's vacuum after an
    // erasure is still to come (issue 16, "erasure deletes and vacuums").
  }

  // ---- Backups; restores and key rotation not yet on a server (issue 16) ------------------------

  /** Every record in one snapshot, opened and written into an encrypted file of the one-PC format. */
  backupSource(): ServerBackupSource {
    const db = this.db;
    const dataKey = this.dataKey;
    return { kind: 'server', copy: () => new CopyDown(db, dataKey, this.options.fileMigrations) };
  }

  restoreStaging(): never {
    throw notYet();
  }

  async rotatableSlotIds(): Promise<string[]> {
    throw notYet();
  }

  async stageRotation(): Promise<never> {
    throw notYet();
  }

  get switchUnderWay(): boolean {
    return false;
  }

  switchTo(): void {
    throw notYet();
  }

  /** After the first login on the server since this PC moved up: its one-PC vault, set aside then, goes. */
  removeDataOfBeforeRestore(): void {
    rmSync(join(this.options.dataDir, MOVED_UP_DIR), { recursive: true, force: true });
  }

  /** Forget this PC's connection (the tests' clean-up; a PC leaving the centre). */
  forgetServer(): void {
    rmSync(this.#path, { force: true });
  }
}

/** Backups, restore and rotation of a server are not built yet: said plainly, and nothing changes. */
function notYet(): AppError {
  return new AppError('SERVER_NOT_YET');
}
