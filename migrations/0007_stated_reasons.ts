import { sql, type Kysely } from 'kysely';

/*
 * Stated reasons: the list managers review grows from "who opened an identity that is not
 * hers" to every way someone comes to see what she did not hold. Besides breaking the glass,
 * a person who gives herself a case (a reassignment to herself) and an administrator who
 * changes her own roles state why. The table keeps its name; `kind` says which it was, and
 * a change of roles names no client. Frozen in time: never import app code here.
 */

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('identity_access_next')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('identity', 'self_assignment', 'own_roles')`))
    .addColumn('client_id', 'integer', (c) => c.references('client.id'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('user.id'))
    .addColumn('reason', 'text', (c) => c.notNull())
    // For a change of one's own roles: the roles before and after, as JSON arrays.
    .addColumn('detail', 'text', (c) => c.check(sql`detail is null or json_valid(detail)`))
    .addColumn('at', 'text', (c) => c.notNull())
    .addCheckConstraint('identity_access_client', sql`(kind = 'own_roles') = (client_id is null)`)
    .execute();
  await sql`insert into identity_access_next (id, kind, client_id, user_id, reason, detail, at)
    select id, 'identity', client_id, user_id, reason, null, at from identity_access order by id`.execute(db);
  await db.schema.dropTable('identity_access').execute();
  await sql`alter table identity_access_next rename to identity_access`.execute(db);
  await db.schema.createIndex('identity_access_at').on('identity_access').column('at').execute();
  await db.schema.createIndex('identity_access_client').on('identity_access').column('client_id').execute();
}

export async function down(): Promise<void> {
  throw new Error('The stated-reasons migration cannot be undone.');
}
