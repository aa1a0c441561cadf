import { z } from 'zod';
import { channel } from './channel.ts';
import { currentPasswordSchema, recoveryCodeSchema, usernameSchema } from './schemas.ts';
import { recoveryCodeIssueSchema } from './setup.ts';

/*
 * Backups: an encrypted copy of the database with its keyring and a manifest, in a folder of
 * its own (on a USB drive, say). It opens only with a password that was valid when it was
 * made, or with the recovery code of that time.
 */

export const BACKUP_FORMAT = 'dong-hanh-backup';
/** How a backup came to be made; `before_restore`: of the data a restore was about to replace. */
export const BACKUP_TRIGGERS = ['manual', 'scheduled', 'exit', 'before_restore'] as const;

/** What a backup holds, by table (counts only: they prove a restore complete). */
export const BACKUP_COUNTED_TABLES = ['user', 'client', 'consent', 'visit', 'service', 'referral', 'anonymous_contact', 'audit_event'] as const;

const fileFacts = z.object({ bytes: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }).strict();

export const backupManifestSchema = z
  .object({
    format: z.literal(BACKUP_FORMAT),
    version: z.literal(1),
    app: z.string().max(40),
    /** The last migration the database has. */
    schema: z.string().max(80),
    createdAt: z.iso.datetime(),
    trigger: z.enum(BACKUP_TRIGGERS),
    vaultId: z.uuid(),
    counts: z.object(Object.fromEntries(BACKUP_COUNTED_TABLES.map((table) => [table, z.number().int().nonnegative()])) as Record<(typeof BACKUP_COUNTED_TABLES)[number], z.ZodNumber>).strict(),
    files: z.object({ database: fileFacts, keyring: fileFacts }).strict(),
  })
  .strict();
export type BackupManifest = z.infer<typeof backupManifestSchema>;

/** Who opens the backup: a password valid when it was made, or the recovery code of then. */
export const backupCredentialsSchema = z.union([
  z.object({ username: usernameSchema, password: currentPasswordSchema }).strict(),
  z.object({ recoveryCode: recoveryCodeSchema }).strict(),
]);

export const backupSummary = z.object({
  folderName: z.string(),
  createdAt: z.string(),
  trigger: z.enum(BACKUP_TRIGGERS),
  schema: z.string(),
  app: z.string(),
  counts: z.record(z.string(), z.number()),
  bytes: z.number(),
});
export type BackupSummary = z.infer<typeof backupSummary>;

/** The stages of making a backup, in order (the screen names the one under way). */
export const BACKUP_STAGES = ['copy', 'check', 'checksum', 'finish'] as const;
/**
 * The stages of any backup job: making one (above); checking one (its checksums, opening it
 * with the password or code, its database table by table: `verify`); restoring one (those, then copying
 * it into place, bringing it to this version, checking it again, a backup of the data it
 * replaces, and the switch).
 */
export const BACKUP_JOB_STAGES = [...BACKUP_STAGES, 'key', 'verify', 'migrate', 'dataBefore', 'switch'] as const;

/** A job started: its id (null: the folder dialog was cancelled, nothing started) and progress out of `total`. */
const jobStarted = z.object({ jobId: z.string().nullable(), done: z.number(), total: z.number() });

/**
 * One step of a job done. `backup` is set once the job is over: the backup made, checked or
 * restored; `checked` and `restored` say which, `dataBefore` the backup made of the data a
 * restore replaced (when an automatic backup folder is set).
 */
const jobStep = z.object({
  done: z.number(),
  total: z.number(),
  stage: z.enum(BACKUP_JOB_STAGES),
  backup: backupSummary.nullable(),
  checked: z.boolean(),
  restored: z.boolean(),
  dataBefore: backupSummary.nullable(),
});
export type BackupJobStep = z.infer<typeof jobStep>;

const backupJobId = z.object({ jobId: z.string().regex(/^[0-9a-f]{32}$/, { error: 'invalid' }) }).strict();

export const BACKUP_EVERY_HOURS = { min: 0, max: 168 } as const;
export const BACKUP_KEEP = { min: 1, max: 100 } as const;

export const backupSettingsSchema = z
  .object({
    /** 0: no automatic backups. */
    backupEveryHours: z.number({ error: 'invalid' }).int({ error: 'invalid' }).min(BACKUP_EVERY_HOURS.min, { error: 'invalid' }).max(BACKUP_EVERY_HOURS.max, { error: 'invalid' }),
    backupKeep: z.number({ error: 'invalid' }).int({ error: 'invalid' }).min(BACKUP_KEEP.min, { error: 'invalid' }).max(BACKUP_KEEP.max, { error: 'invalid' }),
    backupAtExit: z.boolean(),
  })
  .strict();

export const backupChannels = {
  /**
   * A backup into a folder the administrator picks (it gets a folder of its own, named by the
   * time). `backup.start` prepares it; each `backup.next` does one step (the copy, its check
   * table by table, its checksum a chunk at a time, the manifest), so progress shows and the
   * app answers meanwhile; the last step records it in the trail as `backup.create`.
   */
  'backup.start': channel({
    input: z.object({}).strict(),
    output: jobStarted,
    access: 'backup.manage',
    audit: 'read',
    pathFrom: 'chooseFolder',
    errors: ['STORAGE_FAILED'],
  }),
  /**
   * The next step of the job under way (a backup being made, checked or restored). A failed
   * step ends the job and is recorded in the trail (`backup.create`, `backup.verify`,
   * `backup.restore`), as is the job's end; the steps are not.
   */
  'backup.next': channel({
    input: backupJobId,
    output: jobStep,
    access: 'backup.manage',
    audit: 'read',
    outsideTransaction: true,
    errors: ['BACKUP_NOT_RUNNING', 'STORAGE_FAILED', 'DISK_FULL', 'STORAGE_READ_ONLY', 'BACKUP_INVALID', 'BACKUP_CORRUPT', 'BACKUP_NEWER', 'BACKUP_FOREIGN', 'WRONG_CREDENTIALS', 'RECOVERY_CODE_INVALID', 'SERVER_INCONSISTENT', 'SERVER_CONNECTION_LOST'],
  }),
  /**
   * Stop the job under way: a backup's hidden, unfinished folder is removed; a restore's staged
   * copy is removed and the data stays as it was (a backup of it already made stays).
   */
  'backup.cancel': channel({
    input: backupJobId,
    output: z.object({}).strict(),
    access: 'backup.manage',
    audit: 'read',
    outsideTransaction: true,
    errors: [],
  }),
  /**
   * Start checking a backup (picked in a folder dialog), step by step with `backup.next`: its
   * files whole, its key, its database sound table by table, its counts.
   */
  'backup.verify': channel({
    input: z.object({ credentials: backupCredentialsSchema }).strict(),
    output: jobStarted,
    access: 'backup.manage',
    audit: 'read',
    pathFrom: 'chooseFolder',
    errors: ['STORAGE_FAILED'],
  }),
  /**
   * Start replacing the database with a checked backup of this vault, step by step with
   * `backup.next`. When an automatic backup folder is set, the current data is backed up there
   * (`dataBefore`). The current database stays as it is until the restored copy has opened and
   * passed its checks; then the two are swapped, the session ends, and people log in with the
   * passwords of the backup's time. Until the switch it can be stopped with `backup.cancel`.
   */
  'backup.restore': channel({
    input: z.object({ credentials: backupCredentialsSchema, confirm: z.literal(true, { error: 'required' }) }).strict(),
    output: jobStarted,
    access: 'backup.manage',
    audit: 'read',
    pathFrom: 'chooseFolder',
    outsideTransaction: true,
    errors: ['STORAGE_FAILED'],
  }),
  /**
   * On a new PC (no data yet: the old one died or was stolen): start setting the app up from a
   * backup, checked first with a password or recovery code of its time, step by step with
   * `setup.restoreNext`. Then people log in as then.
   */
  'setup.restore': channel({
    input: z.object({ credentials: backupCredentialsSchema, confirm: z.literal(true, { error: 'required' }) }).strict(),
    output: jobStarted,
    access: 'public',
    audit: 'read',
    pathFrom: 'chooseFolder',
    errors: ['VAULT_EXISTS', 'STORAGE_FAILED'],
  }),
  /** The next step of setting up from a backup (before anyone can log in, so open to all; only that job). */
  'setup.restoreNext': channel({
    input: backupJobId,
    output: jobStep,
    access: 'public',
    audit: 'read',
    errors: ['BACKUP_NOT_RUNNING', 'VAULT_EXISTS', 'BACKUP_INVALID', 'BACKUP_CORRUPT', 'BACKUP_NEWER', 'WRONG_CREDENTIALS', 'RECOVERY_CODE_INVALID', 'STORAGE_FAILED', 'DISK_FULL', 'STORAGE_READ_ONLY'],
  }),
  /** Stop setting up from a backup: the staged copy is removed, nothing is set up. */
  'setup.restoreCancel': channel({
    input: backupJobId,
    output: z.object({}).strict(),
    access: 'public',
    audit: 'read',
    errors: [],
  }),
  /** Where automatic backups go (picked in a folder dialog). */
  'backup.setFolder': channel({
    input: z.object({}).strict(),
    output: z.object({ folder: z.string().nullable() }),
    access: 'backup.manage',
    audit: 'write',
    pathFrom: 'chooseFolder',
    errors: ['STORAGE_FAILED', 'DISK_FULL', 'STORAGE_READ_ONLY'],
  }),
  /** The automatic backups' settings, and the backups of this vault found in their folder, newest first. */
  'backup.status': channel({
    input: z.object({}).strict(),
    output: z.object({
      folder: z.string().nullable(),
      everyHours: z.number(),
      keep: z.number(),
      atExit: z.boolean(),
      lastBackupAt: z.string().nullable(),
      backups: z.array(backupSummary),
      /** The records are on the centre's server (not this PC's file): nothing to move up. */
      onServer: z.boolean(),
    }),
    access: 'backup.manage',
    audit: 'read',
    errors: [],
  }),
  /**
   * Rotating the data key, step 1: a new recovery code (shown once, held in memory) and the
   * accounts whose slots cannot be carried over (they will need a new password).
   */
  /**
   * Move this PC's records up to the centre's server (DESIGN.md §8): every record, the audit
   * trail and the keyring (the same passwords) copied into the server's new, empty database,
   * whose connection file (from `server:init`) the administrator picks. Then this PC works
   * against the server: the session ends, and everyone logs in there with her own password.
   */
  'vault.moveUp': channel({
    input: z.object({ confirm: z.literal(true, { error: 'required' }) }).strict(),
    output: z.object({ moved: z.boolean(), tables: z.number(), rows: z.number() }),
    access: 'backup.manage',
    audit: 'write',
    pathFrom: 'openFile',
    opens: ['server'],
    outsideTransaction: true,
    errors: ['CONNECTION_FILE_INVALID', 'VAULT_EXISTS', 'SERVER_UNREACHABLE', 'SERVER_CERTIFICATE', 'SERVER_CREDENTIALS', 'SERVER_NOT_SET_UP', 'SERVER_CONNECTION_LOST', 'SERVER_NOT_YET', 'DATABASE_NEWER'],
  }),
  'vault.rotateBegin': channel({
    input: z.object({}).strict(),
    output: recoveryCodeIssueSchema.extend({ needNewPassword: z.array(z.object({ id: z.number(), displayName: z.string() })) }),
    access: 'backup.manage',
    audit: 'write',
    errors: [],
  }),
  /**
   * Step 2: the administrator's password and one group of the new code typed back. Everything
   * is re-encrypted under a new key in a copy, which then takes the place of the database (on
   * a server: every sealed column sealed again, other PCs' sessions ended at their next call,
   * resumable at an administrator's login if cut short); the session ends. Colleagues log in with their own passwords; the old key, old recovery code
   * and any copy of the old keyring no longer open the database (backups made before still
   * open with the passwords and code of their time).
   */
  'vault.rotateKey': channel({
    input: z.object({ password: currentPasswordSchema, confirmation: z.string().max(40, { error: 'tooLong' }), confirm: z.literal(true, { error: 'required' }) }).strict(),
    output: z.object({ rotated: z.boolean(), carried: z.number(), needNewPassword: z.number() }),
    access: 'backup.manage',
    audit: 'write',
    outsideTransaction: true,
    errors: ['SETUP_NOT_STARTED', 'RECOVERY_CONFIRMATION_MISMATCH', 'WRONG_CREDENTIALS', 'STORAGE_FAILED', 'DISK_FULL', 'STORAGE_READ_ONLY', 'KEY_CHANGE_UNDER_WAY', 'KEY_CHANGED', 'SERVER_CONNECTION_LOST'],
  }),
  'backup.updateSettings': channel({
    input: backupSettingsSchema,
    output: z.object({}).strict(),
    access: 'backup.manage',
    audit: 'write',
    errors: [],
  }),
} as const;
