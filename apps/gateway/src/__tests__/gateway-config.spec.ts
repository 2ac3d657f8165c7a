import * as path from 'node:path';
import { loadGatewayConfig } from '../gateway-config';

describe('gateway configuration', () => {
  it('serves the checked-in supergraph with the dev controls on port 4000 by default', () => {
    const config = loadGatewayConfig({});
    expect(config.port).toBe(4000);
    expect(config.devTools).toBe(true);
    expect(config.supergraphPath).toBe(path.resolve(__dirname, '../../supergraph.dev.graphql'));
    expect(config.subgraphUrls).toEqual({});
  });

  it('serves the production supergraph without dev controls in production', () => {
    const config = loadGatewayConfig({ NODE_ENV: 'production', INTERNAL_API_TOKEN: 'x'.repeat(32) });
    expect(config.devTools).toBe(false);
    expect(config.supergraphPath).toBe(path.resolve(__dirname, '../../supergraph.graphql'));
  });

  it('refuses to start in production without INTERNAL_API_TOKEN, naming it', () => {
    expect(() => loadGatewayConfig({ NODE_ENV: 'production' })).toThrow('INTERNAL_API_TOKEN is required in production');
    expect(() => loadGatewayConfig({ NODE_ENV: 'production', INTERNAL_API_TOKEN: 'too short' })).toThrow(/INTERNAL_API_TOKEN/);
  });

  it('takes port and subgraph URL overrides and rejects malformed ones by name', () => {
    const config = loadGatewayConfig({ GATEWAY_PORT: '8080', IDENTITY_URL: 'http://identity:4003/graphql' });
    expect(config.port).toBe(8080);
    expect(config.subgraphUrls).toEqual({ identity: 'http://identity:4003/graphql' });
    expect(() => loadGatewayConfig({ RETENTION_URL: 'not a url' })).toThrow(/RETENTION_URL/);
  });
});
