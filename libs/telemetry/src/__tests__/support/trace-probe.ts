// Started as a process of its own (node -r tools/register.js) the way a service starts:
// tracing first (probe-instrument, as each app's instrument.ts), then everything else. The pg
// and http instrumentations hook Node's module loader, which jest replaces with its own, so this
// cannot run inside a jest worker. Inside a request span whose trace carries a tracestate it
// makes a database query (a query before it, outside any request, must not make a span), a
// node:http call and a fetch, then prints the spans and what the HTTP server received as JSON.
import { exporter } from './probe-instrument';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, propagation, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { openServiceDatabase } from '@offboarding/persistence';
import { shutdownTracing } from '../../tracing';

async function main(): Promise<void> {
  const received: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    received.push(req.headers);
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const database = await openServiceDatabase({
    service: 'probe',
    schema: 'probe',
    entities: [],
    migrations: [],
    migrate: false,
    target: process.env.TEST_DATABASE_URL ? { kind: 'postgres', url: process.env.TEST_DATABASE_URL } : { kind: 'embedded', dataDir: null },
  });
  await database.dataSource.query('SELECT 0 AS outside_any_request');
  const caller = propagation.extract(ROOT_CONTEXT, { traceparent: '00-5b8aa5a2d2c872e8321cf37308d69df2-051581bf3cb55c13-01', tracestate: 'vendor=opaque-state,other=1' });
  const span = trace.getTracer('probe').startSpan('POST /graphql', { kind: SpanKind.SERVER }, caller);
  await context.with(trace.setSpan(caller, span), async () => {
    await database.dataSource.query('SELECT 1 AS inside_the_request');
    await new Promise<void>((resolve, reject) => http.get(url, { headers: { 'x-client': 'node-http' } }, (res) => res.resume().on('end', resolve)).on('error', reject));
    await (await fetch(url, { headers: { 'x-client': 'fetch' } })).text();
  });
  span.end();
  await database.close();
  server.close();
  const spans = exporter.getFinishedSpans().map((finished) => ({
    name: finished.name,
    kind: finished.kind,
    traceId: finished.spanContext().traceId,
    spanId: finished.spanContext().spanId,
    parentSpanId: finished.parentSpanContext?.spanId ?? null,
    traceState: finished.spanContext().traceState?.serialize() ?? null,
    attributes: finished.attributes,
  }));
  process.stdout.write(`${JSON.stringify({ spans, received, requestSpanId: span.spanContext().spanId })}\n`);
  await shutdownTracing();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
