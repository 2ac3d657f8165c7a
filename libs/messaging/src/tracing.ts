import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';

// W3C trace context through Kafka: the outbox stamps each event with the traceparent (and
// tracestate) of the work that wrote it, and the consumer continues that trace around the handler.

const tracer = () => trace.getTracer('offboarding-messaging');

/** The traceparent of the active span, if there is one. */
export function activeTraceparent(): string | undefined {
  return activeTraceContext().traceparent;
}

/** The active W3C trace context: traceparent and, when the trace carries one, tracestate. */
export function activeTraceContext(): { traceparent?: string; tracestate?: string } {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return { traceparent: carrier.traceparent, tracestate: carrier.tracestate };
}

/** Runs a consumer's handling of one event in a span that continues the producer's trace. */
export async function inConsumerSpan<T>(
  event: { id: string; type: string; subject: string; traceparent?: string; tracestate?: string },
  work: () => Promise<T>,
): Promise<T> {
  const carrier: Record<string, string> = event.traceparent ? { traceparent: event.traceparent, ...(event.tracestate ? { tracestate: event.tracestate } : {}) } : {};
  const parent = event.traceparent ? propagation.extract(context.active(), carrier) : context.active();
  const span = tracer().startSpan(
    `consume ${event.type}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: { 'messaging.system': 'kafka', 'messaging.message.id': event.id, 'offboarding.organization_id': event.subject },
    },
    parent,
  );
  try {
    return await context.with(trace.setSpan(parent, span), work);
  } catch (error) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR });
    throw error;
  } finally {
    span.end();
  }
}
