import { isIP } from 'node:net';
import * as path from 'node:path';
import { z } from 'zod';
import { DEFAULT_QUERY_LIMITS, type QueryLimits } from './query-limits';

export const SUBGRAPH_NAMES = ['entitlements', 'provisioning', 'identity', 'retention'] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

/** Where each subgraph listens unless `<NAME>_URL` says otherwise (the supergraph's defaults). */
export const DEFAULT_SUBGRAPH_URLS: Record<SubgraphName, string> = {
  entitlements: 'http://localhost:4001/graphql',
  provisioning: 'http://localhost:4002/graphql',
  identity: 'http://localhost:4003/graphql',
  retention: 'http://localhost:4004/graphql',
};

export interface GatewayConfig {
  nodeEnv: 'development' | 'test' | 'production';
  /** `_devAdvanceClock`, `_devNow`, `_devRunScheduledJobs`: never in production. */
  devTools: boolean;
  host: string;
  port: number;
  supergraphPath: string;
  /** The built admin console served under /console. */
  consoleDir: string;
  /** The built API explorer (GraphiQL), served at /explorer/ outside production. */
  explorerDir: string;
  /** Subgraph URL overrides; the checked-in supergraph names localhost defaults. */
  subgraphUrls: Partial<Record<SubgraphName, string>>;
  logLevel: string;
  /** Where the identity service publishes its token signing keys. */
  jwksUrl: string;
  /** Base URL of the identity service's HTTP endpoints (the revocation feed). */
  identityBaseUrl: string;
  revocationPollIntervalMs: number;
  /** Shared token for identity's /internal endpoints (null: the development token). */
  internalApiToken: string | null;
  /**
   * Per-caller rate limit; shared by all replicas through Redis when `redisUrl` is set, per
   * replica otherwise.
   */
  rateLimit: { perMinute: number; burst: number; redisUrl: string | null; keyPrefix: string };
  /**
   * Which proxies in front of the gateway are believed about the client address
   * (X-Forwarded-For): false (none, the default), a number of hops, or addresses / CIDRs.
   */
  trustProxy: false | number | string[];
  queryLimits: QueryLimits;
}

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  GATEWAY_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  PORT: z.coerce.number().int().min(0).max(65535).optional(),
  SUPERGRAPH_PATH: z.string().min(1).optional(),
  CONSOLE_DIR: z.string().min(1).optional(),
  EXPLORER_DIR: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ENTITLEMENTS_URL: z.url().optional(),
  PROVISIONING_URL: z.url().optional(),
  IDENTITY_URL: z.url().optional(),
  RETENTION_URL: z.url().optional(),
  IDENTITY_JWKS_URL: z.url().optional(),
  REVOCATION_POLL_INTERVAL_MS: z.coerce.number().int().min(100).max(60_000).default(1_000),
  INTERNAL_API_TOKEN: z.string().min(32).optional(),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  RATE_LIMIT_BURST: z.coerce.number().int().min(1).default(120),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  RATE_LIMIT_REDIS_PREFIX: z.string().min(1).max(100).default('offboarding:rate-limit'),
  TRUST_PROXY: z.string().optional().transform((value, context) => {
    const parsed = parseTrustProxy(value);
    if (typeof parsed === 'string') {
      context.addIssue({ code: 'custom', message: parsed });
      return z.NEVER;
    }
    return parsed;
  }),
  MAX_QUERY_DEPTH: z.coerce.number().int().min(2).max(100).default(DEFAULT_QUERY_LIMITS.maxDepth),
  MAX_QUERY_ALIASES: z.coerce.number().int().min(0).max(1000).default(DEFAULT_QUERY_LIMITS.maxAliases),
  MAX_QUERY_COST: z.coerce.number().int().min(10).default(DEFAULT_QUERY_LIMITS.maxCost),
  MAX_QUERY_TOKENS: z.coerce.number().int().min(100).max(1_000_000).default(DEFAULT_QUERY_LIMITS.maxTokens),
  MAX_QUERY_DIRECTIVES: z.coerce.number().int().min(0).max(10_000).default(DEFAULT_QUERY_LIMITS.maxDirectives),
  MAX_QUERY_FRAGMENT_SPREADS: z.coerce.number().int().min(0).max(10_000).default(DEFAULT_QUERY_LIMITS.maxFragmentSpreads),
  MAX_QUERY_REPEATED_FIELDS: z.coerce.number().int().min(0).max(10_000).default(DEFAULT_QUERY_LIMITS.maxRepeatedFields),
});

export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`invalid gateway configuration: ${problems.join('; ')}`);
  }
  const values = result.data;
  // Like the services: production never falls back to the development token for identity's feed.
  if (values.NODE_ENV === 'production' && !values.INTERNAL_API_TOKEN) {
    throw new Error('invalid gateway configuration: INTERNAL_API_TOKEN is required in production (the revocation feed of identity needs it)');
  }
  const subgraphUrls: GatewayConfig['subgraphUrls'] = {};
  for (const name of SUBGRAPH_NAMES) {
    const url = values[`${name.toUpperCase() as Uppercase<SubgraphName>}_URL`];
    if (url) subgraphUrls[name] = url;
  }
  const identityBaseUrl = new URL(subgraphUrls.identity ?? DEFAULT_SUBGRAPH_URLS.identity).origin;
  return {
    nodeEnv: values.NODE_ENV,
    devTools: values.NODE_ENV !== 'production',
    host: values.HOST,
    port: values.GATEWAY_PORT ?? values.PORT ?? 4000,
    // Outside production the supergraph also has the `dev` subgraph (clock and job controls).
    supergraphPath: path.resolve(
      values.SUPERGRAPH_PATH ?? path.join(__dirname, '..', values.NODE_ENV === 'production' ? 'supergraph.graphql' : 'supergraph.dev.graphql'),
    ),
    // apps/console/dist beside the sources, and dist/apps/console/dist beside the built gateway.
    consoleDir: path.resolve(values.CONSOLE_DIR ?? path.join(__dirname, '..', '..', 'console', 'dist')),
    // The API explorer, built with the console; served outside production only.
    explorerDir: path.resolve(values.EXPLORER_DIR ?? path.join(__dirname, '..', '..', 'console', 'dist-explorer')),
    subgraphUrls,
    logLevel: values.LOG_LEVEL,
    jwksUrl: values.IDENTITY_JWKS_URL ?? new URL('/.well-known/jwks.json', identityBaseUrl).toString(),
    identityBaseUrl,
    revocationPollIntervalMs: values.REVOCATION_POLL_INTERVAL_MS,
    internalApiToken: values.INTERNAL_API_TOKEN ?? null,
    rateLimit: { perMinute: values.RATE_LIMIT_PER_MINUTE, burst: values.RATE_LIMIT_BURST, redisUrl: values.REDIS_URL ?? null, keyPrefix: values.RATE_LIMIT_REDIS_PREFIX },
    trustProxy: values.TRUST_PROXY,
    queryLimits: {
      maxTokens: values.MAX_QUERY_TOKENS,
      maxDepth: values.MAX_QUERY_DEPTH,
      maxAliases: values.MAX_QUERY_ALIASES,
      maxDirectives: values.MAX_QUERY_DIRECTIVES,
      maxFragmentSpreads: values.MAX_QUERY_FRAGMENT_SPREADS,
      maxRepeatedFields: values.MAX_QUERY_REPEATED_FIELDS,
      maxCost: values.MAX_QUERY_COST,
    },
  };
}

const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * TRUST_PROXY: unset or `false` trusts no proxy (the TCP peer is the client); a whole number is
 * how many proxies (ingress, load balancer) stand in front; otherwise a comma-separated list of
 * proxy addresses, CIDRs or `loopback` / `linklocal` / `uniquelocal`. `true` (believe any
 * X-Forwarded-For) is refused: every client could then choose its own rate-limit bucket.
 * Returns the setting, or a message saying what is wrong.
 */
export function parseTrustProxy(value: string | undefined): false | number | string[] | string {
  const text = value?.trim() ?? '';
  if (text === '' || text === 'false') return false;
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    return hops <= 20 ? (hops === 0 ? false : hops) : 'a number of proxies must be at most 20';
  }
  if (text === 'true') return 'true would believe any client\'s X-Forwarded-For; give the number of proxies or their addresses / CIDRs';
  const entries = text.split(',').map((entry) => entry.trim()).filter(Boolean);
  for (const entry of entries) {
    if (NAMED_RANGES.has(entry)) continue;
    const [address, prefix, ...rest] = entry.split('/');
    const family = isIP(address);
    const maxPrefix = family === 4 ? 32 : 128;
    const prefixOk = prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= maxPrefix);
    if (family === 0 || !prefixOk || rest.length > 0) return `"${entry}" is not an address, a CIDR or one of loopback, linklocal, uniquelocal`;
  }
  return entries;
}
