import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource, type EntityManager, In } from 'typeorm';
import { EntitlementStatus, type EventPayload } from '@offboarding/contracts';
import { maskOrganizationPii, type MaskingTarget, type PurgePlan, PurgeRunner } from '@offboarding/data-lifecycle';
import { joinTransaction, Outbox, UnitOfWork } from '@offboarding/messaging';
import { Clock, LOGGER, MaskingKeys } from '@offboarding/platform';
import { AuditLog } from '../audit/audit-log';
import { EntitlementEntity } from '../entitlements/entitlement.entity';
import { OffboardingCaseEntity } from '../offboarding/offboarding-case.entity';
import { CancellationPolicyEntity } from '../policies/cancellation-policy.entity';
import { DocumentEntity, InvoiceEntity, OrderEntity, QuoteEntity } from '../records/records.entities';
import { ContactEntity } from './contact.entity';
import { OrganizationEntity } from './organization.entity';
import { OrganizationAction, nextOrganizationStatus } from './organization-status';

/**
 * What a purge deletes, children first. The organization row stays as the tombstone (id, name,
 * tax id, key dates); the local audit log stays too: it holds no PII and, like the
 * organization-wide trail, outlives the purge.
 */
export const PURGE_PLAN: PurgePlan = {
  confirmation: 'com.offboarding.entitlements.organization_purged.v1',
  steps: [ContactEntity, DocumentEntity, InvoiceEntity, OrderEntity, QuoteEntity, EntitlementEntity, OffboardingCaseEntity, CancellationPolicyEntity].map((entity) => ({ entity })),
  /** Refuses a purge that would come early: the organization must exist and have no open entitlement. */
  async accept(manager, organizationId) {
    const organization = await lockOrganization(manager, organizationId);
    const open = await manager.countBy(EntitlementEntity, { organizationId, status: In([EntitlementStatus.ACTIVE, EntitlementStatus.SUSPENDED]) });
    if (open > 0) throw new Error(`refusing to purge organization ${organizationId}: ${open} entitlement(s) are not cancelled`);
    if (organization.status !== 'PURGED') nextOrganizationStatus(organization.status, OrganizationAction.purge);
  },
  /** Turns the organization into its tombstone. */
  async finish({ manager }, organizationId, now) {
    const organization = await lockOrganization(manager, organizationId);
    if (organization.status !== 'PURGED') {
      const status = nextOrganizationStatus(organization.status, OrganizationAction.purge);
      await manager.update(OrganizationEntity, { id: organizationId }, { status, purgedAt: now, updatedAt: now });
    }
    return organization.status;
  },
};

/** Every contact's `@Pii()` columns; a masked contact is stamped and never masked again. */
export const MASKING_PLAN: readonly MaskingTarget[] = [{ entity: ContactEntity, maskedAt: 'masked_at', updatedAt: 'updated_at' }];

export const MASKING_ACTOR = 'system:pii-masking';

async function lockOrganization(manager: EntityManager, organizationId: string): Promise<OrganizationEntity> {
  const organization = await manager.findOne(OrganizationEntity, { where: { id: organizationId }, lock: { mode: 'pessimistic_write' } });
  if (!organization) throw new Error(`unknown organization ${organizationId}`);
  return organization;
}

/** Masking and purge requests from the retention service. */
@Injectable()
export class DataLifecycleService implements OnApplicationShutdown {
  readonly purge: PurgeRunner;

  constructor(
    dataSource: DataSource,
    unitOfWork: UnitOfWork,
    private readonly outbox: Outbox,
    private readonly maskingKeys: MaskingKeys,
    private readonly auditLog: AuditLog,
    private readonly clock: Clock,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.purge = new PurgeRunner(PURGE_PLAN, { dataSource, unitOfWork, clock, logger, auditLog });
  }

  onApplicationShutdown(): Promise<void> {
    return this.purge.stop();
  }

  /**
   * Replaces every contact's PII with its keyed hash and marks the organization masked (which
   * closes reactivation for good), then confirms. Runs in the inbox transaction: applied once.
   */
  async onMaskingRequested(manager: EntityManager, event: EventPayload<'com.offboarding.retention.pii_masking_requested.v1'>): Promise<void> {
    const organization = await lockOrganization(manager, event.organizationId);
    const key = await this.maskingKeys.resolve(event.maskingKeyRef);
    const now = this.clock.now();
    const masked = await maskOrganizationPii(manager, MASKING_PLAN, organization.id, key, now);
    if (organization.piiMaskedAt === null) await manager.update(OrganizationEntity, { id: organization.id }, { piiMaskedAt: now, updatedAt: now });
    const tx = joinTransaction(manager, this.outbox);
    await tx.publish('com.offboarding.entitlements.pii_masked.v1', organization.id, {
      organizationId: organization.id,
      requestId: event.requestId,
      maskedRecords: masked,
      maskedAt: now.toISOString(),
    });
    await this.auditLog.record(tx, {
      organizationId: organization.id,
      actor: MASKING_ACTOR,
      action: 'organization.mask_pii',
      subjectType: 'organization',
      subjectId: organization.id,
      beforeStatus: organization.status,
      afterStatus: organization.status,
    });
  }

  /** Accepts a purge request in the inbox transaction (refusing one that would purge early); the runner deletes once it has committed. */
  async onPurgeRequested(manager: EntityManager, event: EventPayload<'com.offboarding.retention.organization_purge_requested.v1'>): Promise<void> {
    await this.purge.accept(manager, event);
  }

  /** Works off pending purges in bounded batches, then leaves the tombstone and confirms; safe to run concurrently. */
  purgePending(batchRows?: number): Promise<number> {
    return this.purge.runPending(batchRows);
  }
}
