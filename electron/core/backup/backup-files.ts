import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { BACKUP_COUNTED_TABLES, BACKUP_FORMAT, backupManifestSchema, type BackupManifest, type BackupSummary } from '../../contract/backup.ts';
import { AppError, storageFailure } from '../app-error.ts';
import { chunkOfFile, sha256Of, writeFileAtomic } from '../files.ts';
import { openEncrypted, type SqliteHandle } from '../vault/database.ts';
import { readKeyring } from '../vault/key-slots.ts';
import { VAULT_FILES } from '../vault/vault-files.ts';
import { chunksOf, COST, letGoOfAll, megabytes, SteppedJob, type JobStep } from './stepped-job.ts';
import type { BackupSource, ServerBackupSource } from '../vault/store.ts';
import { referencesHold, type CopyDown } from '../vault/copy-down.ts';
import packageJson from '../../../package.json' with { type: 'json' };

/*
 * A backup is a folder of its own: the encrypted database (made by VACUUM INTO, which keeps
 * the database's key; SQLite's online backup does not work between encrypted databases), the
 * keyring of that moment, and a manifest with the app and schema versions, the time, counts
 * and each file's SHA-256. The folder name says when, and nothing else.
 */

export const MANIFEST = 'manifest.json';
const BACKUP_PREFIX = 'dong-hanh-sao-luu-';
const APP_VERSION: string = packageJson.version;

export function countsOf(db: SqliteHandle): BackupManifest['counts'] {
  return Object.fromEntries(BACKUP_COUNTED_TABLES.map((table) => [table, Number(db.prepare(`select count(*) from "${table}"`).pluck().get())])) as BackupManifest['counts'];
}

function schemaOf(db: SqliteHandle): string {
  return String(db.prepare('select max(name) from kysely_migration').pluck().get() ?? '');
}

const pad = (value: number) => String(value).padStart(2, '0');
function folderNameFor(at: Date): string {
  return `${BACKUP_PREFIX}${at.getFullYear()}${pad(at.getMonth() + 1)}${pad(at.getDate())}-${pad(at.getHours())}${pad(at.getMinutes())}${pad(at.getSeconds())}`;
}

/** Is this the name the app gives a backup folder (a time, nothing else)? */
export function isBackupFolderName(name: string): boolean {
  return new RegExp(`^${BACKUP_PREFIX}\\d{8}-\\d{6}$`).test(name);
}

/**
 * A backup folder's name for the trail: the app's own names (a time) only. A folder the person
 * picked or renamed could be called anything, a client's name included; the path never goes in.
 */
export const folderForTrail = (folder: string): string => (isBackupFolderName(basename(folder)) ? basename(folder) : 'renamed');

/** The facts of a backup for its audit entry: when it was made and its folder's name. */
export const backupDetail = (summary: { folderName: string; createdAt: string; trigger: string }) => ({ backup: folderForTrail(summary.folderName), createdAt: summary.createdAt, trigger: summary.trigger });

export function summaryOf(folderName: string, manifest: BackupManifest): BackupSummary {
  return {
    folderName,
    createdAt: manifest.createdAt,
    trigger: manifest.trigger,
    schema: manifest.schema,
    app: manifest.app,
    counts: manifest.counts,
    bytes: manifest.files.database.bytes + manifest.files.keyring.bytes,
  };
}

/** A backup of this app cut short (the app was killed, the drive pulled out): a hidden folder. */
const CUT_SHORT = new RegExp(`^\\.${BACKUP_PREFIX}\\d{8}-\\d{6}\\.part$`);

/**
 * A folder several PCs back up into (the centre's server: its settings name one folder for all):
 * a hidden folder there may be another PC's backup under way, so only one nothing was written
 * into for this long is taken as cut short.
 */
const SHARED_CUT_SHORT_MS = 3_600_000;

/** When anything in a folder was last written (the folder's own time if it is empty). */
function lastWritten(folder: string): number {
  let last = statSync(folder).mtimeMs;
  for (const name of readdirSync(folder)) last = Math.max(last, statSync(join(folder, name)).mtimeMs);
  return last;
}

/**
 * Remove backups cut short in `parent`: each holds a copy of the database (encrypted, but not
 * kept under the settings' rule, and not erased from when a client is). In a folder other PCs
 * back up into too (`shared`), only those left untouched for an hour. Best effort.
 */
function removeCutShort(parent: string, shared: boolean): void {
  try {
    for (const name of readdirSync(parent)) {
      if (!CUT_SHORT.test(name)) continue;
      const folder = join(parent, name);
      if (shared && Date.now() - lastWritten(folder) < SHARED_CUT_SHORT_MS) continue;
      rmSync(folder, { recursive: true, force: true });
    }
  } catch {
    // The backup itself says what is wrong with the folder, if anything.
  }
}


/**
 * Making a backup into `parent`, one step per call so that the screen shows progress and the
 * app answers between steps: the copy (VACUUM INTO, with the keyring and the counts of that
 * moment), its check table by table (integrity_check, then the counts), its SHA-256 a chunk
 * at a time, then the manifest. It is written into a hidden folder beside the final one and
 * renamed into place at the end, so a half-made backup never looks like one; `discard` removes
 * it. The key it checks with is its own copy, wiped when done.
 */
export class BackupJob extends SteppedJob {
  readonly name: string;
  readonly #staging: string;
  readonly #final: string;
  #copy: SqliteHandle | null = null;
  /** A server's copy under way (copy-down.ts): it holds the snapshot and its own key until the job ends. */
  #fromServer: CopyDown | null = null;
  #madeStaging = false;
  #counts: BackupManifest['counts'] | null = null;
  #schema = '';
  #hash = createHash('sha256');
  #summary: BackupSummary | null = null;

  constructor(
    readonly parent: string,
    readonly at: Date,
    readonly trigger: BackupManifest['trigger'],
    source: () => BackupSource,
  ) {
    super(storageFailure);
    this.name = folderNameFor(at);
    this.#staging = join(parent, `.${this.name}.part`);
    this.#final = join(parent, this.name);
    if (existsSync(this.#final)) throw new AppError('STORAGE_FAILED');
    const first = source();
    removeCutShort(parent, first.kind === 'server');
    if (first.kind === 'server') {
      this.#planFromServer(first);
      return;
    }
    const { sqlite } = first;
    // Rows by table, to share the check's time; the database's size, for each stage's.
    const tables = sqlite.prepare("select name from sqlite_schema where type = 'table' and name not like 'sqlite_%' order by name").pluck().all() as string[];
    const rows = new Map(tables.map((table) => [table, Number(sqlite.prepare(`select count(*) from "${table}"`).pluck().get())]));
    const allRows = [...rows.values()].reduce((sum, count) => sum + count, 0) + tables.length;
    const mb = megabytes(Number(sqlite.pragma('page_count', { simple: true })) * Number(sqlite.pragma('page_size', { simple: true })));
    this.add({ stage: 'copy', weight: COST.vacuumPerMb * mb + COST.stepMs, run: () => this.#copyNow(source()) });
    for (const table of tables) this.add({ stage: 'check', weight: (COST.checkPerMb * mb * ((rows.get(table) ?? 0) + 1)) / allRows, run: () => this.#checkTable(table) });
    this.add({ stage: 'check', weight: COST.stepMs, run: () => this.#checkCounts() });
    this.#planChecksum(mb);
  }

  #planChecksum(mb: number): void {
    const chunks = chunksOf(mb * 1_048_576);
    for (let chunk = 0; chunk < chunks; chunk += 1) {
      this.add({ stage: 'checksum', weight: (COST.hashPerMb * mb) / chunks + COST.stepMs, run: () => this.#hashChunk(chunk, chunk === chunks - 1) });
    }
    this.add({ stage: 'finish', weight: COST.stepMs, run: () => this.#finish() });
  }

  /**
   * A backup of the server: its size is known only once the snapshot is open, so the copy,
   * the check and the checksum are each one step until their work is known, then one step per
   * batch of rows, per table, per chunk (their shares measured on the bench: the copy about
   * four fifths of the time).
   */
  #planFromServer(source: ServerBackupSource): void {
    const copying: JobStep = { stage: 'copy', weight: 800, run: () => {} };
    const checking: JobStep = { stage: 'check', weight: 150, run: () => {} };
    const hashing: JobStep = { stage: 'checksum', weight: 40, run: () => {} };
    const database = join(this.#staging, VAULT_FILES.database);
    this.add({
      stage: 'copy',
      weight: 5,
      run: async () => {
        this.#makeStaging();
        const copy = source.copy();
        this.#fromServer = copy;
        this.expand(copying, (await copy.begin({ database, keyring: join(this.#staging, VAULT_FILES.keyring) })).map((step) => ({ stage: 'copy' as const, ...step })));
      },
    });
    this.add(copying);
    this.add({
      stage: 'check',
      weight: 5,
      run: async () => {
        const copy = this.#fromServer;
        if (!copy) throw new AppError('STORAGE_FAILED');
        ({ counts: this.#counts, schema: this.#schema } = await copy.end());
        const sqlite = openEncrypted(database, copy.dataKey, { readonly: true });
        this.#copy = sqlite;
        // Whatever SQLite sorts aside while checking stays in memory, never in a file of its own.
        sqlite.pragma('temp_store = MEMORY');
        const tables = sqlite.prepare("select name from sqlite_schema where type = 'table' and name not like 'sqlite_%' order by name").pluck().all() as string[];
        this.expand(
          checking,
          tables.map((table) => ({
            stage: 'check',
            weight: Number(sqlite.prepare(`select count(*) from "${table}"`).pluck().get()) + 1,
            run: () => {
              this.#checkTable(table);
              if (!referencesHold(this.#openCopy(), table)) throw new AppError('STORAGE_FAILED');
            },
          })),
        );
      },
    });
    this.add(checking);
    this.add({
      stage: 'check',
      weight: 5,
      run: () => {
        this.#checkCounts();
        const chunks = chunksOf(statSync(database).size);
        this.expand(
          hashing,
          Array.from({ length: chunks }, (_, chunk) => ({ stage: 'checksum' as const, weight: 1, run: () => this.#hashChunk(chunk, chunk === chunks - 1) })),
        );
      },
    });
    this.add(hashing);
    this.add({ stage: 'finish', weight: COST.stepMs, run: () => this.#finish() });
  }

  /** The backup once made. */
  get made(): BackupSummary | null {
    return this.#summary;
  }

  /** All the steps at once (automatic backups, which run while nobody waits on the screen). */
  async makeNow(): Promise<BackupSummary> {
    await this.runToEnd();
    if (!this.#summary) throw new AppError('STORAGE_FAILED');
    return this.#summary;
  }

  /** Stop: the hidden folder goes; a finished backup stays. */
  override discard(): void {
    const copy = this.#copy;
    this.#copy = null;
    letGoOfAll(
      () => copy?.close(),
      () => this.#letGoOfServer(),
      // Only the folder this job made: another's of the same second (another PC) is not this job's to remove.
      () => (this.#summary || !this.#madeStaging ? undefined : rmSync(this.#staging, { recursive: true, force: true })),
    );
  }

  /** The server's snapshot and the copy's key (the snapshot is read only: letting it go changes nothing). */
  #letGoOfServer(): void {
    const copy = this.#fromServer;
    this.#fromServer = null;
    copy?.discard().catch(() => {
      // Letting go is best effort: the server ends a transaction whose connection is gone.
    });
  }

  /** Make the hidden folder the backup is written into (refused if it exists: another backup's of the same second). */
  #makeStaging(): void {
    if (existsSync(this.#final)) throw new AppError('STORAGE_FAILED');
    mkdirSync(this.#staging, { recursive: false });
    this.#madeStaging = true;
  }

  #copyNow(source: BackupSource): void {
    if (source.kind !== 'file') throw new AppError('STORAGE_FAILED');
    this.#makeStaging();
    const database = join(this.#staging, VAULT_FILES.database);
    source.sqlite.prepare('vacuum into ?').run(database);
    copyFileSync(source.keyringPath, join(this.#staging, VAULT_FILES.keyring));
    // Taken in the same step as the copy: no request can write in between.
    this.#counts = countsOf(source.sqlite);
    this.#schema = schemaOf(source.sqlite);
    this.#copy = openEncrypted(database, source.dataKey, { readonly: true });
  }

  #openCopy(): SqliteHandle {
    if (!this.#copy) throw new AppError('STORAGE_FAILED');
    return this.#copy;
  }

  #checkTable(table: string): void {
    if (this.#openCopy().pragma(`integrity_check("${table}")`, { simple: true }) !== 'ok') throw new AppError('STORAGE_FAILED');
  }

  #checkCounts(): void {
    const copied = countsOf(this.#openCopy());
    if (BACKUP_COUNTED_TABLES.some((table) => copied[table] !== this.#counts?.[table])) throw new AppError('STORAGE_FAILED');
    this.#copy?.close();
    this.#copy = null;
  }

  #hashChunk(chunk: number, last: boolean): void {
    chunkOfFile(join(this.#staging, VAULT_FILES.database), chunk, last, this.#hash);
  }


  #finish(): void {
    const database = join(this.#staging, VAULT_FILES.database);
    const keyring = join(this.#staging, VAULT_FILES.keyring);
    if (!this.#counts) throw new AppError('STORAGE_FAILED');
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      version: 1,
      app: APP_VERSION,
      schema: this.#schema,
      createdAt: this.at.toISOString(),
      trigger: this.trigger,
      vaultId: readKeyring(keyring).vaultId,
      counts: this.#counts,
      files: {
        database: { bytes: statSync(database).size, sha256: this.#hash.digest('hex') },
        keyring: { bytes: statSync(keyring).size, sha256: sha256Of(keyring) },
      },
    };
    writeFileAtomic(join(this.#staging, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    renameSync(this.#staging, this.#final);
    this.#letGoOfServer();
    this.#summary = summaryOf(this.name, manifest);
  }
}

export function readManifest(folder: string): BackupManifest {
  try {
    return backupManifestSchema.parse(JSON.parse(readFileSync(join(folder, MANIFEST), 'utf8')));
  } catch {
    throw new AppError('BACKUP_INVALID');
  }
}

/** The backups of this vault in a folder, newest first (a folder that is not a whole backup is skipped). */
export function listBackups(parent: string, vaultId: string): BackupSummary[] {
  if (!existsSync(parent)) return [];
  const found: BackupSummary[] = [];
  for (const name of readdirSync(parent)) {
    if (!name.startsWith(BACKUP_PREFIX)) continue;
    try {
      const manifest = readManifest(join(parent, name));
      if (manifest.vaultId === vaultId) found.push(summaryOf(name, manifest));
    } catch {
      // Not a backup of ours: left alone.
    }
  }
  return found.sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
}

/** Keep the newest `keep` automatic backups of this vault in the folder; manual ones are never removed. */
export function pruneBackups(parent: string, vaultId: string, keep: number): string[] {
  const automatic = listBackups(parent, vaultId).filter((backup) => backup.trigger !== 'manual');
  const removed = automatic.slice(keep).map((backup) => backup.folderName);
  for (const name of removed) rmSync(join(parent, name), { recursive: true, force: true });
  return removed;
}
