import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { TestIdentity } from '@offboarding/testing';
import { loadGatewayConfig } from '../gateway-config';
import { type RunningGateway, startGateway } from '../gateway-server';
import { testGatewayEnv } from './test-gateway-env';

// The admin API of scheduled jobs, served by the gateway's `operations` subgraph from each
// service's /internal/jobs. Retention is a stand-in that answers like libs/platform's
// JobsController (and insists on the internal token); the job runs themselves are covered in
// libs/platform's job-runs test.
describe('scheduled jobs through the gateway', () => {
  let identity: TestIdentity;
  let retention: Server;
  let gateway: RunningGateway;
  const asked: string[] = [];
  const run = (id: string, status: string) => ({
    id,
    cursor: `cursor-${id}`,
    job: 'timeline-tick',
    trigger: 'CRON',
    status,
    startedAt: '2030-01-01T10:00:00.000Z',
    finishedAt: '2030-01-01T10:00:02.000Z',
    durationMs: 2000,
    processed: 4,
    counts: status === 'FAILED' ? {} : { timelineSteps: 3, dataExportsResumed: 1 },
    error: status === 'FAILED' ? 'boom' : null,
    host: 'retention-timeline-tick-29000000-abcde',
  });

  beforeAll(async () => {
    identity = await TestIdentity.start();
    retention = createServer((req, res) => {
      asked.push(req.url ?? '');
      if (req.headers['x-offboarding-internal-token'] !== 'development-internal-token') return void res.writeHead(401).end('{"message":"no token"}');
      const url = new URL(req.url ?? '/', 'http://x');
      res.setHeader('content-type', 'application/json');
      if (url.pathname === '/internal/jobs') {
        return void res.end(
          JSON.stringify({
            service: 'retention',
            mode: 'cron',
            jobs: [
              { name: 'purge', description: 'Purges.', schedule: '*/10 * * * *', expectedIntervalSeconds: 600, lastRun: null, lastSuccessAt: null },
              { name: 'timeline-tick', description: 'Ticks.', schedule: '*/15 * * * *', expectedIntervalSeconds: 900, lastRun: run('r2', 'FAILED'), lastSuccessAt: '2000-01-01T00:00:00.000Z' },
            ],
          }),
        );
      }
      if (url.pathname === '/internal/jobs/timeline-tick/runs') {
        return void res.end(JSON.stringify({ runs: [run('r2', 'FAILED'), run('r1', 'COMPLETED')], totalCount: 3, hasNextPage: true, endCursor: 'cursor-r1' }));
      }
      res.writeHead(404).end('{"message":"retention has no job \\"nope\\""}');
    });
    await new Promise<void>((resolve) => retention.listen(0, '127.0.0.1', resolve));
    gateway = await startGateway(
      loadGatewayConfig(testGatewayEnv(identity.graphqlUrl, { RETENTION_URL: `http://127.0.0.1:${(retention.address() as AddressInfo).port}/graphql` })),
      pino({ level: 'silent' }),
    );
  });
  afterAll(async () => {
    await gateway?.stop();
    await new Promise((resolve) => retention?.close(resolve));
    await identity?.stop();
  });

  const post = async (query: string, role: 'ADMIN' | 'COLLABORATOR', variables: Record<string, unknown> = {}) => {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: await identity.bearer({ role, organizationId: role === 'ADMIN' ? undefined : '0b9d6a4e-3f1c-4d8a-9e2b-7c5f1a2d3e4f' }) },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string } }[] };
  };

  it('lists a service’s jobs with their last run, last success and whether they are overdue', async () => {
    const reply = await post(
      '{ scheduledJobs(service: RETENTION) { service name schedule expectedIntervalSeconds lastSuccessAt overdue lastRun { service job trigger status processed counts { what count } durationMs error host } } }',
      'ADMIN',
    );
    expect(reply.errors).toBeUndefined();
    expect(reply.data?.scheduledJobs).toEqual([
      { service: 'RETENTION', name: 'purge', schedule: '*/10 * * * *', expectedIntervalSeconds: 600, lastSuccessAt: null, overdue: false, lastRun: null },
      {
        service: 'RETENTION',
        name: 'timeline-tick',
        schedule: '*/15 * * * *',
        expectedIntervalSeconds: 900,
        lastSuccessAt: '2000-01-01T00:00:00.000Z',
        overdue: true,
        lastRun: { service: 'RETENTION', job: 'timeline-tick', trigger: 'CRON', status: 'FAILED', processed: 4, counts: [], durationMs: 2000, error: 'boom', host: 'retention-timeline-tick-29000000-abcde' },
      },
    ]);
  });

  it('pages a job’s runs with the service’s cursors', async () => {
    const reply = await post(
      'query R($after: String) { scheduledJobRuns(service: RETENTION, job: "timeline-tick", first: 2, after: $after) { totalCount edges { cursor node { id status counts { what count } } } pageInfo { hasNextPage endCursor } } }',
      'ADMIN',
      { after: 'cursor-r3' },
    );
    expect(reply.data?.scheduledJobRuns).toEqual({
      totalCount: 3,
      edges: [
        { cursor: 'cursor-r2', node: { id: 'r2', status: 'FAILED', counts: [] } },
        // What the run did, sorted by kind.
        {
          cursor: 'cursor-r1',
          node: {
            id: 'r1',
            status: 'COMPLETED',
            counts: [
              { what: 'dataExportsResumed', count: 1 },
              { what: 'timelineSteps', count: 3 },
            ],
          },
        },
      ],
      pageInfo: { hasNextPage: true, endCursor: 'cursor-r1' },
    });
    expect(asked).toContain('/internal/jobs/timeline-tick/runs?first=2&after=cursor-r3');
  });

  it('answers NOT_FOUND for an unknown job, BAD_USER_INPUT for a bad page size, and FORBIDDEN to non-staff', async () => {
    const unknown = await post('{ scheduledJobRuns(service: RETENTION, job: "nope") { totalCount } }', 'ADMIN');
    expect(unknown.errors?.[0]).toMatchObject({ message: 'retention has no job "nope"', extensions: { code: 'NOT_FOUND' } });
    const tooMany = await post('{ scheduledJobRuns(service: RETENTION, job: "timeline-tick", first: 1000) { totalCount } }', 'ADMIN');
    expect(tooMany.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const collaborator = await post('{ scheduledJobs { name } }', 'COLLABORATOR');
    expect(collaborator.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
