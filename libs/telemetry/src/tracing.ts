import { context, propagation, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { BatchSpanProcessor, NodeTracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace-node';

let provider: NodeTracerProvider | null = null;
let disableInstrumentations: (() => void) | null = null;

/**
 * OpenTelemetry for this process. Trace context (W3C `traceparent` and `tracestate`) always
 * flows: from the client through the gateway to the subgraphs, into the Kafka headers of the
 * events they write and out of the consumers that handle them. Spans are exported only when
 * configured: `OTEL_TRACES_EXPORTER=otlp` or `OTEL_EXPORTER_OTLP_ENDPOINT` (OTLP over HTTP; the
 * exporter reads the standard OTEL_EXPORTER_OTLP_* variables). Off by default. Whenever spans go
 * somewhere, every PostgreSQL query (`pg`) and every outbound HTTP call (node:http/https, as the
 * gateway, the AWS SDK and the JWKS client make them, and fetch) gets a span of its own, a child
 * of the request or message being handled; without an exporter nothing is instrumented, so
 * nothing is paid for spans nobody reads.
 */
export function initTracing(serviceName: string, options: { spanProcessors?: SpanProcessor[]; env?: NodeJS.ProcessEnv } = {}): NodeTracerProvider {
  if (provider) return provider;
  const env = options.env ?? process.env;
  const exporting = env.OTEL_TRACES_EXPORTER === 'otlp' || (Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT) && env.OTEL_TRACES_EXPORTER !== 'none');
  provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': `offboarding-${serviceName}`, 'service.namespace': 'offboarding' }),
    spanProcessors: [...(options.spanProcessors ?? []), ...(exporting ? [new BatchSpanProcessor(new OTLPTraceExporter())] : [])],
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  if (exporting || (options.spanProcessors?.length ?? 0) > 0) {
    disableInstrumentations = registerInstrumentations({
      tracerProvider: provider,
      instrumentations: [
        // Incoming requests already run in tracingMiddleware's server span.
        // Incoming requests already run in tracingMiddleware's server span; calls outside any
        // request or message (pool warm-up, polling) would only be noise as root spans.
        new HttpInstrumentation({ disableIncomingRequestInstrumentation: true, requireParentforOutgoingSpans: true }),
        new UndiciInstrumentation({ requireParentforSpans: true }),
        // Statement text without parameter values: no personal data in spans.
        new PgInstrumentation({ enhancedDatabaseReporting: false, requireParentSpan: true }),
      ],
    });
  }
  return provider;
}

/** Flushes and stops span export (on shutdown). */
export async function shutdownTracing(): Promise<void> {
  disableInstrumentations?.();
  disableInstrumentations = null;
  await provider?.shutdown();
}

interface HttpRequestLike {
  method: string;
  path?: string;
  url?: string;
  headers: Record<string, string | string[] | undefined>;
}
interface HttpResponseLike {
  statusCode: number;
  once(event: 'finish' | 'close', listener: () => void): unknown;
}

/**
 * Express middleware: continues the caller's trace (or starts one) in a server span and runs the
 * rest of the request inside it, so everything the request does (subgraph calls, outbox events)
 * carries its trace context.
 */
export function tracingMiddleware(component: string) {
  const tracer = trace.getTracer(`offboarding-${component}`);
  return (req: HttpRequestLike, res: HttpResponseLike, next: () => void): void => {
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const route = req.path ?? req.url ?? '/';
    const span = tracer.startSpan(`${req.method} ${route}`, { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'url.path': route } }, parent);
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      span.setAttribute('http.response.status_code', res.statusCode);
      span.end();
    };
    res.once('finish', end);
    res.once('close', end);
    context.with(trace.setSpan(parent, span), next);
  };
}

/** Adds the active trace context to outgoing request headers. */
export function injectTraceContext(headers: { set(name: string, value: string): unknown }): void {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  for (const [name, value] of Object.entries(carrier)) headers.set(name, value);
}
