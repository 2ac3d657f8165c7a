import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createSubgraphApp, EventHandlerRegistry } from '@offboarding/platform';
import { recordInInbox } from '@offboarding/messaging';
import { waitFor } from '@offboarding/testing';
import { RealTime } from '../keys/identity-providers';
import { SigningKeys } from '../keys/signing-keys';
import { accountKey } from '../sessions/sign-in-throttle';

interface Answer {
  status: number;
  retryAfter: string | null;
  data?: { login?: { accessToken: string } | null } | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

// Password sign-in throttling on the identity service as it runs: per account and per client
// address (each test signs in from an address of its own, as the gateway forwards it), a lock that
// refuses even the right password with RATE_LIMITED and Retry-After until it ends, doubling after
// each further failure, and failed sign-ins in the organization's audit trail. Locks last their
// default 30 s; the service's wall clock is moved past them instead of waiting.
describe('sign-in throttling', () => {
  const saved = { ...process.env };
  let app: INestApplication;
  let url: string;
  let adminToken: string;
  const organizationId = randomUUID();

  async function login(email: string, password: string, address: string): Promise<Answer> {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
      body: JSON.stringify({ query: 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }', variables: { e: email, p: password } }),
    });
    return { status: response.status, retryAfter: response.headers.get('retry-after'), ...((await response.json()) as Omit<Answer, 'status' | 'retryAfter'>) };
  }

  async function createUser(email: string, password: string): Promise<string> {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
      body: JSON.stringify({
        query: 'mutation($input: CreateUserInput!) { createUser(input: $input) { id } }',
        variables: { input: { email, displayName: email, role: 'COLLABORATOR', organizationId, password } },
      }),
    });
    const body = (await response.json()) as { data?: { createUser: { id: string } }; errors?: unknown };
    if (!body.data) throw new Error(`createUser failed: ${JSON.stringify(body.errors)}`);
    return body.data.createUser.id;
  }

  const codeOf = (answer: Answer) => answer.errors?.[0]?.extensions?.code;
  /** How far the service's wall clock (RealTime) runs ahead. */
  let shiftedMs = 0;
  const lockOf = async (email: string) =>
    (
      await app
        .get(DataSource)
        .query<{ seconds: string }[]>(`SELECT extract(epoch FROM locked_until - last_attempt_at) AS seconds FROM identity.sign_in_throttle WHERE key = $1`, [accountKey(email)])
    )[0]?.seconds;

  beforeAll(async () => {
    Object.assign(process.env, {
      IDENTITY_DATABASE_URL: 'pglite://memory',
      MESSAGING_ENABLED: 'false',
      SCHEDULER_INTERVAL_MS: '0',
      LOG_LEVEL: 'silent',
      JWT_SIGNING_KEYS: JSON.stringify([SigningKeys.generateEntry('current')]),
      SIGN_IN_LOCK_AFTER_FAILURES: '3',
      SIGN_IN_ADDRESS_LOCK_AFTER_FAILURES: '6',
    });
    const { AppModule } = await import('../app.module');
    app = await createSubgraphApp(AppModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    url = `${(await app.getUrl()).replace('[::1]', '127.0.0.1')}/graphql`;
    const realTime = app.get(RealTime);
    jest.spyOn(realTime, 'now').mockImplementation(() => new Date(Date.now() + shiftedMs));
    adminToken = (await login('admin@offboarding.local', 'admin', '198.51.100.1')).data!.login!.accessToken;
    const event = {
      id: randomUUID(),
      type: 'com.offboarding.entitlements.organization_created.v1' as const,
      source: '/test',
      subject: organizationId,
      time: new Date().toISOString(),
      specversion: '1.0' as const,
      data: { organizationId, type: 'CUSTOMER' as const, vendorId: null, createdAt: new Date().toISOString() },
    };
    const handler = app.get(EventHandlerRegistry).all()[event.type]!;
    await app.get(DataSource).transaction(async (manager) => {
      if (await recordInInbox(manager, event)) await handler(event, manager);
    });
  });

  afterAll(async () => {
    await app?.close();
    process.env = saved;
  });

  it('locks an account after repeated failures, refuses even the right password with Retry-After, and doubles the lock after another failure', async () => {
    const userId = await createUser('eve@customer.example', 'eve-password-1');
    for (let attempt = 0; attempt < 3; attempt += 1) expect(codeOf(await login('eve@customer.example', 'wrong', '203.0.113.1'))).toBe('UNAUTHENTICATED');

    // Locked for 30 s: the right password is refused too, from any address.
    expect(Number(await lockOf('eve@customer.example'))).toBe(30);
    const refused = await login('eve@customer.example', 'eve-password-1', '203.0.113.2');
    expect(refused.errors?.[0]).toMatchObject({
      extensions: { code: 'RATE_LIMITED', reason: 'ACCOUNT_LOCKED', retryAfterSeconds: expect.any(Number) },
      message: expect.stringMatching(/too many failed sign-ins for this account: try again in \d+ s/),
    });
    expect(Number(refused.retryAfter)).toBe(refused.errors?.[0]?.extensions?.retryAfterSeconds);
    expect(Number(refused.retryAfter)).toBeGreaterThan(20);
    expect(refused.data?.login ?? null).toBeNull();

    // After the lock one more wrong attempt locks it again, twice as long.
    shiftedMs += 31_000;
    expect(codeOf(await login('eve@customer.example', 'wrong', '203.0.113.1'))).toBe('UNAUTHENTICATED');
    expect(Number(await lockOf('eve@customer.example'))).toBe(60);
    expect(codeOf(await login('eve@customer.example', 'eve-password-1', '203.0.113.1'))).toBe('RATE_LIMITED');

    // Once it ends the right password works, and the account starts over.
    shiftedMs += 61_000;
    expect((await login('eve@customer.example', 'eve-password-1', '203.0.113.1')).data?.login?.accessToken).toEqual(expect.any(String));
    expect(codeOf(await login('eve@customer.example', 'wrong', '203.0.113.1'))).toBe('UNAUTHENTICATED');
    expect((await login('eve@customer.example', 'eve-password-1', '203.0.113.1')).data?.login?.accessToken).toEqual(expect.any(String));

    // Every failure and both locks are in the organization's audit trail, without e-mail or address.
    const audit = async () =>
      app
        .get(DataSource)
        .query<{ action: string; actor: string; reason: string }[]>(`SELECT action, actor, reason FROM identity.audit_log WHERE subject_id = $1 ORDER BY occurred_at`, [userId]);
    await waitFor(async () => (await audit()).filter((entry) => entry.action === 'user.sign_in_failed').length === 5, { timeoutMs: 10_000, description: 'five failures in the audit log' });
    const entries = await audit();
    expect(entries.filter((entry) => entry.action === 'user.sign_in_locked')).toHaveLength(2);
    expect(JSON.stringify(entries)).not.toMatch(/eve@|203\.0\.113/);
  });

  it('throttles one address trying many accounts, unknown ones included, while other addresses still sign in', async () => {
    await createUser('frank@customer.example', 'frank-password-1');
    for (let attempt = 0; attempt < 6; attempt += 1) {
      expect(codeOf(await login(`nobody-${attempt}@customer.example`, 'guess', '192.0.2.66'))).toBe('UNAUTHENTICATED');
    }
    const refused = await login('frank@customer.example', 'frank-password-1', '192.0.2.66');
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', reason: 'ADDRESS_LOCKED' });
    expect(refused.retryAfter).toEqual(expect.stringMatching(/^\d+$/));
    expect((await login('frank@customer.example', 'frank-password-1', '192.0.2.67')).data?.login?.accessToken).toEqual(expect.any(String));
  });

  it('gives a concurrent burst of guesses no more password checks than the limit, and lets a burst of right passwords through', async () => {
    await createUser('grace@customer.example', 'grace-password-1');
    const guesses = await Promise.all(Array.from({ length: 12 }, (_, i) => login('grace@customer.example', 'wrong', `198.18.0.${i + 1}`)));
    const codes = guesses.map(codeOf);
    expect(codes.filter((code) => code === 'UNAUTHENTICATED')).toHaveLength(3);
    expect(codes.filter((code) => code === 'RATE_LIMITED')).toHaveLength(9);

    await createUser('henry@customer.example', 'henry-password-1');
    const signIns = await Promise.all(Array.from({ length: 12 }, (_, i) => login('henry@customer.example', 'henry-password-1', `198.18.1.${i + 1}`)));
    expect(signIns.map((answer) => answer.errors ?? 'signed in')).toEqual(Array.from({ length: 12 }, () => 'signed in'));
    expect(signIns.every((answer) => typeof answer.data?.login?.accessToken === 'string')).toBe(true);
  });
});
