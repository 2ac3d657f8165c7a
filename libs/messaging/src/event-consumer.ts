import { inConsumerSpan } from './tracing';
import { Partitioners, type Consumer, type EachBatchPayload, type Kafka, type KafkaMessage, type Producer } from 'kafkajs';
import type { DataSource, EntityManager } from 'typeorm';
import { deadLetterTopic, isEventType, type EventType, type ServiceName } from '@offboarding/contracts';
import { Alarm, backoffDelay, type BackoffPolicy } from './backoff';
import { fromKafkaMessage, toEnvelope, type EventEnvelope, type ReceivedEvent } from './cloud-event';
import { deadLetterMessage } from './dead-letters';
import { recordAllInInbox, recordInInbox } from './inbox';
import { describeError, type MessagingLogger } from './logger';

export type EventHandler<T extends EventType> = (event: EventEnvelope<T>, manager: EntityManager) => Promise<void>;

/** What a service does with each event type it cares about; other types are skipped. */
export type EventHandlers = { [T in EventType]?: EventHandler<T> };

/**
 * The set-based form of an event type's handler: applies consecutive new events of that type (or
 * of several types that share this one function), in their order, with as few statements as it can (multi-row inserts, `= ANY($1)`, `UPDATE … FROM
 * (VALUES …)`). It must have the effect of the one-event handler applied to each event in turn:
 * when it throws, the run is rolled back and its events are applied one at a time instead.
 */
export type BatchEventHandler<T extends EventType> = (events: EventEnvelope<T>[], manager: EntityManager) => Promise<void>;

/** Batch forms, for some of the types that have a one-event handler. */
export type BatchEventHandlers = { [T in EventType]?: BatchEventHandler<T> };

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
  /**
   * Set-based forms of some handlers, used for two or more consecutive new events of a run whose
   * types share one batch form; a single event, and every event when a run falls back, goes to `handlers`.
   */
  batchHandlers?: BatchEventHandlers;
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
  /**
   * Most events of one partition applied in one transaction; default 100. A run of events shares
   * one commit and one inbox statement; 1 gives every event a transaction of its own.
   */
  maxEventsPerTransaction?: number;
}

export type ConsumerOutcome = 'applied' | 'duplicate' | 'retried' | 'dead_lettered';

export interface ConsumerObserver {
  outcome(type: string, outcome: ConsumerOutcome): void;
}

/** A message of the fetched batch, and what the dead-letter and retry paths need of it. */
interface InHand {
  topic: string;
  partition: number;
  message: KafkaMessage;
  heartbeat(): Promise<void>;
}

/** A decoded, validated event and the handler that applies it. */
interface Prepared {
  event: EventEnvelope<EventType>;
  handler: EventHandler<EventType>;
}

/** A message of a run; without `prepared` it is skipped (a type this service does not handle). */
interface RunEntry {
  inHand: InHand;
  prepared?: Prepared;
}

/** Thrown out of a message being retried when the consumer stops, so its offset is not committed. */
export class ConsumerStoppingError extends Error {
  override readonly name = 'ConsumerStoppingError';
}

/**
 * Applies events to the service's database exactly once per event id: the inbox row and the
 * handler's changes commit together. Messages of a partition are handled one after another, so
 * one organization's events apply in order; consecutive ones share a transaction, which saves a
 * commit and an inbox statement per event. A message that keeps failing is parked in the
 * service's dead-letter topic and the partition moves on; one that can never succeed (malformed,
 * invalid payload) is parked at once.
 */
export class EventConsumer {
  private readonly options: EventConsumerOptions;
  private readonly retry: RetryPolicy;
  private readonly maxEventsPerTransaction: number;
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
    this.maxEventsPerTransaction = options.maxEventsPerTransaction ?? 100;
    if (!Number.isInteger(this.maxEventsPerTransaction) || this.maxEventsPerTransaction < 1) {
      throw new RangeError('maxEventsPerTransaction must be a positive integer');
    }
    for (const type of Object.keys(options.batchHandlers ?? {}) as EventType[]) {
      if (!options.handlers[type]) throw new Error(`the batch handler for ${type} needs a one-event handler too (the fall-back)`);
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
      // Offsets are resolved message by message, once each is applied, skipped or dead-lettered.
      await consumer.run({ eachBatchAutoResolve: false, eachBatch: (payload) => this.handleBatch(payload) });
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /** Finishes the events in hand (a retry wait is cut short and the message left for redelivery). */
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

  /**
   * A fetched batch of one partition, in order. Consecutive events are applied together, up to
   * `maxEventsPerTransaction` in one transaction; a message that must be dead-lettered at once
   * ends the run before it, so offsets only ever move past messages that are done.
   */
  private async handleBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    let run: RunEntry[] = [];
    let events = 0;
    const flush = async () => {
      const entries = run;
      run = [];
      events = 0;
      if (entries.length > 0) await this.applyRun(entries, resolveOffset);
      await heartbeat();
    };
    for (const message of batch.messages) {
      if (this.stopping || !isRunning() || isStale()) break;
      const inHand: InHand = { topic: batch.topic, partition: batch.partition, message, heartbeat };
      const decision = this.decide(inHand);
      if ('deadLetter' in decision) {
        await flush();
        await this.deadLetter(inHand, decision.deadLetter, 1);
        resolveOffset(message.offset);
        continue;
      }
      run.push({ inHand, prepared: decision.prepared });
      if (decision.prepared && (events += 1) >= this.maxEventsPerTransaction) await flush();
    }
    // A partition taken away by a rebalance is left to its new owner.
    if (!isStale()) await flush();
  }

  /** What to do with one message: apply it (prepared), skip it (nothing prepared), or dead-letter it. */
  private decide(inHand: InHand): { prepared?: Prepared } | { deadLetter: unknown } {
    let received: ReceivedEvent;
    try {
      received = fromKafkaMessage(inHand.message);
    } catch (error) {
      return { deadLetter: error };
    }
    if (!isEventType(received.type)) {
      this.logger.debug({ ...this.where(inHand), type: received.type }, 'unknown event type skipped');
      return {};
    }
    return this.prepare(received.type, received, inHand);
  }

  private prepare<T extends EventType>(type: T, received: ReceivedEvent, inHand: InHand): { prepared?: Prepared } | { deadLetter: unknown } {
    const handler: EventHandler<T> | undefined = this.options.handlers[type];
    if (!handler) {
      this.logger.debug({ ...this.where(inHand), type }, 'event type not handled here; skipped');
      return {};
    }
    try {
      return { prepared: { event: toEnvelope(type, received), handler: handler as EventHandler<EventType> } };
    } catch (error) {
      return { deadLetter: error };
    }
  }

  /**
   * One transaction for the run: the inbox rows in one statement, then the new events in order,
   * consecutive ones whose types share a batch form in one call of it, the others one handler call each. If anything fails nothing of the run is committed, and its events are applied one
   * at a time instead, so only the failing one is retried and, in the end, dead-lettered.
   */
  private async applyRun(entries: RunEntry[], resolveOffset: (offset: string) => void): Promise<void> {
    const work = entries.filter((entry): entry is Required<RunEntry> => entry.prepared !== undefined);
    if (work.length <= 1) {
      for (const { inHand, prepared } of entries) {
        if (prepared) await this.applyOne(inHand, prepared);
        resolveOffset(inHand.message.offset);
      }
      return;
    }
    let failed: { entry: RunEntry; error: unknown } | undefined;
    let outcomes: boolean[];
    try {
      outcomes = await this.options.dataSource.transaction(async (manager) => {
        const fresh = await recordAllInInbox(manager, work.map(({ prepared }) => prepared.event));
        // Deleted once taken, so a second copy of the event later in the run is a duplicate.
        const applied = work.map((entry) => fresh.delete(entry.prepared.event.id));
        const toApply = work.filter((_, index) => applied[index]);
        for (let start = 0; start < toApply.length; ) {
          const batchHandler = this.batchHandlerOf(toApply[start].prepared.event.type);
          let end = start + 1;
          // Consecutive events whose types share one batch form go to it together.
          while (end < toApply.length && batchHandler && this.batchHandlerOf(toApply[end].prepared.event.type) === batchHandler) end += 1;
          if (batchHandler && end - start > 1) {
            // Which event of the set broke it is unknown: every one gets a fresh first attempt.
            const events = toApply.slice(start, end).map((entry) => entry.prepared.event);
            await inConsumerSpan(events[0], () => batchHandler(events, manager));
          } else {
            for (const entry of toApply.slice(start, end)) {
              const { event, handler } = entry.prepared;
              try {
                await inConsumerSpan(event, () => handler(event, manager));
              } catch (error) {
                failed = { entry, error };
                throw error;
              }
            }
          }
          start = end;
        }
        return applied;
      });
    } catch (error) {
      this.logger.debug({ ...this.where(work[0].inHand), events: work.length, err: error }, 'run of events failed; applying them one at a time');
      for (const entry of entries) {
        if (entry.prepared) await this.applyOne(entry.inHand, entry.prepared, entry === failed?.entry ? { error: failed.error } : undefined);
        resolveOffset(entry.inHand.message.offset);
      }
      return;
    }
    for (const [index, { inHand, prepared }] of work.entries()) this.report(inHand, prepared.event, outcomes[index], 1);
    for (const { inHand } of entries) resolveOffset(inHand.message.offset);
  }

  private batchHandlerOf(type: EventType): BatchEventHandler<EventType> | undefined {
    return this.options.batchHandlers?.[type] as BatchEventHandler<EventType> | undefined;
  }

  /**
   * One event in its own transaction, retried with backoff and dead-lettered after the last
   * attempt. `failure` is a first attempt that already failed (in a run).
   */
  private async applyOne(inHand: InHand, { event, handler }: Prepared, failure?: { error: unknown }): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      if (!failure) {
        try {
          const applied = await inConsumerSpan(event, () => this.apply(event, handler));
          this.report(inHand, event, applied, attempt);
          return;
        } catch (error) {
          failure = { error };
        }
      }
      if (attempt >= this.retry.attempts) return this.deadLetter(inHand, failure.error, attempt);
      const delayMs = backoffDelay(attempt, this.retry);
      this.options.observer?.outcome(event.type, 'retried');
      this.logger.warn(
        { ...this.where(inHand), type: event.type, eventId: event.id, organizationId: event.subject, attempt, delayMs, err: failure.error },
        'event handler failed; retrying',
      );
      await this.pause(delayMs, inHand);
      failure = undefined;
    }
  }

  private report(inHand: InHand, event: EventEnvelope<EventType>, applied: boolean, attempt: number): void {
    this.logger.debug(
      { ...this.where(inHand), type: event.type, eventId: event.id, organizationId: event.subject, attempt },
      applied ? 'event applied' : 'duplicate event ignored',
    );
    this.options.observer?.outcome(event.type, applied ? 'applied' : 'duplicate');
    if (applied) this.committed();
  }

  private apply(event: EventEnvelope<EventType>, handler: EventHandler<EventType>): Promise<boolean> {
    return this.options.dataSource.transaction(async (manager) => {
      if (!(await recordInInbox(manager, event))) return false;
      await handler(event, manager);
      return true;
    });
  }

  /** Waits before a retry while keeping the group membership alive. */
  private async pause(delayMs: number, { heartbeat }: InHand): Promise<void> {
    await heartbeat();
    if (!this.stopping) await this.alarm.sleep(delayMs);
    if (this.stopping) throw new ConsumerStoppingError('consumer stopping; message left for redelivery');
    await heartbeat();
  }

  private async deadLetter(inHand: InHand, error: unknown, attempts: number): Promise<void> {
    const { topic, partition, message } = inHand;
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
        ...this.where(inHand),
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

  private where({ topic, partition, message }: InHand): object {
    return { groupId: this.groupId, topic, partition, offset: message.offset };
  }
}
