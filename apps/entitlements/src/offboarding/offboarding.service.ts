import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, In, Not } from 'typeorm';
import { type CancellationPolicySnapshot, type CancellationReason, OrganizationStatus, OrganizationType } from '@offboarding/contracts';
import { type Transaction, UnitOfWork } from '@offboarding/messaging';
import { Clock, DomainError, ErrorCode, InvalidInputError, dayOf } from '@offboarding/platform';
import { AuditLog } from '../audit/audit-log';
import { EntitlementsService } from '../entitlements/entitlements.service';
import { OrganizationEntity } from '../organizations/organization.entity';
import { OrganizationAction, nextOrganizationStatus } from '../organizations/organization-status';
import { OrganizationsService } from '../organizations/organizations.service';
import { CancellationPoliciesService, type EffectivePolicy } from '../policies/cancellation-policies.service';
import { isUuid } from '../validation';
import { OffboardingCaseEntity, OffboardingCaseStatus } from './offboarding-case.entity';

export interface StartOffboardingCommand {
  organizationId: string;
  reason: CancellationReason;
  /** YYYY-MM-DD, the last day of contract. */
  dayZero: string;
  pointOfContact: string;
  notes?: string | null;
  actor: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const OPEN_CASE = [OffboardingCaseStatus.SCHEDULED, OffboardingCaseStatus.ENTITLEMENTS_CANCELLED];

/** Actor id of the day-0 job. */
export const DAY_ZERO_ACTOR = 'system:offboarding-day-zero';

@Injectable()
export class OffboardingService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
    private readonly organizations: OrganizationsService,
    private readonly entitlements: EntitlementsService,
    private readonly policies: CancellationPoliciesService,
    private readonly auditLog: AuditLog,
    private readonly clock: Clock,
  ) {}

  /**
   * Opens the organization's offboarding case: the organization turns OFFBOARDING and, when day
   * 0 is today or past, every active or suspended entitlement is cancelled with the case's
   * reason in the same transaction; otherwise the day-0 job does it. `offboarding_started`
   * carries what the retention service needs to build the timeline.
   */
  async start(command: StartOffboardingCommand): Promise<OffboardingCaseEntity> {
    if (!DAY.test(command.dayZero) || Number.isNaN(Date.parse(`${command.dayZero}T00:00:00Z`)) || dayOf(new Date(`${command.dayZero}T00:00:00Z`)) !== command.dayZero) {
      throw new InvalidInputError('dayZero', 'must be a calendar day, YYYY-MM-DD');
    }
    const pointOfContact = command.pointOfContact.trim();
    if (pointOfContact.length < 1 || pointOfContact.length > 200) throw new InvalidInputError('pointOfContact', 'must be 1 to 200 characters');
    const notes = command.notes?.trim() || null;
    if (notes !== null && notes.length > 5000) throw new InvalidInputError('notes', 'must be at most 5000 characters');

    return this.unitOfWork.run(async (tx) => {
      const organization = await this.organizations.lockById(command.organizationId, tx.manager);
      const open = await tx.manager.findOneBy(OffboardingCaseEntity, { organizationId: organization.id, status: In(OPEN_CASE) });
      if (open) {
        const withVendor = open.vendorCaseId !== null ? ` with its vendor ${organization.vendorId}` : '';
        throw new DomainError(ErrorCode.CONFLICT, `organization ${organization.id} is already being offboarded${withVendor} (case ${open.id}, day 0 ${open.dayZero})`, {
          organizationId: organization.id,
          caseId: open.id,
        });
      }
      const before = organization.status;
      const status = nextOrganizationStatus(organization.status, OrganizationAction.startOffboarding);
      const now = this.clock.now();
      const effective = await this.policies.effective(organization.id, tx.manager);
      const { scope: _scope, organizationId: _organizationId, ...policy } = effective;
      // A vendor's offboarding is its partners' offboarding: every partner not purged goes with it.
      const partners = organization.type === OrganizationType.VENDOR ? await this.lockPartners(tx.manager, organization.id) : [];
      const offboardingCase = this.newCase(organization.id, command, pointOfContact, notes, policy, null, now);
      await tx.manager.insert(OffboardingCaseEntity, offboardingCase);
      await tx.manager.update(OrganizationEntity, { id: organization.id }, { status, updatedAt: now });
      await tx.publish('com.offboarding.entitlements.offboarding_started.v1', organization.id, {
        organizationId: organization.id,
        caseId: offboardingCase.id,
        organizationType: organization.type,
        vendorId: organization.vendorId,
        reason: command.reason,
        dayZero: command.dayZero,
        policy,
        startedAt: now.toISOString(),
        startedBy: command.actor,
        partnerOrganizationIds: partners.map((partner) => partner.id),
        vendorCaseId: null,
      });
      await this.auditLog.record(tx, {
        organizationId: organization.id,
        actor: command.actor,
        action: 'organization.start_offboarding',
        reason: command.reason,
        subjectType: 'organization',
        subjectId: organization.id,
        beforeStatus: before,
        afterStatus: status,
      });
      const partnerCases: OffboardingCaseEntity[] = [];
      for (const partner of partners) partnerCases.push(await this.startWithVendor(tx, partner, offboardingCase, command, now));
      if (command.dayZero <= dayOf(now)) {
        await this.cancelEntitlementsOf(tx, offboardingCase, command.actor, effective);
        for (const partnerCase of partnerCases) await this.cancelEntitlementsOf(tx, partnerCase, command.actor);
      }
      return offboardingCase;
    });
  }

  private newCase(
    organizationId: string,
    command: Pick<StartOffboardingCommand, 'reason' | 'dayZero' | 'actor'>,
    pointOfContact: string,
    notes: string | null,
    policy: CancellationPolicySnapshot,
    vendorCaseId: string | null,
    now: Date,
  ): OffboardingCaseEntity {
    return {
      id: randomUUID(),
      organizationId,
      status: OffboardingCaseStatus.SCHEDULED,
      vendorCaseId,
      reason: command.reason,
      dayZero: command.dayZero,
      pointOfContact,
      notes,
      policySnapshot: policy,
      startedAt: now,
      startedBy: command.actor,
      entitlementsCancelledAt: null,
      closedAt: null,
      closedBy: null,
      createdAt: now,
      updatedAt: now,
    };
  }

  /** A vendor's partners, not purged, locked in id order after the vendor (the order every cascade takes). */
  private lockPartners(manager: EntityManager, vendorId: string): Promise<OrganizationEntity[]> {
    return manager.find(OrganizationEntity, {
      where: { vendorId, status: Not(OrganizationStatus.PURGED) },
      order: { id: 'ASC' },
      lock: { mode: 'pessimistic_write' },
    });
  }

  /**
   * Opens the partner's case on the vendor's timeline (same day 0, reason and point of contact,
   * the vendor's cancellation policy for the dates). A partner's own offboarding in progress is
   * superseded; an archived partner stays archived and is still masked and purged with the vendor.
   */
  private async startWithVendor(
    tx: Transaction,
    partner: OrganizationEntity,
    vendorCase: OffboardingCaseEntity,
    command: StartOffboardingCommand,
    now: Date,
  ): Promise<OffboardingCaseEntity> {
    const own = await tx.manager.findOne(OffboardingCaseEntity, { where: { organizationId: partner.id, status: In(OPEN_CASE) }, lock: { mode: 'pessimistic_write' } });
    if (own) {
      Object.assign(own, { status: OffboardingCaseStatus.SUPERSEDED, closedAt: now, closedBy: command.actor, updatedAt: now });
      await tx.manager.save(OffboardingCaseEntity, own);
      await this.auditLog.record(tx, {
        organizationId: partner.id,
        actor: command.actor,
        action: 'offboarding_case.supersede',
        subjectType: 'offboarding_case',
        subjectId: own.id,
        beforeStatus: OffboardingCaseStatus.SCHEDULED,
        afterStatus: OffboardingCaseStatus.SUPERSEDED,
      });
    }
    const before = partner.status;
    const status = partner.status === OrganizationStatus.ACTIVE ? nextOrganizationStatus(partner.status, OrganizationAction.startOffboarding) : partner.status;
    const partnerCase = this.newCase(partner.id, command, vendorCase.pointOfContact, vendorCase.notes, vendorCase.policySnapshot, vendorCase.id, now);
    await tx.manager.insert(OffboardingCaseEntity, partnerCase);
    if (status !== before) await tx.manager.update(OrganizationEntity, { id: partner.id }, { status, updatedAt: now });
    await tx.publish('com.offboarding.entitlements.offboarding_started.v1', partner.id, {
      organizationId: partner.id,
      caseId: partnerCase.id,
      organizationType: partner.type,
      vendorId: partner.vendorId,
      reason: command.reason,
      dayZero: command.dayZero,
      policy: vendorCase.policySnapshot,
      startedAt: now.toISOString(),
      startedBy: command.actor,
      partnerOrganizationIds: [],
      vendorCaseId: vendorCase.id,
    });
    await this.auditLog.record(tx, {
      organizationId: partner.id,
      actor: command.actor,
      action: 'organization.start_offboarding_with_vendor',
      reason: command.reason,
      subjectType: 'organization',
      subjectId: partner.id,
      beforeStatus: before,
      afterStatus: status,
    });
    return partnerCase;
  }

  /**
   * Calls off a case before day 0: nothing was cancelled yet, the organization is ACTIVE again.
   * A vendor's withdraws its partners' with it; a partner's own follows its vendor's and is
   * refused on its own.
   */
  async cancel(organizationId: string, actor: string): Promise<OffboardingCaseEntity> {
    return this.unitOfWork.run(async (tx) => {
      const organization = await this.organizations.lockById(organizationId, tx.manager);
      const offboardingCase = await tx.manager.findOne(OffboardingCaseEntity, {
        where: { organizationId: organization.id, status: In(OPEN_CASE) },
        lock: { mode: 'pessimistic_write' },
      });
      if (!offboardingCase) {
        throw new DomainError(ErrorCode.NOT_FOUND, `organization ${organization.id} has no open offboarding case`, { organizationId });
      }
      if (offboardingCase.vendorCaseId !== null) {
        throw new DomainError(
          ErrorCode.INVALID_TRANSITION,
          `organization ${organization.id} is offboarded with its vendor ${organization.vendorId}: cancel the vendor's offboarding to withdraw its partners' too`,
          { entity: 'offboarding case', currentStatus: offboardingCase.status, action: 'cancel', vendorId: organization.vendorId, vendorCaseId: offboardingCase.vendorCaseId },
        );
      }
      if (offboardingCase.status !== OffboardingCaseStatus.SCHEDULED) {
        throw new DomainError(
          ErrorCode.INVALID_TRANSITION,
          `the offboarding of organization ${organization.id} can no longer be cancelled: day 0 (${offboardingCase.dayZero}) has come and its entitlements were cancelled`,
          { entity: 'offboarding case', currentStatus: offboardingCase.status, action: 'cancel' },
        );
      }
      const partners = organization.type === OrganizationType.VENDOR ? await this.lockPartners(tx.manager, organization.id) : [];
      await this.withdraw(tx, organization, offboardingCase, actor, 'organization.cancel_offboarding');
      for (const partner of partners) {
        const partnerCase = await tx.manager.findOne(OffboardingCaseEntity, {
          where: { organizationId: partner.id, vendorCaseId: offboardingCase.id, status: OffboardingCaseStatus.SCHEDULED },
          lock: { mode: 'pessimistic_write' },
        });
        if (partnerCase) await this.withdraw(tx, partner, partnerCase, actor, 'organization.cancel_offboarding_with_vendor');
      }
      return offboardingCase;
    });
  }

  private async withdraw(tx: Transaction, organization: OrganizationEntity, offboardingCase: OffboardingCaseEntity, actor: string, action: string): Promise<void> {
    const now = this.clock.now();
    // An archived partner stays archived; an offboarding one is active again.
    const status = organization.status === OrganizationStatus.OFFBOARDING ? nextOrganizationStatus(organization.status, OrganizationAction.cancelOffboarding) : organization.status;
    Object.assign(offboardingCase, { status: OffboardingCaseStatus.CANCELLED, closedAt: now, closedBy: actor, updatedAt: now });
    await tx.manager.save(OffboardingCaseEntity, offboardingCase);
    if (status !== organization.status) await tx.manager.update(OrganizationEntity, { id: organization.id }, { status, updatedAt: now });
    await tx.publish('com.offboarding.entitlements.offboarding_cancelled.v1', organization.id, {
      organizationId: organization.id,
      caseId: offboardingCase.id,
      cancelledAt: now.toISOString(),
      cancelledBy: actor,
    });
    await this.auditLog.record(tx, {
      organizationId: organization.id,
      actor,
      action,
      subjectType: 'organization',
      subjectId: organization.id,
      beforeStatus: organization.status,
      afterStatus: status,
    });
  }

  /** The day-0 job: cases whose day 0 has come get their entitlements cancelled, one case per transaction. */
  async cancelEntitlementsOnDayZero(now: Date): Promise<number> {
    let processed = 0;
    for (;;) {
      const done = await this.unitOfWork.run(async (tx) => {
        const candidate = await tx.manager
          .createQueryBuilder(OffboardingCaseEntity, 'c')
          .where('c.status = :status', { status: OffboardingCaseStatus.SCHEDULED })
          .andWhere('c.day_zero <= :today', { today: dayOf(now) })
          .orderBy('c.day_zero', 'ASC')
          .addOrderBy('c.id', 'ASC')
          .getOne();
        if (!candidate) return true;
        await this.organizations.lockById(candidate.organizationId, tx.manager);
        const offboardingCase = await tx.manager.findOne(OffboardingCaseEntity, { where: { id: candidate.id }, lock: { mode: 'pessimistic_write' } });
        if (offboardingCase?.status === OffboardingCaseStatus.SCHEDULED) {
          await this.cancelEntitlementsOf(tx, offboardingCase, DAY_ZERO_ACTOR);
          processed += 1;
        }
        return false;
      });
      if (done) return processed;
    }
  }

  /**
   * Day 0: every active or suspended entitlement is cancelled with the case's reason, and
   * `offboarding_entitlements_cancelled` says so with the count (also when there was none).
   */
  private async cancelEntitlementsOf(tx: Transaction, offboardingCase: OffboardingCaseEntity, actor: string, known?: EffectivePolicy): Promise<void> {
    const open = await this.entitlements.openEntitlements(offboardingCase.organizationId, tx.manager);
    // All of them locked: the policy is read once and what remains open is known.
    const policy = known ?? (await this.policies.effective(offboardingCase.organizationId, tx.manager));
    await this.entitlements.cancelAllLocked(tx, open, offboardingCase.reason, `offboarding case ${offboardingCase.id}`, actor, policy);
    const now = this.clock.now();
    offboardingCase.status = OffboardingCaseStatus.ENTITLEMENTS_CANCELLED;
    offboardingCase.entitlementsCancelledAt = now;
    offboardingCase.updatedAt = now;
    await tx.manager.update(
      OffboardingCaseEntity,
      { id: offboardingCase.id },
      { status: offboardingCase.status, entitlementsCancelledAt: now, updatedAt: now },
    );
    await tx.publish('com.offboarding.entitlements.offboarding_entitlements_cancelled.v1', offboardingCase.organizationId, {
      organizationId: offboardingCase.organizationId,
      caseId: offboardingCase.id,
      cancelledEntitlements: open.length,
      cancelledAt: now.toISOString(),
    });
  }

  /** The open case when there is one (at most one), else the most recent. */
  async currentCase(organizationId: string): Promise<OffboardingCaseEntity | null> {
    if (!isUuid(organizationId)) return null;
    const repository = this.dataSource.getRepository(OffboardingCaseEntity);
    return (
      (await repository.findOneBy({ organizationId, status: In(OPEN_CASE) })) ??
      (await repository.findOne({ where: { organizationId }, order: { createdAt: 'DESC', id: 'DESC' } }))
    );
  }
}
