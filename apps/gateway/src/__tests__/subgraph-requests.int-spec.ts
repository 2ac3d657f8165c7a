import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { freePortBlock, TestIdentity, waitFor } from '@offboarding/testing';
import { loadGatewayConfig } from '../gateway-config';
import { type RunningGateway, startGateway } from '../gateway-server';

// What the gateway sends to subgraphs and what it tells clients when a subgraph fails. Stand-in
// subgraphs record what arrives (or answer 503); identity is the testing stand-in.

interface Recorded {
  headers: http.IncomingHttpHeaders;
  query: string;
}

function standIn(answer: (body: { query: string }, headers: http.IncomingHttpHeaders) => { status: number; body: unknown; headers?: Record<string, string> }) {
  const received: Recorded[] = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      const body = JSON.parse(text) as { query: string };
      received.push({ headers: req.headers, query: body.query });
      const { status, body: reply, headers = {} } = answer(body, req.headers);
      res.statusCode = status;
      for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(reply));
    });
  });
  return {
    received,
    async start() {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
    },
    stop: () => new Promise((resolve) => server.close(resolve)),
  };
}

describe('the gateway and its subgraphs', () => {
  const logLines: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => logLines.push(line) });
  let identity: TestIdentity;
  let gateway: RunningGateway;
  // A key seen before is answered from the record, as a subgraph does, with Idempotent-Replayed.
  const keysSeen = new Set<string>();
  const entitlements = standIn(({ query }, headers) => {
    if (query.trimStart().startsWith('mutation')) {
      const key = headers['idempotency-key'];
      const replayed = typeof key === 'string' && keysSeen.has(key);
      if (typeof key === 'string') keysSeen.add(key);
      const answerHeaders: Record<string, string> = replayed ? { 'idempotent-replayed': 'true' } : {};
      return { status: 200, body: { data: { createOrganization: { id: 'org-1' } } }, headers: answerHeaders };
    }
    // A domain refusal, as the services answer it; and an error without a code of the catalog.
    if (query.includes('organization(')) {
      return { status: 200, body: { data: { organization: null }, errors: [{ message: 'organization x does not exist', path: ['organization'], extensions: { code: 'NOT_FOUND', entity: 'organization' } }] } };
    }
    if (query.includes('entitlement(')) return { status: 200, body: { data: { entitlement: null }, errors: [{ message: 'select * from secret_table failed', path: ['entitlement'] }] } };
    return { status: 200, body: { data: { organizations: { totalCount: 3 } } } };
  });
  const provisioning = standIn(() => ({ status: 503, body: { status: 'stopping', internal: 'http://10.0.0.7:4002/secret' } }));
  let deadPort = 0;

  beforeAll(async () => {
    identity = await TestIdentity.start();
    deadPort = await freePortBlock(1);
    gateway = await startGateway(
      loadGatewayConfig({
        NODE_ENV: 'production',
        INTERNAL_API_TOKEN: 'an-internal-token-of-at-least-32-chars',
        GATEWAY_PORT: '0',
        HOST: '127.0.0.1',
        ENTITLEMENTS_URL: await entitlements.start(),
        PROVISIONING_URL: await provisioning.start(),
        IDENTITY_URL: identity.graphqlUrl,
        RETENTION_URL: `http://127.0.0.1:${deadPort}/graphql`,
      }),
      logger,
    );
  });

  afterAll(async () => {
    await gateway?.stop();
    await identity?.stop();
    await entitlements.stop();
    await provisioning.stop();
  });

  async function post(query: string, headers: Record<string, string> = {}, token: string | null = null) {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      body: JSON.stringify({ query }),
    });
    return { status: response.status, text: await response.text(), replayed: response.headers.get('idempotent-replayed') };
  }
  const admin = () => identity.token({ role: 'ADMIN' });

  it("forwards a mutation's Idempotency-Key to the subgraph that runs it, and no key with queries", async () => {
    const key = randomUUID();
    entitlements.received.length = 0;
    const mutation = await post('mutation { createOrganization(input: { name: "Keyed", type: CUSTOMER }) { id } }', { 'idempotency-key': key }, await admin());
    expect(JSON.parse(mutation.text)).toEqual({ data: { createOrganization: { id: 'org-1' } }, extensions: { cost: expect.objectContaining({ requested: 1 }) } });
    const query = await post('{ organizations { totalCount } }', { 'idempotency-key': key }, await admin());
    expect(JSON.parse(query.text)).toEqual({ data: { organizations: { totalCount: 3 } }, extensions: { cost: expect.objectContaining({ requested: 0 }) } });
    expect(entitlements.received.map((request) => request.headers['idempotency-key'])).toEqual([key, undefined]);
    // Without a key, nothing is invented.
    await post('mutation { createOrganization(input: { name: "Unkeyed", type: CUSTOMER }) { id } }', {}, await admin());
    expect(entitlements.received[2].headers['idempotency-key']).toBeUndefined();
  });

  it('tells the client a retry was answered from the record (Idempotent-Replayed), and only then', async () => {
    const key = randomUUID();
    const send = async () => post('mutation { createOrganization(input: { name: "Keyed twice", type: CUSTOMER }) { id } }', { 'idempotency-key': key }, await admin());
    const first = await send();
    const retry = await send();
    expect([first.replayed, retry.replayed]).toEqual([null, 'true']);
    expect(JSON.parse(retry.text).data).toEqual(JSON.parse(first.text).data);
    expect((await post('{ organizations { totalCount } }', {}, await admin())).replayed).toBeNull();
  });

  it('refuses a keyed request with two mutations or a malformed key before any subgraph runs it', async () => {
    entitlements.received.length = 0;
    const two = await post(
      'mutation { a: createOrganization(input: { name: "A", type: CUSTOMER }) { id } b: createOrganization(input: { name: "B", type: CUSTOMER }) { id } }',
      { 'idempotency-key': randomUUID() },
      await admin(),
    );
    expect(two.status).toBe(400);
    expect(JSON.parse(two.text).errors[0]).toMatchObject({
      message: 'Idempotency-Key: one key covers one mutation; this request has 2: send each with a key of its own',
      extensions: { code: 'BAD_USER_INPUT', field: 'Idempotency-Key' },
    });
    const malformed = await post('mutation { createOrganization(input: { name: "A", type: CUSTOMER }) { id } }', { 'idempotency-key': 'has spaces in it' }, await admin());
    expect(malformed.status).toBe(400);
    expect(JSON.parse(malformed.text).errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'Idempotency-Key' });
    expect(entitlements.received).toEqual([]);
  });

  it("logs a subgraph's refusal at warn with its code, and answers an error without a catalog code as INTERNAL_SERVER_ERROR, logged at error", async () => {
    const lines = () => logLines.map((line) => JSON.parse(line) as { level: number; msg: string; operation?: string; errorCodes?: string[]; code?: unknown });
    const refused = await post('query Refused { organization(id: "a2b5c1de-0000-4000-8000-000000000000") { id } }', {}, await admin());
    expect(JSON.parse(refused.text).errors[0]).toMatchObject({ message: 'organization x does not exist', extensions: { code: 'NOT_FOUND', entity: 'organization' } });
    expect(lines().find((line) => line.msg === 'graphql operation' && line.operation === 'Refused')).toMatchObject({ level: 40, errorCodes: ['NOT_FOUND'] });

    const failed = await post('query Failed { entitlement(id: "a2b5c1de-0000-4000-8000-000000000000") { id } }', {}, await admin());
    expect(JSON.parse(failed.text).errors[0]).toEqual({ message: 'Internal server error', path: ['entitlement'], extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(failed.text).not.toContain('secret_table');
    expect(lines().find((line) => line.msg === 'graphql operation' && line.operation === 'Failed')).toMatchObject({ level: 50, errorCodes: ['INTERNAL_SERVER_ERROR'] });
    expect(lines().find((line) => line.msg === 'error without a code of the catalog')).toMatchObject({ code: 'DOWNSTREAM_SERVICE_ERROR' });
  });

  it('answers SERVICE_UNAVAILABLE naming what is unavailable, never an address, to anonymous callers too; the log has the detail', async () => {
    for (const token of [await admin(), null]) {
      const down = await post('{ purgeQueue { totalCount } }', {}, token);
      expect(JSON.parse(down.text).errors[0]).toEqual({
        message: 'retention, data exports, purges and the audit trail (the retention service) cannot be reached right now; retry shortly, a mutation with the same Idempotency-Key',
        extensions: { code: 'SERVICE_UNAVAILABLE', service: 'retention' },
      });
      const failing = await post('{ serviceRequestReviewQueue { totalCount } }', {}, token);
      expect(JSON.parse(failing.text).errors[0].extensions).toEqual({ code: 'SERVICE_UNAVAILABLE', service: 'provisioning' });
      for (const answer of [down.text, failing.text]) {
        expect(answer).not.toMatch(/127\.0\.0\.1|10\.0\.0\.7|http:|ECONNREFUSED|stopping/);
      }
    }
    expect(logLines.join('')).toContain(`127.0.0.1:${deadPort}`);
    expect(logLines.join('')).toContain('10.0.0.7');
  });
});

describe('a starting gateway', () => {
  it('answers POST /graphql with 503 JSON until it is ready, then serves it', async () => {
    // Identity holds the first revocation poll, which the start waits for.
    let releaseFeed!: () => void;
    const feedHeld = new Promise<void>((resolve) => (releaseFeed = resolve));
    let polled = false;
    const slowIdentity = http.createServer((req, res) => {
      polled = true;
      void feedHeld.then(() => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(req.url?.startsWith('/internal/revoked-sessions') ? { asOf: new Date().toISOString(), sessions: [] } : { keys: [] }));
      });
    });
    await new Promise<void>((resolve) => slowIdentity.listen(0, '127.0.0.1', resolve));
    const port = await freePortBlock(1);
    const starting = startGateway(
      loadGatewayConfig({ NODE_ENV: 'test', GATEWAY_PORT: String(port), HOST: '127.0.0.1', IDENTITY_URL: `http://127.0.0.1:${(slowIdentity.address() as AddressInfo).port}/graphql` }),
      pino({ level: 'silent' }),
    );
    let gateway: RunningGateway | null = null;
    try {
      await waitFor(() => polled, { description: 'the gateway to ask for the revocation list' });
      const early = await fetch(`http://127.0.0.1:${port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
      expect(early.status).toBe(503);
      expect(early.headers.get('content-type')).toMatch(/application\/json/);
      expect(early.headers.get('retry-after')).toBe('1');
      expect(await early.json()).toEqual({ errors: [{ message: 'the gateway is starting; retry shortly', extensions: { code: 'SERVICE_UNAVAILABLE' } }] });
      expect((await fetch(`http://127.0.0.1:${port}/health/ready`)).status).toBe(503);
      expect((await fetch(`http://127.0.0.1:${port}/health/live`)).status).toBe(200);
      releaseFeed();
      gateway = await starting;
      const ready = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
      expect(await ready.json()).toEqual({ data: { __typename: 'Query' }, extensions: { cost: expect.objectContaining({ requested: 0 }) } });
    } finally {
      releaseFeed();
      await (gateway ?? (await starting)).stop();
      await new Promise((resolve) => slowIdentity.close(resolve));
    }
  });
});
