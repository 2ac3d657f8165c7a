import type { Message, Producer, TopicMessages } from 'kafkajs';
import type { DataSource, EntityManager } from 'typeorm';
import { Alarm, backoffDelay } from './backoff';
import { publishableRows } from './key-order';
import { describeError, type MessagingLogger } from './logger';
import { messagingTable, outboxChannel, quoteIdentifier } from './sql';

export interface OutboxRelayOptions {
  /** The service's database; the outbox lives in `dataSource.options.schema`. */
  dataSource: DataSource;
  /** Idempotent, acks -1: see createOutboxProducer. The relay connects and disconnects it. */
  producer: Producer;
  logger: MessagingLogger;
  /** Rows per round; default 100. */
  batchSize?: number;
  /** Pause between rounds when idle, and first delay after a failure; default 500 ms. */
  pollIntervalMs?: number;
  /** Longest pause after repeated failures (broker outage); default 30 s. */
  maxBackoffMs?: number;
  /**
   * Listen for the outbox's NOTIFY on a connection of its own, so a commit in any process (every
   * replica shares the outbox) starts a round at once; polling stays as the safety net. Only on a
   * PostgreSQL server: an embedded database has one connection, and its commits wake the relay
   * in-process (`wake`). Default false.
   */
  listen?: boolean;
}

/** The part of a `pg` client the listener uses. */
interface ListeningClient {
  connect(): Promise<void>;
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
  on(event: 'notification', listener: () => void): void;
  on(event: 'error' | 'end', listener: (error?: Error) => void): void;
}

interface OutboxRow {
  seq: string;
  id: string;
  topic: string;
  message_key: string;
  type: string;
  headers: Record<string, string>;
  payload: unknown;
}

interface RoundResult {
  locked: number;
  published: number;
}

/** How the relay's rounds are going, for readiness detail, metrics and alerts. */
export interface RelayHealth {
  /** Its last round failed: events wait in the outbox. */
  failing: boolean;
  /** Failed rounds in a row (0 when the last one succeeded). */
  consecutiveFailures: number;
  /** When the current run of failures began. */
  failingSince: string | null;
  /** The last failure's type and message. */
  lastError: string | null;
}

/** While a relay keeps failing, a reminder is logged at most this often (the first failure is an error line). */
const OUTAGE_REMINDER_MS = 10 * 60_000;

const MAX_ERROR_LENGTH = 2_000;

/**
 * Publishes committed outbox rows to Kafka, oldest first, and marks them sent in the same
 * transaction that locked them. A failed publish rolls back, so rows are delayed, never lost;
 * a publish whose acknowledgement is lost is sent again, which consumers absorb through their
 * inbox. Several relays (replicas) may share one outbox: SKIP LOCKED splits the rows and the
 * per-key rule in publishableRows keeps each organization's events in order.
 */
export class OutboxRelay {
  private readonly dataSource: DataSource;
  private readonly producer: Producer;
  private readonly logger: MessagingLogger;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly maxBackoffMs: number;
  private readonly alarm = new Alarm();
  private loop: Promise<void> | undefined;
  private stopping = false;
  private wakeRequested = false;
  private failures = 0;
  private failingSince: Date | null = null;
  private lastError: string | null = null;
  private lastReminder = 0;
  private connected = false;
  // Rounds run one at a time, whether from the loop or a direct relayOnce().
  private lastRound: Promise<unknown> = Promise.resolve();
  private readonly listen: boolean;
  private listener: ListeningClient | undefined;
  private listening: Promise<void> | undefined;
  private readonly listenAlarm = new Alarm();
  private isListening = false;

  constructor(options: OutboxRelayOptions) {
    this.dataSource = options.dataSource;
    this.producer = options.producer;
    this.logger = options.logger;
    this.batchSize = options.batchSize ?? 100;
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.listen = options.listen ?? false;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new RangeError('batchSize must be a positive integer');
  }

  /** Starts polling the outbox in the background. */
  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = this.run();
    if (this.listen) this.listening = this.listenLoop();
  }

  /** Whether the NOTIFY listener is connected and listening (always false without `listen`). */
  get listeningForCommits(): boolean {
    return this.isListening;
  }

  /** Keeps a listening connection open until stopped, reconnecting after a pause when it drops. */
  private async listenLoop(): Promise<void> {
    for (let failures = 0; !this.stopping; ) {
      try {
        await this.listenOnce();
        failures = 0;
      } catch (error) {
        failures += 1;
        this.logger.warn({ err: error }, 'outbox NOTIFY listener failed; polling until it reconnects');
      }
      this.isListening = false;
      // Polling covers the gap; reconnecting soon keeps the gap short whatever the poll interval.
      const delay = backoffDelay(Math.max(failures, 1), { initialDelayMs: Math.min(this.pollIntervalMs, 1_000), maxDelayMs: this.maxBackoffMs });
      if (!this.stopping) await this.listenAlarm.sleep(delay);
    }
  }

  /** Resolves when the connection ends (stop, or the server closing it). */
  private async listenOnce(): Promise<void> {
    const driver = this.dataSource.driver as unknown as { master?: { options?: object }; postgres?: { Client?: new (options: object) => ListeningClient } };
    const Client = driver.postgres?.Client;
    if (!Client || !driver.master?.options) throw new Error('listening for NOTIFY needs the pg driver');
    const client = new Client({ ...driver.master.options, application_name: 'outbox-relay-listener' });
    const ended = new Promise<void>((resolve, reject) => {
      client.on('error', (error) => reject(error ?? new Error('listener connection failed')));
      client.on('end', () => resolve());
    });
    ended.catch(() => undefined);
    client.on('notification', () => this.wake());
    this.listener = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${quoteIdentifier(outboxChannel(this.dataSource))}`);
      this.isListening = true;
      this.logger.debug({ channel: outboxChannel(this.dataSource) }, 'outbox relay listening for commits');
      // Rows committed while no one was listening go out now rather than at the next poll.
      this.wake();
      if (this.stopping) return;
      await ended;
    } finally {
      this.listener = undefined;
      await client.end().catch(() => undefined);
    }
  }

  /** Asks for a round now; call it after committing a transaction that added events. */
  wake(): void {
    this.wakeRequested = true;
    // While the broker is failing, waking would only cut the backoff short and hammer it.
    if (this.failures === 0) this.alarm.wake();
  }

  health(): RelayHealth {
    return {
      failing: this.failures > 0,
      consecutiveFailures: this.failures,
      failingSince: this.failingSince?.toISOString() ?? null,
      lastError: this.lastError,
    };
  }

  /** One error line per outage (and a reminder every 10 minutes), not one per round. */
  private failed(error: unknown, retryInMs: number): void {
    const { type, message } = describeError(error);
    this.lastError = `${type}: ${message}`.slice(0, MAX_ERROR_LENGTH);
    const now = performance.now();
    if (this.failures === 1) {
      this.failingSince = new Date();
      this.lastReminder = now;
      this.logger.error({ err: error, retryInMs }, 'outbox relay failing; events stay in the outbox and rounds retry with backoff until it recovers');
    } else if (now - this.lastReminder >= OUTAGE_REMINDER_MS) {
      this.lastReminder = now;
      this.logger.warn({ failures: this.failures, failingSince: this.failingSince, lastError: this.lastError }, 'outbox relay still failing');
    } else {
      this.logger.debug({ err: error, failures: this.failures, retryInMs }, 'outbox relay round failed');
    }
  }

  private recovered(): void {
    if (this.failures > 0) {
      this.logger.info({ failures: this.failures, failingSince: this.failingSince }, 'outbox relay recovered');
    }
    this.failures = 0;
    this.failingSince = null;
    this.lastError = null;
  }

  /** Runs one round (after any round in flight) and returns how many events it published. */
  async relayOnce(): Promise<number> {
    return (await this.exclusive(() => this.round())).published;
  }

  /** Stops polling after the round in flight and disconnects the producer. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.alarm.wake();
    this.listenAlarm.wake();
    await this.listener?.end().catch(() => undefined);
    await this.listening;
    this.listening = undefined;
    await this.loop;
    this.loop = undefined;
    await this.exclusive(async () => {
      if (!this.connected) return;
      this.connected = false;
      await this.producer.disconnect();
    });
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      this.wakeRequested = false;
      let delay = this.pollIntervalMs;
      try {
        const { locked, published } = await this.exclusive(() => this.round());
        this.recovered();
        // A full batch means more may be waiting; go again at once.
        if (locked === this.batchSize && published > 0) delay = 0;
      } catch (error) {
        this.failures += 1;
        delay = backoffDelay(this.failures, { initialDelayMs: this.pollIntervalMs, maxDelayMs: this.maxBackoffMs });
        this.failed(error, delay);
      }
      if (this.stopping) break;
      const woken = this.wakeRequested && this.failures === 0;
      if (delay > 0 && !woken) await this.alarm.sleep(delay);
    }
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.lastRound.then(work);
    this.lastRound = result.catch(() => undefined);
    return result;
  }

  private async round(): Promise<RoundResult> {
    // Connect before taking row locks: a broker that is down then costs no open transaction.
    await this.connect();
    const attempted: string[] = [];
    try {
      return await this.dataSource.transaction(async (manager) => {
        const locked = await this.lockBatch(manager);
        if (locked.length === 0) return { locked: 0, published: 0 };
        const ready = await this.inKeyOrder(manager, locked);
        if (ready.length > 0) {
          attempted.push(...ready.map((row) => row.seq));
          await this.publish(ready);
          await manager.query(
            `UPDATE ${this.table} SET sent_at = now(), attempts = attempts + 1 WHERE seq = ANY($1::bigint[])`,
            [attempted],
          );
        }
        this.logger.debug({ locked: locked.length, published: ready.length }, 'outbox relay round');
        return { locked: locked.length, published: ready.length };
      });
    } catch (error) {
      if (attempted.length > 0) await this.recordFailure(attempted, error);
      throw error;
    }
  }

  private get table(): string {
    return messagingTable(this.dataSource, 'outbox');
  }

  private lockBatch(manager: EntityManager): Promise<OutboxRow[]> {
    return manager.query<OutboxRow[]>(
      // No ::text on seq (pg returns int8 as a string anyway): ORDER BY would then sort it as text.
      `SELECT seq, id, topic, message_key, type, headers, payload
         FROM ${this.table}
        WHERE sent_at IS NULL
        ORDER BY seq
        LIMIT $1
          FOR UPDATE SKIP LOCKED`,
      [this.batchSize],
    );
  }

  /** The locked rows that may go out now (see publishableRows); the others wait for a later round. */
  private async inKeyOrder(manager: EntityManager, locked: OutboxRow[]): Promise<OutboxRow[]> {
    const keys = [...new Set(locked.map((row) => row.message_key))];
    // Plain read, no lock: rows other relays hold are exactly the ones we must see.
    const elsewhere = await manager.query<{ message_key: string; seq: string }[]>(
      `SELECT message_key, min(seq) AS seq
         FROM ${this.table}
        WHERE sent_at IS NULL AND message_key = ANY($1::text[]) AND seq <> ALL($2::bigint[])
        GROUP BY message_key`,
      [keys, locked.map((row) => row.seq)],
    );
    const oldestElsewhere = new Map(elsewhere.map((row) => [row.message_key, BigInt(row.seq)]));
    const sequenced = locked.map((row) => ({ seq: BigInt(row.seq), key: row.message_key, row }));
    return publishableRows(sequenced, oldestElsewhere).map(({ row }) => row);
  }

  private async publish(rows: OutboxRow[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const row of rows) {
      const messages = byTopic.get(row.topic) ?? [];
      messages.push({ key: row.message_key, value: JSON.stringify(row.payload), headers: row.headers });
      byTopic.set(row.topic, messages);
    }
    const topicMessages: TopicMessages[] = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
    try {
      await this.producer.sendBatch({ topicMessages, acks: -1 });
    } catch (error) {
      // Start the next attempt from a fresh connection and producer id: after a broker restart
      // the old id may be unknown and every send with it would fail.
      await this.disconnectQuietly();
      throw error;
    }
  }

  private async connect(): Promise<void> {
    if (this.connected) return;
    try {
      await this.producer.connect();
    } catch (error) {
      await this.disconnectQuietly();
      throw error;
    }
    this.connected = true;
  }

  private async disconnectQuietly(): Promise<void> {
    this.connected = false;
    try {
      await this.producer.disconnect();
    } catch (error) {
      this.logger.debug({ err: error }, 'disconnecting the outbox producer failed');
    }
  }

  /** Outside the rolled-back transaction, so the diagnosis survives it. */
  private async recordFailure(seqs: string[], error: unknown): Promise<void> {
    const { type, message } = describeError(error);
    try {
      await this.dataSource.query(
        `UPDATE ${this.table} SET attempts = attempts + 1, last_error = $2
          WHERE seq = ANY($1::bigint[]) AND sent_at IS NULL`,
        [seqs, `${type}: ${message}`.slice(0, MAX_ERROR_LENGTH)],
      );
    } catch (recordError) {
      this.logger.warn({ err: recordError }, 'could not record the failed publish on the outbox rows');
    }
  }
}
