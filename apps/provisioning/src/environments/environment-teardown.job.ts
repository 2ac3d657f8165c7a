import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { UnitOfWork } from '@offboarding/messaging';
import { JobScheduler, type JobContext, type JobResult, type ScheduledJob } from '@offboarding/platform';
import { systemActor } from '../shared/actor';
import { EnvironmentStatus } from './environment-status';
import { EnvironmentEntity } from './environment.entity';
import { EnvironmentsService } from './environments.service';

const BATCH = 100;
export const ENVIRONMENT_TEARDOWN_JOB = 'environment-teardown';

export interface TeardownRun extends JobResult {
  blocked: number;
}

/**
 * Tears down deprovisioned environments whose teardown is due. The due date is set on
 * cancellation to `cancelledAt + dataRetentionDays` of the cancellation's policy snapshot: that is
 * the retention the customer was promised when they left, later policy edits never change it, and
 * it is the same horizon the retention service purges on — a separate provisioning setting could
 * destroy data the retention policy still promises to keep. Environments whose data was neither
 * exported nor waived stay as they are and are counted (and marked) as blocked.
 */
@Injectable()
export class EnvironmentTeardownJob implements ScheduledJob, OnModuleInit {
  readonly name = ENVIRONMENT_TEARDOWN_JOB;
  readonly schedule = '30 * * * *';
  readonly description = 'Tears down deprovisioned hosted environments whose retention has ended, once their data is exported or the export waived.';

  constructor(
    private readonly scheduler: JobScheduler,
    private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
    private readonly environments: EnvironmentsService,
  ) {}

  onModuleInit(): void {
    this.scheduler.register(this);
  }

  async run({ now, logger }: JobContext): Promise<TeardownRun> {
    let processed = 0;
    let blocked = 0;
    let after: { dueAt: Date; id: string } | null = null;
    for (;;) {
      const due: EnvironmentEntity[] = await this.dueAfter(after, now);
      if (due.length === 0) break;
      for (const candidate of due) {
        const outcome = await this.unitOfWork.run(async ({ manager }) => {
          const environment = await manager.findOne(EnvironmentEntity, { where: { id: candidate.id }, lock: { mode: 'pessimistic_write' } });
          // Reactivated or torn down by an admin since it was selected.
          if (!environment || environment.status !== EnvironmentStatus.DEPROVISIONED || !environment.teardownDueAt || environment.teardownDueAt > now) {
            return 'skipped' as const;
          }
          const result = await this.environments.tearDownLocked(manager, environment, systemActor(ENVIRONMENT_TEARDOWN_JOB), now);
          if (result.kind === 'blocked' && !environment.teardownBlockedAt) {
            await manager.update(EnvironmentEntity, { id: environment.id }, { teardownBlockedAt: now, updatedAt: now });
          }
          return result.kind;
        });
        if (outcome === 'torn-down') processed += 1;
        if (outcome === 'blocked') {
          blocked += 1;
          logger.warn({ environmentId: candidate.id, organizationId: candidate.organizationId }, 'environment teardown blocked: no export and no waiver');
        }
      }
      const last = due[due.length - 1];
      after = { dueAt: last.teardownDueAt ?? now, id: last.id };
    }
    if (blocked > 0) logger.info({ tornDown: processed, blocked }, 'environment teardown round finished with blocked environments');
    return { processed, blocked, counts: { environmentsTornDown: processed, environmentsBlocked: blocked } };
  }

  private dueAfter(after: { dueAt: Date; id: string } | null, now: Date): Promise<EnvironmentEntity[]> {
    const query = this.dataSource
      .getRepository(EnvironmentEntity)
      .createQueryBuilder('e')
      .where('e.status = :status', { status: EnvironmentStatus.DEPROVISIONED })
      .andWhere('e.teardown_due_at <= :now', { now });
    if (after) query.andWhere('(e.teardown_due_at, e.id) > (:afterDueAt, :afterId)', { afterDueAt: after.dueAt, afterId: after.id });
    return query.orderBy('e.teardown_due_at', 'ASC').addOrderBy('e.id', 'ASC').take(BATCH).getMany();
  }
}
