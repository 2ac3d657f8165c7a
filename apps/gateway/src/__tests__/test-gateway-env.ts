/**
 * The environment of a gateway under test: listening on a free port, identity at the test
 * identity's address, the other subgraphs wherever a test puts them (unreachable by default).
 */
export function testGatewayEnv(identityGraphqlUrl: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    GATEWAY_PORT: '0',
    HOST: '127.0.0.1',
    ENTITLEMENTS_URL: 'http://127.0.0.1:1/graphql',
    PROVISIONING_URL: 'http://127.0.0.1:1/graphql',
    IDENTITY_URL: identityGraphqlUrl,
    RETENTION_URL: 'http://127.0.0.1:1/graphql',
    ...overrides,
  };
}
