import { hostname } from 'node:os';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { Metrics } from '../observability/metrics';
import { Client } from 'pg';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { isEmbeddedDataSource } from '@offboarding/persistence';
import type { ServiceConfig } from '../config/service-config';
import { LOGGER, SERVICE_CONFIG } from '../nest/tokens';
import { Clock } from '../time/clock';
import { JobRunStore, type JobTrigger } from './job-run-store';
import { scheduleIntervalSeconds } from './job-schedule';
import type { ScheduledJob } from './scheduled-job';

export type JobRunStatus = 'COMPLETED' | 'SKIPPED_LOCKED' | 'FAILED';

export interface JobRunReport {
  service: string;
  job: string;
  status: JobRunStatus;
  processed: number;
  /** What the run did, counted by kind (JobResult.counts); empty when skipped or failed. */
  counts: Readonly<Record<string, number>>;
  startedAt: string;
  durationMs: number;
  error: string | null;
}

/** What the admin API lists per job. */
export interface ScheduledJobInfo {
  name: string;
  description: string;
  schedule: string;
  expectedIntervalSeconds: number;
}

/**
 * Runs a service's scheduled jobs, and records every run (job_runs: start, end, outcome, items
 * processed). One scheduler per deployment, chosen by SCHEDULER_MODE: `in-process` runs every job
 * every SCHEDULER_INTERVAL_MS inside the service (`npm start`, compose); `cron` leaves them to
 * `run-job <name>` (Kubernetes CronJobs) and runs nothing by itself. Outside production they can
 * also be run on demand. Each run holds a PostgreSQL advisory lock on a connection of its own,
 * so however many replicas or CronJobs fire at once, one works and the others skip (not recorded
 * as runs: they did nothing).
 */
@Injectable()
export class JobScheduler {
  private readonly jobs = new Map<string, ScheduledJob>();
  /** Jobs running in this process: the only exclusion an embedded (single-process) database needs. */
  private readonly running = new Set<string>();
  private readonly store: JobRunStore;
  private readonly host = hostname();
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<unknown> = Promise.resolve();
  private stopping = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Optional() private readonly metrics?: Metrics,
  ) {
    this.store = new JobRunStore(dataSource);
    this.registerGauges();
  }

  register(job: ScheduledJob): void {
    if (!/^[a-z][a-z0-9-]*$/.test(job.name)) throw new Error(`job name "${job.name}" must be kebab-case`);
    if (this.jobs.has(job.name)) throw new Error(`a job named ${job.name} is already registered`);
    scheduleIntervalSeconds(job.schedule);
    this.jobs.set(job.name, job);
  }

  names(): string[] {
    return [...this.jobs.keys()].sort();
  }

  /** The registered jobs, with how often each is expected to succeed in the configured mode. */
  describe(): ScheduledJobInfo[] {
    return this.names().map((name) => {
      const job = this.jobs.get(name)!;
      return { name, description: job.description, schedule: job.schedule, expectedIntervalSeconds: this.expectedIntervalSeconds(job) };
    });
  }

  /** The recorded runs: summaries and pages for the admin API. */
  get runs(): JobRunStore {
    return this.store;
  }

  get mode(): ServiceConfig['scheduler']['mode'] {
    return this.config.scheduler.mode;
  }

  private expectedIntervalSeconds(job: ScheduledJob): number {
    return this.mode === 'cron' ? scheduleIntervalSeconds(job.schedule) : Math.ceil(this.config.scheduler.intervalMs / 1000);
  }

  /** Runs every registered job once, one after another, and reports each. */
  async runAll(trigger: JobTrigger = 'MANUAL'): Promise<JobRunReport[]> {
    const reports: JobRunReport[] = [];
    for (const name of this.names()) reports.push(await this.run(name, trigger));
    return reports;
  }

  /** Runs one job under its advisory lock; a run elsewhere holding the lock means "skipped". */
  async run(name: string, trigger: JobTrigger = 'MANUAL'): Promise<JobRunReport> {
    const job = this.jobs.get(name);
    if (!job) throw new Error(`unknown job "${name}"; this service runs: ${this.names().join(', ') || 'none'}`);
    const run = this.runLocked(job, trigger).then((report) => {
      this.metrics?.schedulerRun(report.job, report.status, report.durationMs / 1000);
      return report;
    });
    this.inFlight = run.catch(() => undefined);
    return run;
  }

  private async runLocked(job: ScheduledJob, trigger: JobTrigger): Promise<JobRunReport> {
    const startedAt = this.clock.now();
    const started = performance.now();
    const report = (status: JobRunStatus, processed: number, error: string | null, counts: Readonly<Record<string, number>> = {}): JobRunReport => ({
      service: this.config.service,
      job: job.name,
      status,
      processed,
      counts,
      startedAt: startedAt.toISOString(),
      durationMs: Math.round(performance.now() - started),
      error,
    });

    if (isEmbeddedDataSource(this.dataSource)) {
      // PGlite serves this process alone; a second connection for the lock would interleave
      // statements with the pool's on the single engine.
      if (this.running.has(job.name)) return report('SKIPPED_LOCKED', 0, null);
      this.running.add(job.name);
      try {
        return await this.execute(job, trigger, startedAt, report);
      } finally {
        this.running.delete(job.name);
      }
    }
    const lock = new Client({ connectionString: this.connectionUrl(), application_name: `offboarding-${this.config.service}-job-lock` });
    await lock.connect();
    try {
      const key = `offboarding:${this.config.service}:${job.name}`;
      const [row] = (await lock.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [key])).rows;
      if (!row?.locked) {
        this.logger.info({ job: job.name }, 'job skipped: another instance is running it');
        return report('SKIPPED_LOCKED', 0, null);
      }
      try {
        return await this.execute(job, trigger, startedAt, report);
      } finally {
        await lock.query('SELECT pg_advisory_unlock(hashtext($1))', [key]);
      }
    } finally {
      await lock.end();
    }
  }

  private async execute(
    job: ScheduledJob,
    trigger: JobTrigger,
    startedAt: Date,
    report: (status: JobRunStatus, processed: number, error: string | null, counts?: Readonly<Record<string, number>>) => JobRunReport,
  ): Promise<JobRunReport> {
    const runId = await this.store.start(job.name, trigger, this.host);
    let done: JobRunReport;
    try {
      const result = await job.run({ now: startedAt, logger: this.logger.child({ job: job.name, runId }) });
      done = report('COMPLETED', result.processed, null, validCounts(result.counts));
      this.logger.info({ job: job.name, runId, trigger, processed: done.processed, counts: done.counts, durationMs: done.durationMs }, 'job completed');
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.logger.error({ job: job.name, runId, trigger, err: error }, 'job failed');
      done = report('FAILED', 0, message);
    }
    await this.store.finish(runId, {
      status: done.status === 'COMPLETED' ? 'COMPLETED' : 'FAILED',
      processed: done.processed,
      counts: done.counts,
      durationMs: done.durationMs,
      error: done.error,
    });
    return done;
  }

  private connectionUrl(): string {
    const url = (this.dataSource.options as { url?: string }).url;
    if (!url) throw new Error('the scheduler needs the database URL to take its advisory locks');
    return url;
  }

  /**
   * Read from job_runs on each scrape, so they are right whoever ran the job: this process, a
   * replica, or a CronJob's short-lived pod that Prometheus never sees. The job is in `job_name`:
   * Prometheus sets `job` on every series itself.
   */
  private registerGauges(): void {
    if (!this.metrics) return;
    const summaries = async () => (this.dataSource.isInitialized && this.jobs.size > 0 ? this.store.summaries(this.names()) : null);
    const seconds = (at: string | null | undefined) => (at ? Date.parse(at) / 1000 : null);
    this.metrics.labelledGauge('offboarding_job_last_success_timestamp_seconds', 'When a run of the job last completed (Unix time; absent until one has).', ['job_name'], async () =>
      (await summaries())?.flatMap((summary) => (summary.lastSuccessAt ? [{ labels: { job_name: summary.job }, value: seconds(summary.lastSuccessAt)! }] : [])) ?? null,
    );
    this.metrics.labelledGauge('offboarding_job_last_run_timestamp_seconds', 'When the newest run of the job started (Unix time).', ['job_name'], async () =>
      (await summaries())?.flatMap((summary) => (summary.lastRun ? [{ labels: { job_name: summary.job }, value: seconds(summary.lastRun.startedAt)! }] : [])) ?? null,
    );
    this.metrics.labelledGauge('offboarding_job_last_run_duration_seconds', 'How long the newest finished run of the job took.', ['job_name'], async () =>
      (await summaries())?.flatMap((summary) => (summary.lastRun?.durationMs != null ? [{ labels: { job_name: summary.job }, value: summary.lastRun.durationMs / 1000 }] : [])) ?? null,
    );
    this.metrics.labelledGauge('offboarding_job_last_run_failed', '1 when the newest run of the job failed, else 0.', ['job_name'], async () =>
      (await summaries())?.flatMap((summary) => (summary.lastRun ? [{ labels: { job_name: summary.job }, value: summary.lastRun.status === 'FAILED' ? 1 : 0 }] : [])) ?? null,
    );
    this.metrics.labelledGauge(
      'offboarding_job_expected_interval_seconds',
      'How often the job should succeed: its CronJob schedule (SCHEDULER_MODE=cron) or SCHEDULER_INTERVAL_MS (in-process).',
      ['job_name'],
      () => Promise.resolve(this.describe().map((job) => ({ labels: { job_name: job.name }, value: job.expectedIntervalSeconds }))),
    );
  }

  /** Starts the in-process interval (ServiceRuntime calls this once messaging runs); nothing in cron mode. */
  start(): void {
    if (this.config.run.mode !== 'serve' || this.jobs.size === 0) return;
    if (this.mode === 'cron') {
      this.logger.info({ jobs: this.names() }, 'scheduler: jobs run only through run-job (SCHEDULER_MODE=cron)');
      return;
    }
    const interval = this.config.scheduler.intervalMs;
    const tick = (): void => {
      if (this.stopping) return;
      const round = this.runAll('INTERVAL')
        .catch((error: unknown) => this.logger.error({ err: error }, 'scheduler round failed'))
        .finally(() => {
          if (!this.stopping) this.timer = setTimeout(tick, interval);
        });
      this.inFlight = round;
    };
    this.timer = setTimeout(tick, interval);
    this.logger.info({ jobs: this.names(), intervalMs: interval }, 'scheduler started (SCHEDULER_MODE=in-process)');
  }

  /** Lets the run in flight finish (its transactions commit or roll back), then stops. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    await this.inFlight;
  }
}

/** A job's counts as recorded: whole, non-negative numbers under camelCase names; anything else is a bug in the job. */
function validCounts(counts: Readonly<Record<string, number>> | undefined): Readonly<Record<string, number>> {
  for (const [what, count] of Object.entries(counts ?? {})) {
    if (!/^[a-z][A-Za-z0-9]*$/.test(what) || !Number.isSafeInteger(count) || count < 0) throw new Error(`job count ${what}=${count}: a camelCase name and a whole number of at least 0`);
  }
  return counts ?? {};
}
