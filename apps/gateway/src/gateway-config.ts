import * as path from 'node:path';
import { z } from 'zod';

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
  /** Subgraph URL overrides; the checked-in supergraph names localhost defaults. */
  subgraphUrls: Partial<Record<SubgraphName, string>>;
  logLevel: string;
}

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  GATEWAY_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  PORT: z.coerce.number().int().min(0).max(65535).optional(),
  SUPERGRAPH_PATH: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ENTITLEMENTS_URL: z.url().optional(),
  PROVISIONING_URL: z.url().optional(),
  IDENTITY_URL: z.url().optional(),
  RETENTION_URL: z.url().optional(),
});

export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`invalid gateway configuration: ${problems.join('; ')}`);
  }
  const values = result.data;
  const subgraphUrls: GatewayConfig['subgraphUrls'] = {};
  for (const name of SUBGRAPH_NAMES) {
    const url = values[`${name.toUpperCase() as Uppercase<SubgraphName>}_URL`];
    if (url) subgraphUrls[name] = url;
  }
  return {
    nodeEnv: values.NODE_ENV,
    devTools: values.NODE_ENV !== 'production',
    host: values.HOST,
    port: values.GATEWAY_PORT ?? values.PORT ?? 4000,
    // Outside production the supergraph also has the `dev` subgraph (clock and job controls).
    supergraphPath: path.resolve(
      values.SUPERGRAPH_PATH ?? path.join(__dirname, '..', values.NODE_ENV === 'production' ? 'supergraph.graphql' : 'supergraph.dev.graphql'),
    ),
    subgraphUrls,
    logLevel: values.LOG_LEVEL,
  };
}
