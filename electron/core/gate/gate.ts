import type { ZodError } from 'zod';
import { contract, isChannelName, VALIDATION_MESSAGES, type ChannelDef, type ChannelName } from '../../contract/index.ts';
import type { AppErrorPayload, ErrorCode, Result, ValidationIssue } from '../../contract/errors.ts';
import { AppError, isAppError, isStorageError, storageFailure } from '../app-error.ts';
import type { Core } from '../core.ts';
import type { CompiledQuery, RawBuilder, Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { AuditNote, HandlerContext, HandlerMap, ReadsAhead, Undo } from './types.ts';
import { holdTrail, knowTrailEnd, readAhead, trailEndColumn } from '../db/dialect.ts';
import { KEY_ROTATED } from '../vault/key-change.ts';

/**
 * The one door. Every request, from IPC or from a test, runs: validate the input against the
 * contract, check the session, check the permission, run the handler, write the audit entry.
 * Handler writes and their audit entry share one transaction: a failed call changes nothing
 * but the entry that records its failure.
 */
export class Gate {
  constructor(
    private readonly core: Core,
    private readonly handlers: HandlerMap,
    private readonly readsAhead: ReadsAhead = {},
  ) {}

  /** `extras` come from the shell, never from the window: the path picked in its dialog. */
  invoke(channel: unknown, input: unknown, extras: InvokeExtras = {}): Promise<Result<unknown>> {
    // A stop asked for before this call arrived was meant for another; from now on it is this one's.
    if (isChannelName(channel) && 'stoppable' in contract[channel] && contract[channel].stoppable) this.core.beginStoppable();
    return this.core.queue.run(() => this.#invoke(channel, input, extras));
  }

  /**
   * Before the shell opens a dialog for a call: the same validation, session and permission
   * checks the call will meet, so nobody is asked for a file or folder she may not use. A
   * refusal is recorded as the call's would be. Null: the dialog may open.
   */
  precheck(channel: unknown, input: unknown): Promise<{ refused: Result<never> } | { sessionSerial: number }> {
    return this.core.queue.run(async () => {
      if (!isChannelName(channel)) return { refused: failure({ code: 'UNKNOWN_CHANNEL' }) };
      const def: ChannelDef = contract[channel];
      const parsed = def.input.safeParse(input === undefined ? {} : input);
      if (!parsed.success) return { refused: failure({ code: 'VALIDATION', issues: toIssues(parsed.error) }) };
      const session = this.core.session;
      const refusal = refusalFor(def, session);
      // The session the call may run in, read in the same turn as the checks.
      if (!refusal) return { sessionSerial: this.core.sessionSerial };
      await this.#auditSafely({ actorId: session?.id ?? null, action: channel, outcome: 'refused', errorCode: refusal });
      return { refused: failure({ code: refusal }) };
    });
  }

  async #invoke(name: unknown, rawInput: unknown, extras: InvokeExtras): Promise<Result<unknown>> {
    if (!isChannelName(name)) return failure({ code: 'UNKNOWN_CHANNEL' });
    const def: ChannelDef = contract[name];

    const parsed = def.input.safeParse(rawInput === undefined ? {} : rawInput);
    if (!parsed.success) return failure({ code: 'VALIDATION', issues: toIssues(parsed.error) });

    const session = this.core.session;
    // A dialog was open for this call and the session changed meanwhile (locked, logged out,
    // someone else logged in): the call is refused, whoever is logged in now.
    const sessionChanged = extras.sessionSerial !== undefined && extras.sessionSerial !== this.core.sessionSerial;
    const refusal = sessionChanged ? 'NOT_AUTHENTICATED' : refusalFor(def, session);
    if (refusal) {
      // Refused because the session changed: the call was not the new person's.
      await this.#auditSafely({ actorId: sessionChanged ? null : (session?.id ?? null), action: name, outcome: 'refused', errorCode: refusal });
      return failure({ code: refusal });
    }
    if (session) this.core.touch();

    const core = this.core;
    const chosenPath = def.pathFrom && typeof extras.path === 'string' ? extras.path : null;
    const handler = this.handlers[name] as (input: unknown, ctx: HandlerContext) => Promise<unknown>;
    const firstReads = this.readsAhead[name] as ((input: unknown, ctx: HandlerContext) => readonly { compile(): CompiledQuery }[]) | undefined;
    // Calls made within an open vault run in a transaction with their audit entry. Calls that
    // open it (login, setup) cannot; their entry is written once it is open.
    const transactional = this.core.vault.isOpen && def.access !== 'public' && !def.outsideTransaction;
    let steps = newSteps();

    try {
      let output: unknown;
      if (transactional) {
        // On the centre's server another PC's transaction may get in the way of this one (a
        // conflict): all of it was rolled back, and it runs again on what is there now.
        for (let attempt = 1; ; attempt++) {
          try {
            output = await this.#inTransaction(async (trx, undos) => {
              // Appends to the trail wait for each other, from before the call's first read.
              if (def.audit === 'write') await holdTrail(trx, core.vault.dialect);
              const ctx = contextOf(core, steps, chosenPath, trx);
              // The handler's first reads, when its input names them, go with the gate's (one trip on the server).
              if (firstReads && core.session) for (const read of firstReads(parsed.data, ctx)) await readAhead(trx, core.vault.dialect, read);
              await this.#stillAllowed(def, steps, trx);
              const value = def.output.parse(await handler(parsed.data, ctx));
              if (def.audit === 'write') await this.core.audit(this.#entry(name, 'ok', null, steps.notes), trx);
              for (const task of steps.atCommit) {
                const undo = await task();
                if (undo) undos.push(undo);
              }
              return value;
            });
            break;
          } catch (error) {
            if (!core.vault.isOpen || !core.vault.isConflict(error)) throw error;
            core.log(`[gate] ${name} met another PC's change (attempt ${attempt}): run again`);
            await runAll(steps.whenDone);
            if (attempt === CONFLICT_ATTEMPTS) throw new AppError('SERVER_BUSY', {}, { cause: error });
            steps = newSteps();
            await pause(attempt);
          }
        }
      } else {
        output = def.output.parse(await handler(parsed.data, contextOf(core, steps, chosenPath, null)));
        if (def.audit === 'write') await this.core.audit(this.#entry(name, 'ok', null, steps.notes));
        await runAll(steps.atCommit);
      }
      await runAll(steps.onCommitted);
      await runAll(steps.whenDone);
      return { ok: true, value: output };
    } catch (error) {
      const appError = this.#asAppError(name, error);
      // Failures of unlock attempts are recorded by the vault itself while it is locked.
      if ((def.audit === 'write' || appError.code === 'INTERNAL') && this.core.vault.isOpen) {
        await this.#auditSafely(this.#entry(name, 'failed', appError.code, steps.notes));
      }
      await runAll(steps.whenDone);
      return failure(appError.toPayload());
    }
  }

  /**
   * Within the call's transaction, before the handler: is the session still what the database
   * says? Another PC may be changing the centre's key, or have changed it (the session ends:
   * everyone logs in again), deactivated her account (the session ends here, at her next
   * request) or changed her roles (the permission is checked again).
   */
  async #stillAllowed(def: ChannelDef, steps: Steps, trx: Transaction<Database>): Promise<void> {
    if (!this.core.session) return;
    const vault = this.core.vault;
    // One read: her account and roles, the key's state, and (a writing call holds the trail) the trail's end.
    const carry: Record<string, RawBuilder<unknown>> = {};
    if (vault.keyState) carry.key_state = vault.keyState;
    if (def.audit === 'write') carry.trail_end = trailEndColumn;
    const { session: current, carried } = await this.core.currentSession(trx, carry);
    try {
      // Nothing carried on the file (its key cannot change under it); on a server, the keyring's rows.
      if (carried.key_state !== undefined) vault.checkKeyState(carried.key_state);
    } catch (error) {
      // This PC's key opens nothing the other PC writes now: the session ends, the login screen says why.
      if (isAppError(error) && (error.code === 'KEY_CHANGED' || error.code === 'KEY_CHANGE_UNDER_WAY')) {
        steps.whenDone.push(async () => {
          await this.core.endSession('logout');
          this.core.betweenSessions.set(KEY_ROTATED, true);
        });
      }
      throw error;
    }
    if (!current) {
      steps.whenDone.push(() => this.core.endSession('logout'));
      throw new AppError('ACCOUNT_DISABLED');
    }
    if (def.audit === 'write') knowTrailEnd(trx, carried.trail_end);
    const refusal = refusalFor(def, current);
    if (refusal) throw new AppError(refusal);
  }

  /**
   * Run `body` in a transaction and commit it. If the body or the COMMIT fails, what the
   * body's commit tasks wrote outside the database is undone and the transaction rolled back.
   * When the disk fills, SQLite may already have rolled back by itself; the ROLLBACK that then
   * fails must not hide the error that says what happened.
   */
  async #inTransaction<T>(body: (trx: Transaction<Database>, undos: Undo[]) => Promise<T>): Promise<T> {
    const trx = await this.core.vault.begin();
    const undos: Undo[] = [];
    let value: T;
    try {
      value = await body(trx, undos);
      await trx.commit().execute();
    } catch (error) {
      for (const step of undos.reverse()) {
        try {
          step.undo();
        } catch (undoError) {
          this.core.log(`[gate] undo after a failed commit failed: ${describe(undoError)}`);
        }
      }
      try {
        await trx.rollback().execute();
      } catch {
        // Already rolled back by SQLite.
      }
      throw error;
    }
    for (const step of undos) step.done();
    return value;
  }

  #entry(action: ChannelName, outcome: 'ok' | 'failed', errorCode: ErrorCode | null, notes: AuditNote) {
    return {
      actorId: this.core.session?.id ?? null,
      action,
      outcome,
      errorCode,
      targetType: notes.targetType ?? null,
      targetId: notes.targetId ?? null,
      detail: notes.detail ?? null,
    } as const;
  }

  async #auditSafely(record: Parameters<Core['audit']>[0]): Promise<void> {
    try {
      await this.core.audit(record);
    } catch (error) {
      this.core.log(`[gate] audit write failed for ${record.action}: ${describe(error)}`);
    }
  }

  #asAppError(channel: ChannelName, raw: unknown): AppError {
    if (isAppError(raw)) return raw;
    // The store's own failures said as the app says them (the server lost, unreachable).
    const error = this.core.vault.explain(raw);
    if (isAppError(error)) {
      this.core.log(`[gate] ${channel} failed: ${error.code}`);
      return error;
    }
    // Log what kind of failure, never its message (it could quote data).
    this.core.log(`[gate] ${channel} failed${isStorageError(error) ? '' : ' unexpectedly'}: ${describe(error)}`);
    // The disk full or not writable: a sentence the person can act on, and nothing was saved.
    if (isStorageError(error)) return storageFailure(error);
    return new AppError('INTERNAL');
  }
}

export interface InvokeExtras {
  /** The path picked in the shell's dialog (null: she cancelled). */
  path?: string | null;
  /** `core.sessionSerial` when the dialog opened: the call runs only in that same session. */
  sessionSerial?: number;
}

function refusalFor(def: ChannelDef, session: Core['session']): ErrorCode | null {
  if (def.access === 'public') return null;
  if (!session) return 'NOT_AUTHENTICATED';
  if (session.mustChangePassword && !def.duringPasswordChange) return 'PASSWORD_CHANGE_REQUIRED';
  if (def.access !== 'session' && !session.permissions.includes(def.access)) return 'FORBIDDEN';
  return null;
}

function failure(error: AppErrorPayload): Result<never> {
  return { ok: false, error };
}

const KNOWN_MESSAGES = new Set<string>(VALIDATION_MESSAGES);

function toIssues(error: ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: KNOWN_MESSAGES.has(issue.message) ? issue.message : 'invalid',
  }));
}

/** A call that met another PC's transaction this many times in a row gives up (SERVER_BUSY). */
const CONFLICT_ATTEMPTS = 6;

/** A short, growing, random wait before running a call again, so two PCs do not meet again at once. */
function pause(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
}

/** What a handler asks to happen around its transaction; a fresh set for each run of the call. */
interface Steps {
  notes: AuditNote;
  atCommit: CommitTask[];
  onCommitted: Task[];
  whenDone: Task[];
}

function newSteps(): Steps {
  return { notes: {}, atCommit: [], onCommitted: [], whenDone: [] };
}

function contextOf(core: Core, steps: Steps, chosenPath: string | null, db: HandlerContext['db'] | null): HandlerContext {
  return {
    core,
    session: core.session,
    chosenPath,
    get db() {
      return db ?? core.vault.db;
    },
    requireSession: () => {
      if (!core.session) throw new AppError('NOT_AUTHENTICATED');
      return core.session;
    },
    note: (note) => Object.assign(steps.notes, note),
    atCommit: (task) => steps.atCommit.push(task),
    onCommitted: (task) => steps.onCommitted.push(task),
    whenDone: (task) => steps.whenDone.push(task),
  };
}

type Task = () => Promise<void> | void;
type CommitTask = () => Promise<Undo | void> | Undo | void;

async function runAll(tasks: (Task | CommitTask)[]): Promise<void> {
  for (const task of tasks) await task();
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${error.name} ${code}` : error.name;
  }
  return typeof error;
}
