import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

/**
 * The service as it runs (in-memory database, messaging off): GraphQL operations, the outbox
 * backlog and scheduler runs show in the Prometheus metrics at /metrics.
 */
describe('entitlements metrics', () => {
  let app: INestApplication;
  let baseUrl: string;
  const saved = { ...process.env };

  const graphql = async (query: string, headers: Record<string, string> = {}) =>
    (await fetch(`${baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
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
    Object.assign(process.env, {
      ENTITLEMENTS_DATABASE_URL: 'pglite://memory',
      MESSAGING_ENABLED: 'false',
      SCHEDULER_INTERVAL_MS: '0',
      LOG_LEVEL: 'silent',
      NODE_ENV: 'test',
    });
    const { AppModule } = await import('../app.module');
    app = await NestFactory.create(AppModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await app?.close();
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

  it('counts scheduler runs by job and status', async () => {
    const res = await fetch(`${baseUrl}/internal/dev/jobs/run`, { method: 'POST' });
    expect(res.status).toBe(200);
    const text = await metrics();
    for (const job of ['grace-period-sweep', 'offboarding-day-zero', 'organization-purge']) {
      expect(sample(text, `offboarding_scheduler_runs_total{job="${job}",status="COMPLETED",service="entitlements"}`)).toBe(1);
    }
  });
});
