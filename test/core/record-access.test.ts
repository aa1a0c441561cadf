import { describe, expect, it } from 'vitest';
import type { ChannelName } from '../../electron/contract/index.ts';
import { contentSnapshot } from '../support/db-snapshot.ts';
import { ADMIN, ANY_VERSION, consentNow, copyOfTemplate, loginAs, type Template, type TestApp, TODAY, WORKER, WORKER2 } from '../support/vault-fixture.ts';

/*
 * Who may change a client's record is decided in core, for every channel that writes to it, not
 * only in the window: the worker who holds the case, or someone who stated a reason for it this
 * session. A colleague who did neither is refused with NOT_ASSIGNED and nothing changes; the
 * refusal is in the trail against that client. (The security review changed a colleague's
 * client's alias and ward through the gate.)
 */

type Call = [channel: ChannelName, input: (ids: Template['ids'], hiv: number) => unknown, refusal?: string];

const CLIENT_WRITES: Call[] = [
  ['clients.update', (ids) => ({ clientId: ids.client, alias: 'Đổi Bởi Đồng Nghiệp', wardCode: null, provinceCode: null, workSetting: null, version: ANY_VERSION })],
  ['clients.updateIdentity', (ids) => ({ clientId: ids.client, identity: { legalName: 'Tên Đổi Thử', phone: null, idNumber: null, address: null }, version: ANY_VERSION })],
  ['clients.close', (ids) => ({ clientId: ids.client, reason: 'moved_away', on: TODAY })],
  ['consent.record', (ids) => ({ clientId: ids.client, purpose: 'reports', partnerId: null, scope: [], consent: consentNow('reports') })],
  ['consent.renew', (ids) => ({ consentId: ids.caseConsent, consent: consentNow('case_record') })],
  ['consent.withdraw', (ids) => ({ consentId: ids.contactConsent, on: TODAY })],
  ['consent.withdraw', (ids) => ({ consentId: ids.caseConsent, on: TODAY })],
  ['visits.record', (ids, hiv) => ({ clientId: ids.client, visitOn: TODAY, place: 'centre', serviceTypeIds: [hiv], note: 'Ghi bởi đồng nghiệp' })],
  // A correction shows the note's old value in the history: refused for the same reason, by its own code.
  ['visits.correct', (ids, hiv) => ({ visitId: ids.visit, visitOn: TODAY, place: 'outreach', serviceTypeIds: [hiv], outcome: null, note: 'Sửa bởi đồng nghiệp', version: ANY_VERSION }), 'CORRECTION_NOT_ALLOWED'],
  ['referrals.create', (ids, hiv) => ({ clientId: ids.client, partnerId: ids.partner, serviceTypeId: hiv, proposedOn: TODAY, shareConsent: consentNow('share_partner') })],
  ['referrals.setStatus', (ids) => ({ referralId: ids.referral, status: 'sent', on: TODAY })],
  ['caseload.offer', (ids) => ({ clientId: ids.client, toUserId: ids.manager })],
];

async function hivTesting(app: TestApp): Promise<number> {
  return (await app.ok('catalogue.list', {})).find((type) => type.code === 'hiv_testing')?.id ?? 0;
}

describe('changing a client\'s record, decided in core', () => {
  it.each(CLIENT_WRITES.map(([channel, input, refusal], index) => [`${channel}${index === 6 ? ' (case record)' : ''}`, channel, input, refusal ?? 'NOT_ASSIGNED'] as const))(
    '%s: a colleague who does not hold the case and stated no reason is refused, and nothing changes',
    async (_name, channel, input, refusal) => {
      const app = await copyOfTemplate();
      await loginAs(app, WORKER2);
      const before = await contentSnapshot(app);
      const result = await app.gate.invoke(channel, input(app.template.ids, await hivTesting(app)));
      expect(result).toEqual({ ok: false, error: { code: refusal } });
      expect(await contentSnapshot(app)).toBe(before);
      // The refusal is in the trail, against her.
      await app.ok('auth.logout', {});
      await loginAs(app, ADMIN);
      const [entry] = (await app.ok('audit.list', { action: channel, limit: 1 })).rows;
      expect(entry).toMatchObject({ outcome: 'failed', errorCode: refusal, targetType: 'client', targetId: String(app.template.ids.client) });
      await app.core.shutdown();
    },
  );

  it('once she states a reason (recorded, listed for managers), she may record what she did for the client', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, WORKER2);
    const hiv = await hivTesting(app);
    const visit = { clientId: app.template.ids.client, visitOn: TODAY, place: 'centre' as const, serviceTypeIds: [hiv], note: 'Tiếp thay trong tuần nghỉ phép' };
    expect(await app.call('visits.record', visit)).toEqual({ ok: false, error: { code: 'NOT_ASSIGNED' } });
    await app.ok('clients.identity', { clientId: app.template.ids.client, reason: 'Tiếp thân chủ thay cán bộ phụ trách đang nghỉ phép' });
    expect((await app.call('visits.record', visit)).ok).toBe(true);
    // Identity stays the holder's alone, reason or not.
    expect(await app.call('clients.updateIdentity', { clientId: app.template.ids.client, identity: { legalName: 'Tên Đổi Thử', phone: null, idNumber: null, address: null }, version: ANY_VERSION })).toEqual({
      ok: false,
      error: { code: 'NOT_ASSIGNED' },
    });
    await app.core.shutdown();
  });

  it('names a consent\'s witness only to those who may read her restricted parts', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, WORKER);
    const clientId = app.template.ids.client;
    const witnessed = consentNow('reports', 'adult', { method: 'verbal_witnessed', witness: 'Người Làm Chứng Thử' });
    await app.ok('consent.record', { clientId, purpose: 'reports', partnerId: null, scope: [], consent: witnessed });
    const witnesses = async () => (await app.ok('clients.get', { clientId })).consents.map((consent) => consent.witness).filter((name) => name !== null);
    expect(await witnesses()).toEqual(['Người Làm Chứng Thử']);
    await app.ok('auth.logout', {});
    await loginAs(app, WORKER2);
    expect(await witnesses()).toEqual([]);
    await app.ok('clients.identity', { clientId, reason: 'Tiếp thân chủ thay cán bộ phụ trách đang nghỉ phép' });
    expect(await witnesses()).toEqual(['Người Làm Chứng Thử']);
    await app.core.shutdown();
  });
});
