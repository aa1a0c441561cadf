import { sql, type Kysely } from 'kysely';

/*
 * Clients' rights: the history of corrections to her record, restriction (a record frozen
 * while a request is handled), and the ledger of erased records (so that a restore of an
 * older backup cannot bring one back). Frozen in time: never import app code here.
 */

export async function up(db: Kysely<any>): Promise<void> {
  // One row per field changed: what it was, what it became, who changed it and when. Old and
  // new values of identity and notes are restricted like the fields themselves.
  await db.schema
    .createTable('change_history')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    .addColumn('entity', 'text', (c) => c.notNull().check(sql`entity in ('client', 'identity', 'visit')`))
    .addColumn('entity_id', 'integer', (c) => c.notNull())
    .addColumn('field', 'text', (c) => c.notNull())
    .addColumn('old_value', 'text')
    .addColumn('new_value', 'text')
    .addColumn('restricted', 'integer', (c) => c.notNull().check(sql`restricted in (0, 1)`))
    .addColumn('changed_by', 'integer', (c) => c.notNull().references('user.id'))
    .addColumn('changed_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('change_history_client').on('change_history').columns(['client_id', 'changed_at']).execute();

  await db.schema
    .createTable('restriction')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('started_by', 'integer', (c) => c.notNull().references('user.id'))
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('ended_by', 'integer', (c) => c.references('user.id'))
    .addColumn('ended_at', 'text')
    .execute();
  await sql`create unique index restriction_active on restriction (client_id) where ended_at is null`.execute(db);

  // A fingerprint of each erased record (a hash of the vault, her number, code and
  // registration date): nothing about her, enough to recognise her in an older backup.
  await db.schema
    .createTable('erasure')
    .addColumn('fingerprint', 'text', (c) => c.primaryKey())
    .addColumn('erased_at', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('The client-rights migration cannot be undone.');
}
