import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import type { EventPayload } from '@offboarding/contracts';
import { afterCommit, type UnitOfWork } from '@offboarding/messaging';
import type { Clock, ServiceAuditLog } from '@offboarding/platform';
import type { ObjectStorage } from '@offboarding/storage';
import { scopedFrom, tableOf } from './organization-scope';
import { confirmedCounts, type PurgePlan, type PurgeStep } from './purge-plan';
import { applyPurgeRequestTransition, PurgeRequestAction, PurgeRequestEntity, PurgeRequestStatus } from './purge-request';

/**
 * Rows deleted per transaction, whatever the service: bounded so no purge transaction holds its
 * locks for long (`npm run bench` reports the longest), large enough that per-transaction overhead
 * does not dominate.
 */
export const PURGE_BATCH_ROWS = 5_000;
/**
 * Rows per transaction of a step whose rows name files: each file is one round trip to object
 * storage, made while the batch's rows are locked.
 */
export const PURGE_FILE_BATCH_ROWS = 500;
export const PURGE_ACTOR = 'system:organization-purge';

export type PurgeOutcome = 'completed' | 'busy' | 'already-completed';

export interface PurgeRunnerDependencies {
  dataSource: DataSource;
  unitOfWork: UnitOfWork;
  clock: Clock;
  logger: Logger;
  /** Where the plan's files live; required when a step has files. */
  storage?: ObjectStorage;
  /** The service's audit log, when it keeps one: the purge is recorded there. */
  auditLog?: ServiceAuditLog;
}

/**
 * Runs a service's purge plan. A request is recorded in the inbox transaction (once per request
 * id); the deleting starts once that transaction has committed and goes on in batches of at most
 * PURGE_BATCH_ROWS rows (PURGE_FILE_BATCH_ROWS where files go with them), one transaction and one
 * set-based DELETE each. One locking rule: every batch and the completion lock the request row
 * with FOR UPDATE SKIP LOCKED, so two workers (replicas) never work on one request at once and
 * never count a row twice; the other moves on. Each batch adds its counts to the request; the
 * completing transaction checks nothing is left, applies the plan's finish, marks the request
 * COMPLETED, publishes the plan's confirmation with the counts and writes the audit entry.
 */
export class PurgeRunner {
  private timer: NodeJS.Timeout | null = null;
  private passes: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly plan: PurgePlan,
    private readonly deps: PurgeRunnerDependencies,
  ) {
    if (plan.steps.some((step) => step.files) && !deps.storage) throw new Error('a purge plan with files needs object storage');
  }

  /**
   * Records the request once, however often it is delivered or re-sent, in the caller's (inbox)
   * transaction, and starts the purge once that transaction has committed. Returns whether it was new.
   */
  async accept(manager: EntityManager, event: EventPayload<'com.offboarding.retention.organization_purge_requested.v1'>): Promise<boolean> {
    if (await manager.findOneBy(PurgeRequestEntity, { requestId: event.requestId })) return false;
    await this.plan.accept?.(manager, event.organizationId);
    const inserted = await manager.query<unknown[]>(
      `INSERT INTO ${tableOf(manager, PurgeRequestEntity)} (request_id, organization_id, status, deleted, requested_at)
       VALUES ($1, $2, $3, '{}'::jsonb, $4)
       ON CONFLICT (request_id) DO NOTHING
       RETURNING request_id`,
      [event.requestId, event.organizationId, PurgeRequestStatus.PENDING, this.deps.clock.now()],
    );
    if (inserted.length === 0) return false;
    afterCommit(manager, () => this.wakeSoon());
    return true;
  }

  /**
   * Works on recorded requests without waiting for the scheduler; when another replica holds the
   * work, a few later looks follow. The scheduled job catches anything missed.
   */
  wakeSoon(attempt = 0): void {
    if (this.stopped || this.timer || attempt > 4) return;
    const run = () => {
      this.timer = null;
      this.queue(PURGE_BATCH_ROWS).then(
        ({ busy }) => {
          // Another worker held a request: look again a little later, in case it stopped.
          if (busy > 0) this.wakeSoon(attempt + 1);
        },
        (error: unknown) => this.deps.logger.error({ err: error }, 'organization purge failed; the scheduled job retries it'),
      );
    };
    this.timer = setTimeout(run, attempt === 0 ? 0 : 200 * 2 ** attempt);
    this.timer.unref();
  }

  /** Stops waking; waits for the pass under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.passes.catch(() => undefined);
  }

  /**
   * Works through every pending request, oldest first; returns how many it completed. Passes of
   * one runner follow each other; runners of other replicas skip the request one of them holds.
   */
  async runPending(batchRows = PURGE_BATCH_ROWS): Promise<number> {
    if (!Number.isInteger(batchRows) || batchRows < 1) throw new RangeError('batchRows must be a whole number ≥ 1');
    return (await this.queue(batchRows)).completed;
  }

  private queue(batchRows: number): Promise<{ completed: number; busy: number }> {
    const pass = this.passes.catch(() => undefined).then(() => this.pass(batchRows));
    this.passes = pass;
    return pass;
  }

  private async pass(batchRows: number): Promise<{ completed: number; busy: number }> {
    const pending = await this.deps.dataSource.getRepository(PurgeRequestEntity).find({
      select: { requestId: true },
      where: { status: PurgeRequestStatus.PENDING },
      order: { requestedAt: 'ASC', requestId: 'ASC' },
    });
    let completed = 0;
    let busy = 0;
    for (const { requestId } of pending) {
      const outcome = await this.purge(requestId, batchRows);
      if (outcome === 'completed') completed += 1;
      if (outcome === 'busy') busy += 1;
    }
    return { completed, busy };
  }

  /** Purges one request to its end, unless another worker holds it. */
  async purge(requestId: string, batchRows = PURGE_BATCH_ROWS): Promise<PurgeOutcome> {
    for (const step of this.plan.steps) {
      const rows = step.files ? Math.min(batchRows, PURGE_FILE_BATCH_ROWS) : batchRows;
      for (;;) {
        const batch = await this.deleteBatch(requestId, step, rows);
        if (batch === 'busy' || batch === 'already-completed') return batch;
        // The request was locked throughout: a short batch means the table is empty of the organization's rows.
        if (batch < rows) break;
      }
    }
    return this.complete(requestId);
  }

  /** One transaction: lock the request, delete up to a batch of one table's rows (and their files), count them. */
  private deleteBatch(requestId: string, step: PurgeStep, batchRows: number): Promise<number | 'busy' | 'already-completed'> {
    return this.deps.dataSource.transaction(async (manager) => {
      const request = await lockRequest(manager, requestId);
      if (!request) return 'busy';
      if (request.status === PurgeRequestStatus.COMPLETED) return 'already-completed';
      const table = tableOf(manager, step.entity);
      const chosen = `SELECT t.ctid ${scopedFrom(manager, step.entity, step.scope)} LIMIT ${batchRows}`;
      const name = manager.connection.getMetadata(step.entity).tableName;
      const counts = { ...request.deleted };
      let deleted: number;
      if (step.files) {
        // The rows go in this transaction and their files just before it commits: should it then
        // fail, the rows are deleted on the next try, and deleting a missing file is no error.
        const rows = await manager.query<{ file: string | null }[]>(
          `WITH gone AS (DELETE FROM ${table} WHERE ctid = ANY (ARRAY(${chosen})) RETURNING "${step.files.column}" AS file) SELECT file FROM gone`,
          [request.organizationId],
        );
        let files = 0;
        for (const { file } of rows) if (file !== null && (await this.deps.storage!.delete(file))) files += 1;
        deleted = rows.length;
        counts[step.files.counted] = (counts[step.files.counted] ?? 0) + files;
      } else {
        const [row] = await manager.query<{ n: number }[]>(
          `WITH gone AS (DELETE FROM ${table} WHERE ctid = ANY (ARRAY(${chosen})) RETURNING 1) SELECT count(*)::int AS n FROM gone`,
          [request.organizationId],
        );
        deleted = row?.n ?? 0;
      }
      counts[name] = (counts[name] ?? 0) + deleted;
      await manager.update(PurgeRequestEntity, { requestId }, { deleted: counts });
      return deleted;
    });
  }

  private complete(requestId: string): Promise<PurgeOutcome> {
    return this.deps.unitOfWork.run(async (tx) => {
      const request = await lockRequest(tx.manager, requestId);
      if (!request) return 'busy';
      if (request.status === PurgeRequestStatus.COMPLETED) return 'already-completed';
      for (const step of this.plan.steps) {
        const [left] = await tx.manager.query<unknown[]>(`SELECT 1 ${scopedFrom(tx.manager, step.entity, step.scope)} LIMIT 1`, [request.organizationId]);
        if (left) throw new Error(`purge of ${request.organizationId} is not complete: ${tx.manager.connection.getMetadata(step.entity).tableName} still has rows`);
      }
      const now = this.deps.clock.now();
      const before = (await this.plan.finish?.(tx, request.organizationId, now)) ?? null;
      await applyPurgeRequestTransition(tx.manager, request, PurgeRequestAction.complete, now);
      const deleted = confirmedCounts(tx.manager, this.plan, request.deleted);
      await tx.publish(this.plan.confirmation, request.organizationId, {
        organizationId: request.organizationId,
        requestId,
        deleted,
        purgedAt: now.toISOString(),
      });
      await this.deps.auditLog?.record(tx, {
        organizationId: request.organizationId,
        actor: PURGE_ACTOR,
        action: 'organization.purge',
        subjectType: 'organization',
        subjectId: request.organizationId,
        beforeStatus: before,
        afterStatus: 'PURGED',
      });
      this.deps.logger.info({ organizationId: request.organizationId, requestId, deleted }, 'organization purged');
      return 'completed';
    });
  }
}

/** The request row, locked; null while another worker holds it (or when there is none). */
function lockRequest(manager: EntityManager, requestId: string): Promise<PurgeRequestEntity | null> {
  return manager.findOne(PurgeRequestEntity, { where: { requestId }, lock: { mode: 'pessimistic_write', onLocked: 'skip_locked' } });
}
