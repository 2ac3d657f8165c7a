import pino from 'pino';
import { MessagingRetention1734400000002, MessagingTables1732000000000 } from '@offboarding/messaging';
import { openServiceDatabase, type ServiceDatabase } from '@offboarding/persistence';
import { testDatabaseTarget, uniqueSchema } from '@offboarding/testing';
import { loadServiceConfig } from '../config/service-config';
import { JobRunCounts1734500000002, JobRuns1734400000001 } from '../jobs/job-runs.migration';
import { JobScheduler } from '../jobs/job-scheduler';
import { Metrics } from '../observability/metrics';
import { OffsetClock } from '../time/clock';

// Every run of a scheduled job is recorded (start, end, outcome, items processed), read back by
// the metrics and the admin API, and pruned after its retention.
describe('recorded job runs', () => {
  let db: ServiceDatabase;
  let schema: string;
  const logger = pino({ level: 'silent' });

  beforeAll(async () => {
    schema = uniqueSchema('job_runs');
    db = await openServiceDatabase({
      service: 'entitlements',
      schema,
      entities: [],
      migrations: [MessagingTables1732000000000, JobRuns1734400000001, MessagingRetention1734400000002, JobRunCounts1734500000002],
      migrate: true,
      target: testDatabaseTarget(),
    });
  });
  afterAll(async () => {
    if (db?.target.kind === 'postgres') await db.dataSource.query(`DROP SCHEMA "${schema}" CASCADE`);
    await db?.close();
  });

  const scheduler = (env: NodeJS.ProcessEnv = {}, metrics?: Metrics) => {
    const instance = new JobScheduler(db.dataSource, new OffsetClock(), loadServiceConfig('entitlements', env), logger, metrics);
    instance.register({
      name: 'sweep',
      description: 'Cancels what is due.',
      schedule: '15 * * * *',
      run: () => Promise.resolve({ processed: 3, counts: { entitlementsCancelled: 2, casesClosed: 1 } }),
    });
    instance.register({ name: 'miscounts', description: 'Counts wrongly.', schedule: '15 * * * *', run: () => Promise.resolve({ processed: 1, counts: { 'rows deleted': 1.5 } }) });
    instance.register({
      name: 'breaks',
      description: 'Always fails.',
      schedule: '*/10 * * * *',
      run: () => Promise.reject(new Error('the downstream service said no')),
    });
    return instance;
  };

  it('records start, end, outcome and items processed of each run, and what metrics and the API read from them', async () => {
    const metrics = new Metrics('entitlements');
    const jobs = scheduler({ SCHEDULER_MODE: 'cron' }, metrics);
    expect((await jobs.run('sweep', 'CRON')).status).toBe('COMPLETED');
    expect(await jobs.run('breaks', 'CRON')).toMatchObject({ status: 'FAILED', error: 'the downstream service said no' });

    const [sweep, breaks] = await jobs.runs.summaries(['sweep', 'breaks']);
    expect(sweep).toMatchObject({
      job: 'sweep',
      lastRun: { trigger: 'CRON', status: 'COMPLETED', processed: 3, counts: { entitlementsCancelled: 2, casesClosed: 1 }, error: null },
      lastSuccessAt: expect.any(String),
    });
    expect(Date.parse(sweep.lastRun!.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(sweep.lastRun!.startedAt));
    expect(sweep.lastRun!.durationMs).toBeGreaterThanOrEqual(0);
    expect(breaks).toMatchObject({ lastRun: { status: 'FAILED', counts: {}, error: 'the downstream service said no' }, lastSuccessAt: null });
    // A run that reports what it did wrongly fails, saying why, instead of recording nonsense.
    expect(await jobs.run('miscounts', 'CRON')).toMatchObject({ status: 'FAILED', counts: {}, error: 'job count rows deleted=1.5: a camelCase name and a whole number of at least 0' });

    const scrape = await metrics.render();
    expect(scrape).toMatch(new RegExp(`offboarding_job_last_success_timestamp_seconds\\{job_name="sweep",service="entitlements"\\} ${Math.floor(Date.parse(sweep.lastSuccessAt!) / 1000)}`));
    expect(scrape).not.toMatch(/offboarding_job_last_success_timestamp_seconds\{job_name="breaks"/);
    expect(scrape).toMatch(/offboarding_job_last_run_failed\{job_name="breaks",service="entitlements"\} 1/);
    expect(scrape).toMatch(/offboarding_job_last_run_failed\{job_name="sweep",service="entitlements"\} 0/);
    // In cron mode "on schedule" is the CronJob's schedule: hourly, every 10 minutes.
    expect(scrape).toMatch(/offboarding_job_expected_interval_seconds\{job_name="sweep",service="entitlements"\} 3600/);
    expect(scrape).toMatch(/offboarding_job_expected_interval_seconds\{job_name="breaks",service="entitlements"\} 600/);
    expect(scrape).toMatch(/offboarding_job_duration_seconds_count\{service="entitlements",job_name="sweep",status="COMPLETED"\} 1/);
    expect(jobs.describe()).toEqual([
      { name: 'breaks', description: 'Always fails.', schedule: '*/10 * * * *', expectedIntervalSeconds: 600 },
      { name: 'miscounts', description: 'Counts wrongly.', schedule: '15 * * * *', expectedIntervalSeconds: 3600 },
      { name: 'sweep', description: 'Cancels what is due.', schedule: '15 * * * *', expectedIntervalSeconds: 3600 },
    ]);
    // In-process mode every job is expected every SCHEDULER_INTERVAL_MS.
    expect(scheduler({ SCHEDULER_INTERVAL_MS: '30000' }).describe().map((job) => job.expectedIntervalSeconds)).toEqual([30, 30, 30]);
  });

  it('pages a job’s runs newest first with stable cursors, and refuses a forged cursor', async () => {
    const jobs = scheduler();
    for (let i = 0; i < 4; i += 1) await jobs.run('sweep', 'INTERVAL');
    const total = (await jobs.runs.page('sweep', 100, null)).totalCount;
    const first = await jobs.runs.page('sweep', 2, null);
    expect(first).toMatchObject({ totalCount: total, hasNextPage: true });
    const second = await jobs.runs.page('sweep', 2, first.endCursor);
    const all = await jobs.runs.page('sweep', 100, null);
    expect([...first.runs, ...second.runs].map((run) => run.id)).toEqual(all.runs.slice(0, 4).map((run) => run.id));
    expect(all.runs.map((run) => run.startedAt)).toEqual([...all.runs.map((run) => run.startedAt)].sort().reverse());
    await expect(jobs.runs.page('sweep', 2, 'not-a-cursor')).rejects.toThrow(/not a cursor/);
  });

  it('prunes finished runs past their retention, never one still running', async () => {
    const jobs = scheduler();
    const table = `"${schema}".job_runs`;
    await db.dataSource.query(`DELETE FROM ${table}`);
    await db.dataSource.query(
      `INSERT INTO ${table} (id, job, trigger, status, started_at, finished_at, host) VALUES
         ('00000000-0000-4000-8000-000000000001', 'sweep', 'CRON', 'COMPLETED', now() - interval '40 days', now() - interval '40 days', 'a'),
         ('00000000-0000-4000-8000-000000000002', 'sweep', 'CRON', 'FAILED', now() - interval '31 days', now() - interval '31 days', 'a'),
         ('00000000-0000-4000-8000-000000000003', 'sweep', 'CRON', 'RUNNING', now() - interval '45 days', NULL, 'a'),
         ('00000000-0000-4000-8000-000000000004', 'sweep', 'CRON', 'COMPLETED', now() - interval '29 days', now() - interval '29 days', 'a')`,
    );
    expect(await jobs.runs.prune(30, 1, 10)).toBe(2);
    const left = await db.dataSource.query<{ id: string }[]>(`SELECT id FROM ${table} ORDER BY id`);
    expect(left.map((row) => row.id)).toEqual(['00000000-0000-4000-8000-000000000003', '00000000-0000-4000-8000-000000000004']);
  });
});
