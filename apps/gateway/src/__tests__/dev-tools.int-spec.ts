import * as path from 'node:path';
import pino from 'pino';
import { loadGatewayConfig } from '../gateway-config';
import { type RunningGateway, startGateway } from '../gateway-server';

// The dev controls exist only outside production: the production gateway's schema does not
// have the fields at all, and it refuses to serve the dev supergraph.
describe('dev controls at the gateway', () => {
  const logger = pino({ level: 'silent' });
  const post = async (gateway: RunningGateway, query: string) => {
    const res = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    return (await res.json()) as { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
  };
  // Subgraphs nobody listens on: the gateway answers without them for what it can decide itself.
  const unreachable = {
    ENTITLEMENTS_URL: 'http://127.0.0.1:1/graphql',
    PROVISIONING_URL: 'http://127.0.0.1:1/graphql',
    IDENTITY_URL: 'http://127.0.0.1:1/graphql',
    RETENTION_URL: 'http://127.0.0.1:1/graphql',
  };

  it('has no _dev fields in production', async () => {
    const gateway = await startGateway(loadGatewayConfig({ NODE_ENV: 'production', GATEWAY_PORT: '0', HOST: '127.0.0.1', ...unreachable }), logger);
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
    });
    await expect(startGateway(config, logger)).rejects.toThrow(/contains the dev subgraph/);
  });

  it('has them outside production, validating input and naming an unreachable service', async () => {
    const gateway = await startGateway(loadGatewayConfig({ NODE_ENV: 'test', GATEWAY_PORT: '0', HOST: '127.0.0.1', ...unreachable }), logger);
    try {
      expect((await post(gateway, 'mutation { _devAdvanceClock(days: 0) { now } }')).errors?.[0]).toMatchObject({
        message: 'days: must be a whole number from 1 to 3650',
        extensions: { code: 'BAD_USER_INPUT' },
      });
      expect((await post(gateway, '{ _devNow { now } }')).errors?.[0]).toMatchObject({
        message: expect.stringMatching(/entitlements is unreachable/),
        extensions: { code: 'SERVICE_UNAVAILABLE' },
      });
      // Both operations are counted (unnamed, failed) in the gateway's own metrics.
      const metrics = await (await fetch(gateway.url.replace(/\/graphql$/, '/metrics'))).text();
      expect(metrics).toMatch(/^graphql_operations_total\{operation="anonymous",outcome="error",service="gateway"\} 2$/m);
    } finally {
      await gateway.stop();
    }
  });
});
