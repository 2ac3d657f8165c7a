import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import pino from 'pino';
import { TestIdentity } from '@offboarding/testing';
import { loadGatewayConfig } from '../gateway-config';
import { type RunningGateway, startGateway } from '../gateway-server';
import { testGatewayEnv } from './test-gateway-env';

// The per-caller rate limit as a deployment sees it: behind an ingress (TRUST_PROXY decides who
// the anonymous caller is) and with several gateway replicas (REDIS_URL makes them share one
// limit). Anonymous requests are used because their bucket is the client address.

const logger = pino({ level: 'silent' });
const query = { query: '{ _devNow { now } }' };

describe('gateway rate limit behind a proxy and across replicas', () => {
  let identity: TestIdentity;
  const gateways: RunningGateway[] = [];

  beforeAll(async () => {
    identity = await TestIdentity.start();
  });
  afterEach(async () => {
    await Promise.all(gateways.splice(0).map((gateway) => gateway.stop()));
  });
  afterAll(async () => {
    await identity?.stop();
  });

  const start = async (env: Record<string, string>): Promise<RunningGateway> => {
    const gateway = await startGateway(
      loadGatewayConfig(testGatewayEnv(identity.graphqlUrl, { RATE_LIMIT_BURST: '2', RATE_LIMIT_PER_MINUTE: '4', ...env })),
      logger,
    );
    gateways.push(gateway);
    return gateway;
  };
  const status = async (gateway: RunningGateway, forwardedFor?: string): Promise<number> =>
    (
      await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
        body: JSON.stringify(query),
      })
    ).status;

  it('without TRUST_PROXY every caller behind the proxy shares the proxy’s bucket', async () => {
    const gateway = await start({});
    expect([await status(gateway, '203.0.113.7'), await status(gateway, '203.0.113.8'), await status(gateway, '203.0.113.9')]).toEqual([200, 200, 429]);
  });

  it('with TRUST_PROXY=1 each client behind the ingress has its own bucket, and cannot pick one by forging the header', async () => {
    const gateway = await start({ TRUST_PROXY: '1' });
    expect([await status(gateway, '203.0.113.7'), await status(gateway, '203.0.113.7'), await status(gateway, '203.0.113.7')]).toEqual([200, 200, 429]);
    expect(await status(gateway, '203.0.113.8')).toBe(200);
    // The ingress appends the address it saw; what the client wrote before it is not believed.
    expect(await status(gateway, '198.51.100.1, 203.0.113.7')).toBe(429);
  });

  it('with TRUST_PROXY naming the proxy by address the same holds', async () => {
    const gateway = await start({ TRUST_PROXY: 'loopback' });
    expect([await status(gateway, '203.0.113.7'), await status(gateway, '203.0.113.7'), await status(gateway, '203.0.113.7')]).toEqual([200, 200, 429]);
    expect(await status(gateway, '203.0.113.8')).toBe(200);
  });

  it('without REDIS_URL each replica counts on its own', async () => {
    const [a, b] = [await start({}), await start({})];
    expect([await status(a), await status(a), await status(b), await status(b)]).toEqual([200, 200, 200, 200]);
    expect(await status(a)).toBe(429);
  });

  it('falls back to each replica’s own limit while Redis cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const gateway = await start({ REDIS_URL: `redis://127.0.0.1:${port}`, RATE_LIMIT_REDIS_PREFIX: `test:${randomUUID()}` });
    expect([await status(gateway), await status(gateway), await status(gateway)]).toEqual([200, 200, 429]);
  });

  // The machine's Redis (TEST_REDIS_URL, set by CI); unique key prefixes keep runs apart.
  const redisUrl = process.env.TEST_REDIS_URL;
  (redisUrl ? describe : describe.skip)('with a shared Redis (TEST_REDIS_URL)', () => {
    it('gives all replicas one limit, and one Retry-After', async () => {
      const prefix = `offboarding-test:${randomUUID()}`;
      const [a, b] = [await start({ REDIS_URL: redisUrl!, RATE_LIMIT_REDIS_PREFIX: prefix, TRUST_PROXY: '1' }), await start({ REDIS_URL: redisUrl!, RATE_LIMIT_REDIS_PREFIX: prefix, TRUST_PROXY: '1' })];
      expect([await status(a, '203.0.113.7'), await status(b, '203.0.113.7')]).toEqual([200, 200]);
      const refused = await fetch(a.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.7' }, body: JSON.stringify(query) });
      expect(refused.status).toBe(429);
      // 2 requests per window of 2 × 60 / 4 = 30 s.
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(30);
      expect(await status(b, '203.0.113.7')).toBe(429);
      expect(await status(b, '203.0.113.8')).toBe(200);
      const redis = new Redis(redisUrl!);
      try {
        const keys = await redis.keys(`${prefix}*`);
        expect(keys.sort()).toEqual([`${prefix}:ip:203.0.113.7`, `${prefix}:ip:203.0.113.8`]);
        await redis.del(...keys);
      } finally {
        redis.disconnect();
      }
    });
  });
});
