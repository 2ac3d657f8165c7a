import type { Logger } from 'pino';

export interface JobContext {
  /** The clock's "now" when the run started; jobs process what was due by then. */
  readonly now: Date;
  readonly logger: Logger;
}

export interface JobResult {
  /** How many items the run changed (entitlements cancelled, milestones published, ...). */
  readonly processed: number;
}

/**
 * A piece of scheduled work. A job must be safe to run at any time and any number of times:
 * it selects what is due, changes each item in its own transaction, and leaves the rest.
 */
export interface ScheduledJob {
  /** Kebab-case, stable: the one-shot command (`run-job <name>`) and the CronJobs use it. */
  readonly name: string;
  readonly description: string;
  /**
   * When the job is due, as the five-field cron schedule (UTC) of its Kubernetes CronJob, e.g.
   * `*\/15 * * * *`. The manifests test checks the CronJob uses exactly this; monitoring derives
   * "not succeeding on schedule" from it (offboarding_job_expected_interval_seconds).
   */
  readonly schedule: string;
  run(context: JobContext): Promise<JobResult>;
}
