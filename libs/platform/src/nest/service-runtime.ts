import { type BeforeApplicationShutdown, Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import type { Admin, Kafka, Producer } from 'kafkajs';
import {
  createKafka,
  createOutboxProducer,
  describeKafkaSecurity,
  EventConsumer,
  MessagingTablePruner,
  OutboxRelay,
  type RelayHealth,
  verifyKafkaConnection,
} from '@offboarding/messaging';
import { isEmbeddedDataSource, pendingMigrations, type ServiceDatabase } from '@offboarding/persistence';
import { deadLetterTopic, Topics } from '@offboarding/contracts';
import type { ServiceConfig } from '../config/service-config';
import { JobScheduler } from '../jobs/job-scheduler';
import { counted } from '../jobs/scheduled-job';
import { Metrics } from '../observability/metrics';
import { EventHandlerRegistry } from './event-handler-registry';
import { LOGGER, SERVICE_CONFIG } from './tokens';

export const SERVICE_DATABASE = Symbol('SERVICE_DATABASE');

/** `off` without messaging, in job mode or with nothing to consume. */
export type ConsumerState = 'off' | 'joining' | 'consuming';

/**
 * Owns a service's connections and their order: the database opens first; on bootstrap the
 * topics are declared and the relay and consumer start; on shutdown the consumer stops
 * (committing offsets), the relay finishes its round and disconnects, the database closes last.
 */
@Injectable()
export class ServiceRuntime implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  readonly kafka: Kafka;
  readonly producer: Producer;
  readonly relay: OutboxRelay;
  private consumer: EventConsumer | null = null;
  /** Where the event consumer is: joining its group (in the background) or consuming. */
  private consumerState: ConsumerState = 'off';
  private consumerJoin: Promise<void> | null = null;
  private wakeJoin: (() => void) | null = null;
  private started = false;
  private stopping = false;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(SERVICE_DATABASE) private readonly database: ServiceDatabase,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly registry: EventHandlerRegistry,
    private readonly scheduler: JobScheduler,
    private readonly metrics: Metrics,
  ) {
    this.kafka = createKafka({ clientId: `offboarding-${config.service}`, brokers: config.kafkaBrokers, logger, security: config.kafkaSecurity });
    this.producer = createOutboxProducer(this.kafka);
    // On a PostgreSQL server every replica's commits wake every relay (LISTEN/NOTIFY); the embedded
    // database has one connection, and its commits wake the relay in-process.
    this.relay = new OutboxRelay({ dataSource: database.dataSource, producer: this.producer, logger, listen: !isEmbeddedDataSource(database.dataSource) });
    this.registerGauges();
    this.registerPruning();
  }

  /**
   * Every service's outbox, inbox and job run records stay bounded: sent outbox rows after
   * OUTBOX_RETENTION_DAYS, inbox ids after INBOX_RETENTION_DAYS, finished job runs after
   * JOB_RUN_RETENTION_DAYS, deleted oldest first in batches of PRUNE_BATCH_SIZE.
   */
  private registerPruning(): void {
    const { pruning } = this.config;
    const pruner = new MessagingTablePruner(this.database.dataSource, pruning);
    this.scheduler.register({
      name: 'prune-tables',
      description: 'Deletes sent outbox rows, inbox ids and job run records past their retention, in bounded batches.',
      schedule: '20 * * * *',
      run: async ({ logger }) => {
        const { outbox, inbox } = await pruner.prune();
        const jobRuns = await this.scheduler.runs.prune(pruning.jobRunDays, pruning.batchSize, pruning.maxBatches);
        logger.info({ outbox, inbox, jobRuns }, 'pruned');
        return counted({ outboxRows: outbox, inboxIds: inbox, jobRuns });
      },
    });
  }

  private registerGauges(): void {
    const schema = this.database.schema;
    const outbox = async () => {
      if (!this.database.dataSource.isInitialized) return null;
      const [row] = await this.database.dataSource.query<{ backlog: string; oldest: string | null }[]>(
        `SELECT count(*) AS backlog, extract(epoch FROM now() - min(created_at)) AS oldest FROM "${schema}".outbox WHERE sent_at IS NULL`,
      );
      return row ?? null;
    };
    this.metrics.gauge('offboarding_outbox_backlog', 'Events written to the outbox and not yet published.', async () => {
      const row = await outbox();
      return row ? Number(row.backlog) : null;
    });
    this.metrics.gauge('offboarding_outbox_oldest_age_seconds', 'Age of the oldest unpublished outbox event (0 when none).', async () => {
      const row = await outbox();
      return row ? Number(row.oldest ?? 0) : null;
    });
    // Table sizes from the planner's statistics: cheap at any size, exact enough to see growth.
    const tables = ['outbox', 'inbox', 'job_runs'];
    const sizes = async () => {
      if (!this.database.dataSource.isInitialized) return null;
      return this.database.dataSource.query<{ table: string; rows: string; bytes: string }[]>(
        `SELECT c.relname AS table, greatest(c.reltuples, 0)::bigint AS rows, pg_total_relation_size(c.oid) AS bytes
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = $1 AND c.relname = ANY($2) AND c.relkind = 'r'`,
        [schema, tables],
      );
    };
    this.metrics.labelledGauge('offboarding_table_rows_estimate', "Rows of the service's outbox, inbox and job_runs tables (planner estimate, updated by autovacuum).", ['table'], async () =>
      (await sizes())?.map((row) => ({ labels: { table: row.table }, value: Number(row.rows) })) ?? null,
    );
    this.metrics.labelledGauge('offboarding_table_size_bytes', "Size on disk of the service's outbox, inbox and job_runs tables, indexes included.", ['table'], async () =>
      (await sizes())?.map((row) => ({ labels: { table: row.table }, value: Number(row.bytes) })) ?? null,
    );
    this.metrics.gauge('offboarding_consumer_lag', "Messages on the consumed topics not yet committed by this service's group.", () => this.consumerLag());
    this.metrics.gauge('offboarding_outbox_relay_failing', '1 while the outbox relay cannot publish (its last round failed), else 0.', () =>
      Promise.resolve(this.relay.health().failing ? 1 : 0),
    );
    this.metrics.gauge('offboarding_outbox_relay_consecutive_failures', 'Failed outbox relay rounds in a row.', () =>
      Promise.resolve(this.relay.health().consecutiveFailures),
    );
  }

  private lagCache: { at: number; value: number } | null = null;

  /** Committed offsets against the partitions' ends, summed; cached for 10 s so scrapes stay cheap. */
  private async consumerLag(): Promise<number | null> {
    if (!this.started || !this.messagingEnabled || this.config.run.mode === 'job') return null;
    const topics = this.registry.topics(this.config.service);
    if (topics.length === 0) return 0;
    const now = performance.now();
    if (this.lagCache && now - this.lagCache.at < 10_000) return this.lagCache.value;
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const groupId = `offboarding.${this.config.service}`;
      let lag = 0;
      const committed = await admin.fetchOffsets({ groupId, topics });
      for (const { topic, partitions } of committed) {
        const ends = await admin.fetchTopicOffsets(topic);
        for (const end of ends) {
          const done = partitions.find((partition) => partition.partition === end.partition);
          const position = done && Number(done.offset) >= 0 ? Number(done.offset) : Number(end.low);
          lag += Math.max(0, Number(end.high) - position);
        }
      }
      this.lagCache = { at: now, value: lag };
      return lag;
    } finally {
      await admin.disconnect();
    }
  }

  get messagingEnabled(): boolean {
    return this.config.run.messaging;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.startMessaging();
    this.scheduler.start();
  }

  private async startMessaging(): Promise<void> {
    if (!this.messagingEnabled) return;
    // Wrong credentials or an untrusted certificate stop the start here, naming the setting.
    await verifyKafkaConnection(this.kafka, this.config.kafkaSecurity, this.config.kafkaBrokers);
    this.logger.info({ brokers: this.config.kafkaBrokers, ...describeKafkaSecurity(this.config.kafkaSecurity) }, 'connected to Kafka');
    const topics = this.registry.topics(this.config.service);
    await this.ensureTopics([Topics[this.config.service], deadLetterTopic(this.config.service), ...topics]);
    this.relay.start();
    if (topics.length > 0 && this.config.run.mode !== 'job') {
      this.consumer = new EventConsumer({
        service: this.config.service,
        kafka: this.kafka,
        dataSource: this.database.dataSource,
        topics,
        handlers: this.registry.all(),
        batchHandlers: this.registry.allBatches(),
        logger: this.logger,
        observer: this.metrics,
        onCommitted: () => this.relay.wake(),
      });
      // Requests need the database and the producer, not the consumer: the group join runs in the
      // background, so the service serves as soon as it can. After a kill -9 the group keeps the
      // dead member until its session times out (about 30 s); events wait in Kafka meanwhile and
      // are applied from the committed offsets once the consumer has joined.
      this.consumerJoin = this.joinGroup(this.consumer);
    }
    this.started = true;
    this.logger.info({ topics }, 'messaging started');
  }

  /** Joins the consumer group, trying again with a growing pause until it has joined or the service stops. */
  private async joinGroup(consumer: EventConsumer): Promise<void> {
    const since = performance.now();
    for (let attempt = 1; !this.stopping; attempt += 1) {
      this.consumerState = 'joining';
      try {
        await consumer.start();
        if (this.stopping) return;
        this.consumerState = 'consuming';
        this.logger.info({ groupId: consumer.groupId, joinedAfterMs: Math.round(performance.now() - since) }, 'event consumer joined its group');
        return;
      } catch (error) {
        if (this.stopping) return;
        const pauseMs = Math.min(30_000, 500 * 2 ** (attempt - 1));
        this.logger.error({ err: error, groupId: consumer.groupId, attempt, pauseMs }, 'event consumer could not join its group; trying again');
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pauseMs);
          this.wakeJoin = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wakeJoin = null;
      }
    }
  }

  /** The event consumer's state, for the readiness body: `joining` keeps the service ready. */
  consumerHealth(): ConsumerState | null {
    return this.messagingEnabled ? this.consumerState : null;
  }

  /**
   * Outside production the service declares the topics it touches, so a consumer never races
   * the first producer; in production topics are declared by the cluster's operator (Strimzi).
   */
  private async ensureTopics(topics: string[]): Promise<void> {
    if (!this.config.topics.create) return;
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = [...new Set(topics)].filter((topic) => !existing.has(topic));
      if (missing.length === 0) return;
      await this.createTopics(admin, missing);
    } finally {
      await admin.disconnect();
    }
  }

  private async createTopics(admin: Admin, missing: string[]): Promise<void> {
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: this.config.topics.partitions,
          replicationFactor: this.config.topics.replicationFactor,
        })),
      });
      this.logger.info({ topics: missing }, 'created topics');
    } catch (error) {
      // A broker without the CreateTopics API (librdkafka's mock cluster) creates topics on first use.
      if (!(error instanceof Error) || error.name !== 'KafkaJSServerDoesNotSupportApiKey') throw error;
      this.logger.warn({ topics: missing }, 'the broker cannot create topics (no CreateTopics API): they must exist or be created on first use; KAFKA_CREATE_TOPICS=false skips this');
    }
  }

  /**
   * Publishes whatever the outbox holds now, round after round until a round finds nothing
   * (or the broker refuses), and returns how many events went out.
   */
  async flushOutbox(maxRounds = 1000): Promise<number> {
    if (!this.messagingEnabled) return 0;
    let total = 0;
    for (let round = 0; round < maxRounds; round += 1) {
      const published = await this.relay.relayOnce();
      if (published === 0) break;
      total += published;
    }
    return total;
  }

  /**
   * First step of a graceful stop (SIGTERM): readiness turns 503 so the load balancer stops
   * sending, and the server keeps answering for SHUTDOWN_DRAIN_MS (default 0; set it a little
   * above the readiness probe period in Kubernetes) before it stops accepting. Requests in flight
   * then finish, the consumer commits, the outbox relay flushes, and the database closes last.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    const drainMs = this.config.shutdownDrainMs;
    if (drainMs > 0) {
      this.logger.info({ drainMs }, 'draining before shutdown');
      await new Promise((resolve) => setTimeout(resolve, drainMs));
    }
  }

  /** How the outbox relay's rounds are going (readiness detail): a failing relay keeps the service ready, mutations still commit. */
  relayHealth(): RelayHealth | null {
    return this.messagingEnabled ? this.relay.health() : null;
  }

  /**
   * Ready when the database answers with every migration applied (one dropped or reverted under a
   * running service makes it unable to work) and, with messaging on, the relay runs and the
   * consumer has started (joining its group or consuming: see consumerHealth).
   */
  async isReady(): Promise<boolean> {
    if (this.stopping || !this.database.dataSource.isInitialized) return false;
    try {
      if ((await pendingMigrations(this.database.dataSource)).length > 0) return false;
    } catch {
      return false;
    }
    return !this.messagingEnabled || this.started;
  }

  async onApplicationShutdown(): Promise<void> {
    try {
      // Scheduled work first: its transactions commit or roll back while the database is open.
      await this.scheduler.stop();
      this.wakeJoin?.();
      await this.consumer?.stop();
      await this.consumerJoin;
      this.consumerState = 'off';
      // Publish what the last requests and events wrote, then stop; whatever a failing broker
      // leaves behind stays in the outbox for the next start.
      await this.flushOutbox(100).catch((error: unknown) => this.logger.warn({ err: error }, 'outbox not flushed; it is sent on the next start'));
      // The relay owns its producer's connection and disconnects it after its last round.
      await this.relay.stop();
    } finally {
      await this.database.close();
      this.logger.info('stopped');
    }
  }
}
