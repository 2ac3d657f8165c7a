import { Kafka, logLevel, Partitioners, type Producer, type RetryOptions } from 'kafkajs';
import { kafkaJsSecurity, kafkaSecurityFromEnv, type KafkaSecurity } from './kafka-security';
import type { MessagingLogger } from './logger';

export interface CreateKafkaOptions {
  clientId: string;
  /** Default: KAFKA_BROKERS (comma separated), else localhost:9092. */
  brokers?: string[];
  logger: MessagingLogger;
  /** Least severe kafkajs level passed on; default INFO. */
  logLevel?: logLevel;
  retry?: RetryOptions;
  connectionTimeout?: number;
  requestTimeout?: number;
  /** TLS and SASL; default: read from the KAFKA_SSL_* / KAFKA_SASL_* variables (see kafkaSecurityFromEnv). */
  security?: KafkaSecurity;
}

export function defaultBrokers(env: NodeJS.ProcessEnv = process.env): string[] {
  const configured = (env.KAFKA_BROKERS ?? '')
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker !== '');
  return configured.length > 0 ? configured : ['localhost:9092'];
}

/** A kafkajs client whose logs go to the service's structured logger instead of the console. */
export function createKafka(options: CreateKafkaOptions): Kafka {
  const { logger } = options;
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers ?? defaultBrokers(),
    ...kafkaJsSecurity(options.security ?? kafkaSecurityFromEnv(process.env)),
    logLevel: options.logLevel ?? logLevel.INFO,
    retry: options.retry,
    connectionTimeout: options.connectionTimeout,
    requestTimeout: options.requestTimeout,
    logCreator:
      () =>
      ({ namespace, level, log }) => {
        // The timestamp is the logger's business; everything else (broker, error, groupId…) is context.
        const { message, timestamp: _timestamp, ...context } = log;
        const entry = namespace ? { kafka: namespace, ...context } : context;
        switch (level) {
          case logLevel.ERROR:
            return logger.error(entry, message);
          case logLevel.WARN:
            // Retries are bounded on purpose (see createOutboxProducer); repeating that on every start is noise.
            if (message.startsWith('Limiting retries for the idempotent producer')) return logger.debug(entry, message);
            return logger.warn(entry, message);
          case logLevel.INFO:
            return logger.info(entry, message);
          case logLevel.DEBUG:
          case logLevel.NOTHING:
            return logger.debug(entry, message);
        }
      },
  });
}

export interface OutboxProducerOptions {
  /**
   * Retries inside one publish. Kept short: the relay holds its outbox transaction while
   * publishing and retries a failed round itself, with backoff, from the rows that stayed unsent.
   */
  retry?: RetryOptions;
}

/**
 * The producer the outbox relay expects: idempotent (so kafkajs's own retries cannot duplicate or
 * reorder a partition), one request in flight, acknowledged by all in-sync replicas.
 */
export function createOutboxProducer(kafka: Kafka, options: OutboxProducerOptions = {}): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: options.retry ?? { retries: 3, initialRetryTime: 250, maxRetryTime: 2_000 },
  });
}
