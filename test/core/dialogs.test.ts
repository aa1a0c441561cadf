import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { invokeWithPrompt } from '../../electron/core/index.ts';
import { ADMIN, copyOfTemplate, loginAs, tempDir, WORKER } from '../support/vault-fixture.ts';

/*
 * A call that works on a file or folder opens the shell's dialog first. The security review
 * found the dialog opened before the gate's checks, and the call then ran as whoever was logged
 * in when it closed. Now the checks come first, and the call runs only in the session that asked.
 */

describe('a call that opens a dialog', () => {
  it('is refused before the dialog opens when she may not make it, and the refusal is recorded', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, WORKER);
    let asked = 0;
    const result = await invokeWithPrompt(app.core, app.gate, 'backup.start', {}, async () => {
      asked++;
      return tempDir();
    });
    expect([result, asked]).toEqual([{ ok: false, error: { code: 'FORBIDDEN' } }, 0]);
    await app.ok('auth.logout', {});
    await loginAs(app, ADMIN);
    expect((await app.ok('audit.list', { action: 'backup.start', limit: 1 })).rows[0]).toMatchObject({ outcome: 'refused', errorCode: 'FORBIDDEN' });
    // Locked: no dialog either.
    await app.ok('auth.logout', {});
    expect(await invokeWithPrompt(app.core, app.gate, 'backup.setFolder', {}, async () => (asked++, tempDir()))).toEqual({ ok: false, error: { code: 'NOT_AUTHENTICATED' } });
    expect(asked).toBe(0);
    await app.core.shutdown();
  });

  it('is refused when the session locked, or someone logged in again, while the dialog was open: nothing is written', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, ADMIN);
    const folder = tempDir('dh-usb-');
    const locked = await invokeWithPrompt(app.core, app.gate, 'backup.start', {}, async () => {
      await app.core.lock('idle');
      return folder;
    });
    expect(locked).toEqual({ ok: false, error: { code: 'NOT_AUTHENTICATED' } });
    // The same person logging in again is a new session: what the old one asked does not run in it.
    await loginAs(app, ADMIN);
    const relogged = await invokeWithPrompt(app.core, app.gate, 'backup.start', {}, async () => {
      await app.ok('auth.logout', {});
      await loginAs(app, ADMIN);
      return folder;
    });
    expect(relogged).toEqual({ ok: false, error: { code: 'NOT_AUTHENTICATED' } });
    expect(readdirSync(folder)).toEqual([]);
    // Nothing changed while it was open: the call runs.
    const made = await invokeWithPrompt(app.core, app.gate, 'backup.start', {}, async () => folder);
    expect(made).toMatchObject({ ok: true, value: { jobId: expect.any(String) } });
    await app.core.shutdown();
  });
});
