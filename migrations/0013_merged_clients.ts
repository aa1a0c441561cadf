import { sql, type Kysely } from 'kysely';

/*
 * Two records of one person merged (import/merge.ts): the record that went into the other is
 * gone, and its number leads to the one that stayed, so a link, a paper slip or a colleague's
 * note with the old number still finds her. Numbers only: no code, name or reason. With it, the
 * erasure fingerprint the merged record had (an HMAC, see erasure/erasure.ts): should the record
 * that stayed be erased, a backup from before the merge brings neither back. Deleted with the
 * record that stayed.
 * Frozen in time: never import app code here.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table merged_client (
    client_id integer primary key,
    into_id integer not null,
    merged_at text not null,
    fingerprint text not null,
    merged_by integer not null references user (id)
  )`.execute(db);
  await sql`create index merged_client_into on merged_client (into_id)`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('The merged records cannot be undone.');
}
