import { sql, type Kysely } from 'kysely';

/*
 * The client list sorts on a column, empty values last, then the newest first (`… asc|desc
 * nulls last, id desc`, clients/list.ts). PostgreSQL walks an index for such an order only when
 * the index has that very order, nulls included: a plain index on the column, walked backwards,
 * gives `desc nulls first`, so a list sorted by last contact read and sorted all 100,000 clients
 * for each page (50 ms). One index per column and direction, in the list's order; each also
 * serves the range conditions the single-column index served (to-do, dashboard, filters).
 *
 * And each PC's client index (clients/client-index.ts) opens the legal names of its user's own
 * clients only, so it must hear of a case handed to someone else: a change of the assigned
 * worker takes a number of the index's counter too.
 */

const SORTED = [
  ['last_contact', 'last_contact_on'],
  ['follow_up', 'next_follow_up_on'],
  ['open_referrals', 'open_referrals'],
  ['ward', 'ward_code'],
  ['birth_year', 'birth_year'],
] as const;

export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw('drop trigger client_index_stamp on client').execute(db);
  await sql
    .raw(`create trigger client_index_stamp before insert or update of code, alias, assigned_worker_id on client for each row
      when (current_setting('dh.moving_up', true) is distinct from 'on') execute function index_stamp()`)
    .execute(db);
  for (const [name, column] of SORTED) {
    await sql.raw(`drop index if exists client_${name}`).execute(db);
    await sql.raw(`create index client_${name}_up on client (${column} asc nulls last, id desc)`).execute(db);
    await sql.raw(`create index client_${name}_down on client (${column} desc nulls last, id desc)`).execute(db);
  }
}
