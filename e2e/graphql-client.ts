/** Minimal GraphQL-over-HTTP client for tests: plain fetch, as a front end would send it. */
export interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

export async function graphqlRequest<T>(url: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<GraphQLResponse<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphQLResponse<T>;
}

/** Runs an operation that must succeed, failing the test with the GraphQL errors otherwise. */
export async function graphql<T>(url: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
  const result = await graphqlRequest<T>(url, query, variables, token);
  if (result.errors?.length || !result.data) {
    throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
  }
  return result.data;
}

/** Signs in through the gateway and answers the access token. */
export async function login(url: string, email: string, password: string): Promise<string> {
  const { login: auth } = await graphql<{ login: { accessToken: string } }>(
    url,
    'mutation Login($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }',
    { email, password },
  );
  return auth.accessToken;
}

/** The seeded development admin (see tools/start.ts). */
export const SEEDED_ADMIN = { email: 'admin@offboarding.local', password: 'admin' } as const;

/** Codes that say the request changed nothing yet or its outcome is unknown: a keyed retry settles it. */
const RETRYABLE_CODES = new Set(['SERVICE_UNAVAILABLE', 'INTERNAL_SERVER_ERROR', 'RATE_LIMITED']);

export interface KeyedOutcome<T> {
  result: GraphQLResponse<T>;
  /** Attempts it took, 1 when the first one answered. */
  attempts: number;
}

/**
 * A mutation as a careful client sends it: with an Idempotency-Key, retried with the same key
 * (backing off) whenever the answer is missing (connection refused or reset) or says to retry,
 * until it has an answer of the domain or `deadline` passes.
 */
export async function sendKeyed<T>(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  options: { token: string; key: string; deadline: number; onRetry?: (reason: string) => void },
): Promise<KeyedOutcome<T>> {
  for (let attempt = 1; ; attempt += 1) {
    let reason: string;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${options.token}`, 'idempotency-key': options.key },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await response.text();
      const result = (text.startsWith('{') ? JSON.parse(text) : { errors: [{ message: text }] }) as GraphQLResponse<T>;
      const code = result.errors?.[0]?.extensions?.code;
      if (response.status < 500 && response.status !== 429 && !(typeof code === 'string' && RETRYABLE_CODES.has(code) && !result.data)) {
        return { result, attempts: attempt };
      }
      reason = `${response.status} ${typeof code === 'string' ? code : ''}`.trim();
    } catch (error) {
      reason = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    }
    options.onRetry?.(reason);
    if (Date.now() > options.deadline) throw new Error(`no answer for key ${options.key} before the deadline (last: ${reason})`);
    await new Promise((resolve) => setTimeout(resolve, Math.min(2_000, 50 * 2 ** Math.min(attempt, 6))));
  }
}
