/**
 * The signed-in person: a ticketing session made by phone and SMS code (shell/sign-in.tsx),
 * kept in this browser's local storage until it expires or they sign out, and `/v1/me`, which
 * says which organizers they work for, their role and what that role may do there. The server
 * checks every call itself; the console only hides what would be refused.
 */
import { useQuery } from '@tanstack/react-query';
import type { TicketingAnswer } from '@tessera/api-client';
import { ApiError } from '@tessera/web-kit/http';
import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';
import { useApi } from './api.tsx';

export type Me = TicketingAnswer<'get', '/v1/me'>;
export type Membership = Me['organizers'][number];

/** The permissions of the server's role table (services/ticketing/src/identity/roles.ts). */
export type Permission =
  | 'view_organizer'
  | 'manage_staff'
  | 'link_wallet'
  | 'manage_catalogue'
  | 'refund'
  | 'view_sales'
  | 'sell'
  | 'admit';

export interface StoredSession {
  token: string;
  expiresAt: string;
  phone: string;
}

const storageKey = 'tessera.console.session';

export function readStoredSession(): StoredSession | undefined {
  try {
    const stored = JSON.parse(localStorage.getItem(storageKey) ?? 'null') as StoredSession | null;
    if (!stored || typeof stored.token !== 'string') return undefined;
    return Date.parse(stored.expiresAt) > Date.now() ? stored : undefined;
  } catch {
    return undefined;
  }
}

interface SessionState {
  session: StoredSession | undefined;
  signedIn(session: StoredSession): void;
  signedOut(): void;
}

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider(props: {
  children: (session: StoredSession | undefined) => ReactNode;
}) {
  const [session, setSession] = useState(readStoredSession);
  const signedIn = useCallback((next: StoredSession) => {
    localStorage.setItem(storageKey, JSON.stringify(next));
    setSession(next);
  }, []);
  const signedOut = useCallback(() => {
    localStorage.removeItem(storageKey);
    setSession(undefined);
  }, []);
  const state = useMemo(() => ({ session, signedIn, signedOut }), [session, signedIn, signedOut]);
  return <SessionContext.Provider value={state}>{props.children(session)}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSession outside <SessionProvider>');
  return state;
}

/** `/v1/me`; an expired or revoked session (401) signs the console out. */
export function useMe() {
  const api = useApi();
  const { session, signedOut } = useSession();
  return useQuery({
    queryKey: ['me', session?.token],
    enabled: Boolean(session),
    queryFn: async () => {
      try {
        return await api.call((init) => api.ticketing.GET('/v1/me', init));
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) signedOut();
        throw error;
      }
    },
  });
}

/** The organizer in the address (`/o/:organizerId/...`) as the signed-in person works for it. */
export interface OrganizerScope extends Membership {
  can(permission: Permission): boolean;
}

const OrganizerContext = createContext<OrganizerScope | null>(null);

export const OrganizerProvider = OrganizerContext.Provider;

export function useOrganizer(): OrganizerScope {
  const scope = useContext(OrganizerContext);
  if (!scope) throw new Error('useOrganizer outside an organizer route');
  return scope;
}

export function scopeOf(membership: Membership): OrganizerScope {
  return {
    ...membership,
    can: (permission) => membership.permissions.includes(permission),
  };
}
