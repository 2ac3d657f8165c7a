import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { DataSource } from 'typeorm';
import { initTracing, LOGGER, tracingMiddleware } from '@offboarding/platform';
import { TestIdentity } from '@offboarding/testing';

/**
 * The service as it runs (in-memory database, messaging off): GraphQL operations, the outbox
 * backlog and scheduler runs show in the Prometheus metrics at /metrics.
 */
describe('entitlements metrics and traces', () => {
  const spans = new InMemorySpanExporter();
  let app: INestApplication;
  let baseUrl: string;
  let identity: TestIdentity;
  let adminToken: string;
  const saved = { ...process.env };

  const graphql = async (query: string, headers: Record<string, string> = {}) =>
    (await fetch(`${baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}`, ...headers },
      body: JSON.stringify({ query }),
    }).then((res) => res.json())) as { data?: unknown; errors?: unknown[] };
  const metrics = async () => {
    const res = await fetch(`${baseUrl}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    return res.text();
  };
  const sample = (text: string, series: string) => {
    const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };

  beforeAll(async () => {
    identity = await TestIdentity.start();
    adminToken = await identity.token({ role: 'ADMIN', expiresIn: 3600 });
    Object.assign(process.env, {
      IDENTITY_URL: identity.graphqlUrl,
      ENTITLEMENTS_DATABASE_URL: 'pglite://memory',
      MESSAGING_ENABLED: 'false',
      SCHEDULER_INTERVAL_MS: '0',
      LOG_LEVEL: 'silent',
      NODE_ENV: 'test',
    });
    // Before the app module loads: the platform keeps the first tracer provider of the process.
    initTracing('entitlements', { spanProcessors: [new SimpleSpanProcessor(spans)] });
    const { AppModule } = await import('../app.module');
    app = await NestFactory.create(AppModule, { logger: false });
    app.use(tracingMiddleware('entitlements'));
    await app.listen(0, '127.0.0.1');
    baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await app?.close();
    await identity?.stop();
    process.env = saved;
  });

  it('counts and times operations by name and outcome', async () => {
    for (let i = 0; i < 2; i += 1) {
      const created = await graphql(`mutation CreateAcme { createOrganization(input: { name: "Acme ${i}", type: CUSTOMER }) { id } }`, {
        'x-request-id': `test-request-${i}`,
      });
      expect(created.errors).toBeUndefined();
    }
    const refused = await graphql(`mutation CreateNameless { createOrganization(input: { name: " ", type: CUSTOMER }) { id } }`);
    expect(refused.errors).toHaveLength(1);

    const text = await metrics();
    expect(sample(text, 'graphql_operations_total{operation="CreateAcme",outcome="ok",service="entitlements"}')).toBe(2);
    expect(sample(text, 'graphql_operations_total{operation="CreateNameless",outcome="error",service="entitlements"}')).toBe(1);
    expect(sample(text, 'graphql_operation_duration_seconds_count{service="entitlements",operation="CreateAcme"}')).toBe(2);
    // Messaging is off, so every event written stays in the outbox: two organizations, each
    // with organization_created and its audit entry.
    expect(sample(text, 'offboarding_outbox_backlog{service="entitlements"}')).toBe(4);
    expect(sample(text, 'offboarding_outbox_oldest_age_seconds{service="entitlements"}')).toBeGreaterThanOrEqual(0);
    expect(text).toMatch(/^process_cpu_seconds_total\{service="entitlements"\} /m);
  });

  it('logs each refused operation at warn with the code the client got, not as INTERNAL_SERVER_ERROR', async () => {
    const logger = app.get<import('pino').Logger>(LOGGER);
    const warn = jest.spyOn(logger, 'warn');
    const error = jest.spyOn(logger, 'error');
    const operationLine = (spy: jest.SpyInstance, operation: string) =>
      spy.mock.calls.find(([fields, message]) => message === 'graphql operation' && (fields as { operation?: string }).operation === operation)?.[0] as
        | { errorCodes?: string[] }
        | undefined;
    try {
      const otherOrganization = 'b1c2d3e4-0000-4000-8000-000000000001';
      const collaborator = await identity.token({ role: 'COLLABORATOR', organizationId: 'b1c2d3e4-0000-4000-8000-000000000002', expiresIn: 3600 });
      const cases: [string, string, Record<string, string>, string][] = [
        ['Nameless', 'mutation Nameless { createOrganization(input: { name: " ", type: CUSTOMER }) { id } }', {}, 'BAD_USER_INPUT'],
        ['NotAnId', 'query NotAnId { organization(id: "nope") { id } }', {}, 'BAD_USER_INPUT'],
        ['Missing', 'mutation Missing { cancelEntitlement(input: { entitlementId: "b1c2d3e4-0000-4000-8000-000000000003", reason: OTHER }) { id } }', {}, 'NOT_FOUND'],
        ['Elsewhere', `query Elsewhere { organization(id: "${otherOrganization}") { id } }`, { authorization: `Bearer ${collaborator}` }, 'FORBIDDEN'],
        ['Anonymous', 'query Anonymous { organizations { totalCount } }', { authorization: '' }, 'UNAUTHENTICATED'],
      ];
      for (const [operation, query, headers, code] of cases) {
        const answer = (await graphql(query, headers)) as { errors?: { extensions?: { code?: string } }[] };
        expect({ operation, codes: answer.errors?.map((e) => e.extensions?.code) }).toEqual({ operation, codes: [code] });
        expect({ operation, line: operationLine(warn, operation) }).toEqual({ operation, line: expect.objectContaining({ errorCodes: [code] }) });
        expect(operationLine(error, operation)).toBeUndefined();
      }
    } finally {
      warn.mockRestore();
      error.mockRestore();
    }
  });

  it('counts scheduler runs by job and status', async () => {
    const res = await fetch(`${baseUrl}/internal/dev/jobs/run`, { method: 'POST' });
    expect(res.status).toBe(200);
    // Each run says what it did, counted by kind (nothing was due here).
    const { runs } = (await res.json()) as { runs: { job: string; status: string; processed: number; counts: Record<string, number> }[] };
    expect(Object.fromEntries(runs.map((run) => [run.job, run.counts]))).toMatchObject({
      'grace-period-sweep': { entitlementsCancelled: 0 },
      'offboarding-day-zero': { offboardingCasesAtDayZero: 0 },
      'organization-purge': { purgesCompleted: 0 },
      'idempotency-key-prune': { idempotencyKeysDeleted: 0 },
      'prune-tables': { outboxRows: expect.any(Number), inboxIds: expect.any(Number), jobRuns: expect.any(Number) },
    });
    for (const run of runs) expect(run.processed).toBe(Object.values(run.counts).reduce((sum, count) => sum + count, 0));
    const text = await metrics();
    for (const job of ['grace-period-sweep', 'offboarding-day-zero', 'organization-purge']) {
      expect(sample(text, `offboarding_scheduler_runs_total{job_name="${job}",status="COMPLETED",service="entitlements"}`)).toBe(1);
    }
  });

  it("continues the caller's trace and stamps it on the events the request writes", async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const created = (await graphql(`mutation Traced { createOrganization(input: { name: "Traced", type: CUSTOMER }) { id } }`, {
      traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
    })) as { data: { createOrganization: { id: string } } };
    const id = created.data.createOrganization.id;

    const server = spans.getFinishedSpans().find((span) => span.spanContext().traceId === traceId && span.name === 'POST /graphql');
    expect(server?.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    const rows = await app
      .get(DataSource)
      .query<{ type: string; headers: Record<string, string> }[]>(`SELECT type, headers FROM entitlements.outbox WHERE message_key = $1 ORDER BY seq`, [id]);
    expect(rows.map((row) => row.type)).toEqual(['com.offboarding.entitlements.organization_created.v1', 'com.offboarding.entitlements.audit_recorded.v1']);
    for (const row of rows) expect(row.headers.traceparent).toMatch(new RegExp(`^00-${traceId}-${server!.spanContext().spanId}-01$`));
  });
});
