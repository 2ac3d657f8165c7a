import { inConsumerSpan } from './tracing';
import { Partitioners, type Consumer, type EachMessagePayload, type Kafka, type Producer } from 'kafkajs';
import type { DataSource, EntityManager } from 'typeorm';
import { deadLetterTopic, isEventType, type EventType, type ServiceName } from '@offboarding/contracts';
import { Alarm, backoffDelay, type BackoffPolicy } from './backoff';
import { fromKafkaMessage, toEnvelope, type EventEnvelope, type ReceivedEvent } from './cloud-event';
import { deadLetterMessage } from './dead-letters';
import { recordInInbox } from './inbox';
import { describeError, type MessagingLogger } from './logger';

export type EventHandler<T extends EventType> = (event: EventEnvelope<T>, manager: EntityManager) => Promise<void>;

/** What a service does with each event type it cares about; other types are skipped. */
export type EventHandlers = { [T in EventType]?: EventHandler<T> };

export interface RetryPolicy extends BackoffPolicy {
  /** Tries per message, the first included, before it is dead-lettered. */
  attempts: number;
}

export interface EventConsumerOptions {
  service: ServiceName;
  kafka: Kafka;
  dataSource: DataSource;
  topics: string[];
  handlers: EventHandlers;
  logger: MessagingLogger;
  /** Default `offboarding.<service>`. */
  groupId?: string;
  /** Default 5 attempts, 200 ms doubling to at most 5 s. */
  retry?: Partial<RetryPolicy>;
  /** Start a new group at the beginning of the topics; default true. */
  fromBeginning?: boolean;
  /** Called after a handler's transaction commits, e.g. to wake the service's outbox relay. */
  onCommitted?: () => void;
  /**
   * How long a fetch waits for new messages; default 1 s (kafkajs: 5 s). Stopping waits for the
   * fetch in flight, so this bounds shutdown time; idle polling once a second costs nothing.
   */
  fetchMaxWaitMs?: number;
  /** Told about every outcome, for metrics. */
  observer?: ConsumerObserver;
}

export type ConsumerOutcome = 'applied' | 'duplicate' | 'retried' | 'dead_lettered';

export interface ConsumerObserver {
  outcome(type: string, outcome: ConsumerOutcome): void;
}

/** Thrown out of a message being retried when the consumer stops, so its offset is not committed. */
export class ConsumerStoppingError extends Error {
  override readonly name = 'ConsumerStoppingError';
}

/**
 * Applies events to the service's database exactly once per event id: the inbox row and the
 * handler's changes commit together. Messages of a partition are handled one after another, so
 * one organization's events apply in order. A message that keeps failing is parked in the
 * service's dead-letter topic and the partition moves on; one that can never succeed (malformed,
 * invalid payload) is parked at once.
 */
export class EventConsumer {
  private readonly options: EventConsumerOptions;
  private readonly retry: RetryPolicy;
  private readonly alarm = new Alarm();
  private consumer: Consumer | undefined;
  private producer: Producer | undefined;
  private stopping = false;

  constructor(options: EventConsumerOptions) {
    this.options = options;
    this.retry = { attempts: 5, initialDelayMs: 200, maxDelayMs: 5_000, ...options.retry };
    if (!Number.isInteger(this.retry.attempts) || this.retry.attempts < 1) {
      throw new RangeError('retry.attempts must be a positive integer');
    }
  }

  get groupId(): string {
    return this.options.groupId ?? `offboarding.${this.options.service}`;
  }

  /** Joins the group and starts consuming in the background. */
  async start(): Promise<void> {
    if (this.consumer) return;
    this.stopping = false;
    const { kafka } = this.options;
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    const consumer = kafka.consumer({ groupId: this.groupId, maxWaitTimeInMs: this.options.fetchMaxWaitMs ?? 1_000 });
    this.producer = producer;
    this.consumer = consumer;
    try {
      await producer.connect();
      await consumer.connect();
      await consumer.subscribe({ topics: this.options.topics, fromBeginning: this.options.fromBeginning ?? true });
      await consumer.run({ eachMessage: (payload) => this.handle(payload) });
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /** Finishes the message in hand (a retry wait is cut short and the message left for redelivery). */
  async stop(): Promise<void> {
    this.stopping = true;
    this.alarm.wake();
    const { consumer, producer } = this;
    // The producer outlives the consumer: the message in hand may still need dead-lettering.
    await consumer?.disconnect();
    await producer?.disconnect();
    this.consumer = undefined;
    this.producer = undefined;
  }

  private async handle(payload: EachMessagePayload): Promise<void> {
    let received: ReceivedEvent;
    try {
      received = fromKafkaMessage(payload.message);
    } catch (error) {
      return this.deadLetter(payload, error, 1);
    }
    if (!isEventType(received.type)) {
      this.logger.debug({ ...this.where(payload), type: received.type }, 'unknown event type skipped');
      return;
    }
    return this.dispatch(received.type, received, payload);
  }

  private async dispatch<T extends EventType>(type: T, received: ReceivedEvent, payload: EachMessagePayload): Promise<void> {
    const handler: EventHandler<T> | undefined = this.options.handlers[type];
    if (!handler) {
      this.logger.debug({ ...this.where(payload), type }, 'event type not handled here; skipped');
      return;
    }
    let event: EventEnvelope<T>;
    try {
      event = toEnvelope(type, received);
    } catch (error) {
      return this.deadLetter(payload, error, 1);
    }

    for (let attempt = 1; ; attempt += 1) {
      try {
        const applied = await inConsumerSpan(event, () => this.apply(event, handler));
        this.logger.debug(
          { ...this.where(payload), type, eventId: event.id, organizationId: event.subject, attempt },
          applied ? 'event applied' : 'duplicate event ignored',
        );
        this.options.observer?.outcome(type, applied ? 'applied' : 'duplicate');
        if (applied) this.committed();
        return;
      } catch (error) {
        if (attempt >= this.retry.attempts) return this.deadLetter(payload, error, attempt);
        const delayMs = backoffDelay(attempt, this.retry);
        this.options.observer?.outcome(type, 'retried');
        this.logger.warn(
          { ...this.where(payload), type, eventId: event.id, organizationId: event.subject, attempt, delayMs, err: error },
          'event handler failed; retrying',
        );
        await this.pause(delayMs, payload);
      }
    }
  }

  private apply<T extends EventType>(event: EventEnvelope<T>, handler: EventHandler<T>): Promise<boolean> {
    return this.options.dataSource.transaction(async (manager) => {
      if (!(await recordInInbox(manager, event))) return false;
      await handler(event, manager);
      return true;
    });
  }

  /** Waits before a retry while keeping the group membership alive. */
  private async pause(delayMs: number, { heartbeat }: EachMessagePayload): Promise<void> {
    await heartbeat();
    if (!this.stopping) await this.alarm.sleep(delayMs);
    if (this.stopping) throw new ConsumerStoppingError('consumer stopping; message left for redelivery');
    await heartbeat();
  }

  private async deadLetter(payload: EachMessagePayload, error: unknown, attempts: number): Promise<void> {
    const { topic, partition, message } = payload;
    const producer = this.producer;
    if (!producer) throw new ConsumerStoppingError('consumer stopped before the message could be dead-lettered');
    const target = deadLetterTopic(this.options.service);
    // Awaited with acks from all replicas before the offset may be committed; if this throws,
    // kafkajs does not commit and the message is delivered again.
    await producer.send({
      topic: target,
      acks: -1,
      messages: [deadLetterMessage(message, { error, topic, partition, offset: message.offset, attempts })],
    });
    const headers = message.headers ?? {};
    const header = (name: string) => headers[name]?.toString();
    this.options.observer?.outcome(header('ce_type') ?? 'unknown', 'dead_lettered');
    this.logger.error(
      {
        ...this.where(payload),
        deadLetterTopic: target,
        attempts,
        eventId: header('ce_id'),
        type: header('ce_type'),
        organizationId: message.key?.toString(),
        error: describeError(error),
      },
      'event dead-lettered',
    );
  }

  private committed(): void {
    try {
      this.options.onCommitted?.();
    } catch (error) {
      this.logger.warn({ err: error }, 'onCommitted callback failed');
    }
  }

  private get logger(): MessagingLogger {
    return this.options.logger;
  }

  private where({ topic, partition, message }: EachMessagePayload): object {
    return { groupId: this.groupId, topic, partition, offset: message.offset };
  }
}
