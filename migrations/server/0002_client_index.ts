import { sql, type Kysely } from 'kysely';

/*
 * What keeps each PC's in-memory client index fresh (electron/core/clients/client-index.ts):
 * a counter every insert or change of a client's code or alias, or of her legal name, takes
 * the next number of (kept on the row as `index_seq`), and a note of each deletion with its
 * number. Taking a number updates the counter's one row, which locks it until the writer
 * commits, so the numbers become visible in the order they were taken: a PC that reads the
 * counter at n has every change up to n to read. The numbers say nothing about a person.
 */

const STATEMENTS = [
  `create table index_counter (id integer primary key check (id = 1), n bigint not null)`,
  `insert into index_counter (id, n) values (1, 0)`,
  `create table index_gone (seq bigint primary key, what text not null check (what in ('client', 'identity')), client_id integer not null)`,
  `alter table client add column index_seq bigint not null default 0`,
  `alter table client_identity add column index_seq bigint not null default 0`,
  `create index client_index_seq on client (index_seq)`,
  `create index client_identity_index_seq on client_identity (index_seq)`,
  `create function index_stamp() returns trigger language plpgsql as $$
    begin
      update index_counter set n = n + 1 where id = 1 returning n into new.index_seq;
      return new;
    end $$`,
  `create trigger client_index_stamp before insert or update of code, alias on client for each row execute function index_stamp()`,
  `create trigger client_identity_index_stamp before insert or update of legal_name on client_identity for each row execute function index_stamp()`,
  `create function index_forget() returns trigger language plpgsql as $$
    declare taken bigint;
    begin
      update index_counter set n = n + 1 where id = 1 returning n into taken;
      insert into index_gone (seq, what, client_id) values (taken, tg_argv[0], (to_jsonb(old) ->> case when tg_argv[0] = 'client' then 'id' else 'client_id' end)::integer);
      return null;
    end $$`,
  `create trigger client_index_forget after delete on client for each row execute function index_forget('client')`,
  `create trigger client_identity_index_forget after delete on client_identity for each row execute function index_forget('identity')`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}

export async function down(): Promise<void> {
  throw new Error('the client index counter is not taken down');
}
