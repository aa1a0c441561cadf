import { sql, type Kysely } from 'kysely';

/*
 * Fast search over 100,000 clients: trigram full-text indexes (FTS5) over the folded alias and,
 * separately, the folded legal name, kept in step by triggers. External content, so the text
 * is not stored twice; `secure-delete` so an erased name leaves nothing in the index.
 * Frozen in time: never import app code here.
 */

const INDEXES = [
  { name: 'client_search', column: 'alias_folded', table: 'client', key: 'id' },
  { name: 'identity_search', column: 'legal_name_folded', table: 'client_identity', key: 'client_id' },
] as const;

export async function up(db: Kysely<any>): Promise<void> {
  // Every column the list sorts by has an index, so a long result can be read in order.
  await db.schema.createIndex('client_birth_year').on('client').column('birth_year').execute();
  await db.schema.createIndex('client_ward').on('client').column('ward_code').execute();
  await db.schema.createIndex('client_open_referrals').on('client').column('open_referrals').execute();
  for (const { name, column, table, key } of INDEXES) {
    await sql
      .raw(`create virtual table ${name} using fts5(${column}, content='${table}', content_rowid='${key}', tokenize='trigram')`)
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
  throw new Error('The search migration cannot be undone.');
}
