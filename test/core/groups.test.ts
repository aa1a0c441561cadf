import { describe, expect, it } from 'vitest';
import { currentConsentText, type Report, type ReportTable } from '../../electron/contract/index.ts';
import { contentSnapshot } from '../support/db-snapshot.ts';
import { runReport } from '../support/report-data.ts';
import { ADMIN, consentNow, copyOfTemplate, loginAs, MANAGER, syntheticClient, TODAY, WORKER, WORKER2, type TestApp } from '../support/vault-fixture.ts';
import { typeId } from '../support/calls.ts';

/*
 * Group sessions through the real gate: each registered attendee gets the session's service on
 * her record under her consent rules and the record-access rule; who attended is restricted
 * like notes; the report counts sessions and attendances (registered ones only with consent to
 * reports), suppressed and audited like every table; erasure keeps her in the counts only.
 */

const Q4_2026 = { period: { kind: 'quarter', year: 2026, quarter: 4 } } as const;

/** Three clients of the worker who agreed to reports, born 1995 (25–34), women. */
async function registerThree(app: TestApp): Promise<number[]> {
  const ids: number[] = [];
  for (const [motherName, alias] of [['Nhóm', 'Chị Nhóm Một'], ['Đoàn', 'Chị Nhóm Hai'], ['Hội', 'Chị Nhóm Ba']] as const) {
    const registered = await app.ok(
      'clients.register',
      syntheticClient({ motherName, fatherName: 'Thử', alias, reportsConsent: consentNow('reports', 'adult', { textVersion: currentConsentText('reports', 'adult') }) }),
    );
    ids.push(registered.clientId);
  }
  return ids;
}

/** The worker logged in, with a client her colleague holds (registered by him). */
async function withColleaguesClient(): Promise<{ app: Awaited<ReturnType<typeof copyOfTemplate>>; his: { clientId: number } }> {
  const app = await copyOfTemplate();
  await loginAs(app, WORKER2);
  const his = await app.ok('clients.register', syntheticClient({ motherName: 'Khác', fatherName: 'Người', alias: 'Người Khác Thử' }));
  await app.ok('auth.logout', {});
  await loginAs(app, WORKER);
  return { app, his };
}

const tableOf = (report: Report, id: string): ReportTable => {
  const found = report.tables.find((table) => table.indicatorId === id);
  if (!found) throw new Error(id);
  return found;
};
const cellOf = (table: ReportTable, row: string, column: string) => table.cells[table.rows.findIndex((each) => each.key === row)]?.[table.columns.findIndex((each) => each.key === column)];

describe('group sessions', () => {
  it('records a session: each registered attendee gets its service on her record; others are counted by sex and age band', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, WORKER);
    const peer = await typeId(app, 'peer_group');
    const [a, b] = await registerThree(app);
    const { sessionId } = await app.ok('groups.record', {
      heldOn: TODAY,
      kind: 'peer_group',
      place: 'centre',
      topic: 'Sức khoẻ sinh sản',
      ledBy: 'Đồng đẳng viên Thử',
      serviceTypeId: peer,
      clientIds: [a ?? 0, b ?? 0],
      others: [
        { sex: 'female', ageBand: '25_34', count: 6 },
        { sex: 'male', ageBand: '18_24', count: 2 },
      ],
    });
    const page = await app.ok('clients.get', { clientId: a ?? 0 });
    expect(page.visits[0]).toMatchObject({ visitOn: TODAY, place: 'centre', serviceTypeIds: [peer] });
    const session = await app.ok('groups.get', { sessionId });
    expect(session).toMatchObject({ kind: 'peer_group', topic: 'Sức khoẻ sinh sản', registered: 2, others: 8, hiddenAttendees: 0 });
    expect(session.attendees.map((each) => each.clientId).sort()).toEqual([a, b].sort());
    expect(session.othersByCell).toEqual(expect.arrayContaining([{ sex: 'female', ageBand: '25_34', count: 6 }, { sex: 'male', ageBand: '18_24', count: 2 }]));
    expect((await app.ok('groups.list', {})).rows).toEqual([expect.objectContaining({ id: sessionId, registered: 2, others: 8, recordedByName: WORKER.displayName })]);
  });

  it('refuses the whole session, writing nothing, when one attendee is not hers, has no consent in force, or the session is empty or in the future', async () => {
    const { app, his } = await withColleaguesClient();
    const peer = await typeId(app, 'peer_group');
    const [a] = await registerThree(app);
    const session = { heldOn: TODAY, kind: 'peer_group' as const, place: 'centre' as const, topic: 'Chủ đề thử', serviceTypeId: peer, others: [] };
    const before = await contentSnapshot(app);
    // A colleague's client: he records her attendance himself.
    expect(await app.call('groups.record', { ...session, clientIds: [a ?? 0, his.clientId] })).toEqual({ ok: false, error: { code: 'NOT_ASSIGNED' } });
    // Her own client's visit, written before the refusal, is rolled back with the session.
    expect(await contentSnapshot(app)).toBe(before);
    // Her case closed: no service can be recorded for her.
    await app.ok('clients.close', { clientId: app.template.ids.client, reason: 'moved_away', on: TODAY });
    const closed = await contentSnapshot(app);
    expect(await app.call('groups.record', { ...session, clientIds: [a ?? 0, app.template.ids.client] })).toEqual({ ok: false, error: { code: 'CASE_CLOSED' } });
    expect(await app.call('groups.record', { ...session, clientIds: [] })).toMatchObject({ ok: false, error: { code: 'VALIDATION', issues: [{ path: 'clientIds', message: 'groupEmpty' }] } });
    expect(await app.call('groups.record', { ...session, heldOn: '2026-12-01', clientIds: [a ?? 0] })).toEqual({ ok: false, error: { code: 'DATE_IN_FUTURE' } });
    expect(await app.call('groups.record', { ...session, clientIds: [a ?? 0], others: [{ sex: 'female', ageBand: '25_34', count: 2 }, { sex: 'female', ageBand: '25_34', count: 3 }] })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION', issues: [{ path: 'others', message: 'groupCellTwice' }] },
    });
    expect(await contentSnapshot(app)).toBe(closed);
    expect(closed).not.toBe(before);
    expect((await app.ok('groups.list', {})).total).toBe(0);
  });

  it('shows each worker only her own clients among the attendees; a manager sees them after stating a reason', async () => {
    const { app, his } = await withColleaguesClient();
    const peer = await typeId(app, 'peer_group');
    const [a] = await registerThree(app);
    const { sessionId } = await app.ok('groups.record', { heldOn: TODAY, kind: 'self_help_club', place: 'outreach', topic: 'Câu lạc bộ thử', serviceTypeId: peer, clientIds: [a ?? 0], others: [] });
    await app.ok('auth.logout', {});

    // Her colleague adds the client he holds; again adds nothing twice.
    await loginAs(app, WORKER2);
    expect(await app.ok('groups.attend', { sessionId, clientIds: [his.clientId] })).toEqual({ added: 1 });
    expect(await app.ok('groups.attend', { sessionId, clientIds: [his.clientId] })).toEqual({ added: 0 });
    expect(await app.call('groups.attend', { sessionId, clientIds: [a ?? 0] })).toEqual({ ok: false, error: { code: 'NOT_ASSIGNED' } });
    let seen = await app.ok('groups.get', { sessionId });
    expect(seen.attendees.map((each) => each.alias)).toEqual(['Người Khác Thử']);
    expect(seen).toMatchObject({ registered: 2, hiddenAttendees: 1 });
    await app.ok('auth.logout', {});

    await loginAs(app, MANAGER);
    seen = await app.ok('groups.get', { sessionId });
    expect(seen).toMatchObject({ attendees: [], hiddenAttendees: 2 });
    await app.ok('clients.identity', { clientId: a ?? 0, reason: 'Kiểm tra danh sách buổi sinh hoạt thử' });
    seen = await app.ok('groups.get', { sessionId });
    expect(seen.attendees.map((each) => each.alias)).toEqual(['Chị Nhóm Một']);
    expect(seen.hiddenAttendees).toBe(1);
    await app.ok('auth.logout', {});

    // Administrators hold no caseload: sessions are not theirs to read.
    await loginAs(app, ADMIN);
    expect(await app.call('groups.get', { sessionId })).toEqual({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await app.call('groups.list', {})).toEqual({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('reports sessions and attendances by kind, registered ones only with consent to reports, small cells suppressed and audited; erasure keeps her among the others', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, WORKER);
    const peer = await typeId(app, 'peer_group');
    const [a, b, c] = await registerThree(app);
    // The template's client has no consent to reports: she attends, and is not counted among the registered.
    await app.ok('groups.record', {
      heldOn: '2026-11-20',
      kind: 'peer_group',
      place: 'centre',
      topic: 'Phòng chống HIV',
      serviceTypeId: peer,
      clientIds: [a ?? 0, b ?? 0, c ?? 0, app.template.ids.client],
      others: [{ sex: 'female', ageBand: '25_34', count: 12 }],
    });
    await app.ok('groups.record', { heldOn: '2026-11-25', kind: 'awareness', place: 'outreach', topic: 'Quyền pháp lý', serviceTypeId: peer, clientIds: [a ?? 0], others: [{ sex: 'male', ageBand: '18_24', count: 3 }] });
    await app.ok('auth.logout', {});

    await loginAs(app, MANAGER);
    const { report } = await runReport(app, Q4_2026);
    const sessions = tableOf(report, 'group_sessions');
    expect(sessions.rows.map((row) => row.key)).toEqual(['peer_group', 'self_help_club', 'awareness', 'class', 'total']);
    // One session of each kind held: below k = 10, hidden; the kinds with none show 0.
    expect(cellOf(sessions, 'peer_group', 'sessions')).toBeNull();
    expect(cellOf(sessions, 'awareness', 'sessions')).toBeNull();
    expect(cellOf(sessions, 'class', 'sessions')).toBe(0);
    const attendances = tableOf(report, 'group_attendances');
    expect(attendances.columns.map((column) => column.key)).toEqual(['registered', 'others', 'total']);
    // Peer group: 3 registered with consent (not 4), 12 others, 15 in all; the 3 is hidden, and so
    // is whatever would give it away (12 and 15 are not both shown).
    expect(cellOf(attendances, 'peer_group', 'registered')).toBeNull();
    const twelve = cellOf(attendances, 'peer_group', 'others');
    const fifteen = cellOf(attendances, 'peer_group', 'total');
    expect([twelve, fifteen].filter((value) => value !== null).length).toBeLessThan(2);
    for (const value of [twelve, fifteen]) if (value !== null) expect([12, 15]).toContain(value);
    expect(cellOf(attendances, 'awareness', 'registered')).toBeNull();
    expect(cellOf(attendances, 'awareness', 'others')).toBeNull();
    expect(report.audit.suppressedCells).toBeGreaterThan(0);
    await app.ok('auth.logout', {});

    // She withdraws: her attendance leaves her record, and stays in the counts as one of the others.
    await loginAs(app, WORKER);
    const caseConsent = (await app.ok('clients.get', { clientId: c ?? 0 })).consents.find((consent) => consent.purpose === 'case_record');
    await app.ok('consent.withdraw', { consentId: caseConsent?.id ?? 0, on: TODAY });
    const sessionId = (await app.ok('groups.list', {})).rows.find((row) => row.kind === 'peer_group')?.id ?? 0;
    const after = await app.ok('groups.get', { sessionId });
    expect(after).toMatchObject({ registered: 3, others: 13 });
    expect(after.attendees.map((each) => each.clientId)).not.toContain(c);
    expect(after.othersByCell).toEqual([{ sex: 'female', ageBand: '25_34', count: 13 }]);
    expect(await app.core.vault.db.selectFrom('group_attendance').selectAll().where('client_id', '=', c!).execute()).toEqual([]);
  });
});
