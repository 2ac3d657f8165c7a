import type { ApolloServerPlugin } from '@apollo/server';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ConsumerObserver, ConsumerOutcome } from '@offboarding/messaging';

/** Label value for operations without a name; names are bounded so labels stay few. */
export function operationLabel(name: string | null | undefined): string {
  if (!name) return 'anonymous';
  return /^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name) ? name : 'invalid';
}

/** How many distinct operation names one process reports before counting the rest as `other`. */
export const MAX_OPERATION_LABELS = 100;

/**
 * The `operation` label of the GraphQL metrics, bounded: operation names are chosen by clients,
 * so each one would otherwise be a new time series for anyone who invents names. The first
 * MAX_OPERATION_LABELS valid names a process sees keep their name (a front end's operations,
 * seen at once); every name after them, and every malformed one, is counted as `other`.
 */
export class OperationLabels {
  private readonly known = new Set<string>();

  constructor(private readonly limit = MAX_OPERATION_LABELS) {}

  of(name: string | null | undefined): string {
    const label = operationLabel(name);
    if (label === 'anonymous') return label;
    if (label === 'invalid') return 'other';
    if (this.known.has(label)) return label;
    if (this.known.size >= this.limit) return 'other';
    this.known.add(label);
    return label;
  }
}

/**
 * One process's Prometheus metrics (`GET /metrics`): GraphQL operations, the outbox backlog
 * and its oldest event's age, consumer lag, handler outcomes (retries, dead letters) and
 * scheduler runs, plus Node's process metrics. Gauges that need a query are read on scrape.
 */
export class Metrics implements ConsumerObserver {
  readonly registry = new Registry();
  private readonly operations: Counter<'operation' | 'outcome'>;
  private readonly duration: Histogram<'operation'>;
  private readonly consumed: Counter<'type' | 'outcome'>;
  private readonly deadLetters: Counter;
  private readonly schedulerRuns: Counter<'job_name' | 'status'>;
  private readonly jobDuration: Histogram<'job_name' | 'status'>;
  private readonly httpResponses: Counter<'status_class'>;
  private readonly operationLabels = new OperationLabels();

  constructor(readonly component: string) {
    this.registry.setDefaultLabels({ service: component });
    collectDefaultMetrics({ register: this.registry });
    this.operations = new Counter({
      name: 'graphql_operations_total',
      help: 'GraphQL operations handled, by operation name (the first 100 names seen; later ones as "other") and outcome (ok or error).',
      labelNames: ['operation', 'outcome'],
      registers: [this.registry],
    });
    this.duration = new Histogram({
      name: 'graphql_operation_duration_seconds',
      help: 'GraphQL operation latency, by operation name.',
      labelNames: ['operation'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    this.consumed = new Counter({
      name: 'offboarding_consumer_events_total',
      help: 'Consumed events by type and outcome: applied, duplicate (inbox), retried, dead_lettered.',
      labelNames: ['type', 'outcome'],
      registers: [this.registry],
    });
    this.deadLetters = new Counter({
      name: 'offboarding_dead_letters_total',
      help: 'Messages parked on the dead-letter topic.',
      registers: [this.registry],
    });
    this.schedulerRuns = new Counter({
      name: 'offboarding_scheduler_runs_total',
      help: 'Scheduled job runs in this process by job (job_name) and status (COMPLETED, SKIPPED_LOCKED, FAILED).',
      labelNames: ['job_name', 'status'],
      registers: [this.registry],
    });
    this.jobDuration = new Histogram({
      name: 'offboarding_job_duration_seconds',
      help: 'Duration of scheduled job runs in this process, by job (job_name) and status (runs in CronJob pods: offboarding_job_last_run_duration_seconds).',
      labelNames: ['job_name', 'status'],
      buckets: [0.05, 0.25, 1, 5, 15, 60, 300, 900, 3600],
      registers: [this.registry],
    });
    this.httpResponses = new Counter({
      name: 'offboarding_http_responses_total',
      help: 'HTTP responses sent, by status class (2xx, 3xx, 4xx, 5xx).',
      labelNames: ['status_class'],
      registers: [this.registry],
    });
  }

  /** Express middleware counting every response by status class (the 5xx-rate alert reads it). */
  httpMiddleware() {
    return (_req: unknown, res: { statusCode: number; once(event: 'finish', listener: () => void): unknown }, next: () => void): void => {
      res.once('finish', () => this.httpResponses.inc({ status_class: `${Math.floor(res.statusCode / 100)}xx` }));
      next();
    };
  }

  /** An Apollo Server plugin counting and timing every operation. */
  apolloPlugin(): ApolloServerPlugin {
    return {
      requestDidStart: () => {
        const started = performance.now();
        return Promise.resolve({
          willSendResponse: (context) => {
            const operation = this.operationLabels.of(context.operationName);
            const failed = (context.errors?.length ?? 0) > 0 || (context.response.body.kind === 'single' && (context.response.body.singleResult.errors?.length ?? 0) > 0);
            this.operations.inc({ operation, outcome: failed ? 'error' : 'ok' });
            this.duration.observe({ operation }, (performance.now() - started) / 1000);
            return Promise.resolve();
          },
        });
      },
    };
  }

  outcome(type: string, outcome: ConsumerOutcome): void {
    this.consumed.inc({ type, outcome });
    if (outcome === 'dead_lettered') this.deadLetters.inc();
  }

  schedulerRun(job: string, status: string, durationSeconds: number): void {
    // `job_name`, not `job`: Prometheus gives every scraped series a `job` label of its own.
    this.schedulerRuns.inc({ job_name: job, status });
    if (status !== 'SKIPPED_LOCKED') this.jobDuration.observe({ job_name: job, status }, durationSeconds);
  }

  /** A gauge with labels whose series are read when Prometheus scrapes (null: leave as is). */
  labelledGauge<L extends string>(name: string, help: string, labelNames: readonly L[], read: () => Promise<{ labels: Record<L, string>; value: number }[] | null>): void {
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        const series = await read().catch(() => null);
        if (series === null) return;
        this.reset();
        for (const { labels, value } of series) this.set(labels as Partial<Record<L, string | number>>, value);
      },
    });
  }

  /** A gauge whose value is read when Prometheus scrapes. */
  gauge(name: string, help: string, read: () => Promise<number | null>): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      async collect() {
        const value = await read().catch(() => null);
        if (value !== null) this.set(value);
      },
    });
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
