import { z } from 'zod';
import type { ServiceName } from '@offboarding/contracts';
import { DEFAULT_MESSAGING_RETENTION, kafkaSecurityFromEnv, KafkaSettingsError, type KafkaSecurity, type MessagingRetention } from '@offboarding/messaging';
import { type DatabaseTarget, resolveDatabaseTarget } from '@offboarding/persistence';
import type { MaskingKeySource } from '../privacy/http-masking-keys';
import { devClockFile } from '../time/offset-file';

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
  MASKING_KEY_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  RETENTION_INTERNAL_URL: z.url({ protocol: /^https?$/ }).default('http://localhost:4004'),
  IDENTITY_URL: z.url({ protocol: /^https?$/ }).default('http://localhost:4003/graphql'),
  IDENTITY_JWKS_URL: z.url({ protocol: /^https?$/ }).optional(),
  INTERNAL_API_TOKEN: z.string().min(32).optional(),
  IDEMPOTENCY_KEY_TTL_HOURS: z.coerce.number().int().min(1).max(720).default(24),
  REVOCATION_POLL_INTERVAL_MS: z.coerce.number().int().min(100).max(60_000).default(1_000),
  TRUST_PROXY: z.string().min(1).default('loopback, linklocal, uniquelocal'),
  OTEL_TRACES_EXPORTER: z.enum(['otlp', 'none']).optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
});

/**
 * How the process runs, decided once at start-up by bootstrap: `serve` (listen, consume, run the
 * in-process scheduler), `job` (`run-job <name>`: one job, then exit; no consumer, no interval, no
 * revocation polling) or `schema-only` (print the schema or the job list: no database, no messaging).
 */
export type RunMode = 'serve' | 'job' | 'schema-only';

export interface ServiceConfig {
  service: ServiceName;
  /** The run mode and whether Kafka is used at all (MESSAGING_ENABLED; never in schema-only). */
  run: { mode: RunMode; messaging: boolean };
  /** Where the data lives (<SERVICE>_DATABASE_URL, DATABASE_URL, DATA_DIR); migrated on start outside production unless DB_MIGRATE_ON_START=false. */
  database: { target: DatabaseTarget; migrateOnStart: boolean };
  /** Outside production the service declares the topics it touches (KAFKA_CREATE_TOPICS), with these partitions and replicas. */
  topics: { create: boolean; partitions: number; replicationFactor: number };
  /** How long readiness reports 503 before the server stops accepting on SIGTERM (SHUTDOWN_DRAIN_MS). */
  shutdownDrainMs: number;
  /** The shared token of service-to-service calls (INTERNAL_API_TOKEN; a fixed development token outside production). */
  internalApiToken: string;
  /** Where masking keys are fetched from (the retention service's internal API). */
  maskingKeys: MaskingKeySource;
  /** The identity service's public keys (IDENTITY_JWKS_URL, else from IDENTITY_URL) and its revocation feed (from IDENTITY_URL). */
  identity: { jwksUrl: string; revocationFeedUrl: string };
  /** The file that keeps the development clock's offset (under DATA_DIR; in development by default); null keeps it in memory. */
  devClockFile: string | null;
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

/**
 * Reads and validates a service's environment once at start-up; every problem names its variable.
 * `mode` is the run mode bootstrap chose (see withRunMode).
 */
export function loadServiceConfig(service: ServiceName, env: NodeJS.ProcessEnv = process.env, mode: RunMode = 'serve'): ServiceConfig {
  return withRunMode(readServiceConfig(service, env), mode);
}

/**
 * The configuration in another run mode, checked for what that mode needs: serving or running a
 * job in production needs PostgreSQL and INTERNAL_API_TOKEN; printing the schema needs neither.
 */
export function withRunMode(config: ServiceConfig, mode: RunMode): ServiceConfig {
  const needsEverything = mode !== 'schema-only' && config.nodeEnv === 'production';
  if (needsEverything && config.database.target.kind !== 'postgres') {
    const variable = `${config.service.toUpperCase()}_DATABASE_URL`;
    throw new ConfigError(
      `invalid configuration for ${config.service}: production needs PostgreSQL: set ${variable} or DATABASE_URL to a postgres:// URL (the embedded database is for development only)`,
    );
  }
  if (needsEverything && config.internalApiToken === DEVELOPMENT_INTERNAL_TOKEN) {
    throw new ConfigError(`invalid configuration for ${config.service}: INTERNAL_API_TOKEN is required in production`);
  }
  return { ...config, run: { mode, messaging: mode !== 'schema-only' && config.run.messaging } };
}

/** Outside production, service-to-service calls carry this token unless INTERNAL_API_TOKEN is set. */
export const DEVELOPMENT_INTERNAL_TOKEN = 'development-internal-token';

/** The settings as the environment gives them, in `serve` mode and not yet checked against a mode (see withRunMode). */
export function readServiceConfig(service: ServiceName, env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const result = baseSchema.safeParse({ ...env, PORT: env[`${service.toUpperCase()}_PORT`] ?? env.PORT });
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || 'env'}: ${issue.message}`);
    throw new ConfigError(`invalid configuration for ${service}: ${problems.join('; ')}`);
  }
  const values = result.data;
  let target: DatabaseTarget;
  try {
    target = resolveDatabaseTarget(service, env);
  } catch (error) {
    throw new ConfigError(`invalid configuration for ${service}: ${error instanceof Error ? error.message : String(error)}`);
  }
  let kafkaSecurity: KafkaSecurity;
  try {
    kafkaSecurity = kafkaSecurityFromEnv(env, { production: values.NODE_ENV === 'production' });
  } catch (error) {
    if (error instanceof KafkaSettingsError) throw new ConfigError(`invalid configuration for ${service}: ${error.message}`);
    throw error;
  }
  const internalApiToken = values.INTERNAL_API_TOKEN?.trim() || DEVELOPMENT_INTERNAL_TOKEN;
  const identityUrl = (pathname: string) => new URL(pathname, new URL(values.IDENTITY_URL).origin).toString();
  return {
    service,
    run: { mode: 'serve', messaging: values.MESSAGING_ENABLED !== 'false' },
    database: { target, migrateOnStart: values.DB_MIGRATE_ON_START !== 'false' && values.NODE_ENV !== 'production' },
    topics: {
      create: values.KAFKA_CREATE_TOPICS !== 'false' && values.NODE_ENV !== 'production',
      partitions: values.KAFKA_TOPIC_PARTITIONS ?? 3,
      replicationFactor: values.KAFKA_REPLICATION_FACTOR ?? 1,
    },
    shutdownDrainMs: values.SHUTDOWN_DRAIN_MS ?? 0,
    internalApiToken,
    maskingKeys: { retentionInternalUrl: values.RETENTION_INTERNAL_URL.replace(/\/+$/, ''), maskingKeyTimeoutMs: values.MASKING_KEY_TIMEOUT_MS, internalApiToken },
    identity: { jwksUrl: values.IDENTITY_JWKS_URL ?? identityUrl('/.well-known/jwks.json'), revocationFeedUrl: identityUrl('/internal/revoked-sessions') },
    devClockFile: devClockFile(service, env),
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
