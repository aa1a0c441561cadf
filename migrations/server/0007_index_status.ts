import { sql, type Kysely } from 'kysely';

/*
 * Each PC's client index (clients/client-index.ts) keeps whether a case is open too, so that a
 * search matching thousands of clients is counted there and the server is asked only for the
 * page: a case closed or reopened takes a number of the index's counter, as a change of code,
 * alias or worker does.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw('drop trigger client_index_stamp on client').execute(db);
  await sql
    .raw(`create trigger client_index_stamp before insert or update of code, alias, assigned_worker_id, status on client for each row
      when (current_setting('dh.moving_up', true) is distinct from 'on') execute function index_stamp()`)
    .execute(db);
}
