import { existsSync, readFileSync, rmSync } from 'node:fs';
import { randomBytes, X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { Kysely, PostgresDialect, sql, type ControlledTransaction, type Migration } from 'kysely';
import type pg from 'pg';
import { z } from 'zod';
import { AppError } from '../app-error.ts';
import { isoNow } from '../clock.ts';
import { postgresDialect } from '../db/dialect.ts';
import type { Database, Db } from '../db/schema.ts';
import { holdTrail } from '../db/dialect.ts';
import { putSetting, settingValue } from '../db/setting-store.ts';
import { writeFileAtomic } from '../files.ts';
import { columnKeys, openText, sealText, wipe, type SealedPlace } from './column-seal.ts';
import { SECRET_SETTINGS, ServerSealer } from './column-sealers.ts';
import { prepareVault, type PreparedVault } from './creation.ts';
import { SEALING_KEY_SETTING, UNPROVEN_SLOTS_SETTING } from './key-file.ts';
import { firstProgress, keyChangeProgressSchema, sealAgain, type KeyChangeProgress } from './key-change.ts';
import type { SwitchKind } from './file-switch.ts';
import { rotatableSlots, rotatedKeyring, type RotationPlan } from './staging.ts';
import { checkProof, keyringText, openPasswordSlot, openRecoverySlot, parseKeyring, withSlot, withoutSlot, type Keyring } from './key-slots.ts';
import { OpenKeys } from './open-keys.ts';
import { normalizeRecoveryCode } from './recovery-code.ts';
import { seal as sealUsername } from './sealed-box.ts';
import { serverFailure, serverPool, type ServerAddress } from './server-connection.ts';
import { newRolePassword, scramVerifier, type ServerConnection } from './server-provision.ts';
import type { KeyringChange, PasswordUnlock, ServerBackupSource, Store, VaultPresence } from './store.ts';
import { CopyDown } from './copy-down.ts';
import type { VaultOptions } from './vault.ts';
import type { SessionSlot, SessionState } from '../session-state.ts';
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
    /** Which centre the server holds (its keyring's id, kept through moves, restores and key changes), once this PC has seen it. */
    vaultId: z.uuid().optional(),
  })
  .strict();
type ServerFile = z.infer<typeof serverFileSchema>;

/** A connection file as `server:init` writes it (what a PC is given to reach the server). */
const connectionFileSchema = serverFileSchema.omit({ present: true, training: true, vaultId: true });

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
  const row = (await readKeyringRows(address, connection.login)).first;
  const file = serverFileFor(connection, row ? parseKeyring(row.body) : null);
  writeFileAtomic(join(dataDir, SERVER_FILE), `${JSON.stringify(file, null, 2)}\n`);
  return { present: file.present };
}

/** What this PC keeps of a server: its connection, and whether (and which) centre is set up there. */
function serverFileFor(connection: ServerConnection, keyring: Keyring | null): ServerFile {
  return {
    version: 1,
    host: connection.host,
    port: connection.port,
    database: connection.database,
    ca: connection.ca,
    login: connection.login,
    firstApp: keyring ? null : connection.firstApp,
    appRole: connection.appRole,
    present: keyring !== null,
    training: keyring?.training === true,
    ...(keyring ? { vaultId: keyring.vaultId } : {}),
  };
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
  const row = (await readKeyringRows(addressOf(connection), connection.login)).first;
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

/**
 * The connection file picked in the shell's dialog, read and tried, kept in `slot` until the
 * person goes on with it (nothing kept when the dialog was closed or the file refused).
 */
export async function checkConnectionFile(betweenSessions: SessionState, slot: SessionSlot<ServerConnection | null>, chosenPath: string | null): Promise<{ chosen: boolean; server: ServerLook | null }> {
  betweenSessions.set(slot, null);
  if (!chosenPath) return { chosen: false, server: null };
  const connection = readConnectionFile(chosenPath);
  const server = await lookAtServer(connection);
  betweenSessions.set(slot, connection);
  return { chosen: true, server };
}

const addressOf = (file: Pick<ServerFile, 'host' | 'port' | 'database' | 'ca'>): ServerAddress => ({ host: file.host, port: file.port, database: file.database, ca: file.ca });

/** Row 1 of `keyring`: the centre's keyring, the app role's password sealed, the key's generation. */
interface KeyringRow {
  body: string;
  appSecret: Buffer | null;
  generation: number;
}

/** The keyring rows as the login role reads them: row 1 (null: no setup yet), and row 2 while a key change is under way. */
async function readKeyringRows(address: ServerAddress, login: { user: string; password: string }): Promise<{ first: KeyringRow | null; waiting: (KeyringRow & { progress: string | null }) | null }> {
  const pool = serverPool(address, login, { max: 1 });
  try {
    // `*`: a server not yet upgraded (no generation) still says what it is, and the schema check then says to upgrade it.
    const { rows } = await pool.query<{ id: number; body: string; app_secret: Buffer | null; generation?: number; progress?: string | null }>('select * from keyring order by id');
    const row = (id: number) => {
      const found = rows.find((candidate) => candidate.id === id);
      return found ? { body: found.body, appSecret: found.app_secret, generation: found.generation ?? 1, progress: found.progress ?? null } : null;
    };
    return { first: row(1), waiting: row(2) };
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
  /** The key's generation (keyring row 1) when this PC unlocked: another means the key changed since. */
  #generation = 0;
  /** A key change this PC is making, or is to finish (opened at an administrator's login). */
  #change: KeyChange | null = null;
  /** Another server this PC is to work with, in memory only until an administrator's login there keeps it (`moveToServer`). */
  #moving: ServerFile | null = null;

  constructor(private readonly options: ServerVaultOptions) {
    super();
    this.#path = join(options.dataDir, SERVER_FILE);
    this.unlockState = new UnlockStateFile(join(options.dataDir, VAULT_FILES.unlockState), () => options.clock.now());
  }

  #file(): ServerFile {
    if (this.#moving) return this.#moving;
    try {
      return serverFileSchema.parse(JSON.parse(readFileSync(this.#path, 'utf8')));
    } catch (error) {
      throw new AppError('VAULT_INCOMPLETE', {}, { cause: error });
    }
  }

  #saveFile(file: ServerFile): void {
    // While a move to another server waits for its administrator's login, nothing is written.
    if (this.#moving) {
      this.#moving = file;
      return;
    }
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
    const sealer = new ServerSealer(prepared.dataKey);
    const db = this.#kysely(file.firstApp, 1);
    try {
      await this.#assertSchema(db);
      await db.transaction().execute(async (trx) => {
        const at = isoNow(this.options.clock);
        await putSetting(trx, SEALING_KEY_SETTING, sealer.secretSetting(SEALING_KEY_SETTING, prepared.sealingPrivateKey), { userId: null, at });
        await putSetting(trx, KEYRING_PROOF_SETTING, 'required', { userId: null, at });
        await seed(trx);
        await sql`insert into keyring (id, body, app_secret, updated_at)
          values (1, ${keyringText(prepared.keyring, prepared.dataKey)}, ${sealSecret(prepared.dataKey, appPassword)}, ${at})`.execute(trx);
        await sql.raw(`alter role "${file.appRole}" password '${scramVerifier(appPassword)}'`).execute(trx);
      });
    } catch (error) {
      prepared.dataKey.fill(0);
      // Another PC's setup got there first: the keyring row exists.
      if ((error as { code?: unknown }).code === '23505') throw new AppError('VAULT_EXISTS', {}, { cause: error });
      throw serverFailure(error);
    } finally {
      sealer.wipe();
      await db.destroy();
    }
    this.#saveFile({ ...file, firstApp: null, present: true, training: prepared.keyring.training === true, vaultId: prepared.keyring.vaultId });
    try {
      await this.#openWith(prepared.keyring, prepared.dataKey, appPassword);
    } catch (error) {
      prepared.dataKey.fill(0);
      throw error;
    }
    // The keyring row's first generation (its column's default).
    this.#generation = 1;
  }

  // ---- Unlocking ------------------------------------------------------------------------------

  async unlockWithPassword(username: string, password: string, action: PasswordUnlock = 'auth.login'): Promise<string> {
    const opened = await this.#unlock((keyring) => openPasswordSlot(keyring, username, password), action, 'WRONG_CREDENTIALS', username);
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
    action: PasswordUnlock | 'auth.recover',
    failure: 'WRONG_CREDENTIALS' | 'RECOVERY_CODE_INVALID',
    username: string,
  ): Promise<string | null> {
    const waitMs = this.unlockState.retryAfterMs();
    if (waitMs > 0) throw new AppError('LOCKED_OUT', { retryAfterSeconds: Math.ceil(waitMs / 1000) });
    const presence = this.presence();
    if (presence.state === 'absent') throw new AppError('VAULT_ABSENT');
    if (presence.state === 'broken') throw new AppError(presence.problem);
    const file = this.#file();
    const rows = await readKeyringRows(addressOf(file), file.login);
    const row = rows.first;
    if (!row || !row.appSecret) throw new AppError('SERVER_NOT_SET_UP');
    const keyring = parseKeyring(row.body);
    const opened = await open(keyring);
    if (!opened) {
      this.unlockState.recordFailure({ at: isoNow(this.options.clock), action, outcome: 'failed', errorCode: failure, sealedUsername: sealUsername(keyring.auditKey, username) });
      throw new AppError(failure);
    }
    let change: KeyChange | null = null;
    try {
      // A keyring changed by someone without the data key (a slot added on the server) is refused.
      if (checkProof(keyring, opened.dataKey) !== 'proven') throw new AppError('KEYRING_UNPROVEN');
      const appPassword = openSecret(opened.dataKey, row.appSecret);
      // A key change cut short: only a person the new keyring knows may go on (an administrator, at her login: auth).
      if (rows.waiting) change = await waitingChange(rows.waiting, action === 'auth.login' ? open : null);
      await this.#openWith(keyring, opened.dataKey, appPassword);
    } catch (error) {
      opened.dataKey.fill(0);
      change?.dataKey.fill(0);
      throw error;
    }
    this.#generation = row.generation;
    this.#change = change;
    try {
      await this.#sealSecretSettings();
    } catch (error) {
      // Not left open without a session: the login fails whole.
      await this.close();
      throw error;
    }
    // What the server holds, as this PC last saw it (a PC joined before it kept the centre's id learns it here).
    if (keyring.training !== file.training || keyring.vaultId !== file.vaultId) this.#saveFile({ ...file, training: keyring.training === true, vaultId: keyring.vaultId });
    return opened.slotId;
  }

  /**
   * A server set up before its secret settings were sealed holds them in the clear: the first
   * unlock seals them (the same text, now under the data key). Harmless if two PCs do it at once.
   */
  async #sealSecretSettings(): Promise<void> {
    await sealSecretSettings(this.db, this.columns, this.columns, { onlyClear: true });
  }

  async #openWith(keyring: Keyring, dataKey: Buffer, appPassword: string): Promise<void> {
    await this.close();
    const db = this.#kysely({ user: this.#file().appRole, password: appPassword }, 4, { prepared: true });
    try {
      await this.#assertSchema(db);
    } catch (error) {
      await db.destroy();
      throw serverFailure(error);
    }
    this.#columns = new ServerSealer(dataKey);
    this.holdOpen(keyring, dataKey, db);
  }

  #kysely(role: { user: string; password: string }, max: number, options: { prepared?: boolean } = {}): Kysely<Database> {
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool: serverPool(addressOf(this.#file()), role, { max, ...options }) as pg.Pool }) });
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
    return takePendingEvents(this.db, this.unlockState, this.columns);
  }

  recordLockedEvent(event: PendingEvent): void {
    this.unlockState.recordEvent(event);
  }

  async close(): Promise<void> {
    this.#columns?.wipe();
    this.#columns = null;
    this.#change?.dataKey.fill(0);
    this.#change = null;
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

  // ---- Backups and key changes; restores not yet onto a server (issue 16) -----------------------

  /** Every record in one snapshot, opened and written into an encrypted file of the one-PC format. */
  backupSource(): ServerBackupSource {
    const db = this.db;
    const dataKey = this.dataKey;
    return { kind: 'server', copy: () => new CopyDown(db, dataKey, this.options.fileMigrations) };
  }

  restoreStaging(): never {
    throw notYet();
  }

  async rotatableSlotIds(db: Db): Promise<string[]> {
    return rotatableSlots(this.keyring, await this.options.activeSlotIds(db), await unprovenSlots(db));
  }

  /**
   * Change the data key (key-change.ts): the new keyring waits in row 2, written in a
   * transaction that holds the trail's lock, so no other PC's write comes after it under the old
   * key; every sealed column is sealed again; then `finishKeyChange`.
   */
  async stageRotation(db: Db, admin: { username: string; password: string; slotId: string | null }, recoveryCode: string, prepare: (db: Db, plan: RotationPlan) => Promise<void>): Promise<RotationPlan> {
    const active = await this.options.activeSlotIds(db);
    const unproven = await unprovenSlots(db);
    const newKey = randomBytes(32);
    try {
      const { keyring, plan } = await rotatedKeyring({ keyring: this.keyring, active, unproven }, admin, recoveryCode, newKey);
      const change: KeyChange = { keyring, dataKey: newKey, appPassword: newRolePassword(), progress: firstProgress(plan) };
      await this.#writing(async (trx) => {
        await this.#keyStillCurrent(trx);
        await sql`insert into keyring (id, body, app_secret, generation, progress, updated_at)
          values (2, ${keyringText(keyring, newKey)}, ${sealSecret(newKey, change.appPassword)}, ${this.#generation}, ${JSON.stringify(change.progress)}, ${isoNow(this.options.clock)})`.execute(trx);
      });
      this.#change = change;
    } catch (error) {
      newKey.fill(0);
      throw error;
    }
    return this.finishKeyChange(prepare);
  }

  /** A key change waits to be finished by this PC (begun here, or cut short and opened at this login). */
  get keyChangeToFinish(): boolean {
    return this.#change !== null;
  }

  /**
   * Seal what is left again, then, in one transaction holding the trail's lock: the new keyring
   * in row 1 (its generation one up), row 2 gone, `prepare` (accounts whose slots were dropped,
   * the audit entry) and the app role's new password, known only sealed under the new key. The
   * role's old password, which a copy of the old keyring row opens, stops working there.
   */
  async finishKeyChange(prepare: (db: Db, plan: RotationPlan) => Promise<void>): Promise<RotationPlan> {
    const change = this.#change;
    if (!change) throw new AppError('INTERNAL');
    const to = new ServerSealer(change.dataKey);
    try {
      change.progress = await sealAgain(this.db, this.columns, to, change.progress);
      const plan: RotationPlan = { carriedSlotIds: change.progress.carried, droppedSlotIds: change.progress.dropped };
      const appRole = this.#file().appRole;
      await this.#writing(async (trx) => {
        const waiting = (await sql<{ body: string; app_secret: Buffer }>`select body, app_secret from keyring where id = 2 for update`.execute(trx)).rows[0];
        if (!waiting) throw new AppError('KEY_CHANGED');
        await sql`update keyring set body = ${waiting.body}, app_secret = ${waiting.app_secret}, generation = generation + 1, updated_at = ${isoNow(this.options.clock)} where id = 1`.execute(trx);
        await sql`delete from keyring where id = 2`.execute(trx);
        await sealSecretSettings(trx, this.columns, to, { onlyClear: false });
        await prepare(trx, plan);
        await sql.raw(`alter role "${appRole}" password '${scramVerifier(change.appPassword)}'`).execute(trx);
      });
      return plan;
    } finally {
      to.wipe();
    }
  }

  /**
   * Is the key this PC holds still the centre's (the gate reads `keyState` with its first read
   * instead)? While a change is under way on another PC, or after it, no: the session ends, and
   * the person logs in again (with the new key, once the change is done).
   */
  async #keyStillCurrent(db: Db): Promise<void> {
    const { rows } = await sql<{ state: string | null }>`select ${this.keyState} as state`.execute(db);
    this.checkKeyState(rows[0]?.state);
  }

  /** The keyring's rows as `id/generation`, for a read that carries them (the gate's first read in a call). */
  readonly keyState = sql<string | null>`(select string_agg(id || '/' || generation, ' ') from keyring)`;

  checkKeyState(state: unknown): void {
    const rows = String(state ?? '')
      .split(' ')
      .filter(Boolean)
      .map((pair) => pair.split('/').map(Number));
    if (rows.some(([id]) => id === 2)) throw new AppError('KEY_CHANGE_UNDER_WAY');
    if (rows.find(([id]) => id === 1)?.[1] !== this.#generation) throw new AppError('KEY_CHANGED');
  }

  /** A transaction of the key change's own, holding the trail's lock; run again when another PC's got in the way. */
  async #writing(body: (trx: Db) => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const trx = await this.begin();
      try {
        await holdTrail(trx, this.dialect);
        await body(trx);
        await trx.commit().execute();
        return;
      } catch (error) {
        await trx.rollback().execute().catch(() => {});
        if (!this.isConflict(error) || attempt === 6) throw error;
      }
    }
  }

  get switchUnderWay(): boolean {
    return false;
  }

  /** A restore onto the server is not built yet; a key change is done by `stageRotation` itself, nothing is left to switch. */
  switchTo(kind: SwitchKind): void {
    if (kind !== 'rotate') throw notYet();
  }

  /** After the first login on the server since this PC moved up: its one-PC vault, set aside then, goes. */
  removeDataOfBeforeRestore(): void {
    rmSync(join(this.options.dataDir, MOVED_UP_DIR), { recursive: true, force: true });
  }

  /** Forget this PC's connection (the tests' clean-up; a PC leaving the centre). */
  forgetServer(): void {
    rmSync(this.#path, { force: true });
  }

  /**
   * Work with another server, one that holds this centre's records (restored or moved to a new
   * database): its keyring must be the centre's this PC knows. Until `keep`, the new connection
   * is used from memory only, so a refusal, a crash or a power cut meanwhile leaves this PC's
   * file naming its old server; `drop` goes back to it.
   */
  async moveToServer(connection: ServerConnection): Promise<{ keep(): void; drop(): void }> {
    if (this.isOpen || this.#moving) throw new AppError('VAULT_EXISTS');
    const file = this.#file();
    const row = (await readKeyringRows(addressOf(connection), connection.login)).first;
    // An empty database is a new centre's: the records are moved up into it from a PC, not joined.
    if (!row) throw new AppError('SERVER_OTHER_CENTRE');
    const keyring = parseKeyring(row.body);
    if (keyring.vaultId !== (file.vaultId ?? (await this.#centreHere(file)))) throw new AppError('SERVER_OTHER_CENTRE');
    this.#moving = serverFileFor(connection, keyring);
    return {
      keep: () => {
        const moved = this.#moving;
        this.#moving = null;
        if (moved) this.#saveFile(moved);
      },
      drop: () => {
        this.#moving = null;
      },
    };
  }

  /** Which centre this PC's server holds, asked of it (for a PC that has not kept it yet). */
  async #centreHere(file: ServerFile): Promise<string> {
    try {
      const row = (await readKeyringRows(addressOf(file), file.login)).first;
      if (row) return parseKeyring(row.body).vaultId;
    } catch {
      // Unreachable (the old database closed after a restore): said as such below.
    }
    throw new AppError('SERVER_CENTRE_UNKNOWN');
  }
}

/** A key change this PC makes or finishes: the new keyring and key, the app role's next password, how far it came. */
interface KeyChange {
  keyring: Keyring;
  dataKey: Buffer;
  appPassword: string;
  progress: KeyChangeProgress;
}

/** The app role's password sealed for a keyring row under its data key. */
function sealSecret(dataKey: Buffer, password: string): Buffer {
  const keys = columnKeys(dataKey);
  try {
    return sealText(keys, APP_SECRET, password);
  } finally {
    wipe(keys);
  }
}

/** The app role's password, opened from a keyring row under its data key. */
function openSecret(dataKey: Buffer, sealed: Buffer | null): string {
  if (!sealed) throw new AppError('SERVER_NOT_SET_UP');
  const keys = columnKeys(dataKey);
  try {
    return openText(keys, APP_SECRET, sealed);
  } finally {
    wipe(keys);
  }
}

/**
 * The key change waiting in row 2, opened with the same password (`open`), when it opens there:
 * otherwise nobody may work until an administrator has finished it (KEY_CHANGE_UNDER_WAY).
 */
async function waitingChange(waiting: KeyringRow & { progress: string | null }, open: ((keyring: Keyring) => Promise<{ dataKey: Buffer } | null>) | null): Promise<KeyChange> {
  const keyring = parseKeyring(waiting.body);
  const opened = open ? await open(keyring) : null;
  if (!opened) throw new AppError('KEY_CHANGE_UNDER_WAY');
  try {
    if (checkProof(keyring, opened.dataKey) !== 'proven') throw new AppError('KEYRING_UNPROVEN');
    const progress = keyChangeProgressSchema.parse(JSON.parse(waiting.progress ?? 'null'));
    return { keyring, dataKey: opened.dataKey, appPassword: openSecret(opened.dataKey, waiting.appSecret), progress };
  } catch (error) {
    opened.dataKey.fill(0);
    throw error;
  }
}

/**
 * The secret settings opened with `from` and sealed with `to`: all of them (a key change), or
 * only those still in the clear (a server set up before they were sealed). A row changed since
 * it was read is left as the other writer made it.
 */
async function sealSecretSettings(db: Db, from: ServerSealer, to: ServerSealer, { onlyClear }: { onlyClear: boolean }): Promise<void> {
  for (const row of await db.selectFrom('setting').select(['key', 'value']).where('key', 'in', [...SECRET_SETTINGS]).execute()) {
    const stored = JSON.parse(row.value) as unknown;
    if (onlyClear && typeof stored !== 'string') continue;
    const text = from.openSecretSetting(row.key, stored);
    if (text !== null) await db.updateTable('setting').set({ value: JSON.stringify(to.secretSetting(row.key, text)) }).where('key', '=', row.key).where('value', '=', row.value).execute();
  }
}

/** The accounts' slots a key change could not carry before (sealed ones kept from an unproven keyring). */
async function unprovenSlots(db: Db): Promise<Set<string>> {
  const ids = await settingValue(db, UNPROVEN_SLOTS_SETTING);
  return new Set(Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : []);
}

/** A restore onto a server is not built yet: said plainly, and nothing changes. */
function notYet(): AppError {
  return new AppError('SERVER_NOT_YET');
}
