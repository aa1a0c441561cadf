import { createHash } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { AuditEntry } from '../../contract/audit.ts';
import type { Database, AuditEventRow } from '../db/schema.ts';
import { holdTrail, knownTrailEnd, trailMovedTo, type SqlDialect } from '../db/dialect.ts';
import { reusable } from '../db/reusable.ts';
import { localDayStart } from '../clock.ts';
import { vietnameseCollator } from '../text.ts';

/*
 * The audit trail: append-only (triggers refuse UPDATE and DELETE), and each entry carries
 * the hash of the one before it, over all of its own fields including its id. Records staff
 * actions, never client data: targets are ids, details are codes and settings.
 */

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditRecord {
  actorId: number | null;
  action: string;
  outcome: 'ok' | 'refused' | 'failed';
  errorCode?: string | null;
  targetType?: string | null;
  targetId?: string | number | null;
  detail?: Record<string, unknown> | null;
  /** Defaults to now; events recorded while the vault was locked keep their own time. */
  at: string;
}

type Db = Kysely<Database> | Transaction<Database>;

function entryHash(row: Omit<AuditEventRow, 'hash'>): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        row.id,
        row.at,
        row.actor_user_id,
        row.action,
        row.outcome,
        row.error_code,
        row.target_type,
        row.target_id,
        row.detail,
        row.prev_hash,
      ]),
    )
    .digest('hex');
}

/** The trail's last entry: its number and hash (0 and the genesis hash when it is empty). */
export async function latestAuditEntry(db: Db): Promise<{ entry: number; hash: string }> {
  const last = await db.selectFrom('audit_event').select(['id', 'hash']).orderBy('id', 'desc').limit(1).executeTakeFirst();
  return { entry: last?.id ?? 0, hash: last?.hash ?? GENESIS_HASH };
}

/**
 * Append an entry to the trail. Entries are appended one at a time: within a transaction that
 * holds the trail (the gate takes it first, before the call's first read, on a store several PCs
 * write to) or, outside one, in a transaction of its own that takes it. So each entry's
 * predecessor is the entry committed just before it, whichever PC wrote it.
 */
export async function appendAudit(db: Db, dialect: SqlDialect, record: AuditRecord): Promise<void> {
  if (!db.isTransaction) {
    await db.transaction().execute(async (trx) => {
      await holdTrail(trx, dialect);
      await appendAudit(trx, dialect, record);
    });
    return;
  }
  await holdTrail(db, dialect);
  // Known when the gate's first read brought it (or an earlier append in this transaction moved it).
  const known = knownTrailEnd(db);
  const last = known !== undefined ? known : await db.selectFrom('audit_event').select(['id', 'hash']).orderBy('id', 'desc').limit(1).executeTakeFirst();
  const row: Omit<AuditEventRow, 'hash'> = {
    id: (last?.id ?? 0) + 1,
    at: record.at,
    actor_user_id: record.actorId,
    action: record.action,
    outcome: record.outcome,
    error_code: record.errorCode ?? null,
    target_type: record.targetType ?? null,
    target_id: record.targetId === undefined || record.targetId === null ? null : String(record.targetId),
    detail: record.detail ? JSON.stringify(record.detail) : null,
    prev_hash: last?.hash ?? GENESIS_HASH,
  };
  const hash = entryHash(row);
  const insert = auditInsert(db, { ...row, hash });
  // On the server it goes with the transaction's next statement, usually its COMMIT (one trip
  // fewer while the trail is held).
  if (dialect.withNext) await dialect.withNext(insert.compile()).execute(db);
  else await insert.execute();
  trailMovedTo(db, { id: row.id, hash });
}

/** Every writing call appends one: built once (db/reusable.ts). */
const auditInsert = reusable((db: Db, row: AuditEventRow) => db.insertInto('audit_event').values(row));

export interface VerifyResult {
  ok: boolean;
  checked: number;
  problem: { kind: 'changed' | 'missing' | 'inserted' | 'truncated'; id: number } | null;
}

/**
 * Walk the chain. A gap in ids means an entry was deleted; a row whose own hash does not
 * match was changed (renumbering counts: the id is hashed); a row that does not point at its
 * predecessor was inserted; a sequence counter beyond the last row means entries were cut
 * from the end.
 */
export async function verifyAudit(db: Db, dialect: SqlDialect): Promise<VerifyResult> {
  let expectedId = 1;
  let previousHash = GENESIS_HASH;
  let checked = 0;
  const pageSize = 5000;
  for (;;) {
    const rows = await db
      .selectFrom('audit_event')
      .selectAll()
      .where('id', '>=', expectedId)
      .orderBy('id')
      .limit(pageSize)
      .execute();
    for (const row of rows) {
      if (row.id !== expectedId) return { ok: false, checked, problem: { kind: 'missing', id: expectedId } };
      const { hash, ...rest } = row;
      if (entryHash(rest) !== hash) return { ok: false, checked, problem: { kind: 'changed', id: row.id } };
      if (row.prev_hash !== previousHash) return { ok: false, checked, problem: { kind: 'inserted', id: row.id } };
      previousHash = hash;
      expectedId += 1;
      checked += 1;
    }
    if (rows.length < pageSize) break;
  }
  const sequence = await sql<{ seq: number | null }>`select ${dialect.lastIssuedId('audit_event')} as seq`.execute(db);
  const highest = Number(sequence.rows[0]?.seq ?? 0);
  if (highest > expectedId - 1) return { ok: false, checked, problem: { kind: 'truncated', id: expectedId } };
  return { ok: true, checked, problem: null };
}

export interface AuditQuery {
  actorId?: number | undefined;
  action?: string | undefined;
  /** Local calendar dates, inclusive. */
  from?: string | undefined;
  to?: string | undefined;
  offset: number;
  limit: number;
}


export async function listAudit(db: Db, query: AuditQuery) {
  let base = db.selectFrom('audit_event');
  if (query.actorId !== undefined) base = base.where('actor_user_id', '=', query.actorId);
  if (query.action) base = base.where('action', '=', query.action);
  if (query.from) base = base.where('at', '>=', localDayStart(query.from));
  if (query.to) base = base.where('at', '<', localDayStart(query.to, 1));

  const total = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rows = await base
    .leftJoin('user as actor', 'actor.id', 'audit_event.actor_user_id')
    .leftJoin('user as target', (join) =>
      join.on(sql<boolean>`audit_event.target_type = 'user' and audit_event.target_id = cast(target.id as text)`),
    )
    .select([
      'audit_event.id',
      'audit_event.at',
      'audit_event.actor_user_id',
      'actor.display_name as actor_name',
      'target.display_name as target_name',
      'audit_event.action',
      'audit_event.outcome',
      'audit_event.error_code',
      'audit_event.target_type',
      'audit_event.target_id',
      'audit_event.detail',
    ])
    .orderBy('audit_event.id', 'desc')
    .limit(query.limit)
    .offset(query.offset)
    .execute();
  const actors = (await db.selectFrom('user').select(['id', 'display_name']).execute()).sort((a, b) =>
    vietnameseCollator.compare(a.display_name, b.display_name),
  );
  const actions = await db.selectFrom('audit_event').select('action').distinct().orderBy('action').execute();

  return {
    total: Number(total.n),
    rows: rows.map(
      (row): AuditEntry => ({
        id: row.id,
        at: row.at,
        actorId: row.actor_user_id,
        actorName: row.actor_name,
        action: row.action,
        outcome: row.outcome,
        errorCode: row.error_code,
        targetType: row.target_type,
        targetId: row.target_id,
        targetName: row.target_name,
        detail: row.detail ? (JSON.parse(row.detail) as Record<string, unknown>) : null,
      }),
    ),
    actors: actors.map((actor) => ({ id: actor.id, displayName: actor.display_name })),
    actions: actions.map((row) => row.action),
  };
}
