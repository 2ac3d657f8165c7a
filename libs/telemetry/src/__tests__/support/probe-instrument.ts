// The probe's instrument.ts: tracing first, with spans kept in memory to be printed.
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { initTracing } from '../../tracing';

export const exporter = new InMemorySpanExporter();
initTracing('probe', { spanProcessors: [new SimpleSpanProcessor(exporter)], env: {} });
