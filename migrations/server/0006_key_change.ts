import { sql, type Kysely } from 'kysely';

/*
 * Changing the centre's data key on the server (vault/key-change.ts): every sealed column is
 * sealed again under the new key, batch by batch, each batch its own transaction, so a change
 * cut short (a PC switched off, the network gone) goes on where it stopped. Meanwhile the new
 * keyring waits in a second row of `keyring` (id 2), with the app role's next password sealed
 * under the new key and how far the change has come (`progress`: table names and row numbers,
 * nothing about a person). At the end it takes the place of row 1 and `generation` goes up: a
 * PC still holding the old key meets a different number at its next call, and logs in again.
 * The app's role may now delete a keyring row (the waiting one, at the end), never row 1.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table keyring drop constraint keyring_id_check`.execute(db);
  await sql`alter table keyring add constraint keyring_id_check check (id in (1, 2))`.execute(db);
  await sql`alter table keyring add column generation integer not null default 1`.execute(db);
  await sql`alter table keyring add column progress text check (progress is null or progress::jsonb is not null)`.execute(db);
  await sql`create function keyring_keep_first() returns trigger language plpgsql as $$
    begin raise exception 'the keyring''s first row is never deleted'; end $$`.execute(db);
  await sql`create trigger keyring_keep_first before delete on keyring for each row when (old.id = 1) execute function keyring_keep_first()`.execute(db);
}
