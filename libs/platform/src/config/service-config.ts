import { z } from 'zod';
import type { ServiceName } from '@offboarding/contracts';
import { DEFAULT_MESSAGING_RETENTION, kafkaSecurityFromEnv, KafkaSettingsError, type KafkaSecurity, type MessagingRetention } from '@offboarding/messaging';

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
  SCHEDULER_MODE: z.enum(['in-process', 'cron']).default('in-process'),
  // 0 turns the in-process interval off, as SCHEDULER_MODE=cron does.
  SCHEDULER_INTERVAL_MS: z.coerce.number().int().min(0).max(86_400_000).default(60_000),
  SHUTDOWN_DRAIN_MS: z.coerce.number().int().min(0).max(600_000).optional(),
  OUTBOX_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(DEFAULT_MESSAGING_RETENTION.outboxDays),
  INBOX_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(DEFAULT_MESSAGING_RETENTION.inboxDays),
  JOB_RUN_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  PRUNE_BATCH_SIZE: z.coerce.number().int().min(1).max(100_000).default(DEFAULT_MESSAGING_RETENTION.batchSize),
  PRUNE_MAX_BATCHES: z.coerce.number().int().min(1).max(100_000).default(DEFAULT_MESSAGING_RETENTION.maxBatches),
  MESSAGING_ENABLED: z.enum(['true', 'false']).optional(),
  DB_MIGRATE_ON_START: z.enum(['true', 'false']).optional(),
  KAFKA_CREATE_TOPICS: z.enum(['true', 'false']).optional(),
  KAFKA_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(1000).optional(),
  KAFKA_REPLICATION_FACTOR: z.coerce.number().int().min(1).max(10).optional(),
  MASKING_KEY_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).optional(),
  RETENTION_INTERNAL_URL: z.url({ protocol: /^https?$/ }).optional(),
  INTERNAL_API_TOKEN: z.string().min(32).optional(),
  IDEMPOTENCY_KEY_TTL_HOURS: z.coerce.number().int().min(1).max(720).default(24),
  REVOCATION_POLL_INTERVAL_MS: z.coerce.number().int().min(100).max(60_000).default(1_000),
  TRUST_PROXY: z.string().min(1).default('loopback, linklocal, uniquelocal'),
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
  /** How long an Idempotency-Key and the outcome it recorded are kept. */
  idempotencyKeyTtlHours: number;
  /** How often the list of revoked sessions is read from identity. */
  revocationPollIntervalMs: number;
  /** Express's `trust proxy`: whose X-Forwarded-For names the client (the gateway's, in the cluster). */
  trustProxy: boolean | number | string;
  /** TLS and SASL towards the brokers (KAFKA_SSL_*, KAFKA_SASL_*); secrets stay wrapped. */
  kafkaSecurity: KafkaSecurity;
  /**
   * Who runs the scheduled jobs: `in-process` (every SCHEDULER_INTERVAL_MS inside the service;
   * `npm start`, compose) or `cron` (only `run-job <name>`, i.e. Kubernetes CronJobs).
   */
  scheduler: { mode: 'in-process' | 'cron'; intervalMs: number };
  /** What the prune-tables job keeps: sent outbox rows, inbox ids, job run records. */
  pruning: MessagingRetention & { jobRunDays: number };
}

/** TRUST_PROXY as Express reads it: true/false, a number of hops, or addresses and subnets. */
export function trustProxySetting(value: string): boolean | number | string {
  if (value === 'true' || value === 'false') return value === 'true';
  return /^\d+$/.test(value) ? Number(value) : value;
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
  if (values.NODE_ENV === 'production' && env.SCHEMA_ONLY !== 'true') {
    const variable = `${service.toUpperCase()}_DATABASE_URL`;
    const url = env[variable] || env.DATABASE_URL;
    if (!url || !/^postgres(ql)?:\/\//.test(url)) {
      throw new ConfigError(
        `invalid configuration for ${service}: production needs PostgreSQL: set ${variable} or DATABASE_URL to a postgres:// URL (the embedded database is for development only)`,
      );
    }
  }
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
    idempotencyKeyTtlHours: values.IDEMPOTENCY_KEY_TTL_HOURS,
    revocationPollIntervalMs: values.REVOCATION_POLL_INTERVAL_MS,
    trustProxy: trustProxySetting(values.TRUST_PROXY),
    kafkaSecurity,
    pruning: {
      outboxDays: values.OUTBOX_RETENTION_DAYS,
      inboxDays: values.INBOX_RETENTION_DAYS,
      jobRunDays: values.JOB_RUN_RETENTION_DAYS,
      batchSize: values.PRUNE_BATCH_SIZE,
      maxBatches: values.PRUNE_MAX_BATCHES,
    },
    scheduler: { mode: values.SCHEDULER_INTERVAL_MS === 0 ? 'cron' : values.SCHEDULER_MODE, intervalMs: values.SCHEDULER_INTERVAL_MS || 60_000 },
  };
}
