import { ZodError } from 'zod';
import { eventSource, type EventType } from '@offboarding/contracts';
import {
  fromKafkaMessage,
  MalformedEventError,
  toEnvelope,
  toKafkaMessage,
  type EventEnvelope,
  type KafkaRecord,
} from '../cloud-event';

const organizationId = '0b9d6a4e-3f1c-4d8a-9e2b-7c5f1a2d3e4f';

const granted: EventEnvelope<'com.offboarding.entitlements.entitlement_granted.v1'> = {
  id: '7d0c4f0e-2b7a-4a53-9d8e-0f4c3b2a1e9d',
  type: 'com.offboarding.entitlements.entitlement_granted.v1',
  source: eventSource('entitlements'),
  subject: organizationId,
  time: '2024-03-01T09:31:00.123Z',
  specversion: '1.0',
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  data: {
    organizationId,
    entitlementId: '5e0f8c2a-9b7d-4e1f-8a3c-6d2b1f0e9a8c',
    class: 'PLG',
    product: 'Forms Pro',
    grantedAt: '2024-03-01T09:31:00.123+01:00',
  },
};

/** What a consumer receives: every header and the value as bytes. */
function asConsumed(record: KafkaRecord): KafkaRecord {
  const toBuffer = (value: Buffer | string | null | undefined) => (value == null ? null : Buffer.from(value));
  const headers = Object.fromEntries(
    Object.entries(record.headers ?? {}).map(([name, value]) => [name, Buffer.from(String(value))]),
  );
  return { key: toBuffer(record.key), value: toBuffer(record.value), headers };
}

function malformed(change: (record: KafkaRecord & { headers: Record<string, Buffer | string | (Buffer | string)[]> }) => void) {
  const record = toKafkaMessage(granted);
  const copy = { ...record, headers: { ...record.headers } as Record<string, Buffer | string | (Buffer | string)[]> };
  change(copy);
  return () => fromKafkaMessage(copy);
}

describe('CloudEvents binary mode', () => {
  it('puts the attributes in ce_ headers, the payload in the value and the organization in the key', () => {
    const message = toKafkaMessage(granted);
    expect(message.key).toBe(organizationId);
    expect(JSON.parse(message.value)).toEqual(granted.data);
    expect(message.headers).toEqual({
      ce_id: granted.id,
      ce_source: '/offboarding/entitlements',
      ce_type: granted.type,
      ce_time: granted.time,
      ce_specversion: '1.0',
      ce_subject: organizationId,
      'content-type': 'application/json',
      traceparent: granted.traceparent,
    });
  });

  it('carries tracestate with traceparent, and drops a malformed or orphaned one instead of refusing the event', () => {
    const stated = { ...granted, tracestate: 'vendor=opaque,congo=t61rcWkgMzE' };
    const message = toKafkaMessage(stated);
    expect(message.headers.tracestate).toBe('vendor=opaque,congo=t61rcWkgMzE');
    expect(fromKafkaMessage(asConsumed(message))).toMatchObject({ traceparent: granted.traceparent, tracestate: 'vendor=opaque,congo=t61rcWkgMzE' });
    const broken = toKafkaMessage(stated);
    broken.headers.tracestate = 'not a tracestate\u0000';
    expect(fromKafkaMessage(asConsumed(broken))).not.toHaveProperty('tracestate');
    const { traceparent: _traceparent, ...untraced } = stated;
    expect(toKafkaMessage(untraced).headers).not.toHaveProperty('tracestate');
  });

  it('leaves traceparent out when the event was not traced', () => {
    const { traceparent: _traceparent, ...untraced } = granted;
    expect(toKafkaMessage(untraced).headers).not.toHaveProperty('traceparent');
    expect(fromKafkaMessage(asConsumed(toKafkaMessage(untraced)))).not.toHaveProperty('traceparent');
  });

  it('decodes what it encodes, from the bytes a consumer sees', () => {
    const received = fromKafkaMessage(asConsumed(toKafkaMessage(granted)));
    expect(received).toEqual(granted);
    expect(toEnvelope(granted.type, received)).toEqual(granted);
  });

  it('accepts a content type with parameters', () => {
    const decode = malformed((m) => (m.headers['content-type'] = 'application/json; charset=utf-8'));
    expect(decode().id).toBe(granted.id);
  });

  it.each([
    ['a missing header', malformed((m) => delete m.headers.ce_type), /missing header ce_type/],
    ['an id that is not a UUID', malformed((m) => (m.headers.ce_id = 'evt-1')), /ce_id is not a UUID/],
    ['another spec version', malformed((m) => (m.headers.ce_specversion = '0.3')), /ce_specversion is "0.3"/],
    ['a time without offset', malformed((m) => (m.headers.ce_time = '2024-03-01T09:31:00')), /ce_time is not an RFC 3339/],
    ['another content type', malformed((m) => (m.headers['content-type'] = 'application/avro')), /content-type is "application\/avro"/],
    ['a repeated header', malformed((m) => (m.headers.ce_id = [granted.id, granted.id])), /ce_id is repeated/],
    ['a broken traceparent', malformed((m) => (m.headers.traceparent = 'abc')), /traceparent is not W3C/],
    ['a key other than the subject', malformed((m) => (m.key = 'someone-else')), /key "someone-else" differs from ce_subject/],
    ['no key', malformed((m) => (m.key = null)), /missing message key/],
    ['no value', malformed((m) => (m.value = null)), /empty message value/],
    ['a value that is not JSON', malformed((m) => (m.value = '{"organizationId":')), /value is not JSON/],
  ])('rejects %s with a MalformedEventError naming it', (_case, decode, problem) => {
    expect(decode).toThrow(MalformedEventError);
    expect(decode).toThrow(problem);
  });

  it('names every problem at once', () => {
    expect(() => fromKafkaMessage({ key: null, value: null, headers: {} })).toThrow(
      /missing header ce_id; missing header ce_source;.*missing header content-type; missing message key; empty message value/,
    );
  });

  it('decodes an event type it does not know, so consumers can skip it rather than dead-letter it', () => {
    const decode = malformed((m) => (m.headers.ce_type = 'com.offboarding.future.thing_happened.v1'));
    expect(decode().type).toBe('com.offboarding.future.thing_happened.v1');
  });

  it('refuses an event whose source is not the producer of its type', () => {
    const received = fromKafkaMessage(toKafkaMessage({ ...granted, source: eventSource('identity') }));
    expect(() => toEnvelope(granted.type, received)).toThrow(/must come from "\/offboarding\/entitlements"/);
  });

  it('refuses a payload that breaks its contract with the ZodError naming the field', () => {
    const received = { ...fromKafkaMessage(toKafkaMessage(granted)), data: { ...granted.data, class: 'GOLD' } };
    expect(() => toEnvelope(granted.type, received)).toThrow(ZodError);
    expect(() => toEnvelope(granted.type, received)).toThrow(/class/);
  });

  it('refuses to validate an event as another type', () => {
    const received = fromKafkaMessage(toKafkaMessage(granted));
    const otherType: EventType = 'com.offboarding.identity.portal_access_enabled.v1';
    expect(() => toEnvelope(otherType, received)).toThrow(MalformedEventError);
  });
});
