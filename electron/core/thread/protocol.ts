import type { Result } from '../../contract/errors.ts';
import type { CallProgress } from '../../contract/shell.ts';
import type { LockReason } from '../core.ts';
import type { PathPrompt } from '../path-prompts.ts';
import type { ScryptParams } from '../vault/kdf.ts';

/*
 * The messages between the shell's thread (Electron main, the end-to-end harness, the bench)
 * and the core's worker thread. Only these cross: a call and its result, a path asked of the
 * shell's dialog and its answer, lock events and log lines (codes, never data). Keys and
 * client data stay in the worker.
 */

/** What the worker is started with (`workerData`). */
export interface CoreThreadData {
  dataDir: string;
  /**
   * A clock the starter moves (tests): the time in milliseconds lives in this shared buffer
   * (one BigInt64). Absent: the system's clock.
   */
  sharedClock?: SharedArrayBuffer;
  /** Fixed key-derivation parameters instead of calibrating on this PC (tests and the bench). */
  kdf?: ScryptParams;
}

/** What the shell asks of the kernel, besides calls through the gate. */
export type KernelMethod = 'lock' | 'checkIdle' | 'timer' | 'shutdown';

export type ToCore =
  | { kind: 'invoke'; id: number; channel: unknown; input: unknown }
  | { kind: 'kernel'; id: number; method: KernelMethod; reason?: Exclude<LockReason, 'logout'> }
  /** The shell's dialog answered a path prompt (null: cancelled). */
  | { kind: 'answer'; id: number; path: string | null }
  /** The window asks the long call under way to stop (taken at once, not after the call). */
  | { kind: 'stop' };

export type FromCore =
  | { kind: 'ready' }
  /**
   * A call's or kernel request's end. `open`: whether the vault is open now. `spentMs`: how
   * long the worker spent on it, so the hop's own cost can be told apart.
   */
  | { kind: 'done'; id: number; result: Result<unknown> | boolean | null; open: boolean; spentMs: number }
  | { kind: 'failed'; id: number; open: boolean; name: string }
  | { kind: 'ask'; id: number; prompt: PathPrompt }
  | { kind: 'locked'; reason: LockReason }
  /** How far a long call has come: counts only. */
  | { kind: 'progress'; progress: CallProgress }
  | { kind: 'log'; line: string };
