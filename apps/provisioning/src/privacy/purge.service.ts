import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource, type EntityManager } from 'typeorm';
import type { EventPayload } from '@offboarding/contracts';
import { type PurgePlan, PurgeRunner } from '@offboarding/data-lifecycle';
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

export const ORGANIZATION_PURGE_JOB = 'organization-purge';
/** The export artifacts in object storage, counted beside the tables. */
export const EXPORT_FILES_COUNT = 'environment_export_files';

/** Every table holding an organization's rows, children before the parents they reference; export artifacts go with their rows. */
export const PURGE_PLAN: PurgePlan = {
  confirmation: 'com.offboarding.provisioning.organization_purged.v1',
  steps: [
    { entity: SiteActivationEntity },
    { entity: LicenseEntity },
    { entity: EnvironmentExportEntity, files: { column: 'storage_key', counted: EXPORT_FILES_COUNT } },
    { entity: EnvironmentEntity },
    { entity: ServiceRequestEntity },
    { entity: ContractEntity },
    { entity: CreditBalanceEntity },
    { entity: CustomerServiceEntity },
    { entity: TrackingLinkEntity },
    { entity: CampaignEntity },
    { entity: PartnerRelationshipEntity },
    { entity: EnrollmentEntity },
    { entity: CourseSeatEntity },
    { entity: FulfilmentEntity },
    { entity: ProvisioningPolicyEntity },
    { entity: KnownEntitlementEntity },
  ],
};

/** Deletes everything this service holds for an organization when the retention service asks (the shared PurgeRunner on PURGE_PLAN). */
@Injectable()
export class PurgeService implements ScheduledJob, OnModuleInit, OnApplicationShutdown {
  readonly name = ORGANIZATION_PURGE_JOB;
  readonly schedule = '*/10 * * * *';
  readonly description = 'Deletes the records of organizations whose purge the retention service requested, in bounded batches.';
  readonly runner: PurgeRunner;

  constructor(
    dataSource: DataSource,
    unitOfWork: UnitOfWork,
    storage: ObjectStorage,
    clock: Clock,
    private readonly scheduler: JobScheduler,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.runner = new PurgeRunner(PURGE_PLAN, { dataSource, unitOfWork, clock, logger, storage });
  }

  onModuleInit(): void {
    this.scheduler.register(this);
  }

  onApplicationShutdown(): Promise<void> {
    return this.runner.stop();
  }

  /** Records the request once, however often it is delivered or re-sent; the purge starts once the inbox transaction has committed. */
  onPurgeRequested(manager: EntityManager, event: EventPayload<'com.offboarding.retention.organization_purge_requested.v1'>): Promise<boolean> {
    return this.runner.accept(manager, event);
  }

  async run({ logger }: JobContext): Promise<JobResult> {
    const processed = await this.runPending();
    if (processed > 0) logger.info({ processed }, 'organizations purged');
    return counted({ purgesCompleted: processed });
  }

  /** Works through every pending request, oldest first; returns how many completed. */
  runPending(): Promise<number> {
    return this.runner.runPending();
  }
}
