import type { ChannelName, ChannelOutput, ParsedInput } from '../../contract/index.ts';
import type { CompiledQuery, Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { Core, Session } from '../core.ts';

export interface AuditNote {
  targetType?: string;
  targetId?: string | number;
  detail?: Record<string, unknown>;
}

/** What a handler sees. `db` is the transaction the handler and its audit entry share. */
export interface HandlerContext {
  readonly core: Core;
  readonly session: Session | null;
  readonly db: Kysely<Database> | Transaction<Database>;
  /** For a channel with `pathFrom`: the path picked in the shell's dialog, or null if she cancelled. */
  readonly chosenPath: string | null;
  requireSession(): Session;
  /** Say what the call acted on, for its audit entry (ids and codes only, never client data). */
  note(note: AuditNote): void;
  /**
   * Run as the last step inside the transaction, after the audit entry: for writes outside the
   * database (the keyring), so a failure rolls the database back with them. A task may return
   * how to undo it if the commit itself then fails (a full disk), and what to tidy once it held.
   */
  atCommit(task: () => Promise<Undo | void> | Undo | void): void;
  /** Run once the call has committed (in-memory state that must follow the database). */
  onCommitted(task: () => Promise<void> | void): void;
  /** Run when the call is over, whether it succeeded or failed (e.g. close the vault). */
  whenDone(task: () => Promise<void> | void): void;
}

export type Handler<C extends ChannelName> = (input: ParsedInput<C>, ctx: HandlerContext) => Promise<ChannelOutput<C>>;

export type HandlerMap<C extends ChannelName = ChannelName> = { [K in C]: Handler<K> };

/**
 * A writing call's first reads, in order, known from its input before its handler runs: on the
 * server they go with the gate's first read in one trip while the trail is held (db/dialect.ts
 * `readAhead`).
 */
export type ReadsAhead<C extends ChannelName = ChannelName> = { [K in C]?: (input: ParsedInput<K>, ctx: HandlerContext) => readonly { compile(): CompiledQuery }[] };

/** For what an atCommit task wrote: put it back when the commit failed, or tidy up once it held. */
export interface Undo {
  undo(): void;
  done(): void;
}
