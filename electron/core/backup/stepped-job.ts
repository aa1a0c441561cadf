import { randomBytes } from 'node:crypto';
import type { BACKUP_JOB_STAGES } from '../../contract/backup.ts';
import { FILE_CHUNK } from '../files.ts';

/*
 * A long piece of work (making, checking or restoring a backup) cut into steps, one per call,
 * so the screen shows a real percentage, the person can stop it, and other calls (a lock, the
 * idle check) are answered between steps. Each step carries an estimate of its time, so the bar
 * moves with time rather than with the number of steps.
 */

export type JobStage = (typeof BACKUP_JOB_STAGES)[number];

export interface JobStep {
  stage: JobStage;
  /** Estimated milliseconds (COST): only their shares of the whole matter. */
  weight: number;
  run: () => void | Promise<void>;
}

/**
 * What each kind of work costs, measured on the 100,000-client bench vault (494 MB): VACUUM
 * INTO 5.0 s, integrity_check 7.9 s, SHA-256 1.6 s; a file copy about 1 s; opening a key
 * slot (scrypt) about 0.6 s. Per MB of the database, except the fixed ones.
 */
export const COST = { vacuumPerMb: 10, checkPerMb: 16, hashPerMb: 3.2, copyPerMb: 2, keyMs: 600, migrateMs: 200, stepMs: 5 } as const;

export const megabytes = (bytes: number): number => bytes / 1_048_576;

/**
 * Run each way of letting go, whatever the others do (a busy file must not keep a key in
 * memory); the first failure is thrown once all have run.
 */
export function letGoOfAll(...steps: (() => void)[]): void {
  let first: unknown = null;
  for (const step of steps) {
    try {
      step();
    } catch (error) {
      first ??= error;
    }
  }
  if (first !== null) throw first;
}

/** The steps of a whole file in chunks of FILE_CHUNK (at least one, for an empty or missing file). */
export function chunksOf(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / FILE_CHUNK));
}

export interface JobProgress {
  /** Out of `total` (1,000). */
  done: number;
  total: number;
  /** The stage the next step is in. */
  stage: JobStage;
}

export class SteppedJob {
  readonly id = randomBytes(16).toString('hex');
  readonly #steps: JobStep[] = [];
  #next = 0;
  #done = 0;

  /** `failure`: what a failed step is thrown as (after `discard`). */
  constructor(readonly failure: (error: unknown) => Error) {}

  protected add(...steps: JobStep[]): void {
    this.#steps.push(...steps);
  }

  /**
   * Put `steps` in the place of a step not yet run (its work, now known in detail), scaled so
   * that together they weigh what it did: the bar never jumps back.
   */
  expand(placeholder: JobStep, steps: JobStep[]): void {
    const at = this.#steps.indexOf(placeholder, this.#next);
    if (at < 0) throw new Error('only a step not yet run can be expanded');
    const sum = steps.reduce((total, step) => total + step.weight, 0);
    const scaled = steps.map((step) => ({ ...step, weight: sum > 0 ? (placeholder.weight * step.weight) / sum : placeholder.weight / steps.length }));
    this.#steps.splice(at, 1, ...scaled);
  }

  /** Each step of this job as a step of another (a backup of the data before a restore), under `stage`. */
  asStepsOf(stage: JobStage): JobStep[] {
    return this.#steps.slice(this.#next).map((step) => ({ stage, weight: step.weight, run: () => this.step() }));
  }

  get finished(): boolean {
    return this.#next >= this.#steps.length;
  }

  get progress(): JobProgress {
    const total = this.#steps.reduce((sum, step) => sum + step.weight, 0);
    // Weights are fractions: their running sum can fall a hair short of the total, so the end is 1,000 by definition.
    const done = this.finished ? 1000 : Math.min(999, Math.floor((1000 * this.#done) / Math.max(total, Number.EPSILON)));
    return { done, total: 1000, stage: this.#steps[this.#next]?.stage ?? this.#steps.at(-1)?.stage ?? 'finish' };
  }

  /** Do the next step; a failure lets the job go (discard) and is thrown as `failure` says. */
  async step(): Promise<void> {
    const step = this.#steps[this.#next];
    if (!step) return;
    try {
      await step.run();
    } catch (error) {
      try {
        this.discard();
      } catch {
        // The step's own failure is what the person needs to hear.
      }
      throw this.failure(error);
    }
    this.#next += 1;
    this.#done += step.weight;
  }

  /** All the steps at once (work nobody waits for on a screen). */
  async runToEnd(): Promise<void> {
    while (!this.finished) await this.step();
  }

  /** Let go of what the job holds or half-wrote (overridden). */
  discard(): void {}
}
