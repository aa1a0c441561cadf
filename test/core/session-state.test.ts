import { describe, expect, it } from 'vitest';
import { SessionState, sessionSlot } from '../../electron/core/session-state.ts';

/* The kernel's per-session state: each feature's slot, let go and forgotten at the end of a session. */

describe('session state', () => {
  it('gives each slot its initial value, keeps what is set, and forgets all at the end, each let go its own way', () => {
    const state = new SessionState();
    const discarded: string[] = [];
    const job = sessionSlot<{ name: string } | null>('test.job', () => null, (value) => value && discarded.push(value.name));
    const revealed = sessionSlot<Set<number>>('test.revealed', () => new Set());
    expect(state.get(job)).toBeNull();
    state.set(job, { name: 'half-made' });
    state.get(revealed).add(7);
    expect(state.get(revealed).has(7)).toBe(true);
    const lines: string[] = [];
    state.clear((line) => lines.push(line));
    expect(discarded).toEqual(['half-made']);
    expect(lines).toEqual([]);
    // A new session starts from the initial values.
    expect(state.get(job)).toBeNull();
    expect(state.get(revealed).size).toBe(0);
  });

  it('a value that cannot be let go is logged by its slot\'s name only, and the others still go', () => {
    const state = new SessionState();
    const secret = 'Bí Danh Không Được Ghi';
    const failing = sessionSlot<string>('test.failing', () => secret, () => {
      throw Object.assign(new Error(secret), { code: 'EBUSY' });
    });
    let letGo = false;
    const other = sessionSlot<number>('test.other', () => 1, () => {
      letGo = true;
    });
    state.get(failing);
    state.get(other);
    const lines: string[] = [];
    state.clear((line) => lines.push(line));
    expect(lines).toEqual(['[session] test.failing could not be let go: EBUSY']);
    expect(letGo).toBe(true);
  });
});
