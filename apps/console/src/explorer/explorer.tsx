import { type ComponentProps, type FormEvent, useCallback, useMemo, useState } from 'react';
import { GraphiQL } from 'graphiql';
import { SignInDocument, type SignInMutation } from '../api/generated';

// GraphiQL over the gateway's /graphql on this origin, with the caller's access token: signed in
// here (the login mutation) or pasted. The token stays in this tab (sessionStorage).

type Fetcher = ComponentProps<typeof GraphiQL>['fetcher'];

const TOKEN_KEY = 'offboarding.explorer.token';
const GRAPHQL_URL = '/graphql';

const DEFAULT_QUERY = `# The offboarding platform's GraphQL API. Sign in above (or paste an access token),
# then run this query with the ▶ button or Ctrl-Enter. The schema is in the Docs pane.
query Me {
  me {
    email
    role
  }
}
`;

function storedToken(): string {
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

interface GraphQLAnswer<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** POSTs a GraphQL request to this origin's /graphql, with the token when there is one; answers the JSON. */
async function postGraphQL(body: unknown, token: string, headers: Record<string, unknown> = {}): Promise<unknown> {
  const response = await fetch(GRAPHQL_URL, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, String(value)])),
    },
    body: JSON.stringify(body),
  });
  return response.json();
}

export function Explorer() {
  const [token, setToken] = useState(storedToken);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [pasted, setPasted] = useState('');
  const [status, setStatus] = useState<string | null>(null);

  const applyToken = useCallback((next: string, message: string) => {
    if (next) sessionStorage.setItem(TOKEN_KEY, next);
    else sessionStorage.removeItem(TOKEN_KEY);
    setToken(next);
    setStatus(message);
  }, []);

  const signIn = async (event: FormEvent) => {
    event.preventDefault();
    setStatus('Signing in…');
    try {
      const answer = (await postGraphQL({ query: SignInDocument.toString(), variables: { email, password } }, '')) as GraphQLAnswer<SignInMutation>;
      const login = answer.data?.login;
      if (!login) {
        setStatus(`Sign-in refused: ${answer.errors?.[0]?.message ?? 'no answer'}`);
        return;
      }
      setPassword('');
      applyToken(login.accessToken, `Signed in as ${login.user.email} (${login.user.role})`);
    } catch (error) {
      setStatus(`Sign-in failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  const paste = (event: FormEvent) => {
    event.preventDefault();
    const value = pasted.trim().replace(/^Bearer\s+/i, '');
    if (!value) return setStatus('Paste an access token first');
    setPasted('');
    applyToken(value, 'Using the pasted access token');
  };

  // A new fetcher when the token changes, so GraphiQL asks for the schema again as that caller.
  const fetcher = useMemo<Fetcher>(() => (params, options) => postGraphQL(params, token, options?.headers) as ReturnType<Fetcher>, [token]);

  return (
    <div className="explorer">
      <header className="explorer-bar">
        <strong>Offboarding API explorer</strong>
        <form onSubmit={(event) => void signIn(event)} aria-label="Sign in">
          <label>
            E-mail <input type="email" autoComplete="username" value={email} onChange={(event) => setEmail(event.target.value)} required />
          </label>
          <label>
            Password <input type="password" autoComplete="current-password" value={password} onChange={(event) => setPassword(event.target.value)} required />
          </label>
          <button type="submit">Sign in</button>
        </form>
        <form onSubmit={paste} aria-label="Use an access token">
          <label>
            Access token <input type="password" autoComplete="off" value={pasted} onChange={(event) => setPasted(event.target.value)} placeholder="Bearer …" />
          </label>
          <button type="submit">Use token</button>
        </form>
        {token ? (
          <button type="button" onClick={() => applyToken('', 'Signed out: queries run without a token')}>
            Sign out
          </button>
        ) : null}
        <output role="status" aria-live="polite">
          {status ?? (token ? 'Using the access token of this tab' : 'Not signed in: queries run without a token')}
        </output>
      </header>
      <div className="explorer-graphiql">
        <GraphiQL key={token} fetcher={fetcher} defaultQuery={DEFAULT_QUERY} />
      </div>
    </div>
  );
}
