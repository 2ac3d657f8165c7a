import { randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { EntitlementClass } from '@offboarding/contracts';
import { Outbox, UnitOfWork } from '@offboarding/messaging';
import {
  Clock,
  type ConnectionShape,
  DomainError,
  ErrorCode,
  InvalidTransitionError,
  keysetPage,
  NotFoundError,
  type PageRequest,
} from '@offboarding/platform';
import { auditEntry } from '../shared/audit';
import type { ClassResources, DeprovisionContext, EntitlementRef, ResourceCounts } from '../shared/class-resources';
import { nextStatus, transitionAll, transitionEach } from '../shared/transitions';
import { isUuid, positiveAmount, requiredText } from '../shared/validation';
import {
  CREDIT_BALANCE_TRANSITIONS,
  CreditBalanceStatus,
  SERVICE_REQUEST_TRANSITIONS,
  SERVICE_TRANSITIONS,
  ServiceRequestStatus,
  ServiceStatus,
  type ServiceRequestAction,
} from './service-contract-status';
import { ContractEntity, CreditBalanceEntity, CustomerServiceEntity, ServiceRequestEntity } from './service-contract.entities';

const BALANCE_COLUMNS = ['id', 'organization_id', 'entitlement_id', 'credits'] as const;

/** SVC: the service, its contract, the customer's service requests and the prepaid credit balance. */
@Injectable()
export class ServiceContractsService implements ClassResources {
  readonly entitlementClass = EntitlementClass.SVC;

  constructor(
    private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
    private readonly outbox: Outbox,
    private readonly clock: Clock,
  ) {}

  async provision(manager: EntityManager, entitlement: EntitlementRef, now: Date): Promise<ResourceCounts> {
    if (await manager.existsBy(CustomerServiceEntity, { entitlementId: entitlement.entitlementId })) {
      return { services: 0, contracts: 0, creditBalances: 0 };
    }
    const owner = { organizationId: entitlement.organizationId, entitlementId: entitlement.entitlementId, createdAt: now, updatedAt: now };
    const serviceId = randomUUID();
    await manager.insert(CustomerServiceEntity, { ...owner, id: serviceId, name: entitlement.product, status: ServiceStatus.ACTIVE, cancelledAt: null });
    await manager.insert(ContractEntity, {
      ...owner,
      id: randomUUID(),
      serviceId,
      reference: `CTR-${randomBytes(5).toString('hex').toUpperCase()}`,
      status: ServiceStatus.ACTIVE,
      startsAt: now,
      cancelledAt: null,
    });
    await manager.insert(CreditBalanceEntity, { ...owner, id: randomUUID(), credits: 0, status: CreditBalanceStatus.ACTIVE, frozenAt: null });
    return { services: 1, contracts: 1, creditBalances: 1 };
  }

  /** Suspension pauses the service and contract and freezes the credits; open requests wait. */
  async suspend(manager: EntityManager, entitlement: EntitlementRef, now: Date): Promise<ResourceCounts> {
    const byEntitlement = { where: 'entitlement_id = :entitlementId', params: { entitlementId: entitlement.entitlementId } };
    return {
      services: await transitionAll(manager, CustomerServiceEntity, SERVICE_TRANSITIONS, 'suspend', { ...byEntitlement, set: { updatedAt: now } }),
      contracts: await transitionAll(manager, ContractEntity, SERVICE_TRANSITIONS, 'suspend', { ...byEntitlement, set: { updatedAt: now } }),
      creditBalances: await this.freeze(manager, byEntitlement, 'SUSPENDED', now),
    };
  }

  async restore(manager: EntityManager, entitlement: EntitlementRef, now: Date): Promise<ResourceCounts> {
    const byEntitlement = { where: 'entitlement_id = :entitlementId', params: { entitlementId: entitlement.entitlementId } };
    return {
      services: await transitionAll(manager, CustomerServiceEntity, SERVICE_TRANSITIONS, 'resume', { ...byEntitlement, set: { updatedAt: now } }),
      contracts: await transitionAll(manager, ContractEntity, SERVICE_TRANSITIONS, 'resume', { ...byEntitlement, set: { updatedAt: now } }),
      creditBalances: await this.unfreeze(manager, byEntitlement, now),
    };
  }

  /** Service and contract cancelled, open requests into the admin review queue, credits frozen. */
  async deprovision(manager: EntityManager, entitlement: EntitlementRef, { now }: DeprovisionContext): Promise<ResourceCounts> {
    const byEntitlement = { where: 'entitlement_id = :entitlementId', params: { entitlementId: entitlement.entitlementId } };
    return {
      services: await transitionAll(manager, CustomerServiceEntity, SERVICE_TRANSITIONS, 'cancel', { ...byEntitlement, set: { cancelledAt: now, updatedAt: now } }),
      contracts: await transitionAll(manager, ContractEntity, SERVICE_TRANSITIONS, 'cancel', { ...byEntitlement, set: { cancelledAt: now, updatedAt: now } }),
      serviceRequests: await this.requestsOfEntitlement(manager, entitlement, 'sendToReview', { reviewSince: now, updatedAt: now }),
      creditBalances: await this.freeze(manager, byEntitlement, 'CANCELLED', now),
    };
  }

  /** Service, contract and credits come back; requests still awaiting review are open again. */
  async reprovision(manager: EntityManager, entitlement: EntitlementRef, now: Date): Promise<ResourceCounts> {
    const byEntitlement = { where: 'entitlement_id = :entitlementId', params: { entitlementId: entitlement.entitlementId } };
    return {
      services: await transitionAll(manager, CustomerServiceEntity, SERVICE_TRANSITIONS, 'reactivate', { ...byEntitlement, set: { cancelledAt: null, updatedAt: now } }),
      contracts: await transitionAll(manager, ContractEntity, SERVICE_TRANSITIONS, 'reactivate', { ...byEntitlement, set: { cancelledAt: null, updatedAt: now } }),
      serviceRequests: await this.requestsOfEntitlement(manager, entitlement, 'reopen', { reviewSince: null, updatedAt: now }),
      creditBalances: await this.unfreeze(manager, byEntitlement, now),
    };
  }

  /** Freezes the entitlement's balances, one credit_balance_frozen each; returns how many. */
  private async freeze(manager: EntityManager, scope: { where: string; params: Record<string, unknown> }, reason: 'SUSPENDED' | 'CANCELLED', now: Date): Promise<number> {
    const frozen = await transitionEach(manager, CreditBalanceEntity, CREDIT_BALANCE_TRANSITIONS, 'freeze', { ...scope, set: { frozenAt: now, updatedAt: now } }, BALANCE_COLUMNS);
    for (const balance of frozen) {
      await this.outbox.add(manager, 'com.offboarding.provisioning.credit_balance_frozen.v1', balance.organization_id, {
        organizationId: balance.organization_id,
        creditBalanceId: balance.id,
        entitlementId: balance.entitlement_id,
        credits: Number(balance.credits),
        reason,
        frozenAt: now.toISOString(),
      });
    }
    return frozen.length;
  }

  private async unfreeze(manager: EntityManager, scope: { where: string; params: Record<string, unknown> }, now: Date): Promise<number> {
    const unfrozen = await transitionEach(manager, CreditBalanceEntity, CREDIT_BALANCE_TRANSITIONS, 'unfreeze', { ...scope, set: { frozenAt: null, updatedAt: now } }, BALANCE_COLUMNS);
    for (const balance of unfrozen) {
      await this.outbox.add(manager, 'com.offboarding.provisioning.credit_balance_unfrozen.v1', balance.organization_id, {
        organizationId: balance.organization_id,
        creditBalanceId: balance.id,
        entitlementId: balance.entitlement_id,
        credits: Number(balance.credits),
        unfrozenAt: now.toISOString(),
      });
    }
    return unfrozen.length;
  }

  private requestsOfEntitlement(
    manager: EntityManager,
    entitlement: EntitlementRef,
    action: ServiceRequestAction,
    set: Partial<ServiceRequestEntity>,
  ): Promise<number> {
    const services = manager
      .createQueryBuilder()
      .subQuery()
      .select('s.id')
      .from(CustomerServiceEntity, 's')
      .where('s.entitlement_id = :entitlementId')
      .getQuery();
    return transitionAll(manager, ServiceRequestEntity, SERVICE_REQUEST_TRANSITIONS, action, {
      where: `service_id IN ${services}`,
      params: { entitlementId: entitlement.entitlementId },
      set,
    });
  }

  /** The customer asks for work under an active service. */
  async openServiceRequest(serviceId: string, subjectInput: string): Promise<ServiceRequestEntity> {
    const subject = requiredText('subject', subjectInput, 500);
    return this.unitOfWork.run(async ({ manager }) => {
      const service = await this.requireService(manager, serviceId);
      if (service.status !== ServiceStatus.ACTIVE) throw new InvalidTransitionError('service', service.status, 'open a request on');
      const now = this.clock.now();
      const request = manager.create(ServiceRequestEntity, {
        id: randomUUID(),
        organizationId: service.organizationId,
        serviceId: service.id,
        subject,
        status: ServiceRequestStatus.OPEN,
        reviewSince: null,
        resolvedAt: null,
        resolvedBy: null,
        createdAt: now,
        updatedAt: now,
      });
      await manager.insert(ServiceRequestEntity, request);
      return request;
    });
  }

  completeServiceRequest(requestId: string, actor: string): Promise<ServiceRequestEntity> {
    return this.resolveRequest(requestId, 'complete', actor);
  }

  cancelServiceRequest(requestId: string, actor: string): Promise<ServiceRequestEntity> {
    return this.resolveRequest(requestId, 'cancel', actor);
  }

  private resolveRequest(requestId: string, action: 'complete' | 'cancel', actor: string): Promise<ServiceRequestEntity> {
    return this.unitOfWork.run(async ({ manager, publish }) => {
      const request = isUuid(requestId)
        ? await manager.findOne(ServiceRequestEntity, { where: { id: requestId }, lock: { mode: 'pessimistic_write' } })
        : null;
      if (!request) throw new NotFoundError('service request', requestId);
      const before = request.status;
      const now = this.clock.now();
      request.status = nextStatus('service request', SERVICE_REQUEST_TRANSITIONS, request.status, action);
      Object.assign(request, { resolvedAt: now, resolvedBy: actor, updatedAt: now });
      await manager.save(ServiceRequestEntity, request);
      await publish('com.offboarding.provisioning.service_request_reviewed.v1', request.organizationId, {
        organizationId: request.organizationId,
        serviceRequestId: request.id,
        serviceId: request.serviceId,
        outcome: action === 'complete' ? 'COMPLETED' : 'CANCELLED',
        reviewedBy: actor,
        reviewedAt: now.toISOString(),
      });
      await publish(
        'com.offboarding.provisioning.audit_recorded.v1',
        request.organizationId,
        auditEntry(
          {
            organizationId: request.organizationId,
            actor,
            action: `service_request.${action}`,
            subjectType: 'service_request',
            subjectId: request.id,
            beforeStatus: before,
            afterStatus: request.status,
          },
          now,
        ),
      );
      return request;
    });
  }

  /** Requests of cancelled services waiting for an admin, oldest first, across organizations. */
  reviewQueue(page: PageRequest): Promise<ConnectionShape<ServiceRequestEntity>> {
    const query = this.dataSource
      .getRepository(ServiceRequestEntity)
      .createQueryBuilder('r')
      .where('r.status = :status', { status: ServiceRequestStatus.IN_REVIEW });
    return keysetPage(query, page);
  }

  async addCredits(balanceId: string, amountInput: number): Promise<CreditBalanceEntity> {
    const amount = positiveAmount('amount', amountInput);
    return this.unitOfWork.run(async ({ manager }) => {
      const balance = await this.requireBalance(manager, balanceId);
      if (balance.status !== CreditBalanceStatus.ACTIVE) throw new InvalidTransitionError('credit balance', balance.status, 'add credits to');
      balance.credits += amount;
      balance.updatedAt = this.clock.now();
      return manager.save(CreditBalanceEntity, balance);
    });
  }

  /** Spends credits; a frozen balance (suspended or cancelled service) refuses. */
  async consumeCredits(balanceId: string, amountInput: number): Promise<CreditBalanceEntity> {
    const amount = positiveAmount('amount', amountInput);
    return this.unitOfWork.run(async ({ manager }) => {
      const balance = await this.requireBalance(manager, balanceId);
      if (balance.status !== CreditBalanceStatus.ACTIVE) {
        throw new DomainError(ErrorCode.INVALID_TRANSITION, `credit balance ${balance.id} is FROZEN: credits cannot be consumed`, {
          entity: 'credit balance',
          currentStatus: balance.status,
          action: 'consume credits',
        });
      }
      if (balance.credits < amount) {
        throw new DomainError(ErrorCode.CONFLICT, `credit balance ${balance.id} holds ${balance.credits} credits, fewer than ${amount}`, {
          available: balance.credits,
          requested: amount,
        });
      }
      balance.credits -= amount;
      balance.updatedAt = this.clock.now();
      return manager.save(CreditBalanceEntity, balance);
    });
  }

  private async requireService(manager: EntityManager, serviceId: string): Promise<CustomerServiceEntity> {
    const service = isUuid(serviceId) ? await manager.findOne(CustomerServiceEntity, { where: { id: serviceId }, lock: { mode: 'pessimistic_read' } }) : null;
    if (!service) throw new NotFoundError('service', serviceId);
    return service;
  }

  private async requireBalance(manager: EntityManager, balanceId: string): Promise<CreditBalanceEntity> {
    const balance = isUuid(balanceId) ? await manager.findOne(CreditBalanceEntity, { where: { id: balanceId }, lock: { mode: 'pessimistic_write' } }) : null;
    if (!balance) throw new NotFoundError('credit balance', balanceId);
    return balance;
  }

  services(organizationId: string): Promise<CustomerServiceEntity[]> {
    return this.dataSource.getRepository(CustomerServiceEntity).find({ where: { organizationId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  contracts(organizationId: string): Promise<ContractEntity[]> {
    return this.dataSource.getRepository(ContractEntity).find({ where: { organizationId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  creditBalances(organizationId: string): Promise<CreditBalanceEntity[]> {
    return this.dataSource.getRepository(CreditBalanceEntity).find({ where: { organizationId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  requestsOf(serviceId: string): Promise<ServiceRequestEntity[]> {
    return this.dataSource.getRepository(ServiceRequestEntity).find({ where: { serviceId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }
}
