import { z } from 'zod';
import type { ServiceName } from '@offboarding/contracts';

export const DEFAULT_PORTS: Record<ServiceName | 'gateway', number> = {
  gateway: 4000,
  entitlements: 4001,
  provisioning: 4002,
  identity: 4003,
  retention: 4004,
};

const baseSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).optional(),
  HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  KAFKA_BROKERS: z
    .string()
    .min(1)
    .default('localhost:9092')
    .transform((value) => value.split(',').map((broker) => broker.trim()).filter(Boolean)),
});

export interface ServiceConfig {
  service: ServiceName;
  nodeEnv: 'development' | 'test' | 'production';
  host: string;
  port: number;
  logLevel: string;
  kafkaBrokers: string[];
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads and validates a service's environment once at start-up; every problem names its variable. */
export function loadServiceConfig(service: ServiceName, env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const result = baseSchema.safeParse({ ...env, PORT: env[`${service.toUpperCase()}_PORT`] ?? env.PORT });
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || 'env'}: ${issue.message}`);
    throw new ConfigError(`invalid configuration for ${service}: ${problems.join('; ')}`);
  }
  const values = result.data;
  return {
    service,
    nodeEnv: values.NODE_ENV,
    host: values.HOST,
    port: values.PORT ?? DEFAULT_PORTS[service],
    logLevel: values.LOG_LEVEL,
    kafkaBrokers: values.KAFKA_BROKERS,
  };
}
