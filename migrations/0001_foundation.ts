import { sql, type Kysely } from 'kysely';

/*
 * Frozen in time: never import app code here. An old migration must keep working
 * after the app changes.
 */

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('setting')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull().check(sql`json_valid(value)`))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'integer')
    .execute();

  await db.schema
    .createTable('user')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('key_slot_id', 'text')
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1).check(sql`active in (0, 1)`))
    .addColumn('must_change_password', 'integer', (c) =>
      c.notNull().defaultTo(1).check(sql`must_change_password in (0, 1)`),
    )
    .addColumn('language', 'text', (c) => c.notNull().defaultTo('vi').check(sql`language in ('vi', 'en')`))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'integer', (c) => c.references('user.id'))
    .addColumn('last_login_at', 'text')
    .addColumn('deactivated_at', 'text')
    .execute();

  await db.schema
    .createTable('user_role')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('user.id'))
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('worker', 'manager', 'admin')`))
    .addPrimaryKeyConstraint('user_role_pk', ['user_id', 'role'])
    .execute();

  // Append-only audit trail: each row carries the hash of the previous one.
  await db.schema
    .createTable('audit_event')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor_user_id', 'integer')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull().check(sql`outcome in ('ok', 'refused', 'failed')`))
    .addColumn('error_code', 'text')
    .addColumn('target_type', 'text')
    .addColumn('target_id', 'text')
    .addColumn('detail', 'text', (c) => c.check(sql`detail is null or json_valid(detail)`))
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_event_at').on('audit_event').column('at').execute();
  await db.schema.createIndex('audit_event_actor').on('audit_event').columns(['actor_user_id', 'at']).execute();
  await db.schema.createIndex('audit_event_action').on('audit_event').columns(['action', 'at']).execute();

  await sql`create trigger audit_event_no_update before update on audit_event
    begin select raise(abort, 'audit_event is append-only'); end`.execute(db);
  await sql`create trigger audit_event_no_delete before delete on audit_event
    begin select raise(abort, 'audit_event is append-only'); end`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('The foundation migration cannot be undone.');
}
