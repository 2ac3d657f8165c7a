import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource, type EntityManager, type EntityTarget, type ObjectLiteral } from 'typeorm';
import type { EventPayload } from '@offboarding/contracts';
import { UnitOfWork } from '@offboarding/messaging';
import { Clock, counted, JobScheduler, LOGGER, type JobContext, type JobResult, type ScheduledJob } from '@offboarding/platform';
import { ObjectStorage } from '@offboarding/storage';
import { CampaignEntity, PartnerRelationshipEntity, TrackingLinkEntity } from '../affiliates/affiliate.entities';
import { CourseSeatEntity, EnrollmentEntity } from '../education/education.entities';
import { EnvironmentExportEntity } from '../environments/environment-export.entity';
import { EnvironmentEntity } from '../environments/environment.entity';
import { FulfilmentEntity } from '../fulfilments/fulfilment.entity';
import { KnownEntitlementEntity } from '../known-entitlements/known-entitlement.entity';
import { LicenseEntity } from '../licenses/license.entity';
import { SiteActivationEntity } from '../licenses/site-activation.entity';
import { ProvisioningPolicyEntity } from '../policies/provisioning-policy.entity';
import { ContractEntity, CreditBalanceEntity, CustomerServiceEntity, ServiceRequestEntity } from '../service-contracts/service-contract.entities';
import { tableOf } from '../shared/sql';
import { PurgeRequestEntity, PurgeRequestStatus } from './purge-request.entity';

/** Rows per delete transaction: short locks and bounded WAL, whatever the organization's size. */
export const PURGE_BATCH_SIZE = 500;
export const ORGANIZATION_PURGE_JOB = 'organization-purge';
/** The export artifacts in object storage, counted beside the tables. */
export const EXPORT_FILES_COUNT = 'environment_export_files';

/** Every table holding an organization's rows, children before the parents they reference. */
const PURGED_TABLES: readonly EntityTarget<ObjectLiteral>[] = [
  SiteActivationEntity,
  LicenseEntity,
  EnvironmentExportEntity,
  EnvironmentEntity,
  ServiceRequestEntity,
  ContractEntity,
  CreditBalanceEntity,
  CustomerServiceEntity,
  TrackingLinkEntity,
  CampaignEntity,
  PartnerRelationshipEntity,
  EnrollmentEntity,
  CourseSeatEntity,
  FulfilmentEntity,
  ProvisioningPolicyEntity,
  KnownEntitlementEntity,
];

export type PurgeOutcome = 'completed' | 'busy' | 'already-completed';

/**
 * Deletes everything this service holds for an organization when the retention service asks.
 * The request is recorded in the inbox transaction (idempotent on its request id); the deleting
 * happens afterwards in batches of PURGE_BATCH_SIZE rows per transaction, each batch adding to the
 * request's counts, and the last transaction publishes `organization_purged` with them.
 */
@Injectable()
export class PurgeService implements ScheduledJob, OnModuleInit, OnApplicationShutdown {
  readonly name = ORGANIZATION_PURGE_JOB;
  readonly schedule = '*/10 * * * *';
  readonly description = 'Deletes the records of organizations whose purge the retention service requested, in bounded batches.';
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
    private readonly storage: ObjectStorage,
    private readonly clock: Clock,
    private readonly scheduler: JobScheduler,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.scheduler.register(this);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Records the request once, however often it is delivered or re-sent. */
  async onPurgeRequested(manager: EntityManager, event: EventPayload<'com.offboarding.retention.organization_purge_requested.v1'>): Promise<boolean> {
    const inserted = await manager.query<unknown[]>(
      `INSERT INTO ${tableOf(manager, PurgeRequestEntity)} (request_id, organization_id, status, deleted, requested_at)
       VALUES ($1, $2, $3, '{}'::jsonb, $4)
       ON CONFLICT (request_id) DO NOTHING
       RETURNING request_id`,
      [event.requestId, event.organizationId, PurgeRequestStatus.PENDING, new Date(event.requestedAt)],
    );
    return inserted.length > 0;
  }

  /**
   * Starts working on recorded requests without waiting for the scheduler (called once the inbox
   * transaction that recorded the request has committed); when another replica took the work, a
   * few later looks follow. The scheduled job catches anything missed.
   */
  wakeSoon(attempt = 0): void {
    if (this.stopped || this.timer || attempt > 4) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      const round = this.runPending().then(
        (processed) => {
          if (processed === 0) this.wakeSoon(attempt + 1);
        },
        (error: unknown) => this.logger.error({ err: error }, 'organization purge failed; the scheduled job retries it'),
      );
      this.running = round;
    }, 200 * 2 ** attempt);
    this.timer.unref();
  }

  async run({ logger }: JobContext): Promise<JobResult> {
    const processed = await this.runPending();
    if (processed > 0) logger.info({ processed }, 'organizations purged');
    return counted({ purgesCompleted: processed });
  }

  /** Works through every pending request, oldest first; returns how many completed. */
  async runPending(): Promise<number> {
    const pending = await this.dataSource.getRepository(PurgeRequestEntity).find({
      where: { status: PurgeRequestStatus.PENDING },
      order: { requestedAt: 'ASC', requestId: 'ASC' },
    });
    let completed = 0;
    for (const request of pending) {
      if ((await this.purge(request.requestId)) === 'completed') completed += 1;
    }
    return completed;
  }

  async purge(requestId: string): Promise<PurgeOutcome> {
    for (const target of PURGED_TABLES) {
      for (;;) {
        const batch = await this.deleteBatch(requestId, target);
        if (batch === 'busy' || batch === 'already-completed') return batch;
        if (batch < PURGE_BATCH_SIZE) break;
      }
    }
    return this.complete(requestId);
  }

  /** One transaction: lock the request, delete up to a batch of rows from one table, count them. */
  private async deleteBatch(requestId: string, target: EntityTarget<ObjectLiteral>): Promise<number | 'busy' | 'already-completed'> {
    return this.dataSource.transaction(async (manager) => {
      const request = await this.lockRequest(manager, requestId);
      if (!request) return 'busy';
      if (request.status === PurgeRequestStatus.COMPLETED) return 'already-completed';
      const table = tableOf(manager, target);
      let files = 0;
      if (target === EnvironmentExportEntity) files = await this.deleteExportFiles(manager, request.organizationId);
      const [row] = await manager.query<{ n: number }[]>(
        `WITH gone AS (
           DELETE FROM ${table} WHERE ctid IN (SELECT ctid FROM ${table} WHERE organization_id = $1 LIMIT ${PURGE_BATCH_SIZE})
           RETURNING 1
         ) SELECT count(*)::int AS n FROM gone`,
        [request.organizationId],
      );
      const deleted = row?.n ?? 0;
      const name = manager.connection.getMetadata(target).tableName;
      const counts = { ...request.deleted, [name]: (request.deleted[name] ?? 0) + deleted };
      if (target === EnvironmentExportEntity) counts[EXPORT_FILES_COUNT] = (request.deleted[EXPORT_FILES_COUNT] ?? 0) + files;
      await manager.update(PurgeRequestEntity, { requestId }, { deleted: counts });
      return deleted;
    });
  }

  /**
   * Removes the artifacts of the next batch of export rows before the rows themselves: if the
   * transaction then fails, the rows are deleted on the next try and deleting a missing file is
   * no error. The other order could leave files nobody knows about.
   */
  private async deleteExportFiles(manager: EntityManager, organizationId: string): Promise<number> {
    const rows = await manager.find(EnvironmentExportEntity, {
      select: { id: true, storageKey: true },
      where: { organizationId },
      order: { id: 'ASC' },
      take: PURGE_BATCH_SIZE,
    });
    let files = 0;
    for (const row of rows) if (await this.storage.delete(row.storageKey)) files += 1;
    return files;
  }

  private complete(requestId: string): Promise<PurgeOutcome> {
    return this.unitOfWork.run(async ({ manager, publish }) => {
      const request = await this.lockRequest(manager, requestId);
      if (!request) return 'busy';
      if (request.status === PurgeRequestStatus.COMPLETED) return 'already-completed';
      const now = this.clock.now();
      await manager.update(PurgeRequestEntity, { requestId }, { status: PurgeRequestStatus.COMPLETED, completedAt: now });
      await publish('com.offboarding.provisioning.organization_purged.v1', request.organizationId, {
        organizationId: request.organizationId,
        requestId,
        deleted: request.deleted,
        purgedAt: now.toISOString(),
      });
      this.logger.info({ organizationId: request.organizationId, requestId, deleted: request.deleted }, 'organization purged');
      return 'completed';
    });
  }

  /** The request row, locked; null while another worker holds it. */
  private lockRequest(manager: EntityManager, requestId: string): Promise<PurgeRequestEntity | null> {
    return manager.findOne(PurgeRequestEntity, {
      where: { requestId },
      lock: { mode: 'pessimistic_write', onLocked: 'skip_locked' },
    });
  }
}
