import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { ERROR_CODES } from '../../contract/errors.ts';
import { CHANNEL_NAMES } from '../../contract/index.ts';
import type { Db } from '../db/schema.ts';
import { writeFileAtomic } from '../files.ts';
import { open as openSealed } from './sealed-box.ts';
import { secretSettingValue, type ColumnSealer } from './column-sealers.ts';
import { SEALING_KEY_SETTING } from './key-file.ts';

/*
 * What must survive a restart while the vault is locked: the count of failed unlock attempts
 * in a row (for the growing delay), and audit events that happened while the database was
 * closed (failed logins), which are written into the audit trail at the next unlock.
 * Nothing here names a person: the username of a failed login is sealed to a key whose
 * private half is inside the encrypted database (see sealed-box.ts).
 */

export const FREE_ATTEMPTS = 5;
export const FIRST_DELAY_MS = 30_000;
export const MAX_DELAY_MS = 15 * 60_000;
export const MAX_PENDING_EVENTS = 500;

// Only what core itself records may come back from this unauthenticated file into the trail:
// failed unlocks, and requests refused because nobody was logged in.
const pendingEventSchema = z
  .object({
    at: z.iso.datetime(),
    action: z.enum(CHANNEL_NAMES as [string, ...string[]]),
    outcome: z.enum(['refused', 'failed']),
    errorCode: z.enum(ERROR_CODES),
    sealedUsername: z.string().max(400).nullable(),
  })
  .strict()
  .refine((event) =>
    event.outcome === 'failed'
      ? (event.action === 'auth.login' && event.errorCode === 'WRONG_CREDENTIALS') ||
        (event.action === 'auth.recover' && event.errorCode === 'RECOVERY_CODE_INVALID') ||
        // Moving this PC to another server (login screen): a wrong password there, or a server not the centre's.
        (event.action === 'auth.serverSwitch' && ['WRONG_CREDENTIALS', 'SERVER_OTHER_CENTRE', 'SERVER_CENTRE_UNKNOWN'].includes(event.errorCode))
      : event.errorCode === 'NOT_AUTHENTICATED' && event.sealedUsername === null,
  );
export type PendingEvent = z.infer<typeof pendingEventSchema>;

const stateSchema = z
  .object({
    version: z.literal(1),
    failures: z.number().int().min(0),
    lastFailureAt: z.number().nullable(),
    pending: z.array(pendingEventSchema).max(MAX_PENDING_EVENTS),
    droppedEvents: z.number().int().min(0),
  })
  .strict();
export type UnlockState = z.infer<typeof stateSchema>;

const EMPTY: UnlockState = { version: 1, failures: 0, lastFailureAt: null, pending: [], droppedEvents: 0 };

/** The delay owed after `failures` failed attempts in a row: none for the first five, then 30 s, doubling, capped. */
export function delayAfter(failures: number): number {
  if (failures < FREE_ATTEMPTS) return 0;
  return Math.min(FIRST_DELAY_MS * 2 ** (failures - FREE_ATTEMPTS), MAX_DELAY_MS);
}

export class UnlockStateFile {
  constructor(
    private readonly path: string,
    private readonly now: () => number,
  ) {}

  /**
   * A missing file means no failures. A garbled one is replaced, once, by a lockout starting
   * now: not a clean slate, and not a lockout that never ends. (Someone who can delete this
   * file can also copy the vault and guess offline; against that, only the slow key
   * derivation protects, not this delay.)
   */
  read(): UnlockState {
    if (!existsSync(this.path)) return { ...EMPTY, pending: [] };
    try {
      return stateSchema.parse(JSON.parse(readFileSync(this.path, 'utf8')));
    } catch {
      const lockout: UnlockState = { ...EMPTY, pending: [], failures: FREE_ATTEMPTS, lastFailureAt: this.now() };
      this.write(lockout);
      return lockout;
    }
  }

  /** Milliseconds until the next attempt is allowed (0: now). */
  retryAfterMs(): number {
    const state = this.read();
    const delay = delayAfter(state.failures);
    if (delay === 0 || state.lastFailureAt === null) return 0;
    // A clock set backwards must not stretch the delay beyond its length.
    return Math.max(0, Math.min(delay, state.lastFailureAt + delay - this.now()));
  }

  recordFailure(event: PendingEvent): void {
    const state = this.read();
    this.write({
      ...state,
      failures: state.failures + 1,
      lastFailureAt: this.now(),
      ...appendPending(state, event),
    });
  }

  recordEvent(event: PendingEvent): void {
    const state = this.read();
    this.write({ ...state, ...appendPending(state, event) });
  }

  /** After a successful unlock: the failure count restarts; pending events are handed over. */
  takePendingAndReset(): { events: PendingEvent[]; droppedEvents: number } {
    const state = this.read();
    this.write({ ...EMPTY, pending: [] });
    return { events: state.pending, droppedEvents: state.droppedEvents };
  }

  private write(state: UnlockState): void {
    writeFileAtomic(this.path, JSON.stringify(state));
  }
}

function appendPending(state: UnlockState, event: PendingEvent): Pick<UnlockState, 'pending' | 'droppedEvents'> {
  if (state.pending.length < MAX_PENDING_EVENTS) return { pending: [...state.pending, event], droppedEvents: state.droppedEvents };
  return { pending: state.pending, droppedEvents: state.droppedEvents + 1 };
}

/**
 * Failed attempts recorded while locked, with the usernames unsealed (the private key is in
 * the open database's settings, sealed there on a server), for the audit trail; the file is
 * reset.
 */
export async function takePendingEvents(db: Db, file: UnlockStateFile, columns: ColumnSealer): Promise<{ events: (PendingEvent & { username: string | null })[]; droppedEvents: number }> {
  const privateKey = await secretSettingValue(db, columns, SEALING_KEY_SETTING);
  const { events, droppedEvents } = file.takePendingAndReset();
  return {
    droppedEvents,
    events: events.map((event) => ({
      ...event,
      username: privateKey && event.sealedUsername ? openSealed(privateKey, event.sealedUsername) : null,
    })),
  };
}
