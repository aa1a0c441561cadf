import { createContext, useContext } from 'react';
import type { Permission, SessionUser } from '../../../electron/contract/index.ts';

export interface SessionValue {
  user: SessionUser;
  /** Ask core again who is logged in (after a password or role change). */
  refresh(): Promise<void>;
}

export const SessionContext = createContext<SessionValue | null>(null);

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside a logged-in screen');
  return value;
}

/** For showing or hiding controls only; core refuses anyway. */
export function useCan(permission: Permission): boolean {
  return useSession().user.permissions.includes(permission);
}
