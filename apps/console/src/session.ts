import { createContext, useContext } from 'react';
import type { SessionUser } from './api/client';

export const SessionContext = createContext<SessionUser | null>(null);

/** The signed-in user; screens render only inside a session. */
export function useUser(): SessionUser {
  const user = useContext(SessionContext);
  if (!user) throw new Error('useUser outside a session');
  return user;
}

/** Staff admins act; collaborators and partner users read their own organization. */
export function useIsStaff(): boolean {
  return useUser().role === 'ADMIN';
}
