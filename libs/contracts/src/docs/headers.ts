import { z } from 'zod';
import type { ServiceName } from '../domain';
import { eventSource, Topics } from '../events/topics';

// Kafka header values are bytes; every header below is a UTF-8 string, numbers included, which
// is why partitions, offsets and attempt counts are described as decimal strings.

const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
const DECIMAL = /^(0|[1-9][0-9]*)$/;
const POSITIVE_DECIMAL = /^[1-9][0-9]*$/;

/** CloudEvents 1.0 Kafka binary-mode headers of one event type. */
export function cloudEventHeaders(type: string, producer: ServiceName) {
  // Loose: brokers, proxies and tracing libraries add headers of their own.
  return z.looseObject({
    ce_id: z.string().min(1).describe('CloudEvents id, unique per source; consumers deduplicate on ce_source + ce_id.'),
    ce_source: z.literal(eventSource(producer)).describe('CloudEvents source: the producing service.'),
    ce_type: z.literal(type).describe('CloudEvents type; selects the payload contract.'),
    ce_time: z.iso.datetime({ offset: true }).describe('When the fact happened (RFC 3339).'),
    ce_specversion: z.literal('1.0'),
    ce_subject: z.uuid().describe('The organization id the event is about; equal to the message key.'),
    'content-type': z.literal('application/json'),
    traceparent: z
      .string()
      .regex(TRACEPARENT)
      .optional()
      .describe('W3C trace context of the operation that produced the event, when it was traced.'),
    tracestate: z
      .string()
      .max(512)
      .optional()
      .describe('W3C tracestate of that trace (vendor-specific trace data), present only with traceparent.'),
  });
}

/** Headers of the same event once a consumer has parked it in its dead-letter topic. */
export function deadLetterHeaders(type: string, producer: ServiceName) {
  return cloudEventHeaders(type, producer).extend({
    dlq_error: z.string().describe('Message of the last error.'),
    dlq_error_type: z.string().describe('Class or code of the last error, e.g. ZodError.'),
    // A type is only ever published on its producer's topic, so the original topic is known.
    dlq_original_topic: z.literal(Topics[producer]),
    dlq_original_partition: z.string().regex(DECIMAL).describe('Partition the message was read from.'),
    dlq_original_offset: z.string().regex(DECIMAL).describe('Offset of the message in that partition.'),
    dlq_attempts: z.string().regex(POSITIVE_DECIMAL).describe('How many times processing was attempted.'),
    dlq_failed_at: z.iso.datetime({ offset: true }).describe('When the last attempt failed (RFC 3339).'),
  });
}
