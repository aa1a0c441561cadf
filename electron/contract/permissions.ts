/**
 * Who may do what. Permissions are named capabilities; a role is a set of them;
 * a person may hold several roles (small centres often have one manager who is also admin).
 */
export const ROLES = ['worker', 'manager', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'clients.read',
  'clients.write',
  /** Bring an old register's clients and visits in, and merge two records of one person. */
  'clients.import',
  'partners.manage',
  'catalogue.manage',
  'access.review',
  'caseload.manage',
  'reports.manage',
  'users.manage',
  'audit.read',
  'settings.manage',
  'backup.manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/*
 * Workers keep case records. Managers read them (not the restricted parts, unless they state a
 * reason), review caseloads and move cases between workers, keep the partner directory and
 * review who looked at identities. Administrators run
 * the system and the service catalogue; they see no client unless they also hold another role.
 */
export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  worker: ['clients.read', 'clients.write'],
  manager: ['clients.read', 'clients.import', 'caseload.manage', 'reports.manage', 'partners.manage', 'access.review', 'audit.read'],
  admin: ['users.manage', 'audit.read', 'settings.manage', 'backup.manage', 'catalogue.manage', 'partners.manage'],
};

/**
 * What a channel requires:
 * - `public`: anyone, even with the vault locked (setup, login, recovery, status);
 * - `session`: any logged-in person;
 * - a permission: a logged-in person whose roles grant it.
 */
export type Access = 'public' | 'session' | Permission;

export function permissionsFor(roles: readonly Role[]): Permission[] {
  const granted = new Set<Permission>();
  for (const role of roles) for (const permission of ROLE_PERMISSIONS[role]) granted.add(permission);
  return PERMISSIONS.filter((permission) => granted.has(permission));
}
