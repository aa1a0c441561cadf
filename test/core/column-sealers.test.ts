import { randomBytes } from 'node:crypto';
import { Kysely, Migrator, PostgresDialect } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database, Sealed } from '../../electron/core/db/schema.ts';
import { fileSealer, givenId, ServerSealer } from '../../electron/core/vault/column-sealers.ts';
import { serverMigrations } from '../../migrations/server/index.ts';
import { createDatabase, havePostgres, ownerPool, startCluster, type PgCluster } from '../support/pg-cluster.ts';

/*
 * What the features seal a column with (issue "A centre on several PCs"): on the file the text
 * goes through as it is; on a server each value is sealed naming its table, column and row,
 * so a value moved to another row, column or table does not open, and new rows take their ids
 * before the insert so their values can name them.
 */

let cluster: PgCluster;
let server: Kysely<Database>;

beforeAll(async () => {
  if (!havePostgres()) throw new Error('PostgreSQL 15 is not installed (.ci/run installs Debian\'s postgresql)');
  cluster = await startCluster();
  await createDatabase(cluster, 'sealers');
  server = new Kysely<Database>({ dialect: new PostgresDialect({ pool: ownerPool(cluster, 'sealers') }) });
  const { error } = await new Migrator({ db: server, provider: { getMigrations: async () => serverMigrations } }).migrateToLatest();
  if (error) throw error;
});
afterAll(async () => {
  await server?.destroy();
  cluster?.remove();
});

describe('sealing the columns with words about a person', () => {
  it('on the file: the text itself, and no id taken before an insert', async () => {
    const sealed = fileSealer.seal('visit', 'note', undefined, 'Ghi chú thử nghiệm');
    expect(sealed as unknown).toBe('Ghi chú thử nghiệm');
    expect(fileSealer.open('visit', 'note', 7, sealed)).toBe('Ghi chú thử nghiệm');
    expect(fileSealer.seal('visit', 'note', undefined, null)).toBeNull();
    expect(await fileSealer.newIds(server, 'visit', 3)).toEqual([undefined, undefined, undefined]);
    expect(givenId(undefined)).toEqual({});
  });

  it('on a server: sealed under the data key, opened only in its own row, column and table', () => {
    const dataKey = randomBytes(32);
    const sealer = new ServerSealer(dataKey);
    const sealed = sealer.seal('visit', 'note', 41, 'Ghi chú thử nghiệm');
    expect(Buffer.isBuffer(sealed)).toBe(true);
    expect((sealed as unknown as Buffer).includes(Buffer.from('Ghi chú'))).toBe(false);
    expect(sealer.open('visit', 'note', 41, sealed)).toBe('Ghi chú thử nghiệm');
    // Moved to another row, another column, another table: it does not open.
    for (const [table, column, row] of [['visit', 'note', 42], ['visit', 'outcome', 41], ['referral', 'note', 41]] as const) {
      expect(() => sealer.open(table, column, row, sealed)).toThrow(expect.objectContaining({ code: 'DATABASE_CORRUPT' }));
    }
    // Under another centre's key it does not open either.
    expect(() => new ServerSealer(randomBytes(32)).open('visit', 'note', 41, sealed)).toThrow(expect.objectContaining({ code: 'DATABASE_CORRUPT' }));
    expect(sealer.seal('visit', 'note', 41, null)).toBeNull();
    // A value for a row whose id is not known yet is refused rather than sealed loosely.
    expect(() => sealer.seal('visit', 'note', undefined, 'x')).toThrow(/names its row/);
    // Rows opened together: each by its own id.
    const rows = [
      { id: 1, note: sealer.seal('visit', 'note', 1, 'một'), outcome: null as Sealed | null, place: 'centre' },
      { id: 2, note: sealer.seal('visit', 'note', 2, 'hai'), outcome: sealer.seal('visit', 'outcome', 2, 'kết quả'), place: 'outreach' },
    ];
    expect(sealer.openRows('visit', rows)).toEqual([
      { id: 1, note: 'một', outcome: null, place: 'centre' },
      { id: 2, note: 'hai', outcome: 'kết quả', place: 'outreach' },
    ]);
    expect(sealer.lookup('code', 'SYN-0001')).toMatch(/^[0-9a-f]{64}$/);
    expect(sealer.lookup('code', 'SYN-0001')).not.toBe(new ServerSealer(randomBytes(32)).lookup('code', 'SYN-0001'));
  });

  it('on a server: new rows take their ids first, distinct, and the counter goes on from them', async () => {
    const sealer = new ServerSealer(randomBytes(32));
    const ids = await sealer.newIds(server, 'visit', 3);
    expect(new Set(ids).size).toBe(3);
    expect(await sealer.newIds(server, 'visit', 0)).toEqual([]);
    const one = await sealer.newId(server, 'visit');
    expect(one).toBeGreaterThan(Math.max(...ids));
  });
});
