// The baseline gateway of the federated-read benchmark, loaded by `hive-gateway supergraph -c`.
// It serves the same supergraph file as ours and reaches the subgraphs at the same URLs, which
// the benchmark passes in the same variables our gateway reads (the file names localhost:400x).

const SUBGRAPHS = ['entitlements', 'provisioning', 'identity', 'retention'] as const;

function subgraphUrl(name: (typeof SUBGRAPHS)[number]): string {
  const url = process.env[`${name.toUpperCase()}_URL`];
  if (!url) throw new Error(`${name.toUpperCase()}_URL is not set`);
  return url;
}

// A plain object, not the package's `defineConfig`: its type declarations bring a newer
// @types/node that breaks the type check of the rest of the repository in one tsc program.
export const gatewayConfig = {
  transportEntries: Object.fromEntries(SUBGRAPHS.map((name) => [name, { location: subgraphUrl(name) }])),
  // Every subgraph verifies the caller's token itself, as behind our gateway.
  propagateHeaders: {
    fromClientToSubgraphs: ({ request }: { request: Request }) => ({ authorization: request.headers.get('authorization') }),
  },
  logging: 'warn',
};
