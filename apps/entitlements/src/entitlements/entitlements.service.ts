import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  type CancellationReason,
  DEFAULT_CANCELLATION_POLICY,
  type EntitlementClass,
  EntitlementStatus,
  OrganizationStatus,
} from '@offboarding/contracts';
import { UnitOfWork } from '@offboarding/messaging';
import {
  Clock,
  DomainError,
  ErrorCode,
  InvalidInputError,
  NotFoundError,
  type ConnectionShape,
  keysetPage,
  type PageRequest,
} from '@offboarding/platform';
import { OrganizationsService } from '../organizations/organizations.service';
import { isUuid } from '../validation';
import { EntitlementAction, nextEntitlementStatus } from './entitlement-status';
import { EntitlementEntity } from './entitlement.entity';

export interface GrantEntitlementCommand {
  organizationId: string;
  class: EntitlementClass;
  product: string;
}

export interface CancelEntitlementCommand {
  entitlementId: string;
  reason: CancellationReason;
  notes?: string | null;
  actor: string;
}

@Injectable()
export class EntitlementsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
    private readonly organizations: OrganizationsService,
    private readonly clock: Clock,
  ) {}

  async grant(command: GrantEntitlementCommand): Promise<EntitlementEntity> {
    const product = command.product.trim();
    if (product.length < 1 || product.length > 200) throw new InvalidInputError('product', 'must be 1 to 200 characters');

    return this.unitOfWork.run(async ({ manager, publish }) => {
      const organization = await this.organizations.lockById(command.organizationId, manager);
      if (organization.status !== OrganizationStatus.ACTIVE) {
        throw new DomainError(
          ErrorCode.ORGANIZATION_ARCHIVED,
          `organization ${organization.id} is ${organization.status}: no new entitlements`,
          { organizationId: organization.id, organizationStatus: organization.status },
        );
      }
      const now = this.clock.now();
      const entitlement = manager.create(EntitlementEntity, {
        id: randomUUID(),
        organizationId: organization.id,
        class: command.class,
        product,
        status: EntitlementStatus.ACTIVE,
        grantedAt: now,
        cancelledAt: null,
        cancellationReason: null,
        cancellationNotes: null,
        cancelledBy: null,
        createdAt: now,
        updatedAt: now,
      });
      await manager.insert(EntitlementEntity, entitlement);
      await publish('com.offboarding.entitlements.entitlement_granted.v1', organization.id, {
        organizationId: organization.id,
        entitlementId: entitlement.id,
        class: entitlement.class,
        product,
        grantedAt: now.toISOString(),
      });
      return entitlement;
    });
  }

  async cancel(command: CancelEntitlementCommand): Promise<EntitlementEntity> {
    const notes = command.notes?.trim() || null;
    if (notes !== null && notes.length > 2000) throw new InvalidInputError('notes', 'must be at most 2000 characters');

    return this.unitOfWork.run(async ({ manager, publish }) => {
      // Row locks serialize transitions of one entitlement, and the organization lock makes the
      // outbox order of one organization's events their commit order.
      const entitlement = isUuid(command.entitlementId)
        ? await manager.findOne(EntitlementEntity, {
            where: { id: command.entitlementId },
            lock: { mode: 'pessimistic_write' },
          })
        : null;
      if (!entitlement) throw new NotFoundError('entitlement', command.entitlementId);
      await this.organizations.lockById(entitlement.organizationId, manager);
      const now = this.clock.now();
      entitlement.status = nextEntitlementStatus(entitlement.status, EntitlementAction.cancel);
      entitlement.cancelledAt = now;
      entitlement.cancellationReason = command.reason;
      entitlement.cancellationNotes = notes;
      entitlement.cancelledBy = command.actor;
      entitlement.updatedAt = now;
      await manager.save(EntitlementEntity, entitlement);
      await publish('com.offboarding.entitlements.entitlement_cancelled.v1', entitlement.organizationId, {
        organizationId: entitlement.organizationId,
        entitlementId: entitlement.id,
        class: entitlement.class,
        reason: command.reason,
        cancelledAt: now.toISOString(),
        cancelledBy: command.actor,
        policy: DEFAULT_CANCELLATION_POLICY,
        reactivatableUntil: null,
        portalVisibleUntil: now.toISOString(),
        remainingActiveEntitlements: 0,
      });
      return entitlement;
    });
  }

  async findById(id: string): Promise<EntitlementEntity | null> {
    if (!isUuid(id)) return null;
    return this.dataSource.getRepository(EntitlementEntity).findOneBy({ id });
  }

  async listForOrganization(organizationId: string, page: PageRequest): Promise<ConnectionShape<EntitlementEntity>> {
    const query = this.dataSource
      .getRepository(EntitlementEntity)
      .createQueryBuilder('e')
      .where('e.organization_id = :organizationId', { organizationId });
    return keysetPage(query, page);
  }
}
