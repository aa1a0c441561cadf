/**
 * Who may do what. Permissions are named capabilities; a role is a set of them;
 * a person may hold several roles (small centres often have one manager who is also admin).
 */
export const ROLES = ['worker', 'manager', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = ['users.manage', 'audit.read', 'settings.manage'] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  worker: [],
  manager: ['audit.read'],
  admin: ['users.manage', 'audit.read', 'settings.manage'],
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
