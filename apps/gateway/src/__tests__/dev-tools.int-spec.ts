import * as path from 'node:path';
import pino from 'pino';
import { TestIdentity } from '@offboarding/testing';
import { loadGatewayConfig } from '../gateway-config';
import { type RunningGateway, startGateway } from '../gateway-server';

// The dev controls exist only outside production: the production gateway's schema does not
// have the fields at all, and it refuses to serve the dev supergraph.
describe('dev controls at the gateway', () => {
  const logger = pino({ level: 'silent' });
  let identity: TestIdentity;
  let adminToken: string;
  const post = async (gateway: RunningGateway, query: string, token: string | null = adminToken) => {
    const res = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query }),
    });
    return (await res.json()) as { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
  };
  // Subgraphs nobody listens on (identity: a stand-in with keys and the revocation feed): the
  // gateway answers without them for what it can decide itself.
  let unreachable: Record<string, string>;

  beforeAll(async () => {
    identity = await TestIdentity.start();
    adminToken = await identity.token({ role: 'ADMIN' });
    unreachable = {
      ENTITLEMENTS_URL: 'http://127.0.0.1:1/graphql',
      PROVISIONING_URL: 'http://127.0.0.1:1/graphql',
      IDENTITY_URL: identity.graphqlUrl,
      RETENTION_URL: 'http://127.0.0.1:1/graphql',
      INTERNAL_API_TOKEN: 'development-internal-token-of-32-characters',
    };
  });
  afterAll(() => identity.stop());

  it('has no _dev fields in production', async () => {
    const gateway = await startGateway(loadGatewayConfig({ NODE_ENV: 'production', GATEWAY_PORT: '0', HOST: '127.0.0.1', ...unreachable }), logger);
    // The stand-in accepts any internal token; the production gateway must send the configured one.
    try {
      for (const query of ['{ _devNow { now } }', 'mutation { _devAdvanceClock(days: 1) { now } }', 'mutation { _devRunScheduledJobs { job } }']) {
        const result = await post(gateway, query);
        expect(result.errors?.[0]).toMatchObject({ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' }, message: expect.stringMatching(/Cannot query field "_dev/) });
      }
    } finally {
      await gateway.stop();
    }
  });

  it('refuses to serve the dev supergraph in production', async () => {
    const config = loadGatewayConfig({
      NODE_ENV: 'production',
      GATEWAY_PORT: '0',
      HOST: '127.0.0.1',
      SUPERGRAPH_PATH: path.resolve(__dirname, '../../supergraph.dev.graphql'),
      INTERNAL_API_TOKEN: 'development-internal-token-of-32-characters',
    });
    await expect(startGateway(config, logger)).rejects.toThrow(/contains the dev subgraph/);
  });

  it('has them outside production for staff admins only, validating input and naming an unreachable service', async () => {
    const gateway = await startGateway(loadGatewayConfig({ NODE_ENV: 'test', GATEWAY_PORT: '0', HOST: '127.0.0.1', ...unreachable }), logger);
    try {
      expect((await post(gateway, '{ _devNow { now } }', null)).errors?.[0]).toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
      const collaborator = await identity.token({ role: 'COLLABORATOR', organizationId: '0b9d6a4e-3f1c-4d8a-9e2b-7c5f1a2d3e4f' });
      expect((await post(gateway, 'mutation { _devAdvanceClock(days: 1) { now } }', collaborator)).errors?.[0]).toMatchObject({
        message: 'the development controls need the role ADMIN',
        extensions: { code: 'FORBIDDEN' },
      });
      expect((await post(gateway, 'mutation { _devAdvanceClock(days: 0) { now } }')).errors?.[0]).toMatchObject({
        message: 'days: must be a whole number from 1 to 3650',
        extensions: { code: 'BAD_USER_INPUT' },
      });
      expect((await post(gateway, '{ _devNow { now } }')).errors?.[0]).toMatchObject({
        message: expect.stringMatching(/entitlements is unreachable/),
        extensions: { code: 'SERVICE_UNAVAILABLE' },
      });
      // The operations that reached the gateway's GraphQL server are counted (unnamed, failed).
      const metrics = await (await fetch(gateway.url.replace(/\/graphql$/, '/metrics'))).text();
      const counted = /^graphql_operations_total\{operation="anonymous",outcome="error",service="gateway"\} (\d+)$/m.exec(metrics);
      expect(Number(counted?.[1])).toBeGreaterThanOrEqual(2);
    } finally {
      await gateway.stop();
    }
  });
});
