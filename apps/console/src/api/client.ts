import { ApiError } from './errors';
import type { SessionTokensFragment, TypedDocumentString } from './generated';
import { RefreshSessionDocument } from './generated';

// The console's GraphQL client: a POST to the gateway's /graphql per operation (same origin, so
// no CORS), typed by the generated documents. The access token lives in sessionStorage (gone
// with the tab); an expired one is renewed once with the refresh token, and when that fails the
// session ends and the sign-in screen says so.

export type SessionUser = SessionTokensFragment['user'];
export interface Session {
  accessToken: string;
  refreshToken: string;
  user: SessionUser;
}
type Listener = (session: Session | null, reason: 'signed-in' | 'signed-out' | 'expired') => void;

const STORAGE_KEY = 'offboarding.console.session';
const listeners = new Set<Listener>();
let current: Session | null = readStored();

function readStored(): Session | null {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export function currentSession(): Session | null {
  return current;
}

export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function setSession(tokens: SessionTokensFragment | null, reason: 'signed-in' | 'signed-out' | 'expired'): void {
  current = tokens ? { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, user: tokens.user } : null;
  if (current) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(current));
  else sessionStorage.removeItem(STORAGE_KEY);
  for (const listener of listeners) listener(current, reason);
}

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

async function post<R, V>(document: TypedDocumentString<R, V>, variables: V, token: string | null): Promise<GraphQLResponse<R>> {
  const mutation = /^\s*mutation\b/.test(document.toString());
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      // A retried mutation with the same key is not executed twice (SPEC: Idempotency-Key).
      ...(mutation ? { 'idempotency-key': crypto.randomUUID() } : {}),
    },
    body: JSON.stringify({ query: document.toString(), variables }),
  });
  try {
    return (await response.json()) as GraphQLResponse<R>;
  } catch {
    throw new ApiError(response.status === 502 || response.status === 503 ? 'SERVICE_UNAVAILABLE' : 'INTERNAL_SERVER_ERROR', `HTTP ${response.status}`);
  }
}

function firstError<R>(result: GraphQLResponse<R>): ApiError | null {
  const error = result.errors?.[0];
  if (!error) return null;
  return new ApiError(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR', error.message);
}

let refreshing: Promise<boolean> | null = null;

/** Renews the access token once for every request that found it expired at the same time. */
function refresh(): Promise<boolean> {
  refreshing ??= (async () => {
    const session = current;
    if (!session) return false;
    try {
      const result = await post(RefreshSessionDocument, { refreshToken: session.refreshToken }, null);
      if (result.data?.refreshSession) {
        setSession(result.data.refreshSession, 'signed-in');
        return true;
      }
    } catch {
      // Falls through: the session ends.
    }
    setSession(null, 'expired');
    return false;
  })().finally(() => (refreshing = null));
  return refreshing;
}

/** Runs an operation and answers its data, or throws an ApiError in words a person understands. */
export async function request<R, V>(document: TypedDocumentString<R, V>, variables: V): Promise<R> {
  const token = current?.accessToken ?? null;
  let result = await post(document, variables, token);
  let error = firstError(result);
  if (error?.code === 'UNAUTHENTICATED' && token) {
    if (!(await refresh())) throw error;
    result = await post(document, variables, current?.accessToken ?? null);
    error = firstError(result);
  }
  if (error) throw error;
  if (!result.data) throw new ApiError('INTERNAL_SERVER_ERROR', 'the answer had no data');
  return result.data;
}
