import { Kafka, logLevel, Partitioners, type Producer, type RetryOptions } from 'kafkajs';
import { kafkaJsSecurity, kafkaSecurityFromEnv, type KafkaSecurity } from './kafka-security';
import type { MessagingLogger } from './logger';

export interface CreateKafkaOptions {
  clientId: string;
  /** The service's are in its config (KAFKA_BROKERS); a tool reads them with defaultBrokers. */
  brokers: string[];
  logger: MessagingLogger;
  /** Least severe kafkajs level passed on; default INFO. */
  logLevel?: logLevel;
  retry?: RetryOptions;
  connectionTimeout?: number;
  requestTimeout?: number;
  /** TLS and SASL (see kafkaSecurityFromEnv); default: plaintext, no authentication. */
  security?: KafkaSecurity;
}

/** KAFKA_BROKERS (comma separated), else localhost:9092. */
export function defaultBrokers(env: NodeJS.ProcessEnv): string[] {
  const configured = (env.KAFKA_BROKERS ?? '')
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker !== '');
  return configured.length > 0 ? configured : ['localhost:9092'];
}

/** What `tolerateUnknownController` needs of kafkajs's internal Cluster class. */
interface KafkajsCluster {
  brokerPool: { metadata: { controllerId?: number | null; brokers: { nodeId: number }[] } | null };
  findBroker(options: { nodeId: number }): Promise<unknown>;
  findControllerBroker(): Promise<unknown>;
}

const CONTROLLER_FALLBACK = Symbol.for('offboarding.kafkajs.controller-fallback');

/**
 * kafkajs sends InitProducerId (every idempotent producer's first request) and admin requests to
 * the controller the Metadata answer names, and fails with "Broker <id> not found in the cached
 * metadata" when that id names none of the brokers of the same answer. A cluster can answer so:
 * librdkafka's mock cluster always reports controller 0 while numbering its brokers from 1, and a
 * cluster between controllers may name one that is not listed yet. InitProducerId without a
 * transactional id may go to any broker (Kafka's protocol; the Java client picks the least loaded
 * node), and a broker that is not the controller answers admin requests with NOT_CONTROLLER, which
 * kafkajs retries after refreshing the metadata. So when the named controller is unknown, ask any
 * known broker instead of failing. Installed once per process by createKafka.
 */
export function tolerateUnknownController(): void {
  // kafkajs exposes no hook for this; its Cluster class is stable (2.2.4, the last release line).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cluster = require('kafkajs/src/cluster') as { prototype: KafkajsCluster & { [CONTROLLER_FALLBACK]?: true } };
  const prototype = cluster.prototype;
  if (prototype[CONTROLLER_FALLBACK]) return;
  const findControllerBroker = prototype.findControllerBroker;
  prototype.findControllerBroker = function (this: KafkajsCluster): Promise<unknown> {
    const metadata = this.brokerPool.metadata;
    const named = metadata?.controllerId;
    if (metadata && named != null && metadata.brokers.length > 0 && !metadata.brokers.some((broker) => broker.nodeId === named)) {
      return this.findBroker({ nodeId: metadata.brokers[0].nodeId });
    }
    return findControllerBroker.call(this);
  };
  prototype[CONTROLLER_FALLBACK] = true;
}

/** A kafkajs client whose logs go to the service's structured logger instead of the console. */
export function createKafka(options: CreateKafkaOptions): Kafka {
  tolerateUnknownController();
  const { logger } = options;
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    ...kafkaJsSecurity(options.security ?? kafkaSecurityFromEnv({})),
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
            // A broker that cannot be reached is retried by whoever asked, which reports the outage
            // once (the outbox relay per outage, the consumer per crash); kafkajs says it per attempt.
            if (/^(Connection error|Failed to connect to seed broker)/.test(message)) return logger.debug(entry, message);
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
