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

  it('reads TRUST_PROXY as hops or proxy addresses and refuses anything that would believe every client', () => {
    expect(loadGatewayConfig({}).trustProxy).toBe(false);
    expect(loadGatewayConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadGatewayConfig({ TRUST_PROXY: '0' }).trustProxy).toBe(false);
    expect(loadGatewayConfig({ TRUST_PROXY: '10.0.0.0/8, loopback,fd00::/8,192.168.1.7' }).trustProxy).toEqual(['10.0.0.0/8', 'loopback', 'fd00::/8', '192.168.1.7']);
    expect(() => loadGatewayConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY: true would believe any client/);
    expect(() => loadGatewayConfig({ TRUST_PROXY: '10.0.0.0/33' })).toThrow(/TRUST_PROXY: "10.0.0.0\/33" is not an address/);
    expect(() => loadGatewayConfig({ TRUST_PROXY: 'ingress' })).toThrow(/TRUST_PROXY/);
  });

  it('shares the rate limit through REDIS_URL when given, per replica otherwise', () => {
    expect(loadGatewayConfig({}).rateLimit).toEqual({ perMinute: 600, burst: 120, redisUrl: null, keyPrefix: 'offboarding:rate-limit' });
    expect(loadGatewayConfig({ REDIS_URL: 'redis://redis:6379/2' }).rateLimit.redisUrl).toBe('redis://redis:6379/2');
    expect(() => loadGatewayConfig({ REDIS_URL: 'http://redis' })).toThrow(/REDIS_URL/);
  });
});
