import { z } from 'zod';
import type { ServiceName } from '@offboarding/contracts';
import { kafkaSecurityFromEnv, KafkaSettingsError, type KafkaSecurity } from '@offboarding/messaging';

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
  // Read where they are used; validated here so a typo stops the start with the variable's name.
  SCHEDULER_INTERVAL_MS: z.coerce.number().int().min(0).max(86_400_000).optional(),
  SHUTDOWN_DRAIN_MS: z.coerce.number().int().min(0).max(600_000).optional(),
  MESSAGING_ENABLED: z.enum(['true', 'false']).optional(),
  DB_MIGRATE_ON_START: z.enum(['true', 'false']).optional(),
  KAFKA_CREATE_TOPICS: z.enum(['true', 'false']).optional(),
  KAFKA_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(1000).optional(),
  KAFKA_REPLICATION_FACTOR: z.coerce.number().int().min(1).max(10).optional(),
  MASKING_KEY_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).optional(),
  RETENTION_INTERNAL_URL: z.url({ protocol: /^https?$/ }).optional(),
  INTERNAL_API_TOKEN: z.string().min(32).optional(),
  OTEL_TRACES_EXPORTER: z.enum(['otlp', 'none']).optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
});

export interface ServiceConfig {
  service: ServiceName;
  nodeEnv: 'development' | 'test' | 'production';
  host: string;
  port: number;
  logLevel: string;
  kafkaBrokers: string[];
  /** TLS and SASL towards the brokers (KAFKA_SSL_*, KAFKA_SASL_*); secrets stay wrapped. */
  kafkaSecurity: KafkaSecurity;
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
  let kafkaSecurity: KafkaSecurity;
  try {
    kafkaSecurity = kafkaSecurityFromEnv(env, { production: values.NODE_ENV === 'production' });
  } catch (error) {
    if (error instanceof KafkaSettingsError) throw new ConfigError(`invalid configuration for ${service}: ${error.message}`);
    throw error;
  }
  return {
    service,
    nodeEnv: values.NODE_ENV,
    host: values.HOST,
    port: values.PORT ?? DEFAULT_PORTS[service],
    logLevel: values.LOG_LEVEL,
    kafkaBrokers: values.KAFKA_BROKERS,
    kafkaSecurity,
  };
}
