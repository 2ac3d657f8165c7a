import { randomUUID } from 'node:crypto';
import { activeTraceContext } from './tracing';
import type { EntityManager } from 'typeorm';
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
import { messagingTable } from './sql';

export interface PublishOptions {
  /** W3C trace context of the operation producing the event. */
  traceparent?: string;
  /** Its tracestate, with a given traceparent. */
  tracestate?: string;
}

const organizationId = z.uuid();

/**
 * Transactional outbox: an event is a row written in the same transaction as the state change
 * it describes, so both commit or neither does. The relay publishes it afterwards.
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
    await manager.query(
      `INSERT INTO ${messagingTable(manager.connection, 'outbox')} (id, topic, message_key, type, headers, payload)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb)`,
      [envelope.id, Topics[this.service], message.key, type, JSON.stringify(message.headers), message.value],
    );
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
