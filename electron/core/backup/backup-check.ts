import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Migration } from 'kysely';
import { BACKUP_COUNTED_TABLES, type BackupManifest, type BackupSummary } from '../../contract/backup.ts';
import { AppError, isAppError, storageFailure } from '../app-error.ts';
import { settingValueOn } from '../db/setting-store.ts';
import { chunkOfFile, sha256Of } from '../files.ts';
import { assertNotNewer, openEncrypted, type SqliteHandle } from '../vault/database.ts';
import { checkProof, openPasswordSlot, openRecoverySlot, readKeyring, type Keyring } from '../vault/key-slots.ts';
import { normalizeRecoveryCode } from '../vault/recovery-code.ts';
import { KEYRING_PROOF_SETTING, VAULT_FILES } from '../vault/vault-files.ts';
import { countsOf, readManifest, summaryOf } from './backup-files.ts';
import { chunksOf, COST, letGoOfAll, megabytes, SteppedJob, type JobStep } from './stepped-job.ts';

/*
 * Checking a backup folder, step by step: the manifest, both files whole (their SHA-256, the
 * database's a chunk at a time), a key from the given credentials, the keyring's proof, a
 * database of a version this app knows, sound table by table (integrity_check), with the counts
 * the manifest promised. Nothing in the folder is changed. A restore runs the same steps first.
 */

export type BackupCredentials = { username: string; password: string } | { recoveryCode: string };

/** The codes a check says itself; anything else that goes wrong in it means the backup is damaged. */
const CHECK_CODES = new Set(['BACKUP_INVALID', 'BACKUP_CORRUPT', 'BACKUP_NEWER', 'WRONG_CREDENTIALS', 'RECOVERY_CODE_INVALID']);

/** A file system error (the drive pulled out, a file that cannot be read): said as such, not as damage. */
const isFileSystemError = (error: unknown): boolean => /^E[A-Z]+$/.test(String((error as { code?: unknown } | null)?.code ?? ''));

const checkFailure = (error: unknown): AppError => {
  if (isAppError(error) && CHECK_CODES.has(error.code)) return error;
  return isFileSystemError(error) ? storageFailure(error) : new AppError('BACKUP_CORRUPT', {}, { cause: error });
};

/** A step of the check: its failures say what is wrong with the backup. */
function checking(stage: JobStep['stage'], weight: number, run: () => void | Promise<void>): JobStep {
  return {
    stage,
    weight,
    run: async () => {
      try {
        await run();
      } catch (error) {
        throw checkFailure(error);
      }
    },
  };
}

export class BackupCheck {
  #manifest: BackupManifest | null = null;
  #keyring: Keyring | null = null;
  #dataKey: Buffer | null = null;
  #db: SqliteHandle | null = null;
  readonly #hash = createHash('sha256');
  readonly #database: string;
  /** The database file's size found at the start, in MB: what the time of each step is planned from. */
  readonly plannedMegabytes: number;

  /** The password or code until the key is open (then forgotten), or the data key itself (a test that holds it). */
  #credentials: BackupCredentials | { dataKey: Buffer } | null;
  readonly #keyGiven: boolean;

  constructor(
    readonly folder: string,
    credentials: BackupCredentials | { dataKey: Buffer },
    readonly migrations: Readonly<Record<string, Migration>>,
  ) {
    this.#credentials = credentials;
    this.#keyGiven = 'dataKey' in credentials;
    this.#database = join(folder, VAULT_FILES.database);
    this.plannedMegabytes = megabytes(existsSync(this.#database) ? statSync(this.#database).size : 0);
  }

  /**
   * The steps, planned from the size of the database file found (the manifest is read by the
   * first of them). The integrity check is one step until the database has opened; then it
   * becomes one per table, sharing its time by their rows.
   */
  steps(job: SteppedJob): JobStep[] {
    const mb = this.plannedMegabytes;
    const chunks = chunksOf(mb * 1_048_576);
    const wholeCheck: JobStep = checking('verify', COST.checkPerMb * mb + COST.stepMs, () => this.#checkWhole());
    const steps: JobStep[] = [checking('checksum', COST.stepMs, () => this.#readManifest())];
    for (let chunk = 0; chunk < chunks; chunk += 1) {
      steps.push(checking('checksum', (COST.hashPerMb * mb) / chunks + COST.stepMs, () => this.#hashChunk(chunk, chunk === chunks - 1)));
    }
    steps.push(checking('checksum', COST.stepMs, () => this.#checkKeyringFile()));
    steps.push(checking('key', this.#keyGiven ? COST.stepMs : COST.keyMs, () => this.#openKey()));
    steps.push(checking('verify', COST.stepMs, () => this.#openDatabase(job, wholeCheck)));
    steps.push(wholeCheck);
    steps.push(checking('verify', COST.stepMs, () => this.#checkCounts()));
    return steps;
  }

  /** The manifest, once the first step has read it. */
  get manifest(): BackupManifest {
    if (!this.#manifest) throw new AppError('BACKUP_INVALID');
    return this.#manifest;
  }

  /** The backup's facts as far as they have been read (null before the manifest). */
  get known(): BackupSummary | null {
    return this.#manifest ? this.summary : null;
  }

  get summary(): BackupSummary {
    return summaryOf(basename(this.folder), this.manifest);
  }

  /** The backup's data key, once opened (the check owns it: `dispose` wipes it). */
  get dataKey(): Buffer {
    if (!this.#dataKey) throw new AppError('BACKUP_CORRUPT');
    return this.#dataKey;
  }

  /** Close the database and wipe the key. */
  dispose(): void {
    const key = this.#dataKey;
    this.#dataKey = null;
    this.#credentials = null;
    const db = this.#db;
    this.#db = null;
    letGoOfAll(
      () => (key && !this.#keyGiven ? key.fill(0) : undefined),
      () => db?.close(),
    );
  }

  #readManifest(): void {
    const manifest = readManifest(this.folder);
    for (const [path, facts] of [
      [this.#database, manifest.files.database],
      [join(this.folder, VAULT_FILES.keyring), manifest.files.keyring],
    ] as const) {
      if (!existsSync(path) || statSync(path).size !== facts.bytes) throw new AppError('BACKUP_CORRUPT');
    }
    this.#manifest = manifest;
  }

  #hashChunk(chunk: number, last: boolean): void {
    chunkOfFile(this.#database, chunk, last, this.#hash);
    if (last && this.#hash.digest('hex') !== this.manifest.files.database.sha256) throw new AppError('BACKUP_CORRUPT');
  }

  #checkKeyringFile(): void {
    const path = join(this.folder, VAULT_FILES.keyring);
    if (sha256Of(path) !== this.manifest.files.keyring.sha256) throw new AppError('BACKUP_CORRUPT');
    this.#keyring = readKeyring(path);
  }

  async #openKey(): Promise<void> {
    const keyring = this.#keyring;
    if (!keyring) throw new AppError('BACKUP_CORRUPT');
    const credentials = this.#credentials;
    // Used once: the password or code is not kept for the rest of the job.
    this.#credentials = null;
    if (!credentials) throw new AppError('BACKUP_CORRUPT');
    let dataKey: Buffer | null;
    if ('dataKey' in credentials) dataKey = credentials.dataKey;
    else if ('recoveryCode' in credentials) {
      const canonical = normalizeRecoveryCode(credentials.recoveryCode);
      dataKey = canonical ? await openRecoverySlot(keyring, canonical) : null;
      if (!dataKey) throw new AppError('RECOVERY_CODE_INVALID');
    } else {
      dataKey = (await openPasswordSlot(keyring, credentials.username, credentials.password))?.dataKey ?? null;
      if (!dataKey) throw new AppError('WRONG_CREDENTIALS');
    }
    this.#dataKey = dataKey;
  }

  #openDatabase(job: SteppedJob, wholeCheck: JobStep): void {
    const keyring = this.#keyring;
    if (!keyring) throw new AppError('BACKUP_CORRUPT');
    // The backup's keyring is proven like the live one: one changed after the backup was made is
    // refused, and so is one without a proof when the backup's database requires proofs.
    const proof = checkProof(keyring, this.dataKey);
    if (proof === 'false') throw new AppError('BACKUP_CORRUPT');
    const db = openEncrypted(this.#database, this.dataKey, { readonly: true });
    this.#db = db;
    try {
      assertNotNewer(db, this.migrations);
    } catch (error) {
      throw isAppError(error) && error.code === 'DATABASE_NEWER' ? new AppError('BACKUP_NEWER') : error;
    }
    if (proof === 'absent' && settingValueOn(db, KEYRING_PROOF_SETTING) !== undefined) throw new AppError('BACKUP_CORRUPT');
    // Now the tables are known: one step each, their share of the time by their rows.
    const tables = db.prepare("select name from sqlite_schema where type = 'table' and name not like 'sqlite_%' order by name").pluck().all() as string[];
    job.expand(
      wholeCheck,
      tables.map((table) => checking('verify', Number(db.prepare(`select count(*) from "${table}"`).pluck().get()) + 1, () => this.#checkTable(table))),
    );
  }

  #openDb(): SqliteHandle {
    if (!this.#db) throw new AppError('BACKUP_CORRUPT');
    return this.#db;
  }

  #checkWhole(): void {
    if (this.#openDb().pragma('integrity_check', { simple: true }) !== 'ok') throw new AppError('BACKUP_CORRUPT');
  }

  #checkTable(table: string): void {
    if (this.#openDb().pragma(`integrity_check("${table}")`, { simple: true }) !== 'ok') throw new AppError('BACKUP_CORRUPT');
  }

  #checkCounts(): void {
    const counts = countsOf(this.#openDb());
    if (BACKUP_COUNTED_TABLES.some((table) => counts[table] !== this.manifest.counts[table])) throw new AppError('BACKUP_CORRUPT');
    this.#db?.close();
    this.#db = null;
  }
}

/** A check of a backup on its own (the backup screen's "Check"). */
export class CheckJob extends SteppedJob {
  readonly check: BackupCheck;

  constructor(folder: string, credentials: BackupCredentials | { dataKey: Buffer }, migrations: Readonly<Record<string, Migration>>) {
    super(checkFailure);
    this.check = new BackupCheck(folder, credentials, migrations);
    this.add(...this.check.steps(this));
    // Done: nothing of the key is kept.
    this.add({ stage: 'verify', weight: COST.stepMs, run: () => this.check.dispose() });
  }

  override discard(): void {
    this.check.dispose();
  }
}

/** Check a backup folder to the end (a test holding the key, or anything nobody watches). */
export async function checkBackupFolder(folder: string, credentials: BackupCredentials | { dataKey: Buffer }, migrations: Readonly<Record<string, Migration>>): Promise<BackupSummary> {
  const job = new CheckJob(folder, credentials, migrations);
  await job.runToEnd();
  return job.check.summary;
}
