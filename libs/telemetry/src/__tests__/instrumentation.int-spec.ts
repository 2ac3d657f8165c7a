import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';

interface ProbeSpan {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  traceState: string | null;
  attributes: Record<string, unknown>;
}

const root = path.resolve(__dirname, '../../../..');
const TRACE = '5b8aa5a2d2c872e8321cf37308d69df2';
const STATE = 'vendor=opaque-state,other=1';

// PostgreSQL queries and outbound HTTP calls (node:http and fetch) as spans of the request that
// makes them, the caller's tracestate kept on every span and passed on with the trace. Runs the
// probe as its own process: the instrumentations hook Node's module loader, not jest's.
describe('database and outbound HTTP spans', () => {
  it('records pg queries and HTTP calls as children of the request, keeping and passing on tracestate', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['-r', path.join(root, 'tools/register.js'), path.join(__dirname, 'support/trace-probe.ts')], {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: 'silent' },
      timeout: 120_000,
    });
    const { spans, received, requestSpanId } = JSON.parse(stdout.trim().split('\n').at(-1)!) as { spans: ProbeSpan[]; received: Record<string, string>[]; requestSpanId: string };
    const children = spans.filter((span) => span.parentSpanId === requestSpanId);
    const query = children.find((span) => span.attributes['db.statement'] === 'SELECT 1 AS inside_the_request');
    expect(query).toMatchObject({ traceId: TRACE, traceState: STATE, attributes: { 'db.system': 'postgresql' } });
    // Outside any request nothing is recorded: no root spans from pool warm-ups or polling.
    expect(spans.filter((span) => span.parentSpanId === null)).toEqual([]);
    expect(spans.some((span) => String(span.attributes['db.statement']).includes('outside_any_request'))).toBe(false);
    // Client spans (kind 2) of both clients; node:http reports the older HTTP conventions, fetch the stable ones.
    const httpCalls = children.filter((span) => span.kind === 2 && span.name === 'GET');
    expect(httpCalls).toHaveLength(2);
    for (const call of httpCalls) {
      expect(call).toMatchObject({ traceId: TRACE, traceState: STATE });
      expect(call.attributes['http.response.status_code'] ?? call.attributes['http.status_code']).toBe(200);
    }
    // Both clients passed the trace on, each with its own span as the parent, and the tracestate.
    for (const client of ['node-http', 'fetch']) {
      const headers = received.find((request) => request['x-client'] === client)!;
      const [, trace, parent] = headers.traceparent.split('-');
      expect({ client, trace, parentIsACallSpan: httpCalls.some((call) => call.spanId === parent), tracestate: headers.tracestate }).toEqual({
        client,
        trace: TRACE,
        parentIsACallSpan: true,
        tracestate: STATE,
      });
    }
  });
});
