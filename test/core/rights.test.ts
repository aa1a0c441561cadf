import { createHash, createHmac } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BackupSummary } from '../../electron/contract/index.ts';
import { foldForSearch } from '../../electron/contract/text.ts';
import { LEDGER_FILE } from '../../electron/core/erasure/erasure.ts';
import { contentSnapshot } from '../support/db-snapshot.ts';
import { containsText, vaultPlaintext } from '../support/decrypt.ts';
import { ADMIN, ANY_VERSION, consentNow, copyOfTemplate, detailsVersion, identityVersion, loginAs, MANAGER, openApp, syntheticClient, tempDir, type TestApp, TestClock, TODAY, visitVersion, WORKER, WORKER2, settingsVersion } from '../support/vault-fixture.ts';
import { makeBackup } from '../support/backups.ts';
import { invokeJob } from '../support/calls.ts';
import { sqliteOf } from '../support/file-store.ts';
import { ON_SERVER, onFile } from '../support/store-under-test.ts';

/*
 * Clients' rights on real encrypted files through the gate: corrections keep their history,
 * a record can be frozen while a request is handled, erased on request (and stays erased when
 * an older backup is restored), summarised for her; retention de-identifies exactly the cases
 * due; the processing register says what the settings say.
 */

const DAY = 86_400_000;

async function as(app: TestApp, person: { username: string; password: string }) {
  if (app.core.session) await app.ok('auth.logout', {});
  await loginAs(app, person);
}

describe('corrections', () => {
  it('keep a history of what changed, by whom and when; identity values only for who may read them', async () => {
    const app = await copyOfTemplate();
    const id = app.template.ids.client;
    await as(app, WORKER);
    await app.ok('clients.update', { clientId: id, alias: 'Chị Thử Đã Sửa', wardCode: 26740, provinceCode: 79, workSetting: 'public_place', version: await detailsVersion(app, id) });
    app.clock.advance(60_000);
    await app.ok('clients.updateIdentity', { clientId: id, identity: { legalName: 'Nguyễn Thị Mẫu Sửa', phone: '0900 000 000', idNumber: null, address: null }, version: await identityVersion(app, id) });
    // Saving without a change records nothing.
    await app.ok('clients.update', { clientId: id, alias: 'Chị Thử Đã Sửa', wardCode: 26740, provinceCode: 79, workSetting: 'public_place', version: await detailsVersion(app, id) });

    const history = await app.ok('clients.history', { clientId: id });
    expect(history.map((row) => [row.field, row.oldValue, row.newValue, row.changedByName])).toEqual([
      ['legalName', 'Nguyễn Thị Mẫu Thử', 'Nguyễn Thị Mẫu Sửa', WORKER.displayName],
      ['workSetting', 'service_venue', 'public_place', WORKER.displayName],
      ['alias', 'Chị Thử Nghiệm', 'Chị Thử Đã Sửa', WORKER.displayName],
    ]);
    expect(history[0]).toMatchObject({ entity: 'identity', restricted: true, changedAt: new Date(app.clock.now()).toISOString() });
    // A manager sees that the legal name changed, not what it was or became, until she states a reason.
    await as(app, MANAGER);
    const trail = await app.ok('audit.list', { action: 'clients.update' });
    expect(trail.rows.map((row) => row.detail?.changedFields)).toEqual([0, 2]);
    expect((await app.ok('clients.history', { clientId: id }))[0]).toMatchObject({ field: 'legalName', oldValue: null, newValue: null, restricted: true });
    await app.ok('clients.identity', { clientId: id, reason: 'Cần đối chiếu giấy tờ khi thân chủ yêu cầu sửa' });
    expect((await app.ok('clients.history', { clientId: id }))[0]).toMatchObject({ oldValue: 'Nguyễn Thị Mẫu Thử', newValue: 'Nguyễn Thị Mẫu Sửa' });
  });

  it('of a visit: date, place, services, outcome and note put right, each change kept; the services move with it', async () => {
    const app = await copyOfTemplate();
    const { client: id, visit } = app.template.ids;
    await as(app, WORKER);
    const types = await app.ok('catalogue.list', {});
    const typeId = (code: string) => types.find((type) => type.code === code)?.id ?? 0;
    const [hiv, legal] = [typeId('hiv_testing'), typeId('legal_counselling')];
    expect(legal).toBeGreaterThan(0);
    const corrected = { visitId: visit, visitOn: '2026-11-20', place: 'outreach' as const, serviceTypeIds: [legal, hiv], outcome: 'Đã hẹn lần sau', note: 'Ghi chú đã sửa' };
    const lastContact = async () => (await app.core.vault.db.selectFrom('client').select('last_contact_on').where('id', '=', id).executeTakeFirstOrThrow()).last_contact_on;
    expect(await lastContact()).toBe(TODAY);
    expect(await app.ok('visits.correct', { ...corrected, version: await visitVersion(app, id, visit) })).toEqual({ visitId: visit, changedFields: 5 });
    // Saving again as it is records nothing.
    expect(await app.ok('visits.correct', { ...corrected, version: await visitVersion(app, id, visit) })).toEqual({ visitId: visit, changedFields: 0 });

    const page = await app.ok('clients.get', { clientId: id });
    expect(page.visits[0]).toMatchObject({ id: visit, visitOn: '2026-11-20', place: 'outreach', outcome: 'Đã hẹn lần sau', note: 'Ghi chú đã sửa', serviceTypeIds: [hiv, legal].sort((a, b) => a - b) });
    expect(await lastContact()).toBe('2026-11-20');
    // What reports count follows the visit: its services on its corrected date.
    expect(await app.core.vault.db.selectFrom('service').select(['service_type_id', 'service_on', 'worker_id']).where('visit_id', '=', visit).orderBy('service_type_id').execute()).toEqual(
      [hiv, legal].sort((a, b) => a - b).map((typeId) => ({ service_type_id: typeId, service_on: '2026-11-20', worker_id: app.template.ids.worker })),
    );
    const history = await app.ok('clients.history', { clientId: id });
    expect(history.map((row) => [row.entity, row.field, row.oldValue, row.newValue, row.restricted, row.visitOn])).toEqual([
      ['visit', 'note', 'Ghi chú thử nghiệm', 'Ghi chú đã sửa', true, '2026-11-20'],
      ['visit', 'outcome', null, 'Đã hẹn lần sau', true, '2026-11-20'],
      ['visit', 'services', String(hiv), [hiv, legal].sort((a, b) => a - b).join(','), false, '2026-11-20'],
      ['visit', 'place', 'centre', 'outreach', false, '2026-11-20'],
      ['visit', 'visitOn', TODAY, '2026-11-20', false, '2026-11-20'],
    ]);
    // Her summary without notes leaves out the notes' corrections too.
    const summary = await app.ok('clients.accessSummary', { clientId: id, includeNotes: false });
    expect(summary.history.map((row) => row.field)).toEqual(['services', 'place', 'visitOn']);
    // A manager (or a colleague) sees that the note and outcome changed, not what they said.
    await as(app, MANAGER);
    const seen = await app.ok('clients.history', { clientId: id });
    expect(seen.filter((row) => row.restricted).map((row) => [row.field, row.oldValue, row.newValue])).toEqual([
      ['note', null, null],
      ['outcome', null, null],
    ]);
    expect(seen.filter((row) => !row.restricted).map((row) => row.field)).toEqual(['services', 'place', 'visitOn']);
    const trail = await app.ok('audit.list', { action: 'visits.correct' });
    expect(trail.rows.map((row) => [row.targetId, row.detail?.changedFields])).toEqual([
      [String(id), 0],
      [String(id), 5],
    ]);
  });

  it('of a visit: refused for someone else’s client, a future date, an unknown visit or a retired service; an old retired one may stay', async () => {
    const app = await copyOfTemplate();
    const { visit } = app.template.ids;
    await as(app, MANAGER);
    const types = await app.ok('catalogue.list', {});
    const typeId = (code: string) => types.find((type) => type.code === code)?.id ?? 0;
    const [hiv, legal] = [typeId('hiv_testing'), typeId('legal_counselling')];
    const valid = { visitId: visit, visitOn: TODAY, place: 'centre' as const, serviceTypeIds: [hiv], outcome: null, note: 'Ghi chú thử nghiệm', version: ANY_VERSION };
    await as(app, ADMIN);
    await app.ok('catalogue.setActive', { id: hiv, active: false });
    await app.ok('catalogue.setActive', { id: legal, active: false });
    const before = await contentSnapshot(app);
    const refused = (code: string) => ({ ok: false, error: { code } });
    await as(app, WORKER2);
    expect(await app.call('visits.correct', { ...valid, note: 'Không phải của tôi' })).toEqual(refused('CORRECTION_NOT_ALLOWED'));
    await as(app, WORKER);
    expect(await app.call('visits.correct', { ...valid, visitOn: '2026-12-25' })).toEqual(refused('DATE_IN_FUTURE'));
    expect(await app.call('visits.correct', { ...valid, visitId: 999_999 })).toEqual(refused('VISIT_NOT_FOUND'));
    expect(await app.call('visits.correct', { ...valid, serviceTypeIds: [hiv, legal] })).toEqual(refused('SERVICE_TYPE_INACTIVE'));
    expect(await app.call('visits.correct', { ...valid, serviceTypeIds: [] })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(await contentSnapshot(app)).toBe(before);
    // HIV testing, retired since, was given at this visit: correcting the place keeps it.
    expect(await app.call('visits.correct', { ...valid, place: 'outreach' })).toEqual(refused('RECORD_CHANGED'));
    expect(await contentSnapshot(app)).toBe(before);
    expect(await app.ok('visits.correct', { ...valid, place: 'outreach', version: await visitVersion(app, app.template.ids.client, visit) })).toEqual({ visitId: visit, changedFields: 1 });
  });

  it('an old phone number in the history goes when consent to be contacted is withdrawn', async () => {
    const app = await copyOfTemplate();
    const id = app.template.ids.client;
    await as(app, WORKER);
    await app.ok('clients.updateIdentity', { clientId: id, identity: { legalName: 'Nguyễn Thị Mẫu Thử', phone: '0911 222 333', idNumber: null, address: null }, version: await identityVersion(app, id) });
    expect((await app.ok('clients.history', { clientId: id })).map((row) => row.oldValue)).toEqual(['0900 000 000']);
    // Both numbers are in the file until then (so their absence after means something). On a
    // server the history's values are sealed and their rows go; its bytes are scanned by the server tests.
    if (!ON_SERVER) {
      const before = await vaultPlaintext(app.dir, WORKER);
      expect([containsText(before, '0900 000 000'), containsText(before, '0911 222 333')]).toEqual([true, true]);
    }
    await app.ok('consent.withdraw', { consentId: app.template.ids.contactConsent, on: TODAY });
    expect(await app.ok('clients.history', { clientId: id })).toEqual([]);
    if (!ON_SERVER) {
      const plain = await vaultPlaintext(app.dir, WORKER);
      expect(containsText(plain, '0900 000 000')).toBe(false);
      expect(containsText(plain, '0911 222 333')).toBe(false);
    }
  });
});

describe('restriction', () => {
  it('freezes a record: no change, no referral, no slip, no offer, no review; lifting it lets work go on', async () => {
    const app = await copyOfTemplate();
    const { client: id, partner, referral, worker2 } = app.template.ids;
    // Only her worker or a manager of caseloads handles her requests.
    await as(app, WORKER2);
    expect(await app.call('clients.restrict', { clientId: id, reason: 'client_request' })).toEqual({ ok: false, error: { code: 'NOT_ASSIGNED' } });
    await as(app, WORKER);
    // An offer made before the freeze cannot be accepted during it.
    const { offerId } = await app.ok('caseload.offer', { clientId: id, toUserId: worker2 });
    await app.ok('clients.restrict', { clientId: id, reason: 'accuracy_disputed' });
    expect((await app.ok('clients.get', { clientId: id })).restriction).toMatchObject({ reason: 'accuracy_disputed', byName: WORKER.displayName });
    expect(await app.call('clients.restrict', { clientId: id, reason: 'client_request' })).toEqual({ ok: false, error: { code: 'CLIENT_RESTRICTED' } });

    const before = await contentSnapshot(app);
    const refused = { ok: false, error: { code: 'CLIENT_RESTRICTED' } };
    const attempts = [
      app.call('visits.record', { clientId: id, visitOn: TODAY, place: 'centre', serviceTypeIds: [1] }),
      app.call('referrals.create', { clientId: id, partnerId: partner, serviceTypeId: 1, proposedOn: TODAY }),
      app.call('referrals.setStatus', { referralId: referral, status: 'sent', on: TODAY }),
      app.call('referrals.slip', { referralId: referral }),
      app.call('clients.update', { clientId: id, alias: 'Không được đổi', wardCode: null, provinceCode: null, workSetting: null, version: ANY_VERSION }),
      app.call('clients.updateIdentity', { clientId: id, identity: { legalName: 'Không Được Đổi', phone: null, idNumber: null, address: null }, version: ANY_VERSION }),
      app.call('consent.record', { clientId: id, purpose: 'reports', partnerId: null, scope: [], consent: consentNow('reports') }),
      app.call('clients.close', { clientId: id, reason: 'moved_away', on: TODAY }),
      app.call('caseload.offer', { clientId: id, toUserId: worker2 }),
      app.call('consent.renew', { consentId: app.template.ids.contactConsent, consent: consentNow('contact') }),
      app.call('visits.correct', { visitId: app.template.ids.visit, visitOn: TODAY, place: 'outreach', serviceTypeIds: [1], note: null, version: ANY_VERSION }),
    ];
    for (const attempt of attempts) expect(await attempt).toEqual(refused);
    await as(app, WORKER2);
    expect(await app.call('caseload.respond', { offerId, accept: true })).toEqual(refused);
    await as(app, MANAGER);
    expect(await app.call('reviews.record', { clientId: id, comment: null })).toEqual(refused);
    expect(await contentSnapshot(app)).toBe(before);
    // Withdrawing a consent is her right at any time, frozen or not.
    await as(app, WORKER);
    await app.ok('consent.withdraw', { consentId: app.template.ids.contactConsent, on: TODAY });
    await as(app, MANAGER);
    // Her own summary can still be made, and a manager may lift it.
    await app.ok('clients.unrestrict', { clientId: id });
    await as(app, WORKER);
    expect((await app.ok('clients.get', { clientId: id })).restriction).toBeNull();
    await app.ok('visits.record', { clientId: id, visitOn: TODAY, place: 'centre', serviceTypeIds: [1] });
    await as(app, MANAGER);
    const trail = await app.ok('audit.list', { action: 'clients.restrict' });
    expect(trail.rows.find((row) => row.outcome === 'ok')).toMatchObject({ actorId: app.template.ids.worker, targetId: String(id), detail: { reason: 'accuracy_disputed' } });
  });
});

describe('erasure on request', () => {
  it('asks for her code, then erases identity, notes and contact details from the file and log, keeping anonymous counts', async () => {
    const app = await copyOfTemplate();
    const id = app.template.ids.client;
    await as(app, WORKER);
    const planted = { legal: 'Qxv Jkw Zpq 6612', note: 'Ghi chú cần xóa theo yêu cầu 7723', phone: '0987 111 222', corrected: 'Ghi chú đã sửa cần xóa 8834' };
    await app.ok('clients.updateIdentity', { clientId: id, identity: { legalName: planted.legal, phone: planted.phone, idNumber: null, address: null }, version: await identityVersion(app, id) });
    await app.ok('visits.record', { clientId: id, visitOn: TODAY, place: 'outreach', serviceTypeIds: [1, 2], note: planted.note });
    // A corrected note: the old text lives on in the history of corrections, until erasure.
    await app.ok('visits.correct', { visitId: app.template.ids.visit, visitOn: TODAY, place: 'centre', serviceTypeIds: [1], note: planted.corrected, version: await visitVersion(app, id, app.template.ids.visit) });
    const page = await app.ok('clients.get', { clientId: id });
    if (!ON_SERVER) expect(containsText(await vaultPlaintext(app.dir, WORKER), planted.note)).toBe(true);
    expect((await app.ok('clients.list', { search: 'Thử Nghiệm', status: 'all' })).total).toBe(1);

    const before = await contentSnapshot(app);
    expect(await app.call('clients.erase', { clientId: id, reason: 'client_request', confirmCode: 'ABCD95-1' })).toEqual({ ok: false, error: { code: 'ERASE_CONFIRMATION_MISMATCH' } });
    expect(await contentSnapshot(app)).toBe(before);
    const anonymousCount = async () => (await app.core.vault.db.selectFrom('anonymous_contact').select('id').execute()).length;
    const anonymousBefore = await anonymousCount();

    expect(await app.ok('clients.erase', { clientId: id, reason: 'client_request', confirmCode: page.code.toLowerCase() })).toEqual({ erased: true });
    expect(await app.call('clients.get', { clientId: id })).toEqual({ ok: false, error: { code: 'CLIENT_NOT_FOUND' } });
    if (!ON_SERVER) {
      const plain = await vaultPlaintext(app.dir, WORKER);
      const names = [planted.legal, 'Nguyễn Thị Mẫu Thử', 'Chị Thử Nghiệm'];
      // Nor their folded forms (kept for search) in the tables or the search indexes.
      for (const text of [...Object.values(planted), ...names, ...names.map(foldForSearch)]) expect(containsText(plain, text), text).toBe(false);
    }
    expect((await app.ok('clients.list', { search: 'Thử Nghiệm', status: 'all' })).total).toBe(0);
    // Her two visits remain as anonymous contacts, with their services.
    expect(await anonymousCount()).toBe(anonymousBefore + page.visits.length);
    expect(page.visits).toHaveLength(2);
    await as(app, MANAGER);
    const [entry] = (await app.ok('audit.list', { action: 'clients.erase' })).rows;
    expect(entry).toMatchObject({ outcome: 'ok', actorId: app.template.ids.worker, detail: { reason: 'client_request' } });
    // The ledger beside the database holds a fingerprint, nothing readable.
    const ledger = readFileSync(join(app.dir, LEDGER_FILE), 'utf8');
    expect(JSON.parse(ledger).fingerprints).toHaveLength(1);
    expect(ledger).not.toContain(page.code);
    // Keyed by a secret of the vault: facts a person could give (with the vault id, which is
    // readable in the keyring) do not produce it, hashed or keyed by the id alone.
    const facts = `dong-hanh/erased|${id}|${page.code}|${TODAY}`;
    const guesses = [
      createHash('sha256').update(facts).digest('hex'),
      createHash('sha256').update(`dong-hanh/erased|${app.core.vault.vaultId}|${id}|${page.code}|${TODAY}`).digest('hex'),
      createHmac('sha256', app.core.vault.vaultId).update(facts).digest('hex'),
    ];
    for (const guess of guesses) expect(JSON.parse(ledger).fingerprints).not.toContain(guess);
  });

  // Backups of a server are not built yet (issue 16).
  onFile('stays erased when a backup made before is restored', async () => {
    const app = await copyOfTemplate();
    const id = app.template.ids.client;
    await as(app, ADMIN);
    const usb = tempDir('dh-usb-');
    const made = await makeBackup(app.gate, usb);
    if (!made.ok) throw new Error('backup failed');
    const folder = join(usb, (made.value as { backup: BackupSummary }).backup.folderName);
    await as(app, WORKER);
    const { code } = await app.ok('clients.get', { clientId: id });
    await app.ok('clients.erase', { clientId: id, reason: 'client_request', confirmCode: code });
    // Even if the ledger file could not be written at the erasure, the restore writes it first.
    rmSync(join(app.dir, LEDGER_FILE));

    await as(app, ADMIN);
    expect(await invokeJob(app, 'backup.restore', { credentials: { username: ADMIN.username, password: ADMIN.password }, confirm: true }, folder)).toMatchObject({ restored: true });
    await loginAs(app, ADMIN);
    // Erased again at the first login after the restore, and recorded.
    expect(Number(sqliteOf(app.core).prepare('select count(*) from client where id = ?').pluck().get(id))).toBe(0);
    const trail = await app.ok('audit.list', { action: 'clients.erase' });
    expect(trail.rows[0]).toMatchObject({ outcome: 'ok', detail: { reason: 'erased_before_restore', count: 1 } });
    expect(containsText(await vaultPlaintext(app.dir, ADMIN), 'Nguyễn Thị Mẫu Thử')).toBe(false);
    expect(existsSync(join(app.dir, LEDGER_FILE))).toBe(true);
  });
});

describe('the erasure ledger beside the backups', () => {
  // Backups of a server are not built yet (issue 16).
  onFile('goes with the backups, so a restore on a new PC erases again whoever was erased after that backup', async () => {
    const app = await copyOfTemplate();
    const id = app.template.ids.client;
    await as(app, ADMIN);
    const usb = tempDir('dh-usb-');
    // Another vault's backups share the drive: its fingerprints stay in the ledger there.
    const foreign = 'f'.repeat(64);
    writeFileSync(join(usb, LEDGER_FILE), JSON.stringify({ format: 'dong-hanh-erased', fingerprints: [foreign] }));
    const made = await makeBackup(app.gate, usb);
    if (!made.ok || !made.value.backup) throw new Error('backup failed');
    const folder = join(usb, made.value.backup.folderName);
    const besideBackups = () => JSON.parse(readFileSync(join(usb, LEDGER_FILE), 'utf8')) as { fingerprints: string[] };
    expect(besideBackups().fingerprints).toEqual([foreign]);

    await as(app, WORKER);
    const { code } = await app.ok('clients.get', { clientId: id });
    await app.ok('clients.erase', { clientId: id, reason: 'client_request', confirmCode: code });
    // The erasure reached the drive the backup went to: the same fingerprint as beside the database.
    const [fingerprint] = JSON.parse(readFileSync(join(app.dir, LEDGER_FILE), 'utf8')).fingerprints as string[];
    expect(besideBackups().fingerprints.sort()).toEqual([fingerprint, foreign].sort());
    expect(readFileSync(join(usb, LEDGER_FILE), 'utf8')).not.toContain(code);
    await app.ok('auth.logout', {});
    await app.core.shutdown();

    // The old PC is gone; a new one is set up from the backup made before the erasure.
    const fresh = openApp(join(tempDir('dh-new-pc-'), 'data'));
    expect(await invokeJob(fresh, 'setup.restore', { credentials: { recoveryCode: app.template.recoveryCode }, confirm: true }, folder)).toMatchObject({ restored: true });
    await loginAs(fresh, ADMIN);
    expect(Number(sqliteOf(fresh.core).prepare('select count(*) from client where id = ?').pluck().get(id))).toBe(0);
    const [entry] = (await fresh.ok('audit.list', { action: 'clients.erase' })).rows;
    expect(entry).toMatchObject({ outcome: 'ok', detail: { reason: 'erased_before_restore', count: 1 } });
    expect(containsText(await vaultPlaintext(fresh.dir, ADMIN), 'Nguyễn Thị Mẫu Thử')).toBe(false);
    await fresh.core.shutdown();
  });

  // Backups of a server are not built yet (issue 16).
  onFile('a ledger beside the backup that cannot be read does not stop a restore on a new PC', async () => {
    const app = await copyOfTemplate();
    await as(app, ADMIN);
    const usb = tempDir('dh-usb-');
    const made = await makeBackup(app.gate, usb);
    if (!made.ok || !made.value.backup) throw new Error('backup failed');
    writeFileSync(join(usb, LEDGER_FILE), '{"format": "dong-hanh-erased", "fingerprints": [');
    const fresh = openApp(join(tempDir('dh-new-pc-'), 'data'));
    const folder = join(usb, made.value.backup.folderName);
    expect(await invokeJob(fresh, 'setup.restore', { credentials: { recoveryCode: app.template.recoveryCode }, confirm: true }, folder)).toMatchObject({ restored: true });
    expect(fresh.logged).toContain('[erasure] the ledger beside the backup could not be read; the database copy is used');
    await loginAs(fresh, ADMIN);
    expect(Number(sqliteOf(fresh.core).prepare('select count(*) from client').pluck().get())).toBe(1);
    await fresh.core.shutdown();
  });
});

describe('the access summary', () => {
  it('gives her own record to her worker, with or without notes, and records that it was made', async () => {
    const app = await copyOfTemplate();
    const id = app.template.ids.client;
    await as(app, WORKER);
    const without = await app.ok('clients.accessSummary', { clientId: id, includeNotes: false });
    expect(without).toMatchObject({ includeNotes: false, identity: { legalName: 'Nguyễn Thị Mẫu Thử', phone: '0900 000 000' }, client: { id, alias: 'Chị Thử Nghiệm' } });
    expect(without.client.visits[0]).toMatchObject({ note: null });
    expect(without.client.referrals).toHaveLength(1);
    expect(without.client.consents.map((consent) => consent.purpose).sort()).toEqual(['case_record', 'contact', 'share_partner']);
    const withNotes = await app.ok('clients.accessSummary', { clientId: id, includeNotes: true });
    expect(withNotes.client.visits[0]?.note).toBe('Ghi chú thử nghiệm');
    // Anyone else states a reason first.
    await as(app, MANAGER);
    const trail = await app.ok('audit.list', { action: 'clients.accessSummary' });
    expect(trail.rows.map((row) => row.detail)).toEqual([{ includeNotes: true }, { includeNotes: false }]);
    expect(await app.call('clients.accessSummary', { clientId: id, includeNotes: false })).toEqual({ ok: false, error: { code: 'REASON_REQUIRED' } });
  });
});

describe('retention', () => {
  it('de-identifies exactly the cases closed N years ago or more, after the administrator confirms what was shown', async () => {
    const clock = new TestClock();
    const app = await copyOfTemplate(clock);
    await as(app, WORKER);
    const parents = [['An', 'Em'], ['Bình', 'Giang'], ['Cúc', 'Hải'], ['Dung', 'Khánh'], ['Lan', 'Minh']] as const;
    const register = async (n: number) => (await app.ok('clients.register', syntheticClient({ motherName: parents[n - 1]?.[0] ?? '', fatherName: parents[n - 1]?.[1] ?? '', alias: `Thử Lưu Trữ ${n}` }))).clientId;
    const closedDay0 = await register(1);
    const reopened = await register(2);
    const stillOpen = await register(3);
    const frozen = await register(5);
    for (const id of [closedDay0, reopened, frozen]) await app.ok('clients.close', { clientId: id, reason: 'reintegrated', on: TODAY });
    // A complaint of hers is being handled: her record is frozen, and retention must wait.
    await app.ok('clients.restrict', { clientId: frozen, reason: 'complaint' });
    clock.advance(DAY);
    const closedDay1 = await register(4);
    await app.ok('clients.close', { clientId: closedDay1, reason: 'reintegrated', on: '2026-11-29' });
    await app.ok('clients.reopen', { clientId: reopened, on: '2026-11-29' });

    await as(app, ADMIN);
    expect(await app.ok('retention.preview', {})).toEqual({ years: 0, closedBefore: null, due: [], heldFrozen: 0 });
    await app.ok('settings.update', { retentionYears: 3, version: await settingsVersion(app, 'retention') });
    // Three years after the first closings, to the day: those are due, the next day's not yet.
    clock.advance(1095 * DAY);
    const preview = await app.ok('retention.preview', {});
    expect(preview).toEqual({ years: 3, closedBefore: '2026-11-28', due: [{ clientId: closedDay0, closedOn: '2026-11-28', visits: 0, referrals: 0 }], heldFrozen: 1 });

    const before = await contentSnapshot(app);
    expect(await app.call('retention.apply', { clientIds: [closedDay0, closedDay1], confirm: true })).toEqual({ ok: false, error: { code: 'RETENTION_CHANGED' } });
    expect(await app.call('retention.apply', { clientIds: [closedDay0, frozen], confirm: true })).toEqual({ ok: false, error: { code: 'RETENTION_CHANGED' } });
    expect(await contentSnapshot(app)).toBe(before);
    expect(await app.ok('retention.apply', { clientIds: [closedDay0], confirm: true })).toEqual({ deidentified: 1 });
    const remaining = (await app.core.vault.db.selectFrom('client').select('id').orderBy('id').execute()).map((row) => row.id);
    expect(remaining).toEqual([app.template.ids.client, reopened, stillOpen, frozen, closedDay1]);
    expect((await app.ok('audit.list', { action: 'retention.apply' })).rows[0]).toMatchObject({ outcome: 'ok', detail: { years: 3, deidentified: 1, clientIds: [closedDay0] } });
    clock.advance(DAY);
    expect((await app.ok('retention.preview', {})).due.map((row) => row.clientId)).toEqual([closedDay1]);
  });
});

describe('the processing register', () => {
  it('is built from the app’s own settings', async () => {
    const app = await copyOfTemplate();
    await as(app, ADMIN);
    await app.ok('settings.update', { retentionYears: 5, version: await settingsVersion(app, 'retention') });
    await as(app, MANAGER);
    const register = await app.ok('register.get', {});
    expect(register).toMatchObject({ retentionYears: 5, reportK: 10, lockTimeoutMinutes: 5, backupFolderSet: false, partners: 1, counts: { clients: 1, openCases: 1, restricted: 0, erased: 0 } });
    expect(register.roles.find((role) => role.role === 'worker')).toMatchObject({ people: 2, permissions: ['clients.read', 'clients.write'] });
    expect(register.kdf.N).toBeGreaterThanOrEqual(2 ** 17);
  });
});
