import { Inject, Injectable, Optional } from '@nestjs/common';
import { Metrics } from '../observability/metrics';
import { Client } from 'pg';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { isEmbeddedDataSource } from '@offboarding/persistence';
import type { ServiceConfig } from '../config/service-config';
import { LOGGER, SERVICE_CONFIG } from '../nest/tokens';
import { Clock } from '../time/clock';
import type { ScheduledJob } from './scheduled-job';

export type JobRunStatus = 'COMPLETED' | 'SKIPPED_LOCKED' | 'FAILED';

export interface JobRunReport {
  service: string;
  job: string;
  status: JobRunStatus;
  processed: number;
  startedAt: string;
  durationMs: number;
  error: string | null;
}

/**
 * Runs a service's scheduled jobs: on an interval inside the service (SCHEDULER_INTERVAL_MS,
 * 0 turns it off), once from the command line (`run-job <name>`, for Kubernetes CronJobs), or
 * on demand outside production. Each run of a job holds a PostgreSQL advisory lock on a
 * connection of its own, so however many replicas and CronJobs fire at once, one works and the
 * others skip.
 */
@Injectable()
export class JobScheduler {
  private readonly jobs = new Map<string, ScheduledJob>();
  /** Jobs running in this process: the only exclusion an embedded (single-process) database needs. */
  private readonly running = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<unknown> = Promise.resolve();
  private stopping = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Optional() private readonly metrics?: Metrics,
  ) {}

  register(job: ScheduledJob): void {
    if (!/^[a-z][a-z0-9-]*$/.test(job.name)) throw new Error(`job name "${job.name}" must be kebab-case`);
    if (this.jobs.has(job.name)) throw new Error(`a job named ${job.name} is already registered`);
    this.jobs.set(job.name, job);
  }

  names(): string[] {
    return [...this.jobs.keys()].sort();
  }

  /** Runs every registered job once, one after another, and reports each. */
  async runAll(): Promise<JobRunReport[]> {
    const reports: JobRunReport[] = [];
    for (const name of this.names()) reports.push(await this.run(name));
    return reports;
  }

  /** Runs one job under its advisory lock; a run elsewhere holding the lock means "skipped". */
  async run(name: string): Promise<JobRunReport> {
    const job = this.jobs.get(name);
    if (!job) throw new Error(`unknown job "${name}"; this service runs: ${this.names().join(', ') || 'none'}`);
    const run = this.runLocked(job).then((report) => {
      this.metrics?.schedulerRun(report.job, report.status);
      return report;
    });
    this.inFlight = run.catch(() => undefined);
    return run;
  }

  private async runLocked(job: ScheduledJob): Promise<JobRunReport> {
    const startedAt = this.clock.now();
    const started = performance.now();
    const report = (status: JobRunStatus, processed: number, error: string | null): JobRunReport => ({
      service: this.config.service,
      job: job.name,
      status,
      processed,
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
        return await this.execute(job, startedAt, report);
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
        return await this.execute(job, startedAt, report);
      } finally {
        await lock.query('SELECT pg_advisory_unlock(hashtext($1))', [key]);
      }
    } finally {
      await lock.end();
    }
  }

  private async execute(
    job: ScheduledJob,
    startedAt: Date,
    report: (status: JobRunStatus, processed: number, error: string | null) => JobRunReport,
  ): Promise<JobRunReport> {
    try {
      const result = await job.run({ now: startedAt, logger: this.logger.child({ job: job.name }) });
      const done = report('COMPLETED', result.processed, null);
      this.logger.info({ job: job.name, processed: done.processed, durationMs: done.durationMs }, 'job completed');
      return done;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.logger.error({ job: job.name, err: error }, 'job failed');
      return report('FAILED', 0, message);
    }
  }

  private connectionUrl(): string {
    const url = (this.dataSource.options as { url?: string }).url;
    if (!url) throw new Error('the scheduler needs the database URL to take its advisory locks');
    return url;
  }

  /** Starts the in-service interval (ServiceRuntime calls this once messaging runs). */
  start(): void {
    const interval = Number(process.env.SCHEDULER_INTERVAL_MS ?? 60_000);
    if (process.env.SCHEMA_ONLY === 'true' || process.env.SERVICE_MODE === 'job' || !(interval > 0)) return;
    if (this.jobs.size === 0) return;
    const tick = (): void => {
      if (this.stopping) return;
      const round = this.runAll()
        .catch((error: unknown) => this.logger.error({ err: error }, 'scheduler round failed'))
        .finally(() => {
          if (!this.stopping) this.timer = setTimeout(tick, interval);
        });
      this.inFlight = round;
    };
    this.timer = setTimeout(tick, interval);
    this.logger.info({ jobs: this.names(), intervalMs: interval }, 'scheduler started');
  }

  /** Lets the run in flight finish (its transactions commit or roll back), then stops. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    await this.inFlight;
  }
}
