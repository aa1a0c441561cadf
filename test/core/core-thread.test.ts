import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LockReason } from '../../electron/core/core.ts';
import { CORE_RESTARTS, type CoreStopped } from '../../electron/core/thread/core-thread.ts';
import { startSourceThread, type SourceThread } from '../support/core-thread.ts';
import { ADMIN, copyOfTemplate, TestClock, TODAY, WORKER } from '../support/vault-fixture.ts';

/*
 * The core in its own worker thread, as the shell holds it: calls and their results, a path
 * asked of the shell's dialog, lock events, the shell's moved clock, and a thread that dies:
 * calls in flight told so, a new thread started locked, every acknowledged write still there,
 * and a thread that keeps dying given up on.
 */

let running: SourceThread | null = null;
afterEach(async () => {
  await running?.core.terminate();
  running = null;
});

async function onTemplate(options: Parameters<typeof startSourceThread>[1] = {}) {
  const template = await copyOfTemplate();
  await template.core.shutdown();
  running = startSourceThread(template.dir, options);
  await running.core.started;
  return { ...running, ids: template.template.ids, dir: template.dir };
}

describe('the core in its own thread', () => {
  it('answers calls through the gate, relays lock events, follows the shell\'s clock, and measures its hop', async () => {
    const clock = new TestClock();
    const hops: [number, number][] = [];
    const { core } = await onTemplate({ clock, onHop: (trip, spent) => hops.push([trip, spent]) });
    expect(core.vault.isOpen).toBe(false);
    expect(await core.invoke('clients.list', {})).toEqual({ ok: false, error: { code: 'NOT_AUTHENTICATED' } });
    const login = await core.invoke('auth.login', { username: WORKER.username, password: WORKER.password });
    expect(login.ok).toBe(true);
    expect(core.vault.isOpen).toBe(true);
    // Validation happens in the worker's gate, as before.
    expect(await core.invoke('visits.record', { clientId: 'one' })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });

    // Idle: the worker reads the time the test moved.
    expect(await core.checkIdle()).toBe(false);
    const locks: LockReason[] = [];
    core.onLocked((reason) => locks.push(reason));
    clock.advance(16 * 60_000);
    expect(await core.checkIdle()).toBe(true);
    expect(locks).toEqual(['idle']);
    expect(core.vault.isOpen).toBe(false);

    expect(hops.length).toBeGreaterThanOrEqual(3);
    for (const [trip, spent] of hops) expect(spent).toBeLessThanOrEqual(trip);
  });

  it('asks the shell for a path only after the gate\'s checks, and passes the answer back', async () => {
    const { core, dir } = await onTemplate();
    const asked: unknown[] = [];
    const ask = async (prompt: unknown) => (asked.push(prompt), join(dir, 'nowhere-chosen'));
    // Not logged in: refused before anyone is asked.
    expect(await core.invoke('backup.setFolder', {}, ask)).toEqual({ ok: false, error: { code: 'NOT_AUTHENTICATED' } });
    expect(asked).toEqual([]);
    await core.invoke('auth.login', { username: ADMIN.username, password: ADMIN.password });
    const cancelled = await core.invoke('backup.setFolder', {}, async (prompt) => (asked.push(prompt), null));
    expect(asked).toEqual([{ kind: 'chooseFolder' }]);
    expect(cancelled.ok).toBe(true);
  });

  it('when the thread dies mid-call: the call is told, a new thread starts locked, and every acknowledged write is there', async () => {
    const stopped: CoreStopped[] = [];
    const { core, workers, logged, ids } = await onTemplate({ onStopped: (outcome) => stopped.push(outcome) });
    await core.invoke('auth.login', { username: WORKER.username, password: WORKER.password });
    const notes: string[] = [];
    for (let n = 0; n < 5; n++) {
      const note = `ghi-chu-thu-${n}`;
      const recorded = await core.invoke('visits.record', { clientId: ids.client, visitOn: TODAY, place: 'centre', serviceTypeIds: [1], note });
      expect(recorded.ok).toBe(true);
      notes.push(note);
    }
    // A call waiting on the shell's dialog is in flight for certain when the thread ends.
    const inFlight = core.invoke('backup.setFolder', {}, () => new Promise(() => {}));
    await workers[0]?.terminate();
    expect(await inFlight).toEqual({ ok: false, error: { code: 'CORE_STOPPED' } });
    await core.started;
    await expect.poll(() => stopped).toEqual(['restarted']);
    expect(workers).toHaveLength(2);
    expect(logged.some((line) => line.startsWith("[core-thread] the core's thread stopped"))).toBe(true);

    // Locked: nothing of the session came back with the new thread.
    expect(core.vault.isOpen).toBe(false);
    const status = await core.invoke('session.get', {});
    expect(status.ok && status.value).toMatchObject({ vault: 'locked', user: null });
    expect(await core.invoke('clients.get', { clientId: ids.client })).toEqual({ ok: false, error: { code: 'NOT_AUTHENTICATED' } });
    await core.invoke('auth.login', { username: WORKER.username, password: WORKER.password });
    const page = await core.invoke('clients.get', { clientId: ids.client });
    if (!page.ok) throw new Error(page.error.code);
    const kept = (page.value as { visits: { note: string | null }[] }).visits.map((visit) => visit.note);
    for (const note of notes) expect(kept).toContain(note);
  });

  it('gives up on a thread that keeps dying, and then answers every call CORE_STOPPED', async () => {
    const stopped: CoreStopped[] = [];
    const { core, workers } = await onTemplate({ onStopped: (outcome) => stopped.push(outcome), now: () => 1_000 });
    for (let death = 0; death <= CORE_RESTARTS.max; death++) {
      await core.started;
      await workers.at(-1)?.terminate();
    }
    await expect.poll(() => stopped.at(-1)).toBe('gaveUp');
    expect(stopped).toEqual([...Array<CoreStopped>(CORE_RESTARTS.max).fill('restarted'), 'gaveUp']);
    expect(workers).toHaveLength(CORE_RESTARTS.max + 1);
    expect(await core.invoke('session.get', {})).toEqual({ ok: false, error: { code: 'CORE_STOPPED' } });
    expect(await core.lock('manual')).toBe(true);
  });

  it('shuts down: locks, closes, ends the thread; a later call is told the core has stopped', async () => {
    const { core, workers } = await onTemplate();
    await core.invoke('auth.login', { username: WORKER.username, password: WORKER.password });
    const locks: LockReason[] = [];
    core.onLocked((reason) => locks.push(reason));
    await core.shutdown('quit');
    expect(locks).toEqual(['quit']);
    expect(core.vault.isOpen).toBe(false);
    expect(await core.invoke('session.get', {})).toEqual({ ok: false, error: { code: 'CORE_STOPPED' } });
    expect(workers[0]?.threadId).toBe(-1);
  });
});
