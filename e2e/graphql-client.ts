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
