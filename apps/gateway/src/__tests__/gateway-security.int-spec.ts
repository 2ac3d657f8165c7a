import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { TestIdentity } from '@offboarding/testing';
import { loadGatewayConfig } from '../gateway-config';
import { type RunningGateway, startGateway } from '../gateway-server';

interface Reply {
  status: number;
  body: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };
  headers: Headers;
}

// Authentication, revocation and GraphQL hardening at the gateway. Identity is a stand-in with
// a JWKS and the revocation feed; the other subgraphs are unreachable, so everything asserted
// here is decided by the gateway itself (the dev subgraph it serves answers the rest).
describe('gateway security', () => {
  const logger = pino({ level: 'silent' });
  let identity: TestIdentity;
  let gateway: RunningGateway;
  const organizationId = '0b9d6a4e-3f1c-4d8a-9e2b-7c5f1a2d3e4f';

  const env = () => ({
    NODE_ENV: 'test',
    GATEWAY_PORT: '0',
    HOST: '127.0.0.1',
    ENTITLEMENTS_URL: 'http://127.0.0.1:1/graphql',
    PROVISIONING_URL: 'http://127.0.0.1:1/graphql',
    IDENTITY_URL: identity.graphqlUrl,
    RETENTION_URL: 'http://127.0.0.1:1/graphql',
    REVOCATION_POLL_INTERVAL_MS: '1000',
  });

  async function post(target: RunningGateway, body: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    const response = await fetch(target.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text.startsWith('{') ? (JSON.parse(text) as Reply['body']) : {}, headers: response.headers };
  }
  const asAdmin = async (query: string, target = gateway) => post(target, { query }, { authorization: await identity.bearer({ role: 'ADMIN' }) });
  const firstError = (reply: Reply) => reply.body.errors?.[0];

  beforeAll(async () => {
    identity = await TestIdentity.start();
    gateway = await startGateway(loadGatewayConfig(env()), logger);
  });

  afterAll(async () => {
    await gateway?.stop();
    await identity?.stop();
  });

  it('lets a valid token through (the dev subgraph answers, its services being unreachable)', async () => {
    expect(firstError(await asAdmin('{ _devNow { now } }'))?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
  });

  it.each([
    ['expired', { role: 'ADMIN' as const, expiresIn: -60 }, /expired/],
    ['signed with an unknown kid', { role: 'ADMIN' as const, unknownKey: true }, /unknown key/],
    ['for another audience', { role: 'ADMIN' as const, audience: 'billing' }, /audience/],
    ['from another issuer', { role: 'ADMIN' as const, issuer: 'somebody' }, /"iss"/],
  ])('refuses a token %s with 401 UNAUTHENTICATED and the reason', async (_name, options, reason) => {
    const reply = await post(gateway, { query: '{ _devNow { now } }' }, { authorization: await identity.bearer(options) });
    expect(reply.status).toBe(401);
    expect(firstError(reply)).toMatchObject({ extensions: { code: 'UNAUTHENTICATED' }, message: expect.stringMatching(reason) });
  });

  it('refuses a token with a bad signature and a malformed Authorization header', async () => {
    const token = await identity.token({ role: 'ADMIN' });
    const tampered = `${token.slice(0, token.lastIndexOf('.') + 1)}${'A'.repeat(86)}`;
    expect(firstError(await post(gateway, { query: '{ _devNow { now } }' }, { authorization: `Bearer ${tampered}` }))?.message).toMatch(/signature/);
    expect((await post(gateway, { query: '{ _devNow { now } }' }, { authorization: 'Basic YWRtaW46YWRtaW4=' })).status).toBe(401);
  });

  it('refuses a revoked session within the poll interval, and an archived organization with FORBIDDEN saying why', async () => {
    const sessionId = randomUUID();
    const authorization = await identity.bearer({ role: 'ADMIN', sessionId });
    expect((await post(gateway, { query: '{ _devNow { now } }' }, { authorization })).status).toBe(200);
    const revokedAt = performance.now();
    identity.revoke(sessionId, 'LOGOUT');
    let reply: Reply;
    do {
      reply = await post(gateway, { query: '{ _devNow { now } }' }, { authorization });
    } while (reply.status === 200 && performance.now() - revokedAt < 10_000);
    const delayMs = performance.now() - revokedAt;
    expect(firstError(reply)).toMatchObject({ extensions: { code: 'UNAUTHENTICATED', reason: 'LOGOUT' }, message: expect.stringMatching(/revoked/) });
    // The stated bound: one poll interval (1 s here) plus one round trip to identity.
    expect(delayMs).toBeLessThan(2_000);

    const archivedSession = randomUUID();
    const collaborator = await identity.bearer({ role: 'COLLABORATOR', organizationId, sessionId: archivedSession });
    identity.revoke(archivedSession, 'PORTAL_ACCESS_DISABLED');
    await gateway.refreshRevocations();
    const archived = await post(gateway, { query: '{ _devNow { now } }' }, { authorization: collaborator });
    expect(archived.status).toBe(403);
    expect(firstError(archived)).toMatchObject({ extensions: { code: 'FORBIDDEN' }, message: expect.stringMatching(/organization is archived/) });
  });

  it('refuses too deep, too costly and too aliased operations before any subgraph is asked', async () => {
    const deep = `{ organization(id: "${organizationId}") { ${'vendor { '.repeat(12)}id${' }'.repeat(12)} } }`;
    expect(firstError(await asAdmin(deep))).toMatchObject({ extensions: { code: 'QUERY_TOO_DEEP' }, message: expect.stringMatching(/at most 12/) });
    const costly = '{ organizations(first: 100) { edges { node { partners(first: 100) { edges { node { id name } } } } } } }';
    expect(firstError(await asAdmin(costly))).toMatchObject({ extensions: { code: 'QUERY_TOO_COMPLEX' } });
    const aliases = `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: _devNow { now }`).join(' ')} }`;
    expect(firstError(await asAdmin(aliases))).toMatchObject({ extensions: { code: 'TOO_MANY_ALIASES' }, message: expect.stringMatching(/at most 30/) });
    const fine = `{ ${Array.from({ length: 3 }, (_, i) => `a${i}: _devNow { now }`).join(' ')} }`;
    expect(firstError(await asAdmin(fine))?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
  });

  it('refuses an oversized body, a request without CSRF protection, and answers no stack traces', async () => {
    const huge = await post(gateway, { query: `{ _devNow { now } } # ${'x'.repeat(1_100_000)}` }, { authorization: await identity.bearer({ role: 'ADMIN' }) });
    expect(huge.status).toBe(413);
    expect(firstError(huge)?.extensions?.code).toBe('PAYLOAD_TOO_LARGE');
    const simple = await fetch(`${gateway.url}?query=${encodeURIComponent('{ _devNow { now } }')}`, { headers: { authorization: await identity.bearer({ role: 'ADMIN' }) } });
    expect(simple.status).toBe(400);
    expect(await simple.text()).toMatch(/CSRF/);
    expect(JSON.stringify(await asAdmin('{ nope }'))).not.toMatch(/stacktrace|\.ts:\d+/i);
  });

  it('rate-limits each caller separately with 429 RATE_LIMITED', async () => {
    const limited = await startGateway(loadGatewayConfig({ ...env(), RATE_LIMIT_BURST: '3', RATE_LIMIT_PER_MINUTE: '6' }), logger);
    try {
      const alice = await identity.bearer({ role: 'ADMIN' });
      const replies: Reply[] = [];
      for (let i = 0; i < 4; i += 1) replies.push(await post(limited, { query: '{ _devNow { now } }' }, { authorization: alice }));
      expect(replies.slice(0, 3).map((reply) => reply.status)).toEqual([200, 200, 200]);
      expect(replies[3].status).toBe(429);
      expect(replies[3].headers.get('retry-after')).toBe('10');
      expect(firstError(replies[3])).toMatchObject({ extensions: { code: 'RATE_LIMITED' } });
      const bob = await identity.bearer({ role: 'ADMIN' });
      expect((await post(limited, { query: '{ _devNow { now } }' }, { authorization: bob })).status).toBe(200);
    } finally {
      await limited.stop();
    }
  });

  it('turns introspection and field suggestions off in production', async () => {
    const production = await startGateway(
      loadGatewayConfig({ ...env(), NODE_ENV: 'production', INTERNAL_API_TOKEN: 'an-internal-token-of-at-least-32-chars' }),
      logger,
    );
    try {
      const introspection = await asAdmin('{ __schema { queryType { name } } }', production);
      expect(firstError(introspection)?.message).toMatch(/introspection/i);
      const typo = await asAdmin(`{ organizaton(id: "${organizationId}") { id } }`, production);
      expect(firstError(typo)?.message).toMatch(/Cannot query field "organizaton"/);
      expect(firstError(typo)?.message).not.toMatch(/Did you mean/);
      const development = await asAdmin(`{ organizaton(id: "${organizationId}") { id } }`);
      expect(firstError(development)?.message).toMatch(/Did you mean "organization"/);
    } finally {
      await production.stop();
    }
  });
});
