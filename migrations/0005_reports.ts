import { sql, type Kysely } from 'kysely';

/*
 * Aggregate reports: the log of every export, and indexes that let a year's report read
 * indexes only. Frozen in time: never import app code here.
 */

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('export_log')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('user.id'))
    .addColumn('period_from', 'text', (c) => c.notNull())
    .addColumn('period_to', 'text', (c) => c.notNull())
    .addColumn('period_label', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('k', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    // The file's name only: the folder it went to may name a person (C:\Users\…).
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addColumn('indicators', 'text', (c) => c.notNull().check(sql`json_valid(indicators)`))
    .execute();
  await db.schema.createIndex('export_log_at').on('export_log').column('at').execute();

  // Who may be counted: consents to reports, read without touching the (long) consent rows.
  await sql`create index consent_reports on consent (client_id, given_on, expires_on, withdrawn_on) where purpose = 'reports'`.execute(db);
  // Services, referrals and closures of a period, with the client each belongs to.
  await sql`drop index service_date_type`.execute(db);
  await sql`create index service_date_type on service (service_on, service_type_id, client_id)`.execute(db);
  await sql`create index referral_completed on referral (completed_on, service_type_id, client_id)`.execute(db);
  await sql`drop index referral_proposed`.execute(db);
  await sql`create index referral_proposed on referral (proposed_on, service_type_id, status, completed_on, client_id)`.execute(db);
  await sql`drop index case_event_kind`.execute(db);
  await sql`create index case_event_kind on case_event (kind, on_date, reason, client_id)`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('The reports migration cannot be undone.');
}
