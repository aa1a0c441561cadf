/*
 * What features keep for the length of a session (a report being built, a backup under way,
 * the clients whose identity was revealed, a recovery code waiting to be confirmed). Each
 * feature declares its own slot; the kernel forgets them all at lock and logout without
 * knowing what they are, and each slot says how its value is let go (a half-made backup's
 * folder removed, a key overwritten).
 */

export interface SessionSlot<T> {
  readonly name: string;
  readonly initial: () => T;
  /** How a value is let go at the end of the session (it may throw: the others still go). */
  readonly discard?: (value: T) => void;
}

export function sessionSlot<T>(name: string, initial: () => T, discard?: (value: T) => void): SessionSlot<T> {
  return { name, initial, discard };
}

export class SessionState {
  readonly #values = new Map<SessionSlot<unknown>, unknown>();

  get<T>(slot: SessionSlot<T>): T {
    if (!this.#values.has(slot as SessionSlot<unknown>)) this.#values.set(slot as SessionSlot<unknown>, slot.initial());
    return this.#values.get(slot as SessionSlot<unknown>) as T;
  }

  set<T>(slot: SessionSlot<T>, value: T): void {
    this.#values.set(slot as SessionSlot<unknown>, value);
  }

  /** Let one slot's value go (as at the end of the session) and forget it. */
  release<T>(slot: SessionSlot<T>): void {
    if (!this.#values.has(slot as SessionSlot<unknown>)) return;
    const value = this.#values.get(slot as SessionSlot<unknown>) as T;
    this.#values.delete(slot as SessionSlot<unknown>);
    slot.discard?.(value);
  }

  /** Let every value go and forget it; a failure is logged by its slot's name (never its value). */
  clear(log: (line: string) => void): void {
    const values = [...this.#values];
    this.#values.clear();
    for (const [slot, value] of values) {
      try {
        slot.discard?.(value);
      } catch (error) {
        log(`[session] ${slot.name} could not be let go: ${(error as { code?: string } | null)?.code ?? (error as Error | null)?.name ?? 'error'}`);
      }
    }
  }
}
