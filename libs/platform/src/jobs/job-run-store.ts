import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { affectedRows } from '@offboarding/persistence';

export type JobTrigger = 'INTERVAL' | 'CRON' | 'MANUAL';
export type JobRunOutcome = 'RUNNING' | 'COMPLETED' | 'FAILED';

/** One recorded run of a scheduled job (the job_runs row). Times are the database's (wall clock). */
export interface JobRunRecord {
  id: string;
  job: string;
  trigger: JobTrigger;
  status: JobRunOutcome;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  processed: number;
  /** What the run did, counted by kind (empty while RUNNING, when FAILED, or when the job does not say). */
  counts: Record<string, number>;
  error: string | null;
  host: string;
}

export interface JobRunSummary {
  job: string;
  lastRun: JobRunRecord | null;
  lastSuccessAt: string | null;
}

export interface JobRunPage {
  /** Each with the cursor to continue after it. */
  runs: (JobRunRecord & { cursor: string })[];
  totalCount: number;
  hasNextPage: boolean;
  endCursor: string | null;
}

interface Row {
  id: string;
  job: string;
  trigger: JobTrigger;
  status: JobRunOutcome;
  started_at: Date | string;
  finished_at: Date | string | null;
  duration_ms: number | null;
  processed: number;
  counts: Record<string, number> | null;
  error: string | null;
  host: string;
}

const MAX_ERROR_LENGTH = 2_000;
const iso = (value: Date | string) => new Date(value).toISOString();

function record(row: Row): JobRunRecord {
  return {
    id: row.id,
    job: row.job,
    trigger: row.trigger,
    status: row.status,
    startedAt: iso(row.started_at),
    finishedAt: row.finished_at === null ? null : iso(row.finished_at),
    durationMs: row.duration_ms,
    processed: row.processed,
    counts: row.counts ?? {},
    error: row.error,
    host: row.host,
  };
}

/** A page cursor: the last row's start time and id, opaque to clients. */
export function jobRunCursor(run: Pick<JobRunRecord, 'startedAt' | 'id'>): string {
  return Buffer.from(JSON.stringify([run.startedAt, run.id])).toString('base64url');
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const [startedAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof startedAt === 'string' && typeof id === 'string' && !Number.isNaN(Date.parse(startedAt)) && /^[0-9a-f-]{36}$/.test(id)) return [startedAt, id];
  } catch {
    // fall through to the refusal below
  }
  throw new RangeError('after: not a cursor of this list');
}

/**
 * The service's record of its scheduled job runs (table job_runs): a row when a run starts, its
 * outcome, items processed and duration when it ends. Written by JobScheduler, read by the
 * metrics (last success, last duration) and by the admin API, pruned with the messaging tables.
 */
export class JobRunStore {
  constructor(private readonly dataSource: DataSource) {}

  private get table(): string {
    const schema = (this.dataSource.options as { schema?: string }).schema;
    return schema ? `"${schema.replace(/"/g, '""')}".job_runs` : 'job_runs';
  }

  async start(job: string, trigger: JobTrigger, host: string): Promise<string> {
    const id = randomUUID();
    await this.dataSource.query(`INSERT INTO ${this.table} (id, job, trigger, status, host) VALUES ($1, $2, $3, 'RUNNING', $4)`, [id, job, trigger, host]);
    return id;
  }

  async finish(
    id: string,
    outcome: { status: 'COMPLETED' | 'FAILED'; processed: number; counts?: Readonly<Record<string, number>>; durationMs: number; error: string | null },
  ): Promise<void> {
    await this.dataSource.query(`UPDATE ${this.table} SET status = $2, processed = $3, duration_ms = $4, error = $5, counts = $6, finished_at = now() WHERE id = $1`, [
      id,
      outcome.status,
      outcome.processed,
      outcome.durationMs,
      outcome.error?.slice(0, MAX_ERROR_LENGTH) ?? null,
      JSON.stringify(outcome.counts ?? {}),
    ]);
  }

  /** For each job: its newest run and when a run last completed. */
  async summaries(jobs: readonly string[]): Promise<JobRunSummary[]> {
    const rows = await this.dataSource.query<(Row & { requested: string; last_success_at: Date | string | null })[]>(
      `SELECT requested.job AS requested, last.*, success.finished_at AS last_success_at
         FROM unnest($1::text[]) AS requested (job)
         LEFT JOIN LATERAL (SELECT * FROM ${this.table} r WHERE r.job = requested.job ORDER BY started_at DESC, id DESC LIMIT 1) last ON true
         LEFT JOIN LATERAL (
           SELECT finished_at FROM ${this.table} r WHERE r.job = requested.job AND r.status = 'COMPLETED' ORDER BY started_at DESC, id DESC LIMIT 1
         ) success ON true`,
      [[...jobs]],
    );
    return rows.map((row) => ({
      job: row.requested,
      lastRun: row.id ? record(row) : null,
      lastSuccessAt: row.last_success_at === null ? null : iso(row.last_success_at),
    }));
  }

  /** A job's runs, newest first, `first` at a time after the cursor of the previous page. */
  async page(job: string, first: number, after: string | null): Promise<JobRunPage> {
    const params: unknown[] = [job, first + 1];
    let where = 'job = $1';
    if (after !== null) {
      const [startedAt, id] = decodeCursor(after);
      params.push(startedAt, id);
      where += ' AND (started_at, id) < ($3::timestamptz, $4::uuid)';
    }
    const rows = await this.dataSource.query<Row[]>(`SELECT * FROM ${this.table} WHERE ${where} ORDER BY started_at DESC, id DESC LIMIT $2`, params);
    const [{ count }] = await this.dataSource.query<{ count: string }[]>(`SELECT count(*) AS count FROM ${this.table} WHERE job = $1`, [job]);
    const runs = rows.slice(0, first).map((row) => {
      const run = record(row);
      return { ...run, cursor: jobRunCursor(run) };
    });
    return { runs, totalCount: Number(count), hasNextPage: rows.length > first, endCursor: runs.at(-1)?.cursor ?? null };
  }

  /**
   * Deletes finished runs that started before `olderThanDays` days ago (database time), at most
   * `batchSize` rows per statement; returns how many went. A run still RUNNING is kept.
   */
  async prune(olderThanDays: number, batchSize: number, maxBatches: number): Promise<number> {
    let deleted = 0;
    for (let batch = 0; batch < maxBatches; batch += 1) {
      const count = affectedRows(
        await this.dataSource.query(
          `DELETE FROM ${this.table} WHERE id IN (
             SELECT id FROM ${this.table} WHERE started_at < now() - make_interval(days => $1) AND status <> 'RUNNING' ORDER BY started_at LIMIT $2
           )`,
          [olderThanDays, batchSize],
        ),
      );
      deleted += count;
      if (count < batchSize) break;
    }
    return deleted;
  }
}
