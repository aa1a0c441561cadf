import type { Migration } from 'kysely';
import type { BackupSummary } from '../../contract/backup.ts';
import { appendAudit } from '../audit/trail.ts';
import { AppError, storageFailure } from '../app-error.ts';
import type { Core } from '../core.ts';
import type { Db } from '../db/schema.ts';
import { adoptLedgerBesideBackup, keepLedgerBesideBackups, saveErasureLedger } from '../erasure/erasure.ts';
import type { RestoreStaging } from '../vault/staging.ts';
import { BackupCheck, type BackupCredentials } from './backup-check.ts';
import { backupDetail, BackupJob } from './backup-files.ts';
import { RESTORED_FROM } from './login-notices.ts';
import { COST, letGoOfAll, SteppedJob, type JobStep } from './stepped-job.ts';

/*
 * Restoring a backup, step by step: the backup checked as "Check" does; copied beside the live
 * files a chunk at a time; brought to this version and checked again table by table; the
 * restore's entry written into its trail; a backup of the data it replaces (when an automatic
 * backup folder is set); then, in the last step, the erasure ledger kept and the switch. Until
 * that last step the live data is untouched and the job can be stopped.
 */

export interface RestoreOptions {
  /** Setting up a new PC (no data here yet): no session, nothing to back up first, any vault's backup. */
  newComputer: boolean;
  /** Who restores (null on a new PC): named in the restored trail if she existed then. */
  actorId: number | null;
  /** Where the data replaced is backed up first (the automatic backups' folder), if anywhere. */
  dataBeforeFolder: string | null;
  migrations: Readonly<Record<string, Migration>>;
}

export class RestoreJob extends SteppedJob {
  readonly check: BackupCheck;
  readonly #core: Core;
  readonly #options: RestoreOptions;
  readonly #staging: RestoreStaging;
  readonly #dataBefore: BackupJob | null;
  #restored = false;
  /** The switch has begun: what is staged is no longer this job's to remove (file-switch.ts finishes or undoes it). */
  #switching = false;

  constructor(core: Core, folder: string, credentials: BackupCredentials, options: RestoreOptions) {
    super(storageFailure);
    this.#core = core;
    this.#options = options;
    this.check = new BackupCheck(folder, credentials, options.migrations);
    const check = this.check;
    this.#staging = core.vault.restoreStaging(folder, {
      get manifest() {
        return check.manifest;
      },
      get dataKey() {
        return check.dataKey;
      },
    });
    // What the restore replaces, backed up first where automatic backups go (planned now, from the data as it is).
    this.#dataBefore = options.dataBeforeFolder ? new BackupJob(options.dataBeforeFolder, new Date(core.clock.now()), 'before_restore', () => core.vault.backupSource()) : null;

    this.add(...check.steps(this));
    // Another centre's (or another install's) data does not replace this one's (said once the
    // backup is known to be whole and of a version this app reads: what is wrong with it comes first).
    if (!options.newComputer) this.add({ stage: 'verify', weight: COST.stepMs, run: () => this.#sameVault() });
    this.add(...this.#stagingSteps(check.plannedMegabytes));
    if (this.#dataBefore) {
      // Recorded in the step that puts it in place: a whole copy of the data never goes unrecorded.
      const steps = this.#dataBefore.asStepsOf('dataBefore');
      const last = steps.pop();
      if (last) {
        const finish = async () => {
          await last.run();
          await this.#recordDataBefore();
        };
        steps.push({ ...last, run: finish });
      }
      this.add(...steps);
    }
    this.add({ stage: 'switch', weight: COST.migrateMs, run: () => this.#switch() });
  }

  /** The backup restored (the manifest's facts), once its first step has read it. */
  get summary(): BackupSummary {
    return this.check.summary;
  }

  /** The backup made of the data replaced, once made. */
  get dataBefore(): BackupSummary | null {
    return this.#dataBefore?.made ?? null;
  }

  get restored(): boolean {
    return this.#restored;
  }

  /** Stop: the staged copy goes, the key is wiped; a backup of the data before, if made, stays. */
  override discard(): void {
    // The key first: whatever a busy file does to the rest, it does not stay in memory.
    letGoOfAll(
      () => this.check.dispose(),
      () => (this.#switching ? undefined : this.#staging.discard()),
      () => this.#dataBefore?.discard(),
    );
  }

  #sameVault(): void {
    if (this.check.manifest.vaultId !== this.#core.vault.vaultId) throw new AppError('BACKUP_FOREIGN');
  }

  #stagingSteps(mb: number): JobStep[] {
    const staging = this.#staging;
    const steps: JobStep[] = [];
    for (let chunk = 0; chunk < staging.chunks; chunk += 1) {
      steps.push({ stage: 'copy', weight: ((COST.copyPerMb + COST.hashPerMb) * mb) / staging.chunks + COST.stepMs, run: () => staging.copyChunk(chunk) });
    }
    // The check of the copy: one step until the copy has opened, then one per table.
    const wholeCheck: JobStep = { stage: 'check', weight: COST.checkPerMb * mb + COST.stepMs, run: () => staging.checkTable(null) };
    steps.push({
      stage: 'migrate',
      weight: COST.migrateMs,
      run: async () => {
        const tables = await staging.migrate();
        this.expand(
          wholeCheck,
          tables.map(({ table, rows }) => ({ stage: 'check', weight: rows + 1, run: () => staging.checkTable(table) })),
        );
      },
    });
    steps.push(wholeCheck);
    steps.push({ stage: 'check', weight: COST.stepMs, run: () => staging.finish((db) => this.#recordRestore(db)) });
    return steps;
  }

  /** The restored trail says it was restored, when, by whom (if she existed then) and from what. */
  async #recordRestore(db: Db): Promise<void> {
    const { actorId, newComputer } = this.#options;
    const existed = actorId === null ? undefined : await db.selectFrom('user').select('id').where('id', '=', actorId).executeTakeFirst();
    // The backup made of the data replaced is named in the restored trail too (the live one goes).
    const dataBefore = this.#dataBefore ? { dataBefore: this.#dataBefore.name } : {};
    const detail = newComputer ? { ...backupDetail(this.summary), newComputer: true } : { ...backupDetail(this.summary), ...dataBefore };
    await appendAudit(db, this.#core.vault.dialect, { at: this.#core.nowIso(), actorId: existed ? actorId : null, action: 'backup.restore', outcome: 'ok', errorCode: null, targetType: 'backup', detail });
  }

  async #recordDataBefore(): Promise<void> {
    const made = this.dataBefore;
    const folder = this.#options.dataBeforeFolder;
    if (!made || !folder) return;
    const core = this.#core;
    await keepLedgerBesideBackups(core, core.vault.db, folder, core.nowIso());
    await appendAudit(core.vault.db, core.vault.dialect, { at: core.nowIso(), actorId: this.#options.actorId, action: 'backup.create', outcome: 'ok', errorCode: null, targetType: 'backup', detail: backupDetail(made) });
  }

  /**
   * The erasures made here must outlive the swap: the ledger beside the database is written
   * now, and the restore does not go ahead without it; so are those beside the backup (on a new
   * PC, whoever was erased after this backup was made on the PC before is erased again at the
   * first login). Then the session ends and the files swap (the data of before goes at the
   * first login after).
   */
  async #switch(): Promise<void> {
    const core = this.#core;
    if (this.#options.newComputer) {
      if (core.vault.presence().state !== 'absent') throw new AppError('VAULT_EXISTS');
    } else await saveErasureLedger(core);
    adoptLedgerBesideBackup(core, this.check.folder);
    this.check.dispose();
    if (!this.#options.newComputer) await core.endSession('logout');
    this.#switching = true;
    try {
      core.vault.switchTo('restore');
    } catch (error) {
      // Put back whole (no switch under way): the staged copy is this job's again, to remove.
      if (!core.vault.switchUnderWay) this.#switching = false;
      core.log(`[restore] the switch failed: ${storageFailure(error).code}`);
      throw error;
    }
    core.betweenSessions.set(RESTORED_FROM, this.summary.createdAt);
    this.#restored = true;
  }
}
