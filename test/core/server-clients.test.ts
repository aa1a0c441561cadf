import { randomBytes } from 'node:crypto';
import { Kysely, PostgresDialect } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientIndex, clientIndexOf } from '../../electron/core/clients/client-index.ts';
import { listClients } from '../../electron/core/clients/list.ts';
import { contract } from '../../electron/contract/index.ts';
import { CLOSE_REASONS } from '../../electron/contract/vocabulary.ts';
import type { Database, Db } from '../../electron/core/db/schema.ts';
import { ServerSealer } from '../../electron/core/vault/column-sealers.ts';
import type { ServerConnection } from '../../electron/core/vault/server-provision.ts';
import { provisionServer } from '../../electron/core/vault/server-provision.ts';
import { serverMigrations } from '../../migrations/server/index.ts';
import { havePostgres, ownerPool, startCluster, type PgCluster } from '../support/pg-cluster.ts';
import { identityVersion, openApp, runSetup, syntheticClient, tempDir, type TestApp, WORKER, WORKER2 } from '../support/vault-fixture.ts';

/*
 * Clients on the centre's server: code, alias and legal name are sealed there, so search, the
 * sort by code or alias and the duplicate-code check run over each PC's in-memory index
 * (clients/client-index.ts), kept fresh across PCs by the server's change counter.
 */

let cluster: PgCluster;
let connection: ServerConnection;
const apps: TestApp[] = [];
const DATABASE = 'centre_clients';

beforeAll(async () => {
  if (!havePostgres()) throw new Error('PostgreSQL 15 is not installed (.ci/run installs Debian\'s postgresql)');
  cluster = await startCluster();
  const result = await provisionServer({ address: { host: cluster.host, port: cluster.port, database: DATABASE, ca: cluster.ca }, owner: cluster.owner, migrations: serverMigrations });
  connection = result.connection!;
});
afterAll(async () => {
  for (const app of apps) await app.core.shutdown();
  cluster?.remove();
});

async function pc(): Promise<TestApp> {
  const app = openApp(tempDir('dh-pc-'));
  apps.push(app);
  await app.core.connectToServer(connection);
  return app;
}

const TEMPORARY = 'tam-thoi-canbo-0001';
let first: TestApp;
let second: TestApp;
const names = async (app: TestApp, search: string, sort: 'alias' | 'code' = 'alias', direction: 'asc' | 'desc' = 'asc') =>
  (await app.ok('clients.list', { search, sort, direction })).rows.map((row) => row.alias);

describe('clients on the centre\'s server', () => {
  it('registers on one PC and finds them on another: by code, by alias ignoring tones, by the start of a short word', async () => {
    first = await pc();
    await runSetup(first);
    for (const person of [WORKER, WORKER2]) {
      await first.ok('users.create', { username: person.username, displayName: person.displayName, roles: ['worker'], temporaryPassword: TEMPORARY });
    }
    await first.ok('auth.logout', {});
    second = await pc();
    for (const [app, person] of [[first, WORKER], [second, WORKER2]] as const) {
      await app.ok('auth.login', { username: person.username, password: TEMPORARY });
      await app.ok('auth.changePassword', { currentPassword: TEMPORARY, newPassword: person.password });
    }
    // Searched once on the second PC before any client exists: its index is built, then kept fresh.
    expect(await names(second, 'thu')).toEqual([]);
    const registered = [];
    for (const [motherName, fatherName, alias] of [
      ['Hoa', 'Bình', 'Đặng Thị Thử'],
      ['Một', 'Ngắn', 'Huỳnh Thị Út'],
      ['Sáu', 'Ngắn', 'Trần Vy'],
      ['Bốn', 'Ngắn', 'Tú Hutu'],
    ]) {
      registered.push(await first.ok('clients.register', syntheticClient({ motherName, fatherName, alias, identity: { legalName: `Nguyễn ${alias} Thật`, phone: null, idNumber: null, address: null } })));
    }
    expect(registered.map((client) => client.code)).toEqual(['HOBI95-1', 'MONG95-1', 'SANG95-1', 'BONG95-1']);
    expect(await names(second, 'dang')).toEqual(['Đặng Thị Thử']);
    expect(await names(second, 'ĐẶNG')).toEqual(['Đặng Thị Thử']);
    expect(await names(second, 'hobi')).toEqual(['Đặng Thị Thử']);
    expect(await names(second, 'ut')).toEqual(['Huỳnh Thị Út']);
    expect(await names(second, 't u')).toEqual(['Huỳnh Thị Út']);
    expect(await names(second, 'hutu')).toEqual(['Tú Hutu']);
    // A text in several aliases, each found once; never one that runs from an alias into the next.
    expect(await names(second, 'thi')).toEqual(['Đặng Thị Thử', 'Huỳnh Thị Út']);
    expect(await names(second, 'thuhuy')).toEqual([]);
    expect(await names(second, 'uttran')).toEqual([]);
    expect(await names(second, 'vytu')).toEqual([]);
    // A code that starts with it (HOBI95-1), or a word of the alias.
    expect(await names(second, 'h')).toEqual(['Đặng Thị Thử', 'Huỳnh Thị Út', 'Tú Hutu']);
    expect(await names(second, '%')).toEqual([]);
  });

  it('sorts by alias and by code in both directions, as the file does, with the filters applied in SQL', async () => {
    const aliases = ['Đặng Thị Thử', 'Huỳnh Thị Út', 'Trần Vy', 'Tú Hutu'];
    // Folded: "dang thi thu" < "huynh thi ut" < "tran vy" < "tu hutu".
    expect(await names(second, '')).toEqual(aliases);
    expect(await names(second, '', 'alias', 'desc')).toEqual([...aliases].reverse());
    expect(await names(second, '', 'code')).toEqual(['Tú Hutu', 'Đặng Thị Thử', 'Huỳnh Thị Út', 'Trần Vy']);
    const page = await second.ok('clients.list', { sort: 'alias', direction: 'asc', offset: 1, limit: 2 });
    expect(page.rows.map((row) => row.alias)).toEqual(['Huỳnh Thị Út', 'Trần Vy']);
    expect(page.total).toBe(4);
    // A filter the server applies (her own clients: none on the second PC's worker) with the index's order.
    expect((await second.ok('clients.list', { mine: true, sort: 'alias', direction: 'asc' })).rows).toEqual([]);
    expect((await first.ok('clients.list', { mine: true, sort: 'code', direction: 'desc', search: 'ngan' })).rows).toEqual([]);
    // Her own clients' legal names start with "Nguyễn": all four.
    expect((await first.ok('clients.list', { mine: true, sort: 'code', direction: 'desc', search: 'ng' })).rows.map((row) => row.code)).toEqual(['SANG95-1', 'MONG95-1', 'HOBI95-1', 'BONG95-1']);
  });

  it('searches legal names only among the viewer\'s own clients', async () => {
    const mine = await first.ok('clients.list', { search: 'nguyen' });
    expect(mine.rows.map((row) => row.matchedLegalName)).toEqual([true, true, true, true]);
    expect((await first.ok('clients.list', { search: 'that' })).total).toBe(4);
    expect((await second.ok('clients.list', { search: 'nguyen' })).total).toBe(0);
  });

  it('refuses the same code from another PC, and gives a different person the next suffix', async () => {
    const [holder] = (await second.ok('clients.list', { search: 'HOBI95' })).rows;
    expect(await second.ok('clients.checkCode', { code: 'hobi95-1' })).toEqual({ exists: true, clientId: holder!.id });
    expect(await second.call('clients.register', syntheticClient({ motherName: 'Hoa', fatherName: 'Bình', alias: 'Người Khác' }))).toEqual({
      ok: false,
      error: { code: 'CLIENT_CODE_EXISTS', clientId: holder!.id },
    });
    const other = await second.ok('clients.register', syntheticClient({ motherName: 'Hoa', fatherName: 'Bình', alias: 'Người Khác', distinctFromExisting: true }));
    expect(other.code).toBe('HOBI95-1.2');
    const third = await first.ok('clients.register', syntheticClient({ motherName: 'Hoa', fatherName: 'Bình', alias: 'Người Thứ Ba', distinctFromExisting: true }));
    expect(third.code).toBe('HOBI95-1.3');
    expect(await first.ok('clients.checkCode', { code: 'HOBI95-1.2' })).toEqual({ exists: true, clientId: other.clientId });
  });

  it('follows a changed alias and a corrected legal name to the other PC, and forgets an erased client', async () => {
    const [client] = (await first.ok('clients.list', { search: 'tran vy' })).rows;
    const page = await first.ok('clients.get', { clientId: client!.id });
    await first.ok('clients.update', { clientId: client!.id, alias: 'Trần Vy Mới', wardCode: page.wardCode, provinceCode: page.provinceCode, workSetting: page.workSetting, version: page.detailsVersion });
    expect(await names(second, 'vy moi')).toEqual(['Trần Vy Mới']);
    await first.ok('clients.updateIdentity', { clientId: client!.id, identity: { legalName: 'Lê Khác Hẳn', phone: null, idNumber: null, address: null }, version: await identityVersion(first, client!.id) });
    expect((await first.ok('clients.list', { search: 'khac han' })).rows.map((row) => row.id)).toEqual([client!.id]);
    expect((await first.ok('clients.list', { search: 'nguyen' })).total).toBe(3);
    expect(await first.ok('clients.identity', { clientId: client!.id })).toMatchObject({ legalName: 'Lê Khác Hẳn' });

    const [erased] = (await first.ok('clients.list', { search: 'hutu' })).rows;
    await first.ok('clients.erase', { clientId: erased!.id, confirmCode: erased!.code, reason: 'client_request' });
    expect(await names(second, 'hutu')).toEqual([]);
    expect(await names(second, '')).not.toContain('Tú Hutu');
  });

  it('leaves the server no code, alias or legal name in the clear', async () => {
    const owner = ownerPool(cluster, DATABASE, 1);
    try {
      const rows = (
        await owner.query<{ row: string; code: Buffer; alias: Buffer; legal_name: Buffer | null }>(
          'select concat_ws(\'|\', client::text, client_identity::text) as row, client.code, client.alias, client_identity.legal_name from client left join client_identity on client_identity.client_id = client.id',
        )
      ).rows;
      expect(rows.length).toBe(5);
      for (const secret of ['HOBI95', 'BONG95', 'Huỳnh', 'Huynh', 'Thử', 'Nguyễn', 'Khác Hẳn', 'Vy Mới']) {
        for (const row of rows) {
          expect(row.row).not.toContain(secret);
          // Nor as bytes inside a sealed value.
          for (const value of [row.code, row.alias, row.legal_name]) expect(value?.includes(Buffer.from(secret)) ?? false).toBe(false);
        }
      }
    } finally {
      await owner.end();
    }
  });

  it('a wide search (a letter most aliases hold) walks the sorted list and finds what sending the hits finds; the index counts what the server counts', async () => {
    // Thirty more of her own clients, most with "Mẫu" in the alias, seen on different days; six closed.
    const session = first.core.session!;
    for (let i = 0; i < 30; i++) {
      const alias = i % 4 === 0 ? `Chị Khác ${i}` : `Chị Mẫu ${i}`;
      const { clientId } = await first.ok('clients.register', syntheticClient({ motherName: `Mẹ${i}`, fatherName: `Bố${i}`, birthYear: 1980 + (i % 20), alias, wardCode: i % 2 ? 26740 : null, distinctFromExisting: true, identity: { legalName: `Phạm Mẫu Danh ${i}`, phone: null, idNumber: null, address: null } }));
      if (i % 3) await first.ok('visits.record', { clientId, visitOn: `2026-11-${String(1 + (i % 27)).padStart(2, '0')}`, place: 'centre', serviceTypeIds: [1], nextFollowUpOn: i % 2 ? '2026-12-10' : null });
      if (i % 5 === 1) await first.ok('clients.close', { clientId, reason: CLOSE_REASONS[0], on: '2026-11-28' });
    }
    // One of them handed to a colleague: her legal name no longer counts for this worker.
    const handed = (await first.ok('clients.list', { search: 'Chị Mẫu 5' })).rows[0]!.id;
    const owner = ownerPool(cluster, DATABASE, 1);
    let colleague: number;
    try {
      colleague = (await owner.query<{ id: number }>(`select id from "user" where username = $1`, [WORKER2.username])).rows[0]!.id;
      await owner.query(`update client set assigned_worker_id = $1 where id = $2`, [colleague, handed]);
    } finally {
      await owner.end();
    }
    const index = await clientIndexOf(first.core);
    const list = (input: object, wide: boolean, countInIndex: boolean) =>
      listClients(first.core.vault.db, contract['clients.list'].input.parse(input), session.id, '2026-11-28', { noContactWarnDays: 90, reviewIntervalMonths: 6 }, { columns: first.core.vault.columns, index, wide, countInIndex });
    const compare = async (searches: string[], statuses: string[]) => {
      let compared = 0;
      for (const search of searches)
        for (const status of statuses)
          for (const sort of ['lastContact', 'ageBand', 'openReferrals'] as const)
            for (const direction of ['asc', 'desc'] as const)
              for (const [offset, limit] of [[0, 100], [5, 7]] as const)
                for (const whose of [{ mine: false }, { mine: true }, { workerId: session.id }, { workerId: colleague }]) {
                  const input = { search, sort, direction, offset, limit, ...whose, status };
                  // What the server finds and counts from the list of hits sent to it.
                  const sent = await list(input, false, false);
                  for (const [wide, counted] of [[true, false], [true, true], [false, true]] as const) expect(await list(input, wide, counted), JSON.stringify({ input, wide, counted })).toEqual(sent);
                  compared += sent.rows.length;
                }
      return compared;
    };
    expect(await compare(['m', 'mau', 'chi', 'pham', 'k', 'x'], ['all', 'open', 'closed'])).toBeGreaterThan(1000);
    // A case reopened and another closed: the index hears of both (a status change takes a number of its counter).
    const [closed, open] = [
      (await first.ok('clients.list', { search: 'chi mau 6', status: 'closed' })).rows[0]!,
      (await first.ok('clients.list', { search: 'chi mau 7', status: 'open' })).rows[0]!,
    ];
    await first.ok('clients.reopen', { clientId: closed.id, on: '2026-11-28' });
    await first.ok('clients.close', { clientId: open.id, reason: CLOSE_REASONS[0], on: '2026-11-28' });
    expect(await compare(['mau'], ['open', 'closed'])).toBeGreaterThan(50);
  });
});

describe('the index\'s change counter', () => {
  let owner: Kysely<Database>;
  const sealer = new ServerSealer(randomBytes(32));

  // A database of its own, whose rows this test seals under a key of its own.
  beforeAll(async () => {
    await provisionServer({ address: { host: cluster.host, port: cluster.port, database: 'centre_index', ca: cluster.ca }, owner: cluster.owner, migrations: serverMigrations });
    owner = new Kysely<Database>({ dialect: new PostgresDialect({ pool: ownerPool(cluster, 'centre_index', 3) }) });
    await owner.insertInto('user').values({ username: 'synthetic-admin', display_name: 'Synthetic Admin', language: 'vi', active: 1, must_change_password: 0, created_at: '2026-11-28T00:00:00.000Z' }).execute();
  });
  afterAll(() => owner?.destroy());

  async function insertClient(db: Db, code: string, alias: string, worker: number | null = 1) {
    const id = await sealer.newId(db, 'client');
    await db
      .insertInto('client')
      .values({
        id,
        code: sealer.seal('client', 'code', id, code),
        code_lookup: sealer.codeLookup(code),
        alias: sealer.seal('client', 'alias', id, alias),
        birth_year: 1990,
        sex: 'female',
        child_path: 0,
        status: 'open',
        registered_on: '2026-11-28',
        registered_by: 1,
        assigned_worker_id: worker,
        open_referrals: 0,
      })
      .execute();
    return id;
  }

  it('never shows a change before it is committed, and misses none committed out of order', async () => {
    const index = new ClientIndex(1);
    await index.refresh(owner, sealer);
    const before = index.size;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let firstInserted!: () => void;
    const inserted = new Promise<void>((resolve) => (firstInserted = resolve));
    // A slow writer takes its number first and commits last...
    const slow = owner.transaction().execute(async (trx) => {
      await insertClient(trx, 'SYNSLOW-1', 'Chậm Thử');
      firstInserted();
      await held;
    });
    await inserted;
    await index.refresh(owner, sealer);
    expect(index.size).toBe(before);
    // ...a quick one behind it waits for the counter until the slow one commits.
    let quickDone = false;
    const quick = owner.transaction().execute(async (trx) => {
      await insertClient(trx, 'SYNQUICK-1', 'Nhanh Thử');
    }).then(() => {
      quickDone = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(quickDone).toBe(false);
    release();
    await Promise.all([slow, quick]);
    await index.refresh(owner, sealer);
    expect(index.size).toBe(before + 2);
    expect(index.holdersOfCode('SYNSLOW-1').length).toBe(1);
    expect(index.holdersOfCode('SYNQUICK-1').length).toBe(1);
  });

  it('applies an identity removed and written again in one transaction in its order', async () => {
    const index = new ClientIndex(1);
    const id = await insertClient(owner, 'SYNNAME-1', 'Tên Thử');
    const identity = (name: string) => ({ client_id: id, legal_name: sealer.seal('client_identity', 'legal_name', id, name), updated_at: '2026-11-28T00:00:00.000Z', updated_by: 1 });
    await owner.insertInto('client_identity').values(identity('Tên Cũ Thử')).execute();
    await index.refresh(owner, sealer);
    expect(index.search('ten cu', 'TEN CU').legalName).toEqual([id]);
    await owner.transaction().execute(async (trx) => {
      await trx.deleteFrom('client_identity').where('client_id', '=', id).execute();
      await trx.insertInto('client_identity').values(identity('Tên Mới Thử')).execute();
    });
    await index.refresh(owner, sealer);
    expect(index.search('ten cu', 'TEN CU').legalName).toEqual([]);
    expect(index.search('ten moi', 'TEN MOI').legalName).toEqual([id]);
  });

  it('opens the legal names of its user\'s own clients only, and lets one go when her case is handed on', async () => {
    const colleague = Number((await owner.insertInto('user').values({ username: 'synthetic-colleague', display_name: 'Synthetic Colleague', language: 'vi', active: 1, must_change_password: 0, created_at: '2026-11-28T00:00:00.000Z' }).returning('id').executeTakeFirstOrThrow()).id);
    const mine = new ClientIndex(1);
    const theirs = new ClientIndex(colleague);
    const id = await insertClient(owner, 'SYNHAND-1', 'Bàn Giao Thử');
    await owner.insertInto('client_identity').values({ client_id: id, legal_name: sealer.seal('client_identity', 'legal_name', id, 'Tên Bàn Giao Thử'), updated_at: '2026-11-28T00:00:00.000Z', updated_by: 1 }).execute();
    await mine.refresh(owner, sealer);
    await theirs.refresh(owner, sealer);
    expect(mine.search('ban giao', 'BAN GIAO').legalName).toEqual([id]);
    // Everyone finds her by alias; only her worker's PC holds her legal name.
    expect(theirs.search('ban giao', 'BAN GIAO')).toMatchObject({ codeOrAlias: [id], legalName: [] });
    // Handed to the colleague: the name goes from one index and comes to the other.
    await owner.updateTable('client').set({ assigned_worker_id: colleague }).where('id', '=', id).execute();
    await mine.refresh(owner, sealer);
    await theirs.refresh(owner, sealer);
    expect(mine.search('ten ban giao', 'TEN BAN GIAO').legalName).toEqual([]);
    expect(theirs.search('ten ban giao', 'TEN BAN GIAO').legalName).toEqual([id]);
    // And back.
    await owner.updateTable('client').set({ assigned_worker_id: 1 }).where('id', '=', id).execute();
    await mine.refresh(owner, sealer);
    await theirs.refresh(owner, sealer);
    expect(mine.search('ten ban giao', 'TEN BAN GIAO').legalName).toEqual([id]);
    expect(theirs.search('ten ban giao', 'TEN BAN GIAO').legalName).toEqual([]);
  });
});
