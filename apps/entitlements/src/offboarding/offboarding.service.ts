import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import type { CancellationReason } from '@offboarding/contracts';
import { type Transaction, UnitOfWork } from '@offboarding/messaging';
import { Clock, DomainError, ErrorCode, InvalidInputError, InvalidTransitionError, dayOf } from '@offboarding/platform';
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
        throw new DomainError(ErrorCode.CONFLICT, `organization ${organization.id} is already being offboarded (case ${open.id}, day 0 ${open.dayZero})`, {
          organizationId: organization.id,
          caseId: open.id,
        });
      }
      const before = organization.status;
      const status = nextOrganizationStatus(organization.status, OrganizationAction.startOffboarding);
      const now = this.clock.now();
      const effective = await this.policies.effective(organization.id, tx.manager);
      const { scope: _scope, organizationId: _organizationId, ...policy } = effective;
      const offboardingCase: OffboardingCaseEntity = {
        id: randomUUID(),
        organizationId: organization.id,
        status: OffboardingCaseStatus.SCHEDULED,
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
      if (command.dayZero <= dayOf(now)) await this.cancelEntitlementsOf(tx, offboardingCase, command.actor, effective);
      return offboardingCase;
    });
  }

  /** Calls off a case before day 0: nothing was cancelled yet, the organization is ACTIVE again. */
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
      if (offboardingCase.status !== OffboardingCaseStatus.SCHEDULED) {
        throw new InvalidTransitionError('offboarding case', offboardingCase.status, 'cancel (day 0 has passed)');
      }
      const now = this.clock.now();
      const status = nextOrganizationStatus(organization.status, OrganizationAction.cancelOffboarding);
      Object.assign(offboardingCase, { status: OffboardingCaseStatus.CANCELLED, closedAt: now, closedBy: actor, updatedAt: now });
      await tx.manager.save(OffboardingCaseEntity, offboardingCase);
      await tx.manager.update(OrganizationEntity, { id: organization.id }, { status, updatedAt: now });
      await tx.publish('com.offboarding.entitlements.offboarding_cancelled.v1', organization.id, {
        organizationId: organization.id,
        caseId: offboardingCase.id,
        cancelledAt: now.toISOString(),
        cancelledBy: actor,
      });
      await this.auditLog.record(tx, {
        organizationId: organization.id,
        actor,
        action: 'organization.cancel_offboarding',
        subjectType: 'organization',
        subjectId: organization.id,
        beforeStatus: organization.status,
        afterStatus: status,
      });
      return offboardingCase;
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

  private async cancelEntitlementsOf(tx: Transaction, offboardingCase: OffboardingCaseEntity, actor: string, known?: EffectivePolicy): Promise<void> {
    const open = await this.entitlements.openEntitlements(offboardingCase.organizationId, tx.manager);
    // All of them locked: the policy is read once and what remains open is known.
    const policy = known ?? (await this.policies.effective(offboardingCase.organizationId, tx.manager));
    for (const [index, entitlement] of open.entries()) {
      await this.entitlements.cancelLocked(tx, entitlement, offboardingCase.reason, `offboarding case ${offboardingCase.id}`, actor, {
        policy,
        remainingAfter: open.length - index - 1,
      });
    }
    const now = this.clock.now();
    offboardingCase.status = OffboardingCaseStatus.ENTITLEMENTS_CANCELLED;
    offboardingCase.entitlementsCancelledAt = now;
    offboardingCase.updatedAt = now;
    await tx.manager.save(OffboardingCaseEntity, offboardingCase);
  }

  async currentCase(organizationId: string): Promise<OffboardingCaseEntity | null> {
    if (!isUuid(organizationId)) return null;
    return this.dataSource.getRepository(OffboardingCaseEntity).findOne({
      where: { organizationId },
      order: { createdAt: 'DESC', id: 'DESC' },
    });
  }
}
