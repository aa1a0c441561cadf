import { describe, expect, it } from 'vitest';
import { SEALED_COLUMNS, ROW_KEY, type SealedTable } from '../../electron/core/db/sealed-columns.ts';
import { columnKeys, lookupHash, openText, sealText } from '../../electron/core/vault/column-seal.ts';
import { openPasswordSlot, openRecoverySlot, parseKeyring } from '../../electron/core/vault/key-slots.ts';
import { normalizeRecoveryCode } from '../../electron/core/vault/recovery-code.ts';
import { serverPool } from '../../electron/core/vault/server-connection.ts';
import { ServerSealer } from '../../electron/core/vault/column-sealers.ts';
import { SEALING_KEY_SETTING } from '../../electron/core/vault/key-file.ts';
import { KEY_CHANGE_BATCH } from '../../electron/core/vault/key-change.ts';
import type { ServerConnection } from '../../electron/core/vault/server-provision.ts';
import { groupOf } from '../support/calls.ts';
import { BUSY_WORDS, busyVault, ownCluster } from '../support/own-cluster.ts';
import { ownerPool } from '../support/pg-cluster.ts';
import { ADMIN, loginAs, MANAGER, openApp, tempDir, TODAY, WORKER, WORKER2, type TestApp } from '../support/vault-fixture.ts';

/*
 * Changing the centre's data key on its server (DESIGN.md §8), after someone leaves: every
 * sealed column sealed again under a new key, the app role's password changed, colleagues'
 * slots carried over. Other PCs stop at their next call and log in again; the old key, the old
 * keyring row, the old recovery code and the app role's old password open nothing. A change
 * cut short goes on at an administrator's login, and nobody works until then.
 */

const server = ownCluster();
const SEALED = Object.entries(SEALED_COLUMNS) as [SealedTable, readonly string[]][];

async function rows<T>(database: string, query: string, values: unknown[] = []): Promise<T[]> {
  const pool = ownerPool(server.cluster, database, 1);
  try {
    return (await pool.query(query, values)).rows as T[];
  } finally {
    await pool.end();
  }
}

/** The server's keyring rows as they stand (row 2 only while a change is under way). */
const keyringRows = (database: string) => rows<{ id: number; body: string; app_secret: Buffer; generation: number; progress: string | null }>(database, 'select * from keyring order by id');

/** The data key a person's password opens in the server's keyring row 1. */
async function serverKey(database: string, person: { username: string; password: string }): Promise<Buffer> {
  const [first] = await keyringRows(database);
  const opened = await openPasswordSlot(parseKeyring(first!.body), person.username, person.password);
  if (!opened) throw new Error('the password opens no slot');
  return opened.dataKey;
}

/** Every sealed value on the server, opened under `dataKey` ("table.column.row" → text); a value that does not open fails. */
async function openedUnder(database: string, dataKey: Buffer): Promise<Map<string, string | null>> {
  const keys = columnKeys(dataKey);
  const opened = new Map<string, string | null>();
  for (const [table, columns] of SEALED) {
    const key = ROW_KEY[table];
    for (const row of await rows<Record<string, Buffer | number | null>>(database, `select "${key}" as row_key, ${columns.map((column) => `"${column}"`).join(', ')} from "${table}"`)) {
      for (const column of columns) opened.set(`${table}.${column}.${row.row_key}`, openText(keys, { table, column, rowId: Number(row.row_key) }, row[column] as Buffer | null));
    }
  }
  return opened;
}

/** The sealing key's private half as the server holds it (sealed), opened under `dataKey`. */
async function sealingKeyUnder(database: string, dataKey: Buffer): Promise<string | null> {
  const [row] = await rows<{ value: string }>(database, 'select value from setting where key = $1', [SEALING_KEY_SETTING]);
  const sealer = new ServerSealer(dataKey);
  try {
    return sealer.openSecretSetting(SEALING_KEY_SETTING, JSON.parse(row!.value) as unknown);
  } finally {
    sealer.wipe();
  }
}

/** Does any sealed value still open under `dataKey`? */
async function anyOpensUnder(database: string, dataKey: Buffer): Promise<boolean> {
  try {
    const opened = await openedUnder(database, dataKey);
    return [...opened.values()].some((text) => text !== null);
  } catch {
    return false;
  }
}

/** A one-PC vault with words in every sealed kind of column, moved up to `database`; its administrator logged in there. */
async function serverWithRecords(database: string): Promise<{ app: TestApp & { template: { recoveryCode: string; ids: Record<string, number> } }; connection: ServerConnection }> {
  const app = server.keep(await busyVault());
  await loginAs(app, ADMIN);
  const { connection, file } = await server.newServer(database);
  expect(await app.gate.invoke('vault.moveUp', { confirm: true }, { path: file })).toMatchObject({ ok: true });
  await loginAs(app, ADMIN);
  return { app, connection };
}

async function pc(connection: ServerConnection, person?: { username: string; password: string }): Promise<TestApp> {
  const app = server.keep(openApp(tempDir('dh-pc-')));
  await app.core.connectToServer(connection);
  if (person) await loginAs(app, person);
  return app;
}

async function rotate(app: TestApp, password = ADMIN.password) {
  const begun = await app.ok('vault.rotateBegin', {});
  return { begun, result: await app.call('vault.rotateKey', { password, confirmation: groupOf(begun.recoveryCode, begun.confirmGroup), confirm: true }) };
}

describe('changing the data key on the server', () => {
  it('seals every column again; other PCs log in again; the old key, keyring row, code and app password open nothing', async () => {
    const database = 'centre_key_change';
    const { app, connection } = await serverWithRecords(database);
    // What a colleague who leaves could have kept: the keyring row with her slot in it.
    const [leavers] = await keyringRows(database);
    await app.ok('users.deactivate', { id: app.template.ids.worker2! });
    const other = await pc(connection, WORKER);
    const [before] = await keyringRows(database);
    const oldKey = await serverKey(database, ADMIN);
    const words = await openedUnder(database, oldKey);
    expect([...words.values()].filter((text) => text && BUSY_WORDS.some((word) => text.includes(word))).length).toBeGreaterThan(8);
    const sealingKey = await sealingKeyUnder(database, oldKey);
    expect(sealingKey?.length).toBeGreaterThan(20);
    const appRole = connection.appRole;
    const oldAppPassword = openText(columnKeys(oldKey), { table: 'keyring', column: 'app_secret', rowId: 1 }, before!.app_secret);

    // A wrong password: refused, nothing begun.
    const wrong = await rotate(app, 'khong-phai-mat-khau');
    expect(wrong.result).toEqual({ ok: false, error: { code: 'WRONG_CREDENTIALS' } });
    expect((await keyringRows(database)).map((row) => row.id)).toEqual([1]);

    const { begun, result } = await rotate(app);
    expect(result).toEqual({ ok: true, value: { rotated: true, carried: 2, needNewPassword: 0 } });
    expect(await app.ok('session.get', {})).toMatchObject({ vault: 'locked', keyRotated: true });

    // One keyring row, one generation on; every sealed value opens under the new key to the same words, none under the old.
    const after = await keyringRows(database);
    expect(after.map((row) => [row.id, row.generation, row.progress])).toEqual([[1, 2, null]]);
    const newKey = await serverKey(database, ADMIN);
    expect(newKey.equals(oldKey)).toBe(false);
    expect(await openedUnder(database, newKey)).toEqual(words);
    expect(await anyOpensUnder(database, oldKey)).toBe(false);
    // The sealing key (kept, sealed again): the erasure ledger's fingerprints stay the same.
    expect(await sealingKeyUnder(database, newKey)).toBe(sealingKey);
    await expect(sealingKeyUnder(database, oldKey)).rejects.toThrow();
    // The code's duplicate check was made anew under the new key.
    const codes = await rows<{ id: number; code_lookup: string }>(database, 'select id, code_lookup from client');
    for (const row of codes) expect(row.code_lookup).toBe(lookupHash(columnKeys(newKey), 'code', words.get(`client.code.${row.id}`) ?? ''));

    // The leaver's copy of the keyring row opens only the old key; the old recovery code opens nothing now; the new one does.
    expect((await openPasswordSlot(parseKeyring(leavers!.body), WORKER2.username, WORKER2.password))?.dataKey.equals(oldKey)).toBe(true);
    const keyring = parseKeyring(after[0]!.body);
    expect(await openRecoverySlot(keyring, normalizeRecoveryCode(app.template.recoveryCode) ?? '')).toBeNull();
    expect((await openRecoverySlot(keyring, normalizeRecoveryCode(begun.recoveryCode) ?? ''))?.equals(newKey)).toBe(true);
    expect(await openPasswordSlot(keyring, WORKER2.username, WORKER2.password)).toBeNull();
    // The app role's old password (which the old row opens) no longer reaches the records.
    const old = serverPool({ host: server.cluster.host, port: server.cluster.port, database, ca: server.cluster.ca }, { user: appRole, password: oldAppPassword }, { max: 1 });
    await expect(old.query('select 1')).rejects.toMatchObject({ code: '28P01' });
    await old.end();

    // The other PC still holds the old key: its next call is refused, its session ends, the login screen says why.
    expect(await other.call('clients.list', {})).toEqual({ ok: false, error: { code: 'KEY_CHANGED' } });
    expect(await other.ok('session.get', {})).toMatchObject({ vault: 'locked', keyRotated: true });
    expect(other.core.vault.isOpen).toBe(false);
    // Colleagues log in with their own passwords and see the same records.
    await loginAs(other, WORKER);
    expect((await other.ok('clients.list', { search: 'len may' })).rows.map((row) => row.alias)).toEqual(['Chị Lên Máy Chủ']);
    expect(await other.ok('clients.identity', { clientId: app.template.ids.client! })).toMatchObject({ legalName: 'Nguyễn Thị Mẫu Chuyển' });
    await other.ok('auth.logout', {});
    await loginAs(other, MANAGER);
    await other.ok('auth.logout', {});
    expect(await other.call('auth.login', { username: WORKER2.username, password: WORKER2.password })).toMatchObject({ ok: false });

    // The trail holds the change, and verifies whole.
    await loginAs(app, ADMIN);
    expect((await app.ok('audit.list', { action: 'vault.rotateKey' })).rows.map((row) => [row.outcome, row.errorCode])).toEqual([
      ['ok', null],
      ['failed', 'WRONG_CREDENTIALS'],
    ]);
    expect(await app.ok('audit.verify', {})).toMatchObject({ ok: true, problem: null });
  });

  it('a change cut short: nobody works meanwhile; an administrator\'s login finishes it, from where it stopped', async () => {
    const database = 'centre_key_cut_short';
    const { app, connection } = await serverWithRecords(database);
    const other = await pc(connection, WORKER);
    const oldKey = await serverKey(database, ADMIN);
    const words = await openedUnder(database, oldKey);

    // A visit's note that does not open (moved from another row): the change stops there, with the tables before it done.
    const [first, second] = await rows<{ id: number; note: Buffer | null }>(database, 'select id, note from visit where note is not null order by id');
    expect(first && second).toBeTruthy();
    await rows(database, 'update visit set note = $1 where id = $2', [first!.note, second!.id]);
    const { result } = await rotate(app);
    expect(result).toEqual({ ok: false, error: { code: 'DATABASE_CORRUPT' } });
    const waiting = await keyringRows(database);
    expect(waiting.map((row) => row.id)).toEqual([1, 2]);
    expect(JSON.parse(waiting[1]!.progress ?? 'null')).toMatchObject({ table: 'visit', after: 0 });
    // The tables before it are under the new key already, the rest still under the old.
    const clientAlias = await rows<{ alias: Buffer }>(database, 'select alias from client where id = $1', [app.template.ids.client!]);
    expect(() => openText(columnKeys(oldKey), { table: 'client', column: 'alias', rowId: app.template.ids.client! }, clientAlias[0]!.alias)).toThrow();

    // Meanwhile: every PC's next call ends its session, and only an administrator may log in.
    expect(await other.call('clients.list', {})).toEqual({ ok: false, error: { code: 'KEY_CHANGE_UNDER_WAY' } });
    expect(await other.ok('session.get', {})).toMatchObject({ vault: 'locked', keyRotated: true });
    expect(await other.call('auth.login', { username: WORKER.username, password: WORKER.password })).toEqual({ ok: false, error: { code: 'KEY_CHANGE_UNDER_WAY' } });
    expect(other.core.vault.isOpen).toBe(false);
    expect(await other.call('auth.recover', { username: ADMIN.username, recoveryCode: app.template.recoveryCode, newPassword: 'mat-khau-moi-admin-99' })).toEqual({ ok: false, error: { code: 'KEY_CHANGE_UNDER_WAY' } });
    expect(await app.call('users.list', {})).toEqual({ ok: false, error: { code: 'KEY_CHANGE_UNDER_WAY' } });

    // The note put right (by the server's owner), an administrator logs in: the change goes on and ends; she works with the new key.
    await rows(database, 'update visit set note = $1 where id = $2', [second!.note, second!.id]);
    await loginAs(other, ADMIN);
    const after = await keyringRows(database);
    expect(after.map((row) => [row.id, row.generation])).toEqual([[1, 2]]);
    const newKey = await serverKey(database, ADMIN);
    expect(await openedUnder(database, newKey)).toEqual(words);
    expect(await anyOpensUnder(database, oldKey)).toBe(false);
    const entries = (await other.ok('audit.list', { action: 'vault.rotateKey' })).rows;
    expect(entries.map((row) => [row.outcome, row.errorCode])).toEqual([
      ['ok', null],
      ['failed', 'DATABASE_CORRUPT'],
    ]);
    expect(await other.ok('audit.verify', {})).toMatchObject({ ok: true, problem: null });
    await other.ok('auth.logout', {});
    // Colleagues log in again as usual.
    await loginAs(app, WORKER);
    expect((await app.ok('clients.list', { search: 'len may' })).rows.map((row) => row.alias)).toEqual(['Chị Lên Máy Chủ']);
    expect(await app.ok('clients.identity', { clientId: app.template.ids.client! })).toMatchObject({ legalName: 'Nguyễn Thị Mẫu Chuyển' });
  });

  it('a change cut short in the middle of a table goes on from the row after its last whole batch', async () => {
    const database = 'centre_key_mid_table';
    const { app, connection } = await serverWithRecords(database);
    const oldKey = await serverKey(database, ADMIN);
    const clientId = app.template.ids.client!;
    const workerId = app.template.ids.worker!;
    // More visits than one batch, then one with a note under the old key, then one whose note does not open (copied from another row).
    await rows(database, `insert into visit (client_id, visit_on, place, worker_id, recorded_at)
      select $1, '2026-11-01', 'centre', $2, '2026-11-01T01:00:00.000Z' from generate_series(1, $3::integer)`, [clientId, workerId, KEY_CHANGE_BATCH + 20]);
    const lateId = (await rows<{ id: number }>(database, `select nextval(pg_get_serial_sequence('visit', 'id'))::integer as id`))[0]!.id;
    const lateNote = sealText(columnKeys(oldKey), { table: 'visit', column: 'note', rowId: lateId }, 'Ghi chú sau một lô');
    await rows(database, `insert into visit (id, client_id, visit_on, place, note, worker_id, recorded_at) values ($1, $2, '2026-11-02', 'centre', $3, $4, '2026-11-02T01:00:00.000Z')`, [lateId, clientId, lateNote, workerId]);
    const words = await openedUnder(database, oldKey);
    const [early] = await rows<{ id: number; note: Buffer }>(database, 'select id, note from visit where note is not null order by id limit 1');
    const brokenId = (
      await rows<{ id: number }>(database, `insert into visit (client_id, visit_on, place, note, worker_id, recorded_at)
        values ($1, '2026-11-03', 'centre', $2, $3, '2026-11-03T01:00:00.000Z') returning id`, [clientId, early!.note, workerId])
    )[0]!.id;

    expect((await rotate(app)).result).toEqual({ ok: false, error: { code: 'DATABASE_CORRUPT' } });
    const [, waiting] = await keyringRows(database);
    const progress = JSON.parse(waiting!.progress ?? 'null') as { table: string; after: number };
    // Stopped in the visits, after a whole batch: the rows up to it under the new key, the rest still under the old.
    expect(progress.table).toBe('visit');
    expect(progress.after).toBeGreaterThanOrEqual(early!.id);
    expect(progress.after).toBeLessThan(lateId);
    const newKey = (await openPasswordSlot(parseKeyring(waiting!.body), ADMIN.username, ADMIN.password))!.dataKey;
    const noteOf = async (id: number) => (await rows<{ note: Buffer }>(database, 'select note from visit where id = $1', [id]))[0]!.note;
    const opens = (key: Buffer, id: number, note: Buffer) => {
      try {
        return openText(columnKeys(key), { table: 'visit', column: 'note', rowId: id }, note);
      } catch {
        return null;
      }
    };
    expect(opens(newKey, early!.id, await noteOf(early!.id))).toBe(words.get(`visit.note.${early!.id}`));
    expect(opens(oldKey, early!.id, await noteOf(early!.id))).toBeNull();
    expect(opens(oldKey, lateId, await noteOf(lateId))).toBe('Ghi chú sau một lô');
    expect(opens(newKey, lateId, await noteOf(lateId))).toBeNull();

    // The broken note put right by the server's owner; an administrator's login goes on from the row after the batch.
    await rows(database, 'update visit set note = null where id = $1', [brokenId]);
    const other = await pc(connection);
    await loginAs(other, ADMIN);
    expect((await keyringRows(database)).map((row) => [row.id, row.generation])).toEqual([[1, 2]]);
    words.set(`visit.outcome.${brokenId}`, null).set(`visit.note.${brokenId}`, null);
    expect(await openedUnder(database, newKey)).toEqual(words);
    expect(await anyOpensUnder(database, oldKey)).toBe(false);
    expect(await other.ok('audit.verify', {})).toMatchObject({ ok: true });
  });

  it('visits recorded at another PC while the change begins: each is either in, under the new key, or refused; none is lost', async () => {
    const database = 'centre_key_race';
    const { app, connection } = await serverWithRecords(database);
    const other = await pc(connection, WORKER);
    const clientId = app.template.ids.client!;
    const saved: number[] = [];
    const refusals: string[] = [];
    const recording = (async () => {
      for (let i = 0; ; i++) {
        const result = await other.call('visits.record', { clientId, visitOn: TODAY, place: 'centre', serviceTypeIds: [1], note: `Ghi chú đua ${i}` });
        if (!result.ok) {
          refusals.push(result.error.code);
          return;
        }
        saved.push(result.value.visitId);
      }
    })();
    // Let a few land first, then change the key while they go on.
    while (saved.length < 3) await new Promise((resolve) => setTimeout(resolve, 5));
    const { result } = await rotate(app);
    await recording;
    expect(result).toMatchObject({ ok: true, value: { rotated: true } });
    expect(refusals).toHaveLength(1);
    expect(['KEY_CHANGE_UNDER_WAY', 'KEY_CHANGED']).toContain(refusals[0]);
    // Every visit the other PC was told is saved is there, its note under the new key.
    const opened = await openedUnder(database, await serverKey(database, ADMIN));
    for (const [at, visitId] of saved.entries()) expect(opened.get(`visit.note.${visitId}`)).toBe(`Ghi chú đua ${at}`);
    const notes = [...opened.entries()].filter(([key, text]) => key.startsWith('visit.note.') && text?.startsWith('Ghi chú đua'));
    expect(notes).toHaveLength(saved.length);
  });

  it('a server whose sealing key was kept in the clear (set up before it was sealed) has it sealed at the first unlock, the same key (failed logins there still named)', async () => {
    const database = 'centre_plain_sealing_key';
    const { app, connection } = await serverWithRecords(database);
    const key = await serverKey(database, ADMIN);
    const sealingKey = await sealingKeyUnder(database, key);
    await app.ok('auth.logout', {});
    // As an older version left it: the text itself.
    await rows(database, 'update setting set value = $1 where key = $2', [JSON.stringify(sealingKey), SEALING_KEY_SETTING]);
    // A server that will not let it be sealed: the login fails whole, nothing is left open.
    await rows(database, `revoke update on setting from "${connection.appRole}"`);
    const refused = await pc(connection);
    expect(await refused.call('auth.login', { username: WORKER.username, password: WORKER.password })).toMatchObject({ ok: false });
    expect(refused.core.vault.isOpen).toBe(false);
    expect(refused.core.session).toBeNull();
    await rows(database, `grant update on setting to "${connection.appRole}"`);
    const other = await pc(connection, WORKER);
    const [row] = await rows<{ value: string }>(database, 'select value from setting where key = $1', [SEALING_KEY_SETTING]);
    expect(row!.value).not.toContain(sealingKey!);
    expect(JSON.parse(row!.value)).toEqual({ sealed: expect.any(String) });
    expect(await sealingKeyUnder(database, key)).toBe(sealingKey);
    // Failed logins recorded while locked are still named in the trail (their usernames were sealed to it).
    await other.ok('auth.logout', {});
    expect(await other.call('auth.login', { username: WORKER.username, password: 'khong-dung-mat-khau' })).toMatchObject({ ok: false });
    await loginAs(other, ADMIN);
    const tried = (await other.ok('audit.list', { action: 'auth.login' })).rows.filter((entry) => entry.outcome === 'failed' && entry.detail?.recordedWhileLocked === true);
    expect(tried.map((entry) => entry.targetId)).toContain(String(app.template.ids.worker));
  });
});
