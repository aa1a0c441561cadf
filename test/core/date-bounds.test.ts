import { describe, expect, it } from 'vitest';
import { contentSnapshot } from '../support/db-snapshot.ts';
import { consentNow, copyOfTemplate, loginAs, syntheticClient, TODAY, WORKER } from '../support/vault-fixture.ts';

/*
 * Dates a person types are held to what can be true (security review): a consent does not run
 * for centuries nor start before the client was registered; a case is not closed before what
 * already happened in it (which could push a colleague's case straight into retention), nor
 * reopened before it was closed. Each refusal names its field, and nothing changes.
 */

const issue = (path: string, message: string) => ({ ok: false, error: { code: 'VALIDATION', issues: [{ path, message }] } });

describe('dates held to what can be true', () => {
  it('a consent runs 5 years at most and never starts before the registration', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, WORKER);
    const clientId = app.template.ids.client;
    const before = await contentSnapshot(app);
    expect(await app.call('consent.record', { clientId, purpose: 'reports', partnerId: null, scope: [], consent: consentNow('reports', 'adult', { expiresOn: '2226-11-28' }) })).toEqual(
      issue('consent.expiresOn', 'consentTooLong'),
    );
    expect(await app.call('consent.record', { clientId, purpose: 'reports', partnerId: null, scope: [], consent: consentNow('reports', 'adult', { givenOn: '2026-11-01' }) })).toEqual(
      issue('consent.givenOn', 'consentBeforeRegistration'),
    );
    expect(await app.call('consent.renew', { consentId: app.template.ids.caseConsent, consent: consentNow('case_record', 'adult', { expiresOn: '2099-01-01' }) })).toEqual(
      issue('consent.expiresOn', 'consentTooLong'),
    );
    expect(await contentSnapshot(app)).toBe(before);
    expect(await app.call('clients.register', syntheticClient({ motherName: 'Dài', fatherName: 'Hạn', consent: consentNow('case_record', 'adult', { expiresOn: '2999-12-31' }) }))).toEqual(
      issue('consent.expiresOn', 'consentTooLong'),
    );
    // Five years to the day is allowed.
    expect((await app.call('consent.record', { clientId, purpose: 'reports', partnerId: null, scope: [], consent: consentNow('reports', 'adult', { expiresOn: '2031-11-28' }) })).ok).toBe(true);
    await app.core.shutdown();
  });

  it('a case closes no earlier than its latest event, and reopens no earlier than its closing', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, WORKER);
    const clientId = app.template.ids.client;
    const before = await contentSnapshot(app);
    // Her visit and referral are of today.
    expect(await app.call('clients.close', { clientId, reason: 'moved_away', on: '2026-11-01' })).toEqual(issue('on', 'closeBeforeLastEvent'));
    expect(await contentSnapshot(app)).toBe(before);
    expect((await app.call('clients.close', { clientId, reason: 'moved_away', on: TODAY })).ok).toBe(true);
    app.clock.advance(3 * 86_400_000);
    expect(await app.call('clients.reopen', { clientId, on: '2026-11-27' })).toEqual(issue('on', 'reopenBeforeClose'));
    expect((await app.call('clients.reopen', { clientId, on: '2026-11-30' })).ok).toBe(true);
    await app.core.shutdown();
  });
});
