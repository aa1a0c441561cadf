import { userVersion } from '../records/versions.ts';
import type { SessionUser } from '../../contract/session.ts';
import type { UserSummary } from '../../contract/users.ts';
import { permissionsFor, ROLES, type Role } from '../../contract/permissions.ts';
import type { RawBuilder } from 'kysely';
import { AppError } from '../app-error.ts';
import type { Db, UserRow } from '../db/schema.ts';
import { vietnameseCollator } from '../text.ts';
import { reusable } from '../db/reusable.ts';

/* Staff accounts: the people who use the app (never clients). */

/** The key slots of active accounts: the only person slots the database vouches for (the vault is given this). */
export async function activeSlotIds(db: Db): Promise<ReadonlySet<string>> {
  const rows = await db.selectFrom('user').select('key_slot_id').where('active', '=', 1).where('key_slot_id', 'is not', null).execute();
  return new Set(rows.map((row) => row.key_slot_id ?? ''));
}

export async function rolesOf(db: Db, userId: number): Promise<Role[]> {
  const rows = await db.selectFrom('user_role').select('role').where('user_id', '=', userId).execute();
  const held = new Set(rows.map((row) => row.role));
  return ROLES.filter((role) => held.has(role));
}

export async function findUserByUsername(db: Db, username: string): Promise<UserRow | undefined> {
  return db.selectFrom('user').selectAll().where('username', '=', username).executeTakeFirst();
}

export async function getUser(db: Db, id: number): Promise<UserRow> {
  const user = await db.selectFrom('user').selectAll().where('id', '=', id).executeTakeFirst();
  if (!user) throw new AppError('USER_NOT_FOUND');
  return user;
}

export async function toSessionUser(db: Db, user: UserRow): Promise<SessionUser> {
  return sessionUserOf(user, await rolesOf(db, user.id));
}

/**
 * The session of an active account as the database says now, in one read (the user and her
 * roles together: the gate asks before every call, inside its transaction), or null.
 */
export async function activeSessionUser(
  db: Db,
  userId: number,
  carry: Readonly<Record<string, RawBuilder<unknown>>> = {},
): Promise<{ session: SessionUser | null; carried: Record<string, unknown> }> {
  const carriedNames = Object.keys(carry);
  const rows = await sessionRead(db, { userId }, carriedNames, carry).execute();
  const [first] = rows;
  const carried = Object.fromEntries(carriedNames.map((name) => [name, first?.[name]]));
  if (!first || first.active !== 1) return { session: null, carried };
  const held = new Set(rows.map((row) => row.role));
  return { session: sessionUserOf(first, ROLES.filter((role) => held.has(role))), carried };
}

/** `activeSessionUser`'s read: made before every call, so built once (db/reusable.ts); what it carries is named in its shape. */
const sessionRead = reusable((db: Db, { userId }: { userId: number }, carried: readonly string[], carry: Readonly<Record<string, RawBuilder<unknown>>>) =>
  db
    .selectFrom('user')
    .leftJoin('user_role', 'user_role.user_id', 'user.id')
    .selectAll('user')
    .select('user_role.role')
    .select(carried.map((name) => carry[name]!.as(name)))
    .where('user.id', '=', userId)
    .$castTo<UserRow & { role: Role | null } & Record<string, unknown>>(),
);

function sessionUserOf(user: UserRow, roles: Role[]): SessionUser {
  return {
    id: user.id,
    username: user.username,
    displayName: user.display_name,
    roles,
    permissions: permissionsFor(roles),
    mustChangePassword: user.must_change_password === 1,
    language: user.language,
  };
}

function summarize(user: UserRow, roles: Role[]): UserSummary {
  return {
    id: user.id,
    username: user.username,
    displayName: user.display_name,
    roles,
    active: user.active === 1,
    mustChangePassword: user.must_change_password === 1,
    createdAt: user.created_at,
    lastLoginAt: user.last_login_at,
    version: userVersion(user, roles),
  };
}

export async function toSummary(db: Db, user: UserRow): Promise<UserSummary> {
  return summarize(user, await rolesOf(db, user.id));
}

export async function listUsers(db: Db): Promise<UserSummary[]> {
  const users = await db.selectFrom('user').selectAll().execute();
  const held = await db.selectFrom('user_role').select(['user_id', 'role']).execute();
  return users
    .map((user) => summarize(user, ROLES.filter((role) => held.some((row) => row.user_id === user.id && row.role === role))))
    .sort((a, b) => Number(b.active) - Number(a.active) || vietnameseCollator.compare(a.displayName, b.displayName));
}

export async function insertUser(
  db: Db,
  fields: { username: string; displayName: string; roles: readonly Role[]; language?: 'vi' | 'en'; mustChangePassword: boolean; createdBy: number | null; at: string },
): Promise<number> {
  if (await findUserByUsername(db, fields.username)) throw new AppError('USERNAME_TAKEN');
  const inserted = await db
    .insertInto('user')
    .values({
      username: fields.username,
      display_name: fields.displayName,
      language: fields.language ?? 'vi',
      must_change_password: fields.mustChangePassword ? 1 : 0,
      active: 1,
      created_at: fields.at,
      created_by: fields.createdBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await setRoles(db, inserted.id, fields.roles);
  return inserted.id;
}

export async function setRoles(db: Db, userId: number, roles: readonly Role[]): Promise<void> {
  await db.deleteFrom('user_role').where('user_id', '=', userId).execute();
  await db
    .insertInto('user_role')
    .values(roles.map((role) => ({ user_id: userId, role })))
    .execute();
}

/** Refuse a change that would leave the centre without an active administrator. */
export async function assertAnotherActiveAdmin(db: Db, exceptUserId: number): Promise<void> {
  const other = await db
    .selectFrom('user')
    .innerJoin('user_role', 'user_role.user_id', 'user.id')
    .select('user.id')
    .where('user_role.role', '=', 'admin')
    .where('user.active', '=', 1)
    .where('user.id', '!=', exceptUserId)
    .executeTakeFirst();
  if (!other) throw new AppError('LAST_ADMIN');
}
