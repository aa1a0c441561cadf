import { Worker } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import type { Result } from '../../contract/errors.ts';
import type { CallProgress } from '../../contract/shell.ts';
import type { LockReason } from '../core.ts';
import type { PathPrompt } from '../path-prompts.ts';
import type { CoreThreadData, FromCore, KernelMethod, ToCore } from './protocol.ts';

/*
 * The shell's side of the core's worker thread. Electron main, the end-to-end harness and the
 * bench start the core the same way, through this class, and hold nothing of it but a message
 * port: no key, no row. A worker that dies is noticed at once: calls in flight are answered
 * CORE_STOPPED, the shell is told, and a new worker starts locked (the vault is closed with
 * the old one; every write it acknowledged was already committed). A worker that keeps dying
 * is not restarted for ever.
 */

/** How often the core's thread may die in a row before the shell gives up on it. */
export const CORE_RESTARTS = { max: 3, withinMs: 60_000 } as const;

export type CoreStopped = 'restarted' | 'gaveUp';

export interface CoreThreadOptions {
  /** The worker's entry: the built `core-worker.js`, or the source `worker.ts` run under tsx (`execArgv`). */
  entry: string | URL;
  execArgv?: string[];
  data: CoreThreadData;
  /** Codes and error names only, as core logs them. */
  log: (line: string) => void;
  /** The core's thread died: it was restarted locked, or (dying again and again) given up. */
  onStopped?: (outcome: CoreStopped) => void;
  /** Each call's round trip and the worker's own time on it (the bench's measure of the hop). */
  onHop?: (roundTripMs: number, spentMs: number) => void;
  /** How far a long call has come (the shell passes it to the window). */
  onProgress?: (progress: CallProgress) => void;
  /** Each worker as it starts (tests hold it to end it abruptly, as a crash would). */
  onWorker?: (worker: Worker) => void;
  now?: () => number;
}

interface Waiting {
  settle: (message: Extract<FromCore, { kind: 'done' | 'failed' }> | null) => void;
  ask?: (prompt: PathPrompt) => Promise<string | null>;
  sentAt: number;
}

const STOPPED: Result<unknown> = { ok: false, error: { code: 'CORE_STOPPED' } };

export class CoreThread {
  readonly #options: CoreThreadOptions;
  #worker: Worker | null = null;
  #ready: Promise<void> = Promise.resolve();
  #nextId = 1;
  readonly #waiting = new Map<number, Waiting>();
  readonly #lockListeners = new Set<(reason: LockReason) => void>();
  readonly #deaths: number[] = [];
  /** Shut down on purpose, or given up: no more restarts, every call answered CORE_STOPPED. */
  #ended = false;
  #open = false;

  private constructor(options: CoreThreadOptions) {
    this.#options = options;
  }

  /** Start the core's thread. Calls made before it answers wait for it. */
  static start(options: CoreThreadOptions): CoreThread {
    const thread = new CoreThread(options);
    thread.#spawn();
    return thread;
  }

  /** Resolves once the thread (the one now running, after a restart too) answers. */
  get started(): Promise<void> {
    return this.#ready;
  }

  /** What the shell may know of the vault: whether it is open (for holding back the end of a system session). */
  get vault(): { readonly isOpen: boolean } {
    return { isOpen: this.#open };
  }

  /** A call through the gate; a path it needs is asked of `ask` (the shell's dialog). */
  async invoke(channel: unknown, input: unknown, ask: (prompt: PathPrompt) => Promise<string | null> = async () => null): Promise<Result<unknown>> {
    const answer = await this.#send((id) => ({ kind: 'invoke', id, channel, input }), ask);
    return answer?.kind === 'done' ? (answer.result as Result<unknown>) : STOPPED;
  }

  lock(reason: Exclude<LockReason, 'logout'>): Promise<boolean> {
    // A thread that is gone holds no open vault: locked.
    return this.#kernel('lock', reason).then((result) => result ?? true);
  }

  /** Called on the shell's timer (and by tests with a moved clock). */
  checkIdle(): Promise<boolean> {
    return this.#kernel('checkIdle').then((result) => result ?? false);
  }

  /** The features' timed work (a scheduled backup when one is due). */
  scheduledBackup(): Promise<boolean> {
    return this.#kernel('timer').then((result) => result ?? false);
  }

  /** The exit backup if due, lock, close; then the thread ends. */
  async shutdown(reason: Extract<LockReason, 'quit' | 'shutdown'> = 'quit'): Promise<void> {
    if (this.#ended) return;
    try {
      const answer = await this.#send((id) => ({ kind: 'kernel', id, method: 'shutdown', reason }));
      if (answer?.kind === 'failed') throw Object.assign(new Error('shutdown failed'), { code: answer.name });
    } finally {
      await this.#end();
    }
  }

  /** End the thread without shutting down (a test that already has, or a shell giving up). */
  async terminate(): Promise<void> {
    await this.#end();
  }

  onLocked(listener: (reason: LockReason) => void): () => void {
    this.#lockListeners.add(listener);
    return () => this.#lockListeners.delete(listener);
  }

  async #kernel(method: KernelMethod, reason?: Exclude<LockReason, 'logout'>): Promise<boolean | null> {
    const answer = await this.#send((id) => ({ kind: 'kernel', id, method, reason }));
    if (answer?.kind === 'failed') throw Object.assign(new Error(`${method} failed`), { code: answer.name });
    return answer ? (answer.result as boolean) : null;
  }

  /** Ask the long call under way to stop (it stops at its next step, writing nothing). */
  stop(): void {
    this.#worker?.postMessage({ kind: 'stop' } satisfies ToCore);
  }

  /** Post a message and wait for its end; null when the thread is gone (or dies meanwhile). */
  async #send(
    message: (id: number) => ToCore,
    ask?: (prompt: PathPrompt) => Promise<string | null>,
  ): Promise<Extract<FromCore, { kind: 'done' | 'failed' }> | null> {
    await this.#ready;
    const worker = this.#worker;
    if (this.#ended || !worker) return null;
    const id = this.#nextId++;
    return new Promise((settle) => {
      this.#waiting.set(id, { settle, ask, sentAt: performance.now() });
      worker.postMessage(message(id));
    });
  }

  #spawn(): void {
    const worker = new Worker(this.#options.entry, { workerData: this.#options.data, execArgv: this.#options.execArgv });
    this.#worker = worker;
    this.#options.onWorker?.(worker);
    let started: () => void = () => {};
    this.#ready = new Promise((resolve) => (started = resolve));
    worker.on('message', (message: FromCore) => this.#receive(worker, message, started));
    // An uncaught failure in the worker: its name only (the exit that follows restarts it).
    worker.on('error', (error) => this.#options.log(`[core-thread] the core's thread failed: ${error.name}`));
    worker.on('exit', (code) => {
      started();
      this.#died(worker, code);
    });
  }

  #receive(worker: Worker, message: FromCore, started: () => void): void {
    if (worker !== this.#worker) return;
    switch (message.kind) {
      case 'ready':
        started();
        return;
      case 'log':
        this.#options.log(message.line);
        return;
      case 'progress':
        this.#options.onProgress?.(message.progress);
        return;
      case 'locked':
        this.#open = false;
        for (const listener of this.#lockListeners) listener(message.reason);
        return;
      case 'ask': {
        const ask = this.#waiting.get(message.id)?.ask ?? (async () => null);
        void ask(message.prompt).then(
          (path) => worker.postMessage({ kind: 'answer', id: message.id, path } satisfies ToCore),
          () => worker.postMessage({ kind: 'answer', id: message.id, path: null } satisfies ToCore),
        );
        return;
      }
      case 'done':
      case 'failed': {
        this.#open = message.open;
        const waiting = this.#waiting.get(message.id);
        this.#waiting.delete(message.id);
        if (waiting && message.kind === 'done') this.#options.onHop?.(performance.now() - waiting.sentAt, message.spentMs);
        waiting?.settle(message);
      }
    }
  }

  #died(worker: Worker, code: number): void {
    if (worker !== this.#worker) return;
    this.#worker = null;
    this.#open = false;
    // Calls in flight get no answer from a thread that is gone: each is told so.
    for (const waiting of this.#waiting.values()) waiting.settle(null);
    this.#waiting.clear();
    if (this.#ended) return;
    this.#options.log(`[core-thread] the core's thread stopped (exit code ${code})`);
    const now = (this.#options.now ?? Date.now)();
    this.#deaths.push(now);
    while (this.#deaths.length && now - (this.#deaths[0] ?? now) > CORE_RESTARTS.withinMs) this.#deaths.shift();
    if (this.#deaths.length > CORE_RESTARTS.max) {
      this.#ended = true;
      this.#options.onStopped?.('gaveUp');
      return;
    }
    this.#spawn();
    void this.#ready.then(() => this.#options.onStopped?.('restarted'));
  }

  async #end(): Promise<void> {
    this.#ended = true;
    const worker = this.#worker;
    this.#worker = null;
    for (const waiting of this.#waiting.values()) waiting.settle(null);
    this.#waiting.clear();
    this.#open = false;
    await worker?.terminate();
  }
}
