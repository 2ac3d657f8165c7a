import type { Logger } from 'pino';

export interface JobContext {
  /** The clock's "now" when the run started; jobs process what was due by then. */
  readonly now: Date;
  readonly logger: Logger;
}

export interface JobResult {
  /** How many items the run changed (entitlements cancelled, milestones published, ...). */
  readonly processed: number;
  /**
   * What the run did, counted by kind in camelCase, e.g. `{ entitlementsCancelled: 3 }` or
   * `{ outboxRows: 120, inboxIds: 80, jobRuns: 4 }`: shown to admins with the run.
   */
  readonly counts?: Readonly<Record<string, number>>;
}

/** A run's result from what it did, counted by kind: `processed` is their sum. */
export function counted(counts: Readonly<Record<string, number>>): JobResult {
  return { processed: Object.values(counts).reduce((sum, count) => sum + count, 0), counts };
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
