import { describe, expect, it } from 'vitest';
import { seedVault } from '../support/synthetic.ts';
import { FLOOR_KDF, openApp, tempDir } from '../support/vault-fixture.ts';

describe('training data', () => {
  it('creates a training vault of obviously synthetic records that the app opens and says is training data', async () => {
    const dir = tempDir('dh-seed-');
    const summary = await seedVault({ dir, clients: 2100, password: 'mat-khau-tap-huan', calibrateKdf: FLOOR_KDF, today: new Date('2026-11-28T03:00:00Z') });
    expect(summary.clients).toBe(2100);
    // About ten services and two referrals per client.
    expect(summary.services / summary.clients).toBeGreaterThan(6);
    expect(summary.services / summary.clients).toBeLessThan(14);
    expect(summary.referrals / summary.clients).toBeGreaterThan(1.5);
    expect(summary.referrals / summary.clients).toBeLessThan(2.6);

    const app = openApp(dir);
    expect(await app.ok('session.get', {})).toMatchObject({ vault: 'locked', trainingData: true });
    const worker = await app.ok('auth.login', { username: 'canbo01', password: 'mat-khau-tap-huan' });
    expect(worker.mustChangePassword).toBe(false);
    const list = await app.ok('clients.list', { status: 'all', mine: true, limit: 500 });
    expect(list.total).toBeGreaterThan(0);
    for (const row of list.rows) expect(row.alias).toMatch(/(Thử|Mẫu|Tập Huấn) \d{6}$/);
    const page = await app.ok('clients.get', { clientId: list.rows[0]?.id ?? 0 });
    expect(page.consents.some((consent) => consent.purpose === 'case_record')).toBe(true);
    expect(page.visits.length).toBeGreaterThan(0);

    // More matches than the list counts ("000" is in aliases 000001–000999, 001000 and 002000):
    // the total is a lower bound, and pages still come in order, read along the sort index.
    const many = await app.ok('clients.list', { search: '000', status: 'all', limit: 500 });
    expect(many).toMatchObject({ total: 1000, totalIsLowerBound: true });
    const next = await app.ok('clients.list', { search: '000', status: 'all', limit: 500, offset: 1000 });
    const all = [...many.rows, ...(await app.ok('clients.list', { search: '000', status: 'all', limit: 500, offset: 500 })).rows, ...next.rows];
    expect(all).toHaveLength(1001);
    expect(new Set(all.map((row) => row.id)).size).toBe(1001);
    expect(all.every((row) => row.alias.includes('000'))).toBe(true);
    const contacts = all.map((row) => row.lastContactOn ?? '');
    expect(contacts).toEqual([...contacts].sort().reverse());
    const few = await app.ok('clients.list', { search: '000012', status: 'all' });
    expect(few.totalIsLowerBound).toBe(false);
    expect(few.rows.every((row) => row.alias.endsWith('000012') || row.alias.includes('000012'))).toBe(true);

    await app.ok('auth.logout', {});
    await app.ok('auth.login', { username: 'quantri', password: 'mat-khau-tap-huan' });
    expect((await app.ok('audit.verify', {})).ok).toBe(true);
  });

  it('leaves an ordinary vault unmarked', async () => {
    const app = openApp(tempDir());
    expect((await app.ok('session.get', {})).trainingData).toBe(false);
  });
});
