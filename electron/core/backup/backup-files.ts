import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Migration } from 'kysely';
import { BACKUP_COUNTED_TABLES, BACKUP_FORMAT, backupManifestSchema, type BackupManifest, type BackupSummary } from '../../contract/backup.ts';
import { AppError, isAppError, storageFailure } from '../app-error.ts';
import { writeFileAtomic } from '../files.ts';
import { assertNotNewer, openEncrypted, type OpenOptions, type SqliteHandle } from '../vault/database.ts';
import { openPasswordSlot, openRecoverySlot, readKeyring, type Keyring } from '../vault/key-slots.ts';
import { normalizeRecoveryCode } from '../vault/recovery-code.ts';
import { VAULT_FILES } from '../vault/vault-files.ts';
import packageJson from '../../../package.json' with { type: 'json' };

/*
 * A backup is a folder of its own: the encrypted database (made by VACUUM INTO, which keeps
 * the database's key; SQLite's online backup does not work between encrypted databases), the
 * keyring of that moment, and a manifest with the app and schema versions, the time, counts
 * and each file's SHA-256. The folder name says when, and nothing else.
 */

export const MANIFEST = 'manifest.json';
export const BACKUP_PREFIX = 'dong-hanh-sao-luu-';
export const APP_VERSION: string = packageJson.version;

export function sha256Of(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

export function countsOf(db: SqliteHandle): BackupManifest['counts'] {
  return Object.fromEntries(BACKUP_COUNTED_TABLES.map((table) => [table, Number(db.prepare(`select count(*) from "${table}"`).pluck().get())])) as BackupManifest['counts'];
}

export function schemaOf(db: SqliteHandle): string {
  return String(db.prepare('select max(name) from kysely_migration').pluck().get() ?? '');
}

const pad = (value: number) => String(value).padStart(2, '0');
export function folderNameFor(at: Date): string {
  return `${BACKUP_PREFIX}${at.getFullYear()}${pad(at.getMonth() + 1)}${pad(at.getDate())}-${pad(at.getHours())}${pad(at.getMinutes())}${pad(at.getSeconds())}`;
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

/**
 * Write a backup into `parent`: first into a hidden folder beside it, checked by reopening the
 * copy with its key, then renamed into place, so a half-made backup never looks like one.
 */
export function writeBackup(options: {
  parent: string;
  at: Date;
  trigger: BackupManifest['trigger'];
  sqlite: SqliteHandle;
  keyringPath: string;
  keyring: Keyring;
  dataKey: Buffer;
  open: OpenOptions;
}): BackupSummary {
  const name = folderNameFor(options.at);
  const staging = join(options.parent, `.${name}.part`);
  const final = join(options.parent, name);
  try {
    if (existsSync(final)) throw new AppError('STORAGE_FAILED');
    mkdirSync(staging, { recursive: false });
    const database = join(staging, VAULT_FILES.database);
    options.sqlite.prepare('vacuum into ?').run(database);
    copyFileSync(options.keyringPath, join(staging, VAULT_FILES.keyring));
    const counts = countsOf(options.sqlite);
    const key = Buffer.from(options.dataKey);
    const copy = openEncrypted(database, key, { ...options.open, readonly: true });
    key.fill(0);
    try {
      if (copy.pragma('integrity_check', { simple: true }) !== 'ok') throw new AppError('STORAGE_FAILED');
      const copied = countsOf(copy);
      if (BACKUP_COUNTED_TABLES.some((table) => copied[table] !== counts[table])) throw new AppError('STORAGE_FAILED');
    } finally {
      copy.close();
    }
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      version: 1,
      app: APP_VERSION,
      schema: schemaOf(options.sqlite),
      createdAt: options.at.toISOString(),
      trigger: options.trigger,
      vaultId: options.keyring.vaultId,
      counts,
      files: {
        database: { bytes: statSync(database).size, sha256: sha256Of(database) },
        keyring: { bytes: statSync(join(staging, VAULT_FILES.keyring)).size, sha256: sha256Of(join(staging, VAULT_FILES.keyring)) },
      },
    };
    writeFileAtomic(join(staging, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    renameSync(staging, final);
    return summaryOf(name, manifest);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw storageFailure(error);
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
export async function checkBackup(folder: string, credentials: BackupCredentials, migrations: Readonly<Record<string, Migration>>, open: OpenOptions): Promise<CheckedBackup> {
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
    checkBackupDatabase(folder, manifest, dataKey, migrations, open);
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
export function checkBackupDatabase(folder: string, manifest: BackupManifest, dataKey: Buffer, migrations: Readonly<Record<string, Migration>>, open: OpenOptions): void {
  try {
    const key = Buffer.from(dataKey);
    const db = openEncrypted(join(folder, VAULT_FILES.database), key, { ...open, readonly: true });
    key.fill(0);
    try {
      try {
        assertNotNewer(db, migrations);
      } catch {
        throw new AppError('BACKUP_NEWER');
      }
      if (db.pragma('integrity_check', { simple: true }) !== 'ok') throw new AppError('BACKUP_CORRUPT');
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
