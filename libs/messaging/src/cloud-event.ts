import type { IHeaders, Message } from 'kafkajs';
import { z } from 'zod';
import { eventCatalog, eventSource, isEventType, parsePayload, type EventPayload, type EventType } from '@offboarding/contracts';

// CloudEvents 1.0, Kafka protocol binding, binary content mode: the attributes travel as `ce_*`
// headers and the message value is the bare JSON payload, so non-CloudEvents tooling (console
// consumers, connectors) still sees plain JSON.

export const CLOUDEVENTS_SPEC_VERSION = '1.0';
export const EVENT_CONTENT_TYPE = 'application/json';

/** A validated event: known type, payload checked against its contract. */
export interface EventEnvelope<T extends EventType = EventType> {
  id: string;
  type: T;
  source: string;
  /** The organization the event is about; also the Kafka message key. */
  subject: string;
  time: string;
  specversion: '1.0';
  data: EventPayload<T>;
  /** W3C trace context of the operation that produced the event. */
  traceparent?: string;
  /** Its vendor-specific companion (W3C tracestate), kept so every tracing system sees its own state. */
  tracestate?: string;
}

/** An envelope of any catalog type, with `type` and `data` correlated (narrow on `type`). */
export type AnyEventEnvelope = { [T in EventType]: EventEnvelope<T> }[EventType];

/**
 * An event as read off the wire: its attributes are well formed, but the type may be one this
 * build does not know (a newer producer) and the payload has not been checked yet.
 */
export interface ReceivedEvent {
  id: string;
  type: string;
  source: string;
  subject: string;
  time: string;
  specversion: '1.0';
  data: unknown;
  traceparent?: string;
  tracestate?: string;
}

/** The shape shared by kafkajs's outgoing `Message` and consumed `KafkaMessage`. */
export interface KafkaRecord {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  headers?: IHeaders;
}

/** A Kafka message that is not a CloudEvent we can read; never worth retrying. */
export class MalformedEventError extends Error {
  override readonly name = 'MalformedEventError';
}

const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
const uuid = z.uuid();
const instant = z.iso.datetime({ offset: true });

export function isTraceparent(value: string): boolean {
  return TRACEPARENT.test(value);
}

/** W3C tracestate: at most 32 `key=value` members, 512 characters, printable ASCII only. */
export function isTracestate(value: string): boolean {
  const members = value.split(',').map((member) => member.trim()).filter(Boolean);
  return value.length <= 512 && members.length <= 32 && members.every((member) => /^[a-z0-9][a-z0-9_\-*/@]{0,255}=[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/.test(member));
}

/** Binary-mode Kafka message of an envelope; the key is the organization, so its events stay ordered. */
export function toKafkaMessage(envelope: EventEnvelope | ReceivedEvent): Message & { key: string; value: string; headers: Record<string, string> } {
  const headers: Record<string, string> = {
    ce_id: envelope.id,
    ce_source: envelope.source,
    ce_type: envelope.type,
    ce_time: envelope.time,
    ce_specversion: envelope.specversion,
    ce_subject: envelope.subject,
    'content-type': EVENT_CONTENT_TYPE,
  };
  if (envelope.traceparent !== undefined) headers.traceparent = envelope.traceparent;
  if (envelope.traceparent !== undefined && envelope.tracestate !== undefined) headers.tracestate = envelope.tracestate;
  return { key: envelope.subject, value: JSON.stringify(envelope.data), headers };
}

/** Reads the CloudEvent of a Kafka message; throws MalformedEventError naming every problem found. */
export function fromKafkaMessage(message: KafkaRecord): ReceivedEvent {
  const problems: string[] = [];
  const headers = message.headers ?? {};
  const required = (name: string, check?: (value: string) => string | undefined): string => {
    const value = headerText(headers, name);
    if (value === undefined) {
      problems.push(`missing header ${name}`);
      return '';
    }
    if (value === null) {
      problems.push(`header ${name} is repeated`);
      return '';
    }
    const problem = check?.(value);
    if (problem) problems.push(`header ${name} ${problem}`);
    return value;
  };

  const id = required('ce_id', (v) => (uuid.safeParse(v).success ? undefined : 'is not a UUID'));
  const source = required('ce_source', (v) => (v.length > 0 ? undefined : 'is empty'));
  const type = required('ce_type', (v) => (v.length > 0 ? undefined : 'is empty'));
  const time = required('ce_time', (v) => (instant.safeParse(v).success ? undefined : 'is not an RFC 3339 timestamp'));
  required('ce_specversion', (v) =>
    v === CLOUDEVENTS_SPEC_VERSION ? undefined : `is "${v}", expected "${CLOUDEVENTS_SPEC_VERSION}"`,
  );
  const subject = required('ce_subject', (v) => (uuid.safeParse(v).success ? undefined : 'is not a UUID'));
  required('content-type', (v) =>
    v.split(';')[0]?.trim().toLowerCase() === EVENT_CONTENT_TYPE ? undefined : `is "${v}", expected "${EVENT_CONTENT_TYPE}"`,
  );
  const traceparent = headerText(headers, 'traceparent');
  if (traceparent === null) problems.push('header traceparent is repeated');
  else if (traceparent !== undefined && !isTraceparent(traceparent)) problems.push('header traceparent is not W3C trace context');
  // tracestate only ever adds to a traceparent; a malformed one is dropped, never a reason to refuse the event.
  const tracestate = headerText(headers, 'tracestate');

  // Per-organization ordering rests on the key; an event keyed otherwise would race its siblings.
  const key = message.key === undefined || message.key === null ? undefined : message.key.toString();
  if (key === undefined) problems.push('missing message key');
  else if (subject !== '' && key !== subject) problems.push(`message key "${key}" differs from ce_subject`);

  let data: unknown;
  if (message.value === null || message.value.length === 0) problems.push('empty message value');
  else {
    try {
      data = JSON.parse(message.value.toString()) as unknown;
    } catch (error) {
      problems.push(`message value is not JSON (${error instanceof Error ? error.message : String(error)})`);
    }
  }

  if (problems.length > 0) throw new MalformedEventError(`malformed CloudEvent: ${problems.join('; ')}`);
  const event: ReceivedEvent = { id, type, source, subject, time, specversion: '1.0', data };
  if (typeof traceparent === 'string') event.traceparent = traceparent;
  if (typeof traceparent === 'string' && typeof tracestate === 'string' && isTracestate(tracestate)) event.tracestate = tracestate;
  return event;
}

/**
 * Checks a received event against the contract of `type`: published by that type's producer,
 * payload valid. Throws MalformedEventError for an unknown type or a wrong source, and the
 * ZodError of the payload. Neither is worth retrying.
 */
export function toEnvelope<T extends EventType>(type: T, event: ReceivedEvent): EventEnvelope<T> {
  if (event.type !== type) throw new MalformedEventError(`event of type "${event.type}" read as "${type}"`);
  // T is a catalog type for the compiler only; callers may hand over any string at run time.
  if (!isEventType(event.type)) throw new MalformedEventError(`unknown event type "${event.type}"`);
  const expectedSource = eventSource(eventCatalog[type].producer);
  if (event.source !== expectedSource) {
    throw new MalformedEventError(`event type "${type}" must come from "${expectedSource}", not "${event.source}"`);
  }
  return { ...event, type, data: parsePayload(type, event.data) };
}

/** A header as text: undefined when absent, null when given more than once. */
export function headerText(headers: IHeaders, name: string): string | undefined | null {
  const value = headers[name];
  if (value === undefined) return undefined;
  if (Array.isArray(value)) {
    const [only, ...rest] = value;
    return only !== undefined && rest.length === 0 ? only.toString() : null;
  }
  return value.toString();
}
