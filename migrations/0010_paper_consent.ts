import { sql, type Kysely } from 'kysely';

/*
 * A consent given in writing is on paper: where the signed form is kept ("Tủ hồ sơ phòng 2,
 * ngăn 2026"), so it can be found when the record is checked. Empty for consent given
 * verbally, and for written consents recorded before this (the ledger asks for it).
 * Frozen in time: never import app code here.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table consent add column paper_kept_at text`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('The paper-consent migration cannot be undone.');
}
