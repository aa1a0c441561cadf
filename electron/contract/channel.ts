import type { z } from 'zod';
import type { ErrorCode } from './errors.ts';
import type { Access } from './permissions.ts';

/**
 * One channel of the API between the renderer and core.
 * - `access`: who may call it (see permissions.ts);
 * - `audit`: `write` records every call that reaches the handler (success and failure);
 *   `read` records only refusals. Refusals (no session, no permission) are always recorded;
 * - `duringPasswordChange`: callable while the person must still change a temporary password;
 * - `pathFrom`: works on a path the person picks in the shell's dialog (see below);
 * - `errors`: the codes the handler may return besides the gate's own.
 */
export interface ChannelDef<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  input: I;
  output: O;
  access: Access;
  audit: 'write' | 'read';
  duringPasswordChange?: boolean;
  /**
   * The call works on a path the person picks in the shell's dialog: a file to save
   * (`saveFile`), a file to read (`openFile`, of the kinds `opens` names) or a folder
   * (`chooseFolder`). The shell asks first and passes the path beside the input, never inside
   * it: the window cannot name a path.
   */
  pathFrom?: 'saveFile' | 'openFile' | 'chooseFolder';
  /** For `openFile`: the endings of the files the dialog offers (without the dot). */
  opens?: readonly string[];
  /**
   * The handler runs outside a transaction (SQLite's VACUUM cannot run inside one); its audit
   * entry is written after it.
   */
  outsideTransaction?: boolean;
  /**
   * A long call the person may stop (she sees its progress): a stop asked for from the moment
   * the call arrives counts, even while it waits its turn or runs again after a conflict.
   */
  stoppable?: boolean;
  errors: readonly ErrorCode[];
}

export function channel<I extends z.ZodType, O extends z.ZodType>(def: ChannelDef<I, O>): ChannelDef<I, O> {
  return def;
}

/** The errors any channel can return, added by the gate itself. */
export const GATE_ERRORS = [
  'VALIDATION',
  'UNKNOWN_CHANNEL',
  'NOT_AUTHENTICATED',
  'FORBIDDEN',
  'PASSWORD_CHANGE_REQUIRED',
  'STORAGE_FAILED',
  'INTERNAL',
  'CORE_STOPPED',
] as const satisfies readonly ErrorCode[];
