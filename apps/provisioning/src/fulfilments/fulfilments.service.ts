import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { EntitlementClass } from '@offboarding/contracts';
import { UnitOfWork } from '@offboarding/messaging';
import { Clock, NotFoundError } from '@offboarding/platform';
import type { ClassResources, DeprovisionContext, EntitlementRef, ResourceCounts } from '../shared/class-resources';
import { nextStatus, transitionAll } from '../shared/transitions';
import { isUuid } from '../shared/validation';
import { FULFILMENT_TRANSITIONS, FulfilmentStatus, type FulfilmentAction } from './fulfilment-status';
import { FulfilmentEntity } from './fulfilment.entity';

/** ORD: an order has nothing to deprovision but its open fulfilment. */
@Injectable()
export class FulfilmentsService implements ClassResources {
  readonly entitlementClass = EntitlementClass.ORD;

  constructor(
    private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
  ) {}

  async provision(manager: EntityManager, entitlement: EntitlementRef, now: Date): Promise<ResourceCounts> {
    if (await manager.existsBy(FulfilmentEntity, { entitlementId: entitlement.entitlementId })) return { fulfilments: 0 };
    await manager.insert(FulfilmentEntity, {
      id: randomUUID(),
      organizationId: entitlement.organizationId,
      entitlementId: entitlement.entitlementId,
      product: entitlement.product,
      status: FulfilmentStatus.OPEN,
      closedAt: null,
      createdAt: now,
      updatedAt: now,
    });
    return { fulfilments: 1 };
  }

  private async apply(manager: EntityManager, entitlement: EntitlementRef, action: FulfilmentAction, set: Partial<FulfilmentEntity>): Promise<ResourceCounts> {
    return {
      fulfilments: await transitionAll(manager, FulfilmentEntity, FULFILMENT_TRANSITIONS, action, {
        where: 'entitlement_id = :entitlementId',
        params: { entitlementId: entitlement.entitlementId },
        set,
      }),
    };
  }

  suspend(manager: EntityManager, entitlement: EntitlementRef, now: Date): Promise<ResourceCounts> {
    return this.apply(manager, entitlement, 'hold', { updatedAt: now });
  }

  restore(manager: EntityManager, entitlement: EntitlementRef, now: Date): Promise<ResourceCounts> {
    return this.apply(manager, entitlement, 'release', { updatedAt: now });
  }

  deprovision(manager: EntityManager, entitlement: EntitlementRef, { now }: DeprovisionContext): Promise<ResourceCounts> {
    return this.apply(manager, entitlement, 'close', { closedAt: now, updatedAt: now });
  }

  reprovision(manager: EntityManager, entitlement: EntitlementRef, now: Date): Promise<ResourceCounts> {
    return this.apply(manager, entitlement, 'reopen', { closedAt: null, updatedAt: now });
  }

  /** Staff mark an open fulfilment as delivered. */
  async markFulfilled(fulfilmentId: string): Promise<FulfilmentEntity> {
    return this.unitOfWork.run(async ({ manager }) => {
      const fulfilment = isUuid(fulfilmentId)
        ? await manager.findOne(FulfilmentEntity, { where: { id: fulfilmentId }, lock: { mode: 'pessimistic_write' } })
        : null;
      if (!fulfilment) throw new NotFoundError('fulfilment', fulfilmentId);
      fulfilment.status = nextStatus('fulfilment', FULFILMENT_TRANSITIONS, fulfilment.status, 'fulfil');
      fulfilment.updatedAt = this.clock.now();
      return manager.save(FulfilmentEntity, fulfilment);
    });
  }

  listForOrganization(organizationId: string): Promise<FulfilmentEntity[]> {
    return this.dataSource.getRepository(FulfilmentEntity).find({ where: { organizationId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }
}
