import { sql, type Kysely } from 'kysely';

/*
 * What makes appends to the audit trail wait for each other (audit/trail.ts `holdTrail`): a
 * table with no rows that a writing call locks before its first read, so each entry's
 * predecessor is the entry committed just before it, whichever PC wrote it. The trail itself
 * cannot be the lock: locking a table that way needs the right to change it, which the app's
 * role must never have on the trail.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table trail_lock (id integer primary key check (id = 1))`.execute(db);
}
