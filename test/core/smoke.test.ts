import { describe, expect, it } from 'vitest';
import { ADMIN, copyOfTemplate, loginAs, WORKER } from '../support/vault-fixture.ts';

describe('smoke', () => {
  it('logs in', async () => {
    const app = await copyOfTemplate();
    const user = await loginAs(app, ADMIN);
    expect(user.roles).toEqual(['admin']);
    const list = await app.ok('users.list', {});
    expect(list.map((u) => u.username).sort()).toEqual(['admin.thu', 'canbo.thu', 'quanly.thu']);
    await app.ok('auth.logout', {});
    await loginAs(app, WORKER);
    const refused = await app.call('users.list', {});
    expect(refused).toEqual({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(app.logged).toEqual([]);
  });
});
