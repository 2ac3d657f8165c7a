import * as path from 'node:path';
import { z } from 'zod';

export const SUBGRAPH_NAMES = ['entitlements', 'provisioning', 'identity', 'retention'] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

export interface GatewayConfig {
  nodeEnv: 'development' | 'test' | 'production';
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
    host: values.HOST,
    port: values.GATEWAY_PORT ?? values.PORT ?? 4000,
    supergraphPath: path.resolve(values.SUPERGRAPH_PATH ?? path.join(__dirname, '..', 'supergraph.graphql')),
    subgraphUrls,
    logLevel: values.LOG_LEVEL,
  };
}
