import type { Migration, RawBuilder } from 'kysely';
import type { SessionUser } from '../contract/session.ts';
import type { CallProgress } from '../contract/shell.ts';
import { ERROR_CODES, type ErrorCode } from '../contract/errors.ts';
import { isChannelName } from '../contract/index.ts';
import { LOCK_TIMEOUT_MINUTES } from '../contract/schemas.ts';
import { migrations as allMigrations } from '../../migrations/index.ts';
import { appendAudit, type AuditRecord } from './audit/trail.ts';
import { isoNow, systemClock, type Clock } from './clock.ts';
import type { UserRow } from './db/schema.ts';
import { SerialQueue } from './serial-queue.ts';
import { SessionState } from './session-state.ts';
import type { Db } from './db/schema.ts';
import type { ScryptParams } from './vault/kdf.ts';
import type { Store } from './vault/store.ts';
import { Vault } from './vault/vault.ts';
import { connectToServer, MOVED_UP_DIR, MOVING_UP_DIR, SERVER_FILE, ServerVault, usesServer, type ServerVaultOptions } from './vault/server-vault.ts';
import { copyFileToServer, type MovedUp } from './vault/move-up.ts';
import { ServerSealer } from './vault/column-sealers.ts';
import { readKeyring } from './vault/key-slots.ts';
import { SEALING_KEY_SETTING } from './vault/key-file.ts';
import { VAULT_FILES } from './vault/vault-files.ts';
import { postgresDialect } from './db/dialect.ts';
import { settingValue } from './db/setting-store.ts';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerConnection } from './vault/server-provision.ts';
import { serverMigrations } from '../../migrations/server/index.ts';
import { AppError } from './app-error.ts';

export type Session = SessionUser;
/**
 * Why a session ended: the lock button, inactivity, the computer locked or asleep, the app
 * closed, the system session ended (shutdown, restart, logoff), the window's page died, logout.
 */
export type LockReason = 'manual' | 'idle' | 'os' | 'quit' | 'shutdown' | 'window' | 'logout';

/**
 * What a feature asks of the kernel at moments only the kernel sees. The kernel names no
 * feature: the composition root (index.ts) hands it each feature's hooks.
 */
export interface FeatureHooks {
  /** After someone has logged in, before the session is used (a restored backup's erasures go again). */
  afterLogin?: (core: Core, userId: number) => Promise<unknown>;
  /** On the shell's timer, in the queue; says whether it did anything. */
  onTimer?: (core: Core) => Promise<boolean>;
  /** At shutdown, in the queue, while the vault is still open (the exit backup). */
  beforeShutdown?: (core: Core) => Promise<unknown>;
  /**
   * The dialogs it needs: the file a call on one of its channels (contract `pathFrom:
   * 'saveFile'`) offers to save, by name and extension; null when the input names nothing to save.
   */
  fileToSave?: (core: Core, channel: string, input: unknown) => { fileName: string; extension: string } | null;
}

/** What the kernel's own steps need from a call (the gate's HandlerContext has these and more). */
export interface CallSteps {
  db: Db;
  requireSession(): Session;
  onCommitted(step: () => void | Promise<void>): void;
  whenDone(step: () => void | Promise<void>): void;
}

/**
 * What the kernel asks of the accounts, without knowing how they are kept (createCore gives
 * it the users' and settings' modules).
 */
export interface SessionSource {
  /** The key slots of active accounts: the only ones the vault lets keep the data key. */
  activeSlotIds(db: Db): Promise<ReadonlySet<string>>;
  /** Someone has just logged in: her login time is recorded; the session as the database says now. */
  startedSession(db: Db, userId: number, at: string): Promise<Session>;
  /** The logged-in person as the database says now (after a change to her own account). */
  sessionOf(db: Db, userId: number): Promise<Session>;
  /**
   * The same, or null when her account is no longer active (deactivated at another PC). The
   * read carries `carry`'s columns too (named as given; their values undefined when her account
   * is gone): a call's first read brings what else it must know.
   */
  activeSessionOf(db: Db, userId: number, carry?: Readonly<Record<string, RawBuilder<unknown>>>): Promise<{ session: Session | null; carried: Record<string, unknown> }>;
  /** The account a username names, if any (to name it in events recorded while locked). */
  userIdOf(db: Db, username: string): Promise<number | null>;
  /** How long the app waits without activity before it locks, as the centre set it. */
  lockTimeoutMinutes(db: Db): Promise<number>;
}

export interface CoreOptions {
  dataDir: string;
  /** The features' hooks (createCore passes them all). */
  hooks?: readonly FeatureHooks[];
  /** The accounts, as the kernel needs them (createCore passes them). */
  sessions: SessionSource;
  clock?: Clock;
  calibrateKdf?: () => Promise<ScryptParams>;
  migrations?: Readonly<Record<string, Migration>>;
  /** New vaults are training vaults (the seed tool). */
  training?: boolean;
  /** Where core reports unexpected failures: codes and error names only, never data. */
  log?: (line: string) => void;
}

/**
 * The running state of core: the vault, who is logged in, idle tracking, and what features keep
 * for a session or between sessions (slots the kernel lets go without knowing what they hold).
 * Requests reach it only through the gate.
 */
export class Core {
  #vault: Store;
  readonly dataDir: string;
  readonly hooks: readonly FeatureHooks[];
  readonly clock: Clock;
  readonly queue = new SerialQueue();
  readonly log: (line: string) => void;
  readonly sessions: SessionSource;
  session: Session | null = null;
  lockedUsername: string | null = null;
  /** What the features keep for this session (each declares its slot); forgotten at lock and logout. */
  readonly state = new SessionState();
  /**
   * What the features keep while nobody is logged in (a setup waiting for its recovery code to
   * be confirmed, a new computer's restore, what the login screen must say after a restore or
   * a key change); forgotten when someone logs in, and at shutdown.
   */
  readonly betweenSessions = new SessionState();
  lockTimeoutMinutes: number = LOCK_TIMEOUT_MINUTES.default;
  /** Changes whenever a session starts or ends: a call prepared in one session never runs in another. */
  sessionSerial = 0;
  #lastActivityAt = 0;
  #lockListeners = new Set<(reason: LockReason) => void>();
  #progressListeners = new Set<(progress: CallProgress) => void>();
  #stopAsked = false;

  constructor(options: CoreOptions) {
    this.dataDir = options.dataDir;
    this.hooks = options.hooks ?? [];
    this.clock = options.clock ?? systemClock;
    this.log = options.log ?? ((line) => console.error(line));
    this.sessions = options.sessions;
    this.#storeOptions = {
      dataDir: options.dataDir,
      clock: this.clock,
      calibrateKdf: options.calibrateKdf,
      training: options.training,
      activeSlotIds: (db: Db) => options.sessions.activeSlotIds(db),
    };
    this.#fileMigrations = options.migrations ?? allMigrations;
    this.#vault = usesServer(options.dataDir) ? this.#serverVault() : new Vault({ ...this.#storeOptions, migrations: this.#fileMigrations });
  }

  readonly #storeOptions: Omit<ServerVaultOptions, 'migrations' | 'fileMigrations'>;
  readonly #fileMigrations: Readonly<Record<string, Migration>>;

  /**
   * The store of the records (vault/store.ts): the encrypted file on this PC, or the centre's
   * server when this PC was connected to one (its connection is kept in the data folder).
   */
  get vault(): Store {
    return this.#vault;
  }

  #serverVault(): ServerVault {
    return new ServerVault({ ...this.#storeOptions, migrations: serverMigrations, fileMigrations: this.#fileMigrations });
  }

  /**
   * Work against the centre's server from now on (setup's first step on a PC with no data):
   * the server is looked at, and its connection kept. A server already set up is joined (its
   * staff log in here); one without a keyring waits for this PC's setup.
   */
  async connectToServer(connection: ServerConnection): Promise<{ present: boolean }> {
    this.mayConnectToServer();
    const { present } = await connectToServer(this.dataDir, connection);
    this.#vault = this.#serverVault();
    return { present };
  }

  /** Only a new PC (no vault of its own, not connected yet) may be connected to a server: VAULT_EXISTS otherwise. */
  mayConnectToServer(): void {
    if (this.#vault.kind !== 'file' || this.#vault.isOpen || this.#vault.presence().state !== 'absent') throw new AppError('VAULT_EXISTS');
  }

  /** A PC that works with a centre's server, which an administrator may move to another (login screen): FORBIDDEN otherwise. */
  serverToMove(): ServerVault {
    const server = this.#vault;
    if (!(server instanceof ServerVault) || server.presence().state !== 'present') throw new AppError('FORBIDDEN');
    return server;
  }

  /**
   * Before a centre is set up on the server this PC was connected to: forget that server, and
   * keep the records on this PC after all (or pick another server's connection file).
   */
  leaveServer(): void {
    const server = this.#vault;
    if (!(server instanceof ServerVault) || server.isOpen || server.presence().state !== 'absent') throw new AppError('VAULT_EXISTS');
    server.forgetServer();
    this.#vault = new Vault({ ...this.#storeOptions, migrations: this.#fileMigrations });
  }

  /**
   * Move this PC's one-PC vault up to the centre's server (DESIGN.md §8), from the backup screen:
   * the server's new, empty database (its connection file from `server:init`) receives every
   * record, sealed on the way, under the same keyring (the same passwords and recovery code open
   * it), with the move recorded at the end of the trail it continues. Then this PC works against
   * the server: the session ends, and the one-PC vault is set aside until the first login there.
   */
  async moveUp(connection: ServerConnection, actorId: number): Promise<MovedUp> {
    const file = this.#vault;
    if (!(file instanceof Vault) || !file.isOpen) throw new AppError('NOT_AUTHENTICATED');
    const staging = join(this.dataDir, MOVING_UP_DIR);
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging);
    let moved: MovedUp | null = null;
    try {
      // A server that already holds a centre's records is never written over.
      if ((await connectToServer(staging, connection)).present) throw new AppError('VAULT_EXISTS');
      const source = file.backupSource();
      const server = new ServerVault({ ...this.#storeOptions, dataDir: staging, migrations: serverMigrations, fileMigrations: this.#fileMigrations });
      const sealingPrivateKey = await settingValue(file.db, SEALING_KEY_SETTING);
      if (typeof sealingPrivateKey !== 'string') throw new AppError('VAULT_INCOMPLETE');
      const prepared = { keyring: readKeyring(source.keyringPath), dataKey: Buffer.from(source.dataKey), adminSlotId: '', sealingPrivateKey };
      const sealer = new ServerSealer(source.dataKey);
      await server.create(prepared, async (trx) => {
        moved = await copyFileToServer(source.sqlite, trx, sealer);
        await appendAudit(trx, postgresDialect, { at: this.nowIso(), actorId, action: 'vault.moveUp', outcome: 'ok', errorCode: null, targetType: null, detail: { rows: moved.total } });
      });
      await server.close();
    } catch (error) {
      rmSync(staging, { recursive: true, force: true });
      throw error;
    }
    // This PC now works against the server; its one-PC vault waits aside for the first login there.
    await this.endSession('logout');
    const aside = join(this.dataDir, MOVED_UP_DIR);
    mkdirSync(aside, { recursive: true });
    for (const name of [VAULT_FILES.database, `${VAULT_FILES.database}-wal`, `${VAULT_FILES.database}-shm`, VAULT_FILES.keyring]) {
      if (existsSync(join(this.dataDir, name))) renameSync(join(this.dataDir, name), join(aside, name));
    }
    renameSync(join(staging, SERVER_FILE), join(this.dataDir, SERVER_FILE));
    rmSync(staging, { recursive: true, force: true });
    this.#vault = this.#serverVault();
    return moved!;
  }

  nowIso(): string {
    return isoNow(this.clock);
  }

  /**
   * Record an audit entry: in the trail when the database is open, otherwise (a refused or
   * failed attempt while locked) in the unlock-state file, to be moved into the trail at the
   * next unlock.
   */
  async audit(record: Omit<AuditRecord, 'at'>, db?: Db): Promise<void> {
    const at = this.nowIso();
    if (this.vault.isOpen) {
      await appendAudit(db ?? this.vault.db, this.vault.dialect, { ...record, at });
    } else if (record.outcome !== 'ok' && isChannelName(record.action) && this.vault.presence().state === 'present') {
      this.vault.recordLockedEvent({
        at,
        action: record.action,
        outcome: record.outcome,
        errorCode: isErrorCode(record.errorCode) ? record.errorCode : 'INTERNAL',
        sealedUsername: null,
      });
    }
  }

  /** Move events recorded while locked into the trail, naming the account that was tried, if it exists. */
  async flushLockedEvents(): Promise<void> {
    const db = this.vault.db;
    const { events, droppedEvents } = await this.vault.takePendingEvents();
    for (const event of events) {
      const userId = event.username ? await this.sessions.userIdOf(db, event.username) : null;
      await appendAudit(db, this.vault.dialect, {
        at: event.at,
        actorId: null,
        action: event.action,
        outcome: event.outcome,
        errorCode: event.errorCode,
        targetType: userId === null ? null : 'user',
        targetId: userId,
        detail: { recordedWhileLocked: true },
      });
    }
    if (droppedEvents > 0) {
      await appendAudit(db, this.vault.dialect, {
        at: this.nowIso(),
        actorId: null,
        action: 'audit.eventsDropped',
        outcome: 'failed',
        errorCode: null,
        detail: { count: droppedEvents },
      });
    }
  }

  async startSession(user: Pick<UserRow, 'id'>): Promise<Session> {
    const db = this.vault.db;
    // What was kept for the time nobody was logged in has served (the login screen's notices).
    this.betweenSessions.clear(this.log);
    this.session = await this.sessions.startedSession(db, user.id, this.nowIso());
    this.sessionSerial++;
    this.lockTimeoutMinutes = await this.sessions.lockTimeoutMinutes(db);
    this.lockedUsername = null;
    // The features' own steps after a login (a restored backup's erasures go again).
    for (const hook of this.hooks) await hook.afterLogin?.(this, user.id);
    // After a restore, the restored data has now opened: the copy of before is not kept.
    try {
      this.vault.removeDataOfBeforeRestore();
    } catch (error) {
      this.log(`[restore] the data of before the restore could not be removed: ${(error as { code?: string } | null)?.code ?? 'error'}`);
    }
    this.touch();
    return this.session;
  }

  /**
   * The logged-in person as the call's transaction now sees her (after a change to her own
   * account); the session follows once the call commits.
   */
  async refreshSessionOnCommit(ctx: Pick<CallSteps, 'db' | 'requireSession' | 'onCommitted'>): Promise<Session> {
    const current = ctx.requireSession();
    const session = await this.sessions.sessionOf(ctx.db, current.id);
    ctx.onCommitted(() => {
      this.session = session;
    });
    return session;
  }

  /**
   * At the start of every call's transaction: the logged-in person as the database says now.
   * Another PC may have deactivated her account or changed her roles since she logged in; the
   * session follows at once (null: her account is no longer active).
   */
  async currentSession(db: Db, carry?: Readonly<Record<string, RawBuilder<unknown>>>): Promise<{ session: Session | null; carried: Record<string, unknown> }> {
    if (!this.session) return { session: null, carried: {} };
    const current = await this.sessions.activeSessionOf(db, this.session.id, carry);
    if (current.session) this.session = current.session;
    return current;
  }

  /** Someone logs in while another session is open: that session ends first, and is recorded. */
  async endSessionForSwitch(): Promise<void> {
    if (!this.session) return;
    await this.audit({ actorId: this.session.id, action: 'auth.logout', outcome: 'ok', detail: { reason: 'switch' } });
    await this.endSession('logout');
  }

  /**
   * After a successful unlock, run the rest of a login; if any step fails, close the vault again
   * once the failure is recorded, so it never stays open without a session.
   */
  async completeUnlock<T>(ctx: Pick<CallSteps, 'whenDone'>, steps: () => Promise<T>): Promise<T> {
    try {
      return await steps();
    } catch (error) {
      ctx.whenDone(() => this.endSession('logout'));
      throw error;
    }
  }

  touch(): void {
    this.#lastActivityAt = this.clock.now();
  }

  /**
   * End the session and close the vault. A lock remembers who was working (the lock screen
   * offers her name); a logout does not. Key buffers are overwritten by the vault.
   */
  async endSession(reason: LockReason): Promise<void> {
    this.lockedUsername = reason === 'logout' || reason === 'quit' || reason === 'shutdown' ? null : (this.session?.username ?? null);
    this.session = null;
    this.sessionSerial++;
    // Each feature's session state goes (an unfinished backup's folder too); a failure to let one
    // go (a drive pulled out, a busy file) is logged and does not stop the lock.
    this.state.clear(this.log);
    await this.vault.close();
    for (const listener of this.#lockListeners) listener(reason);
  }

  /** Lock from outside a request (OS lock or suspend, quitting), in the queue's turn. */
  lock(reason: Exclude<LockReason, 'logout'>): Promise<boolean> {
    return this.queue.run(() => this.#lockNow(reason));
  }

  /** Called on a timer by main (and by the test harness with a moved clock). */
  checkIdle(): Promise<boolean> {
    return this.queue.run(async () => {
      const idleMs = this.clock.now() - this.#lastActivityAt;
      if (this.session && idleMs < this.lockTimeoutMinutes * 60_000) return false;
      return this.#lockNow('idle');
    });
  }

  async #lockNow(reason: Exclude<LockReason, 'logout'>): Promise<boolean> {
    if (!this.session) {
      // Never leave the database open without someone logged in.
      if (!this.vault.isOpen) return false;
      await this.endSession(reason);
      return true;
    }
    try {
      await this.audit({ actorId: this.session.id, action: 'auth.lock', outcome: 'ok', detail: { reason } });
    } catch (error) {
      // Locking matters more than recording it: close the database even if the entry fails.
      this.log(`[core] audit of lock failed: ${(error as Error).name}`);
    }
    await this.endSession(reason);
    return true;
  }

  /** After an erasure committed: no page or log of the store keeps the erased content. */
  purgeErasedPages(): void {
    this.vault.purgeErasedPages(this.log);
  }

  onLocked(listener: (reason: LockReason) => void): () => void {
    this.#lockListeners.add(listener);
    return () => this.#lockListeners.delete(listener);
  }

  /** Listen to how far long calls have come (the shell passes it to the window). */
  onProgress(listener: (progress: CallProgress) => void): () => void {
    this.#progressListeners.add(listener);
    return () => this.#progressListeners.delete(listener);
  }

  /** A long call that may be stopped arrives (the gate, for a `stoppable` channel): a stop asked for before it is forgotten. */
  beginStoppable(): void {
    this.#stopAsked = false;
  }

  /** A long call says how far it has come. */
  progress(channel: string, done: number, total: number): void {
    for (const listener of this.#progressListeners) listener({ channel, done, total });
  }

  /** The window asks the long call under way to stop; it stops at its next step. */
  askToStop(): void {
    this.#stopAsked = true;
  }

  /** Whether the person asked the long call under way to stop. */
  get stopAsked(): boolean {
    return this.#stopAsked;
  }


  /** The features' timed work, such as a scheduled backup when one is due (main calls this on a timer). */
  scheduledBackup(): Promise<boolean> {
    return this.queue.run(async () => {
      let did = false;
      for (const hook of this.hooks) did = (await hook.onTimer?.(this)) === true || did;
      return did;
    });
  }

  async shutdown(reason: Extract<LockReason, 'quit' | 'shutdown'> = 'quit'): Promise<void> {
    // The last backup of the day, while the vault is still open; whatever happens to it, the
    // app locks and closes the database.
    try {
      await this.queue.run(async () => {
        for (const hook of this.hooks) await hook.beforeShutdown?.(this);
      });
    } finally {
      // What is kept while nobody is logged in goes (a setup's keys, a new computer's staged copy).
      this.betweenSessions.clear(this.log);
      await this.lock(reason);
      await this.vault.close();
    }
  }
}

function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code);
}
