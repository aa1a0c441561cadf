import { sql, type Kysely } from 'kysely';

/* The file's 0013 on the server: a merged record's number leads to the record that stayed. */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table merged_client (
    client_id integer primary key,
    into_id integer not null,
    merged_at text not null,
    fingerprint text not null,
    merged_by integer not null references "user" (id)
  )`.execute(db);
  await sql`create index merged_client_into on merged_client (into_id)`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('The merged records cannot be undone.');
}
