import { sql, type Kysely } from 'kysely';

/*
 * Moving a one-PC vault up (vault/move-up.ts) copies up to millions of rows in one transaction.
 * Row by row, the triggers that keep the monthly counts and the client index's numbers would
 * update the same few rows again and again within it, each update longer than the last (a
 * transaction cannot clean up its own old row versions): quadratic. While a move up copies
 * (`dh.moving_up` set for its transaction only), they stand aside. The copy brings the file's
 * monthly counts as they are, checks them against the rows, and numbers the index's rows in one
 * statement. Nothing else sets the flag; a role that did would only spoil its own counts, which
 * it may write anyway.
 */

const STANDING_ASIDE = `current_setting('dh.moving_up', true) is distinct from 'on'`;

const STATEMENTS = [
  'drop trigger service_month_add on service',
  `create trigger service_month_add after insert or delete on service for each row when (${STANDING_ASIDE}) execute function service_month_keep()`,
  'drop trigger referral_month_add on referral',
  `create trigger referral_month_add after insert or delete on referral for each row when (${STANDING_ASIDE}) execute function referral_month_keep()`,
  'drop trigger client_index_stamp on client',
  `create trigger client_index_stamp before insert or update of code, alias on client for each row when (${STANDING_ASIDE}) execute function index_stamp()`,
  'drop trigger client_identity_index_stamp on client_identity',
  `create trigger client_identity_index_stamp before insert or update of legal_name on client_identity for each row when (${STANDING_ASIDE}) execute function index_stamp()`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}
