import { sql, type Kysely } from 'kysely';

/*
 * Search by the start of any word from one letter on: "ut" finds "Huỳnh Thị Út", "vy" finds
 * "Trần Vy". Vietnamese has many two-letter names, which the trigram indexes of 0003 cannot
 * find (a trigram needs three letters). Word indexes (FTS5, unicode61 words over the folded
 * text) with prefix indexes for one and two letters, over the alias and, separately, the legal
 * name, kept in step by triggers like the trigram ones; external content, so nothing is stored
 * twice; `secure-delete`, so an erased name leaves nothing behind.
 * Frozen in time: never import app code here.
 */

const INDEXES = [
  { name: 'client_words', column: 'alias_folded', table: 'client', key: 'id' },
  { name: 'identity_words', column: 'legal_name_folded', table: 'client_identity', key: 'client_id' },
] as const;

export async function up(db: Kysely<any>): Promise<void> {
  for (const { name, column, table, key } of INDEXES) {
    await sql
      .raw(`create virtual table ${name} using fts5(${column}, content='${table}', content_rowid='${key}', tokenize='unicode61 remove_diacritics 0', prefix='1 2')`)
      .execute(db);
    await sql.raw(`insert into ${name}(${name}, rank) values ('secure-delete', 1)`).execute(db);
    await sql.raw(`insert into ${name}(${name}) values ('rebuild')`).execute(db);
    await sql
      .raw(
        `create trigger ${name}_insert after insert on ${table} begin
           insert into ${name}(rowid, ${column}) values (new.${key}, new.${column});
         end`,
      )
      .execute(db);
    await sql
      .raw(
        `create trigger ${name}_delete after delete on ${table} begin
           insert into ${name}(${name}, rowid, ${column}) values ('delete', old.${key}, old.${column});
         end`,
      )
      .execute(db);
    await sql
      .raw(
        `create trigger ${name}_update after update of ${column} on ${table} begin
           insert into ${name}(${name}, rowid, ${column}) values ('delete', old.${key}, old.${column});
           insert into ${name}(rowid, ${column}) values (new.${key}, new.${column});
         end`,
      )
      .execute(db);
  }
}

export async function down(): Promise<void> {
  throw new Error('The word-search migration cannot be undone.');
}
