import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { initTracing } from '@offboarding/platform';
import { loadGatewayConfig } from '../gateway-config';
import { startGateway } from '../gateway-server';

// The gateway continues the client's trace and passes it, with the request id, to every
// subgraph it calls. A stand-in subgraph records what arrives.
describe('trace context through the gateway', () => {
  const received: http.IncomingHttpHeaders[] = [];
  const subgraph = http.createServer((req, res) => {
    received.push(req.headers);
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ data: { organizations: { totalCount: 3 } } }));
    });
  });

  beforeAll(async () => {
    initTracing('gateway');
    await new Promise<void>((resolve) => subgraph.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => subgraph.close(resolve));
  });

  it('forwards traceparent (same trace, the gateway as parent) and x-request-id to the subgraph', async () => {
    const { port } = subgraph.address() as AddressInfo;
    const gateway = await startGateway(
      loadGatewayConfig({ NODE_ENV: 'test', GATEWAY_PORT: '0', HOST: '127.0.0.1', ENTITLEMENTS_URL: `http://127.0.0.1:${port}/graphql` }),
      pino({ level: 'silent' }),
    );
    try {
      const traceId = '5b8aa5a2d2c872e8321cf37308d69df2';
      const res = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-051581bf3cb55c13-01`, 'x-request-id': 'req-42' },
        body: JSON.stringify({ query: '{ organizations { totalCount } }' }),
      });
      expect(await res.json()).toEqual({ data: { organizations: { totalCount: 3 } }, extensions: { cost: { requested: 0, maximum: 5000, depth: 2, maximumDepth: 12 } } });
      expect(received).toHaveLength(1);
      expect(received[0]['x-request-id']).toBe('req-42');
      const [, forwardedTrace, parentSpan] = String(received[0].traceparent).split('-');
      expect(forwardedTrace).toBe(traceId);
      expect(parentSpan).toMatch(/^[0-9a-f]{16}$/);
      expect(parentSpan).not.toBe('051581bf3cb55c13');
    } finally {
      await gateway.stop();
    }
  });
});
