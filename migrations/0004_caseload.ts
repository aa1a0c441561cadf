import { sql, type Kysely } from 'kysely';

/*
 * Caseloads: who held each case and when, offers of a case from one worker to another,
 * managers' case reviews, saved client-list filters, and what the to-do list and the
 * dashboard need indexed. Frozen in time: never import app code here (lists are written out).
 */

const OPEN_REFERRAL_STATUSES = ['proposed', 'sent', 'received'];

export async function up(db: Kysely<any>): Promise<void> {
  // Kept up to date by core (like last_contact_on): the earliest due date among her open
  // referrals, and the day her case was last reviewed by a manager. (The unary `+` keeps the
  // filling query on the referral_client index: without statistics SQLite would otherwise walk
  // referral_due once per client.)
  await db.schema.alterTable('client').addColumn('next_referral_due_on', 'text').execute();
  await db.schema.alterTable('client').addColumn('last_reviewed_on', 'text').execute();
  await sql`update client set next_referral_due_on = (
      select min(due_on) from referral
      where referral.client_id = client.id and +status in (${sql.join(OPEN_REFERRAL_STATUSES)}))`.execute(db);
  await db.schema.createIndex('client_referral_due').on('client').column('next_referral_due_on').execute();
  // A case is due for review when its last review (or, never reviewed, its opening) is old enough.
  await sql`create index client_review_due on client (status, coalesce(last_reviewed_on, registered_on))`.execute(db);
  await db.schema.createIndex('client_registered').on('client').column('registered_on').execute();
  await db.schema.createIndex('case_event_kind').on('case_event').columns(['kind', 'on_date']).execute();
  // Wider forms of earlier indexes, so that the to-do counts and the dashboard read indexes
  // only (consent rows carry the whole consent text; reading them is what costs).
  for (const [name, table, columns] of [
    ['client_worker', 'client', 'assigned_worker_id, status, coalesce(last_reviewed_on, registered_on)'],
    ['referral_due', 'referral', 'status, due_on, client_id'],
    ['consent_expiry', 'consent', 'expires_on, withdrawn_on, purpose, client_id, partner_id'],
    ['consent_client', 'consent', 'client_id, purpose, partner_id'],
  ] as const) {
    await sql.raw(`drop index ${name}`).execute(db);
    await sql.raw(`create index ${name} on ${table} (${columns})`).execute(db);
  }
  await db.schema.createIndex('referral_proposed').on('referral').columns(['proposed_on', 'service_type_id', 'status', 'completed_on']).execute();

  await db.schema
    .createTable('case_offer')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    .addColumn('from_user', 'integer', (c) => c.notNull().references('user.id'))
    .addColumn('to_user', 'integer', (c) => c.notNull().references('user.id'))
    // Free text between colleagues, shown to the two of them and to managers.
    .addColumn('message', 'text')
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending', 'accepted', 'declined', 'withdrawn', 'cancelled')`))
    .addColumn('offered_at', 'text', (c) => c.notNull())
    .addColumn('responded_at', 'text')
    .addColumn('response_reason', 'text')
    .execute();
  await db.schema.createIndex('case_offer_to').on('case_offer').columns(['to_user', 'status']).execute();
  await db.schema.createIndex('case_offer_from').on('case_offer').columns(['from_user', 'status']).execute();
  // A case is offered to one colleague at a time.
  await sql`create unique index case_offer_one_pending on case_offer (client_id) where status = 'pending'`.execute(db);

  // Who held a case, from when until when. The open row (ended_on null) is the current holder.
  await db.schema
    .createTable('assignment')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    .addColumn('worker_id', 'integer', (c) => c.notNull().references('user.id'))
    .addColumn('started_on', 'text', (c) => c.notNull())
    .addColumn('ended_on', 'text')
    .addColumn('how', 'text', (c) => c.notNull().check(sql`how in ('registered', 'accepted', 'reassigned')`))
    .addColumn('offer_id', 'integer', (c) => c.references('case_offer.id'))
    .addColumn('by_user', 'integer', (c) => c.notNull().references('user.id'))
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('assignment_client').on('assignment').columns(['client_id', 'id']).execute();
  await sql`insert into assignment (client_id, worker_id, started_on, ended_on, how, offer_id, by_user, at)
    select client.id, client.assigned_worker_id, client.registered_on, null, 'registered', null, client.registered_by,
      coalesce((select min(at) from case_event where case_event.client_id = client.id and kind = 'opened'), client.registered_on)
    from client where client.assigned_worker_id is not null`.execute(db);

  await db.schema
    .createTable('case_review')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    .addColumn('reviewer_id', 'integer', (c) => c.notNull().references('user.id'))
    .addColumn('reviewed_on', 'text', (c) => c.notNull())
    // Restricted like notes.
    .addColumn('comment', 'text')
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('case_review_client').on('case_review').columns(['client_id', 'reviewed_on']).execute();

  await db.schema
    .createTable('saved_filter')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('user.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('filters', 'text', (c) => c.notNull().check(sql`json_valid(filters)`))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('saved_filter_name', ['user_id', 'name'])
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('The caseload migration cannot be undone.');
}
