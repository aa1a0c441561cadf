import { createHash, randomBytes } from 'node:crypto';
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Migration } from 'kysely';
import type { BACKUP_STAGES} from '../../contract/backup.ts';
import { BACKUP_COUNTED_TABLES, BACKUP_FORMAT, backupManifestSchema, type BackupManifest, type BackupSummary } from '../../contract/backup.ts';
import { AppError, isAppError, storageFailure } from '../app-error.ts';
import { hashRange, sha256Of, writeFileAtomic } from '../files.ts';
import { sessionSlot } from '../session-state.ts';
import { assertNotNewer, openEncrypted, type SqliteHandle } from '../vault/database.ts';
import { checkProof, openPasswordSlot, openRecoverySlot, readKeyring, type Keyring } from '../vault/key-slots.ts';
import { normalizeRecoveryCode } from '../vault/recovery-code.ts';
import { KEYRING_PROOF_SETTING, VAULT_FILES } from '../vault/vault-files.ts';
import type { BackupSource } from '../vault/vault.ts';
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

function countsOf(db: SqliteHandle): BackupManifest['counts'] {
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
 * Remove backups cut short in `parent`: each holds a copy of the database (encrypted, but not
 * kept under the settings' rule, and not erased from when a client is). Best effort.
 */
function removeCutShort(parent: string): void {
  try {
    for (const name of readdirSync(parent)) {
      if (CUT_SHORT.test(name)) rmSync(join(parent, name), { recursive: true, force: true });
    }
  } catch {
    // The backup itself says what is wrong with the folder, if anything.
  }
}


type BackupStage = (typeof BACKUP_STAGES)[number];

/** Bytes of the copy hashed per step: a step stays well under a second on an office PC. */
const HASH_CHUNK = 64 * 1_048_576;
/** What is read at once while hashing. */
/*
 * How long each stage takes for its share of the data, measured on the 100,000-client bench
 * vault (494 MB: VACUUM INTO 5.0 s, integrity_check 7.9 s, SHA-256 1.6 s), so that the bar
 * moves with time rather than with the number of steps.
 */
const WEIGHT = { copy: 1, check: 1.6, checksum: 0.3 } as const;

interface Step {
  stage: BackupStage;
  weight: number;
  run: () => void;
}

/**
 * Making a backup into `parent`, one step per call so that the screen shows progress and the
 * app answers between steps: the copy (VACUUM INTO, with the keyring and the counts of that
 * moment), its check table by table (integrity_check, then the counts), its SHA-256 a chunk
 * at a time, then the manifest. It is written into a hidden folder beside the final one and
 * renamed into place at the end, so a half-made backup never looks like one; `discard` removes
 * it. The key it checks with is its own copy, wiped when done.
 */
/** A backup being made step by step (one at a time); its unfinished folder goes at lock or logout. */
export const BACKUP_JOB = sessionSlot<BackupJob | null>('backup.job', () => null, (job) => job?.discard());

export class BackupJob {
  readonly id = randomBytes(16).toString('hex');
  readonly name: string;
  readonly #staging: string;
  readonly #final: string;
  readonly #steps: Step[] = [];
  readonly #total: number;
  #next = 0;
  #done = 0;
  #copy: SqliteHandle | null = null;
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
    this.name = folderNameFor(at);
    this.#staging = join(parent, `.${this.name}.part`);
    this.#final = join(parent, this.name);
    if (existsSync(this.#final)) throw new AppError('STORAGE_FAILED');
    removeCutShort(parent);
    const { sqlite } = source();
    // Rows by table, to share the check's weight; the database's size, for the checksum's.
    const tables = sqlite.prepare("select name from sqlite_schema where type = 'table' and name not like 'sqlite_%' order by name").pluck().all() as string[];
    const rows = new Map(tables.map((table) => [table, Number(sqlite.prepare(`select count(*) from "${table}"`).pluck().get())]));
    const allRows = [...rows.values()].reduce((sum, count) => sum + count, 0) + tables.length;
    const bytes = Number(sqlite.pragma('page_count', { simple: true })) * Number(sqlite.pragma('page_size', { simple: true }));
    this.#steps.push({ stage: 'copy', weight: WEIGHT.copy * allRows, run: () => this.#copyNow(source()) });
    for (const table of tables) this.#steps.push({ stage: 'check', weight: WEIGHT.check * ((rows.get(table) ?? 0) + 1), run: () => this.#checkTable(table) });
    this.#steps.push({ stage: 'check', weight: 1, run: () => this.#checkCounts() });
    const chunks = Math.max(1, Math.ceil(bytes / HASH_CHUNK));
    for (let chunk = 0; chunk < chunks; chunk += 1) {
      this.#steps.push({ stage: 'checksum', weight: (WEIGHT.checksum * allRows) / chunks, run: () => this.#hashChunk(chunk, chunk === chunks - 1) });
    }
    this.#steps.push({ stage: 'finish', weight: 1, run: () => this.#finish() });
    this.#total = this.#steps.reduce((sum, step) => sum + step.weight, 0);
  }

  /** Progress out of 1,000, the stage the next step is in, and the backup once made. */
  get progress(): { done: number; total: number; stage: BackupStage; backup: BackupSummary | null } {
    // Weights are fractions: their running sum can fall a hair short of the total, so the end is 1,000 by definition.
    const done = this.#next >= this.#steps.length ? 1000 : Math.min(999, Math.floor((1000 * this.#done) / this.#total));
    return { done, total: 1000, stage: this.#steps[this.#next]?.stage ?? 'finish', backup: this.#summary };
  }

  /** Do the next step; a failure removes what was written and is thrown as a storage error. */
  step(): void {
    const step = this.#steps[this.#next];
    if (!step) return;
    try {
      step.run();
    } catch (error) {
      this.discard();
      throw storageFailure(error);
    }
    this.#next += 1;
    this.#done += step.weight;
  }

  /** All the steps at once (automatic backups, which run while nobody waits on the screen). */
  runToEnd(): BackupSummary {
    while (!this.#summary) this.step();
    return this.#summary;
  }

  /** Stop: the hidden folder goes; a finished backup stays. */
  discard(): void {
    this.#copy?.close();
    this.#copy = null;
    if (!this.#summary) rmSync(this.#staging, { recursive: true, force: true });
  }

  #copyNow(source: BackupSource): void {
    if (existsSync(this.#final)) throw new AppError('STORAGE_FAILED');
    mkdirSync(this.#staging, { recursive: false });
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
    const fd = openSync(join(this.#staging, VAULT_FILES.database), 'r');
    try {
      // The last step also takes whatever lies beyond the size measured when the job began.
      hashRange(fd, this.#hash, chunk * HASH_CHUNK, last ? Number.POSITIVE_INFINITY : HASH_CHUNK);
    } finally {
      closeSync(fd);
    }
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

export type BackupCredentials = { username: string; password: string } | { recoveryCode: string };

export interface CheckedBackup {
  manifest: BackupManifest;
  keyring: Keyring;
  /** Opens the backup's database; the caller wipes it. */
  dataKey: Buffer;
}

/**
 * Check a backup folder: a manifest, both files whole (their SHA-256), a key from the given
 * credentials, a sound database (integrity_check) of a version this app knows, and the counts
 * the manifest promised. Nothing in the folder is changed.
 */
export async function checkBackup(folder: string, credentials: BackupCredentials, migrations: Readonly<Record<string, Migration>>): Promise<CheckedBackup> {
  const manifest = checkBackupFiles(folder);
  let keyring: Keyring;
  try {
    keyring = readKeyring(join(folder, VAULT_FILES.keyring));
  } catch {
    throw new AppError('BACKUP_CORRUPT');
  }
  let dataKey: Buffer | null;
  if ('recoveryCode' in credentials) {
    const canonical = normalizeRecoveryCode(credentials.recoveryCode);
    dataKey = canonical ? await openRecoverySlot(keyring, canonical) : null;
    if (!dataKey) throw new AppError('RECOVERY_CODE_INVALID');
  } else {
    dataKey = (await openPasswordSlot(keyring, credentials.username, credentials.password))?.dataKey ?? null;
    if (!dataKey) throw new AppError('WRONG_CREDENTIALS');
  }
  try {
    // The backup's keyring is proven like the live one: one changed after the backup was made is
    // refused, and so is one without a proof when the backup's database requires proofs.
    const proof = checkProof(keyring, dataKey);
    if (proof === 'false') throw new AppError('BACKUP_CORRUPT');
    checkBackupDatabase(folder, manifest, dataKey, migrations, proof === 'absent');
  } catch (error) {
    dataKey.fill(0);
    throw error;
  }
  return { manifest, keyring, dataKey };
}

/** The manifest, and both files as it describes them (size and SHA-256). */
export function checkBackupFiles(folder: string): BackupManifest {
  const manifest = readManifest(folder);
  for (const [path, facts] of [
    [join(folder, VAULT_FILES.database), manifest.files.database],
    [join(folder, VAULT_FILES.keyring), manifest.files.keyring],
  ] as const) {
    if (!existsSync(path) || statSync(path).size !== facts.bytes || sha256Of(path) !== facts.sha256) throw new AppError('BACKUP_CORRUPT');
  }
  return manifest;
}

/** The backup's database under its key: a version this app knows, sound, with the counts promised. */
export function checkBackupDatabase(folder: string, manifest: BackupManifest, dataKey: Buffer, migrations: Readonly<Record<string, Migration>>, keyringUnproven = false): void {
  try {
    const db = openEncrypted(join(folder, VAULT_FILES.database), dataKey, { readonly: true });
    try {
      try {
        assertNotNewer(db, migrations);
      } catch (error) {
        throw isAppError(error) && error.code === 'DATABASE_NEWER' ? new AppError('BACKUP_NEWER') : error;
      }
      if (db.pragma('integrity_check', { simple: true }) !== 'ok') throw new AppError('BACKUP_CORRUPT');
      if (keyringUnproven && db.prepare('select 1 from setting where key = ?').get(KEYRING_PROOF_SETTING)) throw new AppError('BACKUP_CORRUPT');
      const counts = countsOf(db);
      if (BACKUP_COUNTED_TABLES.some((table) => counts[table] !== manifest.counts[table])) throw new AppError('BACKUP_CORRUPT');
    } finally {
      db.close();
    }
  } catch (error) {
    if (isAppError(error) && error.code === 'BACKUP_NEWER') throw error;
    throw isAppError(error) && error.code !== 'DATABASE_CORRUPT' && error.code !== 'STORAGE_FAILED' ? error : new AppError('BACKUP_CORRUPT');
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
