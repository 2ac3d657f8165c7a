import { createHash, createPrivateKey, randomBytes, randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SignJWT } from 'jose';
import { DataSource } from 'typeorm';
import type { EventPayload, EventType } from '@offboarding/contracts';
import { type EventEnvelope, type EventHandler, recordInInbox } from '@offboarding/messaging';
import { EventHandlerRegistry, INTERNAL_TOKEN_HEADER } from '@offboarding/platform';
import { serviceTestDatabase, TestIdentity, waitFor } from '@offboarding/testing';
import { SigningKeys } from '../keys/signing-keys';

interface Answer<T> {
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}
interface Auth {
  accessToken: string;
  refreshToken: string;
  user: { id: string; role: string };
}
const AUTH_FIELDS = 'accessToken refreshToken user { id role }';

const sessionOf = (token: string) => (JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { sid: string }).sid;

/**
 * The identity service as it runs (Nest, GraphQL, HTTP endpoints) on an in-memory database with
 * messaging off; consumed events are fed through the registered handlers as the consumer does.
 */
describe('identity service', () => {
  let app: INestApplication;
  let baseUrl: string;
  let keyServer: http.Server;
  const maskingKey = randomBytes(32);
  const saved = { ...process.env };
  const logLines: string[] = [];
  const originalWrite = process.stdout.write.bind(process.stdout);
  let admin: Auth;
  /** With TEST_DATABASE_URL, a database of its own on that server (the service's schema name is fixed). */
  let database: Awaited<ReturnType<typeof serviceTestDatabase>> | null = null;

  const organizations = { customer: randomUUID(), vendor: randomUUID(), partner: randomUUID(), other: randomUUID() };

  function envelope<T extends EventType>(type: T, organizationId: string, data: EventPayload<T>): EventEnvelope<T> {
    return { id: randomUUID(), type, source: '/test', subject: organizationId, time: new Date().toISOString(), specversion: '1.0', data };
  }

  async function deliver<T extends EventType>(event: EventEnvelope<T>): Promise<void> {
    const handler: EventHandler<T> | undefined = app.get(EventHandlerRegistry).all()[event.type];
    if (!handler) throw new Error(`no handler for ${event.type}`);
    await app.get(DataSource).transaction(async (manager) => {
      if (await recordInInbox(manager, event)) await handler(event, manager);
    });
  }

  async function graphql<T>(query: string, variables: Record<string, unknown> = {}, token?: string, headers: Record<string, string> = {}): Promise<Answer<T>> {
    const response = await fetch(`${baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as Answer<T>;
  }

  const login = (email: string, password: string) =>
    graphql<{ login: Auth }>(`mutation($e: String!, $p: String!) { login(email: $e, password: $p) { ${AUTH_FIELDS} } }`, { e: email, p: password });
  const refresh = (token: string) => graphql<{ refreshSession: Auth }>(`mutation($t: String!) { refreshSession(refreshToken: $t) { ${AUTH_FIELDS} } }`, { t: token });

  async function events(type: EventType): Promise<Record<string, unknown>[]> {
    const rows = await app.get(DataSource).query<{ payload: Record<string, unknown> }[]>('SELECT payload FROM identity.outbox WHERE type = $1 ORDER BY seq', [type]);
    return rows.map((row) => row.payload);
  }

  async function revokedFeed(): Promise<{ sessionId: string; reason: string }[]> {
    const response = await fetch(`${baseUrl}/internal/revoked-sessions`, { headers: { [INTERNAL_TOKEN_HEADER]: 'development-internal-token' } });
    return ((await response.json()) as { sessions: { sessionId: string; reason: string }[] }).sessions;
  }

  const code = (answer: Answer<unknown>) => answer.errors?.[0]?.extensions?.code;

  async function createOrganization(organizationId: string, type: 'CUSTOMER' | 'VENDOR' | 'PARTNER', vendorId: string | null = null) {
    await deliver(envelope('com.offboarding.entitlements.organization_created.v1', organizationId, { organizationId, type, vendorId, createdAt: new Date().toISOString() }));
  }

  async function createUser(email: string, role: string, organizationId: string | null, password: string | null): Promise<string> {
    const answer = await graphql<{ createUser: { id: string } }>(
      'mutation($input: CreateUserInput!) { createUser(input: $input) { id } }',
      { input: { email, displayName: `User ${email}`, role, organizationId, password } },
      admin.accessToken,
    );
    expect(answer.errors).toBeUndefined();
    return answer.data!.createUser.id;
  }

  beforeAll(async () => {
    keyServer = http.createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ key: maskingKey.toString('base64') }));
    });
    await new Promise<void>((resolve) => keyServer.listen(0, '127.0.0.1', resolve));
    Object.assign(process.env, {
      IDENTITY_DATABASE_URL: (database = await serviceTestDatabase('identity_test')).url,
      MESSAGING_ENABLED: 'false',
      SCHEDULER_INTERVAL_MS: '0',
      LOG_LEVEL: 'trace',
      JWT_SIGNING_KEYS: JSON.stringify([SigningKeys.generateEntry('current'), SigningKeys.generateEntry('previous')]),
      ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
      RETENTION_INTERNAL_URL: `http://127.0.0.1:${(keyServer.address() as AddressInfo).port}`,
    });
    // Every log line of the service (at trace level), to show secrets never reach the logs.
    process.stdout.write = ((chunk: string | Uint8Array) => {
      logLines.push(String(chunk));
      return true;
    });
    const { AppModule } = await import('../app.module');
    app = await NestFactory.create(AppModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const seeded = await login('admin@offboarding.local', 'admin');
    expect(seeded.errors).toBeUndefined();
    admin = seeded.data!.login;
    await createOrganization(organizations.customer, 'CUSTOMER');
    await createOrganization(organizations.other, 'CUSTOMER');
    await createOrganization(organizations.vendor, 'VENDOR');
    await createOrganization(organizations.partner, 'PARTNER', organizations.vendor);
  });

  afterAll(async () => {
    await app?.close();
    process.stdout.write = originalWrite;
    process.env = saved;
    await new Promise((resolve) => keyServer?.close(resolve));
    await database?.drop();
  });

  it('seeds the development admin and publishes every signing key; the first one signs', async () => {
    expect(admin.user.role).toBe('ADMIN');
    const me = await graphql<{ me: { email: string; role: string } }>('{ me { email role } }', {}, admin.accessToken);
    expect(me.data?.me).toEqual({ email: 'admin@offboarding.local', role: 'ADMIN' });
    const jwks = (await (await fetch(`${baseUrl}/.well-known/jwks.json`)).json()) as { keys: { kid: string; alg: string; d?: string }[] };
    expect(jwks.keys.map((key) => key.kid)).toEqual(['current', 'previous']);
    expect(jwks.keys.every((key) => key.alg === 'ES256' && key.d === undefined)).toBe(true);
    const header = JSON.parse(Buffer.from(admin.accessToken.split('.')[0], 'base64url').toString()) as { kid: string };
    expect(header.kid).toBe('current');
  });

  it('refuses an anonymous caller, a non-admin, and a collaborator reading another organization', async () => {
    const anonymous = await graphql('mutation { createUser(input: { email: "x@example.com", displayName: "x", role: ADMIN }) { id } }');
    expect(anonymous.errors?.[0]).toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    expect(code(await graphql('{ me { id } }'))).toBe('UNAUTHENTICATED');
    await createUser('carol@customer.example', 'COLLABORATOR', organizations.customer, 'carol-password-1');
    const carol = (await login('carol@customer.example', 'carol-password-1')).data!.login;
    expect(code(await graphql('mutation($o: ID!) { deactivateAccounts(organizationId: $o) { deactivatedUsers } }', { o: organizations.customer }, carol.accessToken))).toBe('FORBIDDEN');
    const own = await graphql<{ _entities: { portalAccess: { enabled: boolean }; users: { totalCount: number } }[] }>(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Organization { portalAccess { enabled } users { totalCount } } } }',
      { r: [{ __typename: 'Organization', id: organizations.customer }] },
      carol.accessToken,
    );
    expect(own.errors).toBeUndefined();
    expect(own.data?._entities[0]).toEqual({ portalAccess: { enabled: true }, users: { totalCount: 1 } });
    const foreign = await graphql<{ _entities: unknown[] }>(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Organization { users { totalCount } } } }',
      { r: [{ __typename: 'Organization', id: organizations.other }] },
      carol.accessToken,
    );
    expect(foreign.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    expect(foreign.data?._entities?.[0] ?? null).toBeNull();
  });

  it('refuses expired, tampered, unknown-key and wrong-audience tokens, saying why', async () => {
    const keys = new SigningKeys({ nodeEnv: 'test', signingKeysJson: process.env.JWT_SIGNING_KEYS, dataDir: '/nonexistent' });
    const claims = { sub: admin.user.id, org: null, roles: ['ADMIN' as const], sid: randomUUID() };
    const expired = (await keys.sign(claims, new Date(Date.now() - 3_600_000), 60)).token;
    expect((await graphql('{ me { id } }', {}, expired)).errors?.[0]).toMatchObject({ extensions: { code: 'UNAUTHENTICATED' }, message: expect.stringMatching(/expired/) });
    const [head, body] = admin.accessToken.split('.');
    const forged = `${head}.${body}.${randomBytes(64).toString('base64url')}`;
    expect((await graphql('{ me { id } }', {}, forged)).errors?.[0].message).toMatch(/signature/);
    const stranger = await TestIdentity.start();
    try {
      expect((await graphql('{ me { id } }', {}, await stranger.token({ role: 'ADMIN' }))).errors?.[0].message).toMatch(/unknown key/);
    } finally {
      await stranger.stop();
    }
    const [current] = JSON.parse(process.env.JWT_SIGNING_KEYS!) as { privateKeyPem: string }[];
    const otherAudience = await new SignJWT({ org: null, roles: ['ADMIN'], sid: randomUUID() })
      .setProtectedHeader({ alg: 'ES256', kid: 'current' })
      .setSubject(admin.user.id)
      .setIssuer('offboarding')
      .setAudience('someone-else')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(createPrivateKey(current.privateKeyPem));
    expect((await graphql('{ me { id } }', {}, otherAudience)).errors?.[0].message).toMatch(/audience/);
  });

  it('rotates refresh tokens, revokes the session when one is used twice, and ends it on logout', async () => {
    const first = (await login('admin@offboarding.local', 'admin')).data!.login;
    const refreshed = await refresh(first.refreshToken);
    expect(refreshed.errors).toBeUndefined();
    expect(refreshed.data!.refreshSession.refreshToken).not.toBe(first.refreshToken);
    const replay = await refresh(first.refreshToken);
    expect(replay.errors?.[0]).toMatchObject({ extensions: { code: 'UNAUTHENTICATED' }, message: expect.stringMatching(/already used/) });
    expect((await refresh(refreshed.data!.refreshSession.refreshToken)).errors?.[0].message).toMatch(/revoked/);
    expect(await revokedFeed()).toContainEqual({ sessionId: sessionOf(first.accessToken), reason: 'REFRESH_TOKEN_REUSED', accessExpiresAt: expect.any(String) });

    const other = (await login('admin@offboarding.local', 'admin')).data!.login;
    expect((await graphql<{ logout: boolean }>('mutation { logout }', {}, other.accessToken)).data?.logout).toBe(true);
    expect((await revokedFeed()).map((entry) => entry.sessionId)).toContain(sessionOf(other.accessToken));
    // Reached directly, identity itself refuses the logged-out session's token within a poll interval.
    await waitFor(async () => code(await graphql('{ me { id } }', {}, other.accessToken)) === 'UNAUTHENTICATED', {
      timeoutMs: 10_000,
      description: "identity to refuse the logged-out session's token",
    });
    expect((await graphql('{ me { id } }', {}, other.accessToken)).errors?.[0]).toMatchObject({
      extensions: { code: 'UNAUTHENTICATED', reason: 'LOGOUT' },
      message: expect.stringMatching(/session was revoked/),
    });
    expect((await graphql<{ me: { id: string } }>('{ me { id } }', {}, admin.accessToken)).data?.me).toEqual({ id: admin.user.id });
    expect(code(await refresh(other.refreshToken))).toBe('UNAUTHENTICATED');
    expect((await fetch(`${baseUrl}/internal/revoked-sessions`)).status).toBe(401);
  });

  it('signs in, refreshes and signs out with an Idempotency-Key as without: tokens are fresh every time and never stored', async () => {
    const key = { 'idempotency-key': randomUUID() };
    const signIn = () =>
      graphql<{ login: Auth }>(`mutation($e: String!, $p: String!) { login(email: $e, password: $p) { ${AUTH_FIELDS} } }`, { e: 'admin@offboarding.local', p: 'admin' }, undefined, key);
    const [first, second] = [(await signIn()).data!.login, (await signIn()).data!.login];
    expect(second.refreshToken).not.toBe(first.refreshToken);
    const refreshed = await graphql<{ refreshSession: Auth }>(`mutation($t: String!) { refreshSession(refreshToken: $t) { ${AUTH_FIELDS} } }`, { t: first.refreshToken }, undefined, key);
    expect(refreshed.errors).toBeUndefined();
    const stored = await app.get(DataSource).query<{ n: number }[]>(`SELECT count(*)::int AS n FROM identity.idempotency_keys WHERE operation IN ('login', 'refreshSession')`);
    expect(stored[0].n).toBe(0);
    // Signing out is a change like any other: its retry answers the first outcome.
    const logout = () => graphql<{ logout: boolean }>('mutation { logout }', {}, second.accessToken, key);
    expect((await logout()).data?.logout).toBe(true);
    expect((await logout()).data?.logout).toBe(true);
  });

  it('answers alike for an unknown e-mail and a wrong password, and fails password login once credentials are deleted', async () => {
    await createUser('dora@other.example', 'COLLABORATOR', organizations.other, 'dora-password-1');
    const unknown = await login('nobody@other.example', 'dora-password-1');
    const wrong = await login('dora@other.example', 'not-her-password');
    expect(unknown.errors?.[0]).toEqual(wrong.errors?.[0]);
    expect(code(wrong)).toBe('UNAUTHENTICATED');
    expect((await login('DORA@other.example ', 'dora-password-1')).errors).toBeUndefined();

    const deleted = await graphql<{ deleteCredentials: { deletedCredentials: number } }>(
      'mutation($o: ID!) { deleteCredentials(organizationId: $o) { deletedCredentials } }',
      { o: organizations.other },
      admin.accessToken,
    );
    expect(deleted.data?.deleteCredentials.deletedCredentials).toBe(1);
    expect(await login('dora@other.example', 'dora-password-1')).toMatchObject({ errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] });
    expect(await events('com.offboarding.identity.credentials_deleted.v1')).toContainEqual(expect.objectContaining({ organizationId: organizations.other, deletedCredentials: 1 }));
  });

  it('signs in with an SSO assertion, keeps the connection secret encrypted, and refuses every SSO login once it is deleted', async () => {
    const secret = `sso-secret-${randomBytes(24).toString('hex')}`;
    const created = await graphql<{ createSsoConnection: { id: string; active: boolean } }>(
      'mutation($input: CreateSsoConnectionInput!) { createSsoConnection(input: $input) { id active } }',
      { input: { organizationId: organizations.customer, protocol: 'OIDC', issuer: 'https://idp.customer.example', clientId: 'offboarding-portal', secret } },
      admin.accessToken,
    );
    expect(created.errors).toBeUndefined();
    const connectionId = created.data!.createSsoConnection.id;
    const [row] = await app.get(DataSource).query<Record<string, unknown>[]>('SELECT * FROM identity.sso_connections WHERE id = $1', [connectionId]);
    expect(row.secret_key_id).toBe('k1');
    expect(JSON.stringify(row)).not.toContain(secret);
    expect(JSON.stringify(row)).not.toContain(Buffer.from(secret).toString('base64'));

    const assertion = (claims: { aud?: string; exp?: number; email?: string }) =>
      new SignJWT({ email: claims.email ?? 'carol@customer.example' })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer('https://idp.customer.example')
        .setAudience(claims.aud ?? 'offboarding-portal')
        .setSubject('idp-user-42')
        .setIssuedAt()
        .setExpirationTime(claims.exp ?? Math.floor(Date.now() / 1000) + 120)
        .sign(new TextEncoder().encode(secret));
    const sso = async (value: string) =>
      graphql<{ loginWithSso: Auth }>(`mutation($c: ID!, $a: String!) { loginWithSso(connectionId: $c, assertion: $a) { ${AUTH_FIELDS} } }`, { c: connectionId, a: value });

    const ok = await sso(await assertion({}));
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.loginWithSso.user.role).toBe('COLLABORATOR');
    expect((await sso(await assertion({ aud: 'another-app' }))).errors?.[0].message).toMatch(/"aud" claim/);
    expect((await sso(await assertion({ exp: Math.floor(Date.now() / 1000) - 60 }))).errors?.[0].message).toMatch(/expired/);
    expect((await sso(await assertion({ email: 'dora@other.example' }))).errors?.[0].message).toMatch(/no user of this organization/);

    const deleted = await graphql<{ deleteSsoConnectionSecrets: { deletedConnections: number } }>(
      'mutation($o: ID!) { deleteSsoConnectionSecrets(organizationId: $o) { deletedConnections } }',
      { o: organizations.customer },
      admin.accessToken,
    );
    expect(deleted.data?.deleteSsoConnectionSecrets.deletedConnections).toBe(1);
    const after = await sso(await assertion({}));
    expect(after.errors?.[0]).toMatchObject({ extensions: { code: 'SSO_CONNECTION_DELETED' }, message: expect.stringMatching(/no longer possible/) });
    const [gone] = await app.get(DataSource).query<Record<string, unknown>[]>('SELECT secret_ciphertext, secret_key_id FROM identity.sso_connections WHERE id = $1', [connectionId]);
    expect(gone).toEqual({ secret_ciphertext: null, secret_key_id: null });
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.join('')).not.toContain(secret);
  });

  it("cascades the SSO shutdown from a vendor to its partners' users and confirms with the counts", async () => {
    await createUser('victor@vendor.example', 'COLLABORATOR', organizations.vendor, 'victor-password-1');
    await createUser('paula@partner.example', 'PARTNER_USER', organizations.partner, 'paula-password-1');
    const paula = (await login('paula@partner.example', 'paula-password-1')).data!.login;
    const victor = (await login('victor@vendor.example', 'victor-password-1')).data!.login;
    const requestId = randomUUID();
    await deliver(envelope('com.offboarding.retention.sso_shutdown_requested.v1', organizations.vendor, { organizationId: organizations.vendor, requestId, requestedAt: new Date().toISOString() }));

    expect(await events('com.offboarding.identity.sso_shutdown_completed.v1')).toContainEqual(
      expect.objectContaining({ organizationId: organizations.vendor, requestId, deactivatedUsers: 2, revokedSessions: 2, deletedConnections: 0 }),
    );
    const users = await app.get(DataSource).query<{ id: string; status: string }[]>('SELECT id, status FROM identity.users WHERE organization_id = ANY($1)', [[organizations.vendor, organizations.partner]]);
    expect(users.map((user) => user.status)).toEqual(['DEACTIVATED', 'DEACTIVATED']);
    // Each account has its own event, keyed by its organization.
    const deactivated = await events('com.offboarding.identity.user_deactivated.v1');
    for (const user of users) expect(deactivated).toContainEqual(expect.objectContaining({ userId: user.id, reason: 'ACCOUNTS_DEACTIVATED' }));
    expect(await events('com.offboarding.identity.user_created.v1')).toContainEqual(expect.objectContaining({ organizationId: organizations.partner, role: 'PARTNER_USER' }));
    expect(code(await login('paula@partner.example', 'paula-password-1'))).toBe('UNAUTHENTICATED');
    expect((await revokedFeed()).map((entry) => entry.sessionId)).toEqual(expect.arrayContaining([sessionOf(paula.accessToken), sessionOf(victor.accessToken)]));
    expect(await events('com.offboarding.identity.sessions_revoked.v1')).toContainEqual(
      expect.objectContaining({ organizationId: organizations.partner, sessionIds: [sessionOf(paula.accessToken)], reason: 'ACCOUNT_DEACTIVATED' }),
    );
    expect(code(await refresh(paula.refreshToken))).toBe('UNAUTHENTICATED');
  });

  it("refuses an archived organization's users with FORBIDDEN saying why, and lets them back in on unarchive", async () => {
    const before = (await login('carol@customer.example', 'carol-password-1')).data!.login;
    await deliver(envelope('com.offboarding.entitlements.organization_archived.v1', organizations.customer, { organizationId: organizations.customer, archivedAt: new Date().toISOString(), archivedBy: 'system:test' }));
    expect(await events('com.offboarding.identity.portal_access_disabled.v1')).toContainEqual(expect.objectContaining({ organizationId: organizations.customer, requestId: null }));
    const refused = await login('carol@customer.example', 'carol-password-1');
    expect(refused.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN', reason: 'PORTAL_ACCESS_DISABLED' }, message: expect.stringMatching(/archived/) });
    expect(await revokedFeed()).toContainEqual(expect.objectContaining({ sessionId: sessionOf(before.accessToken), reason: 'PORTAL_ACCESS_DISABLED' }));

    await deliver(envelope('com.offboarding.entitlements.organization_unarchived.v1', organizations.customer, { organizationId: organizations.customer, unarchivedAt: new Date().toISOString(), unarchivedBy: 'system:test' }));
    expect((await login('carol@customer.example', 'carol-password-1')).errors).toBeUndefined();

    const requestId = randomUUID();
    await deliver(envelope('com.offboarding.retention.portal_hide_requested.v1', organizations.customer, { organizationId: organizations.customer, requestId, requestedAt: new Date().toISOString() }));
    expect(await events('com.offboarding.identity.portal_access_disabled.v1')).toContainEqual(expect.objectContaining({ organizationId: organizations.customer, requestId }));
    expect(code(await login('carol@customer.example', 'carol-password-1'))).toBe('FORBIDDEN');
  });

  it('lets a returning user back in with a single-use, expiring password-setup link that is never stored or logged in clear', async () => {
    const paulaId = (await app.get(DataSource).query<{ user_id: string }[]>("SELECT user_id FROM identity.user_pii WHERE email = 'paula@partner.example'"))[0].user_id;
    const issue = (userId: string, purpose = 'WIN_BACK') =>
      graphql<{ issuePasswordSetupLink: { setupId: string; userId: string; purpose: string; expiresAt: string } }>(
        'mutation($input: IssuePasswordSetupLinkInput!) { issuePasswordSetupLink(input: $input) { setupId userId purpose expiresAt } }',
        { input: { userId, purpose } },
        admin.accessToken,
      );
    const setPassword = (token: string, password: string) =>
      graphql<{ setPasswordWithSetupLink: boolean }>('mutation($t: String!, $p: String!) { setPasswordWithSetupLink(token: $t, password: $p) }', { t: token, p: password });
    const linkOf = async (setupId: string) => {
      const issued = (await events('com.offboarding.identity.password_setup_issued.v1')).find((event) => event.setupId === setupId)!;
      const url = new URL(issued.setupUrl as string);
      return { issued, url, token: new URLSearchParams(url.hash.slice(1)).get('token')! };
    };

    // The cascade deactivated her and deleted her password: no link for a deactivated account.
    expect((await issue(paulaId)).errors?.[0]).toMatchObject({ extensions: { code: 'INVALID_TRANSITION' }, message: expect.stringMatching(/reactivate their organization/) });
    expect((await issue(randomUUID())).errors?.[0]).toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    expect((await issue(admin.user.id)).errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    // A second account with her address is refused, pointing at the way back.
    const duplicate = await graphql('mutation($input: CreateUserInput!) { createUser(input: $input) { id } }', { input: { email: 'paula@partner.example', displayName: 'Paula', role: 'PARTNER_USER', organizationId: organizations.partner } }, admin.accessToken);
    expect(duplicate.errors?.[0]).toMatchObject({ extensions: { code: 'CONFLICT', userId: paulaId }, message: expect.stringMatching(/password-setup link/) });

    // Win-back: the partner is unarchived, her account is active again, but she has no password.
    await deliver(envelope('com.offboarding.entitlements.organization_unarchived.v1', organizations.partner, { organizationId: organizations.partner, unarchivedAt: new Date().toISOString(), unarchivedBy: 'system:test' }));
    expect(await events('com.offboarding.identity.user_reactivated.v1')).toContainEqual(expect.objectContaining({ organizationId: organizations.partner, userId: paulaId }));
    expect(code(await login('paula@partner.example', 'paula-password-1'))).toBe('UNAUTHENTICATED');

    const first = await issue(paulaId);
    expect(first.errors).toBeUndefined();
    expect(first.data!.issuePasswordSetupLink).toMatchObject({ userId: paulaId, purpose: 'WIN_BACK' });
    const replaced = await linkOf(first.data!.issuePasswordSetupLink.setupId);
    const second = (await issue(paulaId)).data!.issuePasswordSetupLink;
    const { issued, url, token } = await linkOf(second.setupId);
    expect(url.origin + url.pathname).toBe('http://localhost:4000/set-password');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(issued).toMatchObject({ organizationId: organizations.partner, userId: paulaId, purpose: 'WIN_BACK', expiresAt: second.expiresAt });
    expect(Date.parse(second.expiresAt) - Date.now()).toBeGreaterThan(71 * 3_600_000);

    // Stored as a hash only; neither the audit log nor a log line holds the token.
    const stored = await app.get(DataSource).query<Record<string, unknown>[]>('SELECT * FROM identity.password_setups WHERE user_id = $1', [paulaId]);
    expect(stored.map((row) => row.token_hash)).toContain(createHash('sha256').update(token).digest('hex'));
    const everywhere = JSON.stringify(stored) + JSON.stringify(await app.get(DataSource).query('SELECT * FROM identity.audit_log')) + logLines.join('');
    expect(everywhere).not.toContain(token);
    expect(everywhere).not.toContain(replaced.token);

    expect((await setPassword(replaced.token, 'paula-password-2')).errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', reason: 'REPLACED' } });
    expect((await setPassword(token, 'short')).errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'password' } });
    expect((await setPassword('not-a-token', 'paula-password-2')).errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', reason: 'INVALID' } });
    expect((await setPassword(token, 'paula-password-2')).data?.setPasswordWithSetupLink).toBe(true);
    expect((await login('paula@partner.example', 'paula-password-2')).errors).toBeUndefined();
    expect((await setPassword(token, 'paula-password-3')).errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', reason: 'USED' } });
    expect(await events('com.offboarding.identity.password_set.v1')).toContainEqual(expect.objectContaining({ userId: paulaId, setupId: second.setupId, purpose: 'WIN_BACK' }));
    expect(logLines.join('')).not.toContain(token);

    // A link that was not used in time no longer works.
    const late = (await issue(paulaId, 'RESET')).data!.issuePasswordSetupLink;
    const { token: lateToken } = await linkOf(late.setupId);
    const clock = (await (await fetch(`${baseUrl}/internal/dev/clock`)).json()) as { offsetMs: number };
    await fetch(`${baseUrl}/internal/dev/clock`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ offsetMs: clock.offsetMs + 73 * 3_600_000 }) });
    expect((await setPassword(lateToken, 'paula-password-4')).errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', reason: 'EXPIRED' } });
    expect((await login('paula@partner.example', 'paula-password-2')).errors).toBeUndefined();
  });

  it('masks users for good, then purges an organization in batches and confirms the counts', async () => {
    await deliver(
      envelope('com.offboarding.retention.pii_masking_requested.v1', organizations.vendor, {
        organizationId: organizations.vendor,
        requestId: randomUUID(),
        maskingKeyRef: 'ref-1',
        requestedAt: new Date().toISOString(),
      }),
    );
    const [pii] = await app.get(DataSource).query<{ email: string; display_name: string }[]>(
      'SELECT p.email, p.display_name FROM identity.user_pii p JOIN identity.users u ON u.id = p.user_id WHERE u.organization_id = $1',
      [organizations.vendor],
    );
    expect(pii.email).toMatch(/^masked:[0-9a-f]{64}$/);
    expect(pii.display_name).toMatch(/^masked:[0-9a-f]{64}$/);
    expect(await events('com.offboarding.identity.pii_masked.v1')).toContainEqual(expect.objectContaining({ organizationId: organizations.vendor, maskedRecords: 1 }));
    const reactivated = await graphql<{ reactivateAccounts: { reactivatedUsers: number } }>(
      'mutation($o: ID!) { reactivateAccounts(organizationId: $o) { reactivatedUsers } }',
      { o: organizations.vendor },
      admin.accessToken,
    );
    // The partner user (reactivated already) is untouched; the vendor's masked user never comes back.
    expect(reactivated.data?.reactivateAccounts.reactivatedUsers).toBe(0);
    const victorId = (await app.get(DataSource).query<{ id: string }[]>('SELECT id FROM identity.users WHERE organization_id = $1', [organizations.vendor]))[0].id;
    const masked = await graphql('mutation($input: IssuePasswordSetupLinkInput!) { issuePasswordSetupLink(input: $input) { setupId } }', { input: { userId: victorId, purpose: 'WIN_BACK' } }, admin.accessToken);
    expect(masked.errors?.[0]).toMatchObject({ extensions: { code: 'INVALID_TRANSITION' }, message: expect.stringMatching(/masked/) });

    // An account still active when its organization is masked is ended first: no active user
    // ever carries a masked e-mail.
    const paula = (await login('paula@partner.example', 'paula-password-2')).data!.login;
    await deliver(
      envelope('com.offboarding.retention.pii_masking_requested.v1', organizations.partner, {
        organizationId: organizations.partner,
        requestId: randomUUID(),
        maskingKeyRef: 'ref-2',
        requestedAt: new Date().toISOString(),
      }),
    );
    const partnerUsers = await app.get(DataSource).query<{ status: string; email: string }[]>(
      'SELECT u.status, p.email FROM identity.users u JOIN identity.user_pii p ON p.user_id = u.id WHERE u.organization_id = $1',
      [organizations.partner],
    );
    expect(partnerUsers).toEqual([{ status: 'DEACTIVATED', email: expect.stringMatching(/^masked:/) }]);
    expect(await events('com.offboarding.identity.user_deactivated.v1')).toContainEqual(expect.objectContaining({ userId: paula.user.id, reason: 'PII_MASKED' }));
    expect((await revokedFeed()).map((entry) => entry.sessionId)).toContain(sessionOf(paula.accessToken));
    const audit = await app.get(DataSource).query<{ action: string }[]>('SELECT action FROM identity.audit_log WHERE organization_id = $1', [organizations.partner]);
    expect(audit.map((entry) => entry.action)).toContain('accounts.deactivate_for_masking');

    const requestId = randomUUID();
    await deliver(envelope('com.offboarding.retention.organization_purge_requested.v1', organizations.customer, { organizationId: organizations.customer, requestId, requestedAt: new Date().toISOString() }));
    const purged = await waitFor(
      async () => (await events('com.offboarding.identity.organization_purged.v1')).find((event) => event.requestId === requestId),
      { timeoutMs: 30_000, description: 'organization_purged' },
    );
    expect(purged.deleted).toMatchObject({ users: 1, user_pii: 1, credentials: 1, sso_connections: 1, portal_access: 1 });
    expect((purged.deleted as Record<string, number>).sessions).toBeGreaterThanOrEqual(2);
    const left = await app.get(DataSource).query<{ n: number }[]>('SELECT count(*)::int AS n FROM identity.users WHERE organization_id = $1', [organizations.customer]);
    expect(left[0].n).toBe(0);
  });
});
