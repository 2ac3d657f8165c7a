import { randomUUID } from 'node:crypto';
import { activeTraceContext } from './tracing';
import type { EntityManager, EntitySubscriberInterface, QueryRunner, TransactionCommitEvent, TransactionRollbackEvent, TransactionStartEvent } from 'typeorm';
import { z } from 'zod';
import {
  eventCatalog,
  eventSource,
  parsePayload,
  Topics,
  type EventPayload,
  type EventType,
  type ServiceName,
} from '@offboarding/contracts';
import { isTraceparent, isTracestate, toKafkaMessage, type EventEnvelope } from './cloud-event';
import { messagingTable, outboxChannel } from './sql';

/** An outbox row waiting for its transaction's flush. */
interface PendingRow {
  id: string;
  topic: string;
  key: string;
  type: string;
  headers: string;
  payload: string;
}

interface Pending {
  manager: EntityManager;
  rows: PendingRow[];
}

const pending = new WeakMap<QueryRunner, Pending>();

/**
 * Writes a transaction's buffered outbox rows just before it commits (and before a nested
 * transaction's savepoint, so rolling the savepoint back drops exactly the rows written after it).
 */
class OutboxFlushSubscriber implements EntitySubscriberInterface {
  async beforeTransactionStart({ queryRunner }: TransactionStartEvent): Promise<void> {
    // startTransaction marks the runner active before telling subscribers: depth 0 is the outermost.
    if (((queryRunner as { transactionDepth?: number }).transactionDepth ?? 0) > 0) await flushRunner(queryRunner);
  }

  async beforeTransactionCommit({ queryRunner }: TransactionCommitEvent): Promise<void> {
    await flushRunner(queryRunner);
  }

  afterTransactionRollback({ queryRunner }: TransactionRollbackEvent): void {
    pending.delete(queryRunner);
  }
}

async function flushRunner(runner: QueryRunner): Promise<void> {
  const entry = pending.get(runner);
  pending.delete(runner);
  if (!entry || entry.rows.length === 0) return;
  await insertRows(entry.manager, entry.rows);
}

/** Rows per statement: six parameters each, well under PostgreSQL's 65,535. */
const ROWS_PER_INSERT = 1_000;

/**
 * One statement per 1,000 rows, in order (the sequence is drawn row by row, in VALUES order). The
 * same statement queues a NOTIFY, which PostgreSQL delivers when the transaction commits (never
 * if it rolls back): relays listening in other processes start a round at once.
 */
async function insertRows(manager: EntityManager, rows: PendingRow[]): Promise<void> {
  for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
    const chunk = rows.slice(start, start + ROWS_PER_INSERT);
    const values = chunk.map((_, i) => `($${i * 6 + 2}::uuid, $${i * 6 + 3}, $${i * 6 + 4}, $${i * 6 + 5}, $${i * 6 + 6}::jsonb, $${i * 6 + 7}::jsonb)`);
    await manager.query(
      `WITH written AS (
         INSERT INTO ${messagingTable(manager.connection, 'outbox')} (id, topic, message_key, type, headers, payload) VALUES ${values.join(', ')}
       )
       SELECT pg_notify($1, '')`,
      [outboxChannel(manager.connection), ...chunk.flatMap((row) => [row.id, row.topic, row.key, row.type, row.headers, row.payload])],
    );
  }
}

/**
 * Writes the outbox rows `manager`'s transaction has buffered so far. The flush before commit does
 * this by itself; call it before a raw `SAVEPOINT`, so that rolling back to it drops only the rows
 * written after it (see discardOutboxRows).
 */
export async function flushOutboxRows(manager: EntityManager): Promise<void> {
  if (manager.queryRunner) await flushRunner(manager.queryRunner);
}

/** Drops the rows buffered since the last flush: after `ROLLBACK TO SAVEPOINT` of a raw savepoint. */
export function discardOutboxRows(manager: EntityManager): void {
  if (manager.queryRunner) pending.delete(manager.queryRunner);
}

export interface PublishOptions {
  /** W3C trace context of the operation producing the event. */
  traceparent?: string;
  /** Its tracestate, with a given traceparent. */
  tracestate?: string;
}

const organizationId = z.uuid();

/**
 * Transactional outbox: an event is a row written in the same transaction as the state change
 * it describes, so both commit or neither does. The relay publishes it afterwards. The events of
 * one transaction are buffered and written as one multi-row insert just before it commits.
 */
export class Outbox {
  /** `now` stamps `ce_time`: the service's clock, so shifted time shows in the events too. */
  constructor(
    private readonly service: ServiceName,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Validates and records an event with the caller's transaction. Throws (and so rolls the
   * caller's transaction back) on an invalid payload or a type this service does not produce.
   */
  async add<T extends EventType>(
    manager: EntityManager,
    type: T,
    subject: string,
    data: EventPayload<T>,
    options: PublishOptions = {},
  ): Promise<EventEnvelope<T>> {
    const envelope = this.envelope(type, subject, data, options);
    const message = toKafkaMessage(envelope);
    const row: PendingRow = {
      id: envelope.id,
      topic: Topics[this.service],
      key: message.key,
      type,
      headers: JSON.stringify(message.headers),
      payload: message.value,
    };
    const runner = manager.queryRunner;
    if (!runner?.isTransactionActive) {
      await insertRows(manager, [row]);
      return envelope;
    }
    // Inside a transaction the rows are buffered and written as one statement before it commits.
    const subscribers = manager.connection.subscribers;
    if (!subscribers.some((subscriber) => subscriber instanceof OutboxFlushSubscriber)) subscribers.push(new OutboxFlushSubscriber());
    const entry = pending.get(runner) ?? { manager, rows: [] };
    entry.rows.push(row);
    pending.set(runner, entry);
    return envelope;
  }

  private envelope<T extends EventType>(
    type: T,
    subject: string,
    data: EventPayload<T>,
    options: PublishOptions,
  ): EventEnvelope<T> {
    const definition = eventCatalog[type] as { producer: ServiceName } | undefined;
    if (!definition) throw new Error(`unknown event type "${type}"`);
    // Each topic carries its producer's events only; consumers rely on that to know the source.
    if (definition.producer !== this.service) {
      throw new Error(`${this.service} cannot publish "${type}": it is produced by ${definition.producer}`);
    }
    if (!organizationId.safeParse(subject).success) {
      throw new Error(`event subject must be an organization id (UUID), got "${subject}"`);
    }
    const payload = parsePayload(type, data);
    // The subject is the partition key; an event keyed to another organization than its payload
    // names would be ordered against the wrong stream.
    const payloadOrganization = (payload as { organizationId?: unknown }).organizationId;
    if (payloadOrganization !== undefined && payloadOrganization !== subject) {
      throw new Error(`event subject ${subject} differs from the payload's organizationId ${JSON.stringify(payloadOrganization)}`);
    }
    if (options.traceparent !== undefined && !isTraceparent(options.traceparent)) {
      throw new Error(`traceparent "${options.traceparent}" is not W3C trace context`);
    }
    // Unless told otherwise, the event continues the trace of the work that writes it.
    const active = options.traceparent === undefined ? activeTraceContext() : { traceparent: options.traceparent, tracestate: options.tracestate };
    const { traceparent, tracestate } = active;
    const envelope: EventEnvelope<T> = {
      id: randomUUID(),
      type,
      source: eventSource(this.service),
      subject,
      time: this.now().toISOString(),
      specversion: '1.0',
      data: payload,
    };
    if (traceparent !== undefined && isTraceparent(traceparent)) {
      envelope.traceparent = traceparent;
      if (tracestate !== undefined && isTracestate(tracestate)) envelope.tracestate = tracestate;
    }
    return envelope;
  }
}
