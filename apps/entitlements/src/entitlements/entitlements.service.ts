import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, In } from 'typeorm';
import {
  type CancellationPolicySnapshot,
  type CancellationReason,
  type EntitlementClass,
  EntitlementStatus,
  OrganizationStatus,
  SuspensionReason,
} from '@offboarding/contracts';
import { type Transaction, UnitOfWork } from '@offboarding/messaging';
import {
  addDays,
  type Caller,
  Clock,
  type ConnectionShape,
  DomainError,
  ErrorCode,
  InvalidInputError,
  keysetPage,
  NotFoundError,
  type PageRequest,
} from '@offboarding/platform';
import { AuditLog } from '../audit/audit-log';
import { OffboardingCaseEntity, OffboardingCaseStatus } from '../offboarding/offboarding-case.entity';
import { OrganizationEntity } from '../organizations/organization.entity';
import { OrganizationAction, nextOrganizationStatus } from '../organizations/organization-status';
import { OrganizationsService } from '../organizations/organizations.service';
import { CancellationPoliciesService, type EffectivePolicy } from '../policies/cancellation-policies.service';
import { isUuid } from '../validation';
import { EntitlementAction, nextEntitlementStatus } from './entitlement-status';
import { EntitlementEntity } from './entitlement.entity';
import { isVisibleTo } from './portal-visibility';
import { prorateRefund } from './refund';

export interface PrepaidInput {
  amountMinor: number;
  currency: string;
  from: Date;
  until: Date;
}

export interface GrantEntitlementCommand {
  organizationId: string;
  class: EntitlementClass;
  product: string;
  orderReference?: string | null;
  prepaid?: PrepaidInput | null;
  actor: string;
}

export interface CancelEntitlementCommand {
  entitlementId: string;
  reason: CancellationReason;
  notes?: string | null;
  actor: string;
}

export interface ReactivateEntitlementCommand {
  entitlementId: string;
  reference: string;
  actor: string;
}

/** What a caller cancelling several entitlements of one organization already knows. */
export interface CancellationContext {
  /** The organization's effective policy, read once for all of them. */
  policy?: EffectivePolicy;
  /** Open entitlements left once this one is cancelled (the caller holds all of them locked). */
  remainingAfter?: number;
}

const REFERENCE = /^[A-Za-z0-9][A-Za-z0-9._\-/#]{0,99}$/;
const CURRENCY = /^[A-Z]{3}$/;
const OPEN = [EntitlementStatus.ACTIVE, EntitlementStatus.SUSPENDED];

/** Actor id the grace-period sweep records; jobs act as `system:<job>`. */
export const GRACE_PERIOD_ACTOR = 'system:grace-period-sweep';

@Injectable()
export class EntitlementsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
    private readonly organizations: OrganizationsService,
    private readonly policies: CancellationPoliciesService,
    private readonly auditLog: AuditLog,
    private readonly clock: Clock,
  ) {}

  async grant(command: GrantEntitlementCommand): Promise<EntitlementEntity> {
    const product = command.product.trim();
    if (product.length < 1 || product.length > 200) throw new InvalidInputError('product', 'must be 1 to 200 characters');
    const orderReference = this.optionalReference('orderReference', command.orderReference);
    const prepaid = command.prepaid ?? null;
    if (prepaid) validatePrepaid(prepaid);

    return this.unitOfWork.run(async (tx) => {
      const organization = await this.organizations.lockById(command.organizationId, tx.manager);
      if (organization.status !== OrganizationStatus.ACTIVE) {
        throw new DomainError(
          ErrorCode.ORGANIZATION_ARCHIVED,
          `organization ${organization.id} is ${organization.status}: no new entitlements`,
          { organizationId: organization.id, organizationStatus: organization.status },
        );
      }
      const now = this.clock.now();
      const entitlement = tx.manager.create(EntitlementEntity, {
        id: randomUUID(),
        organizationId: organization.id,
        class: command.class,
        product,
        status: EntitlementStatus.ACTIVE,
        grantedAt: now,
        orderReference,
        prepaidAmountMinor: prepaid?.amountMinor ?? null,
        currency: prepaid?.currency ?? null,
        prepaidFrom: prepaid?.from ?? null,
        prepaidUntil: prepaid?.until ?? null,
        ...clearedCancellation(),
        ...clearedSuspension(),
        reactivatedAt: null,
        reactivationReference: null,
        createdAt: now,
        updatedAt: now,
      });
      await tx.manager.insert(EntitlementEntity, entitlement);
      await tx.publish('com.offboarding.entitlements.entitlement_granted.v1', organization.id, {
        organizationId: organization.id,
        entitlementId: entitlement.id,
        class: entitlement.class,
        product,
        grantedAt: now.toISOString(),
      });
      await this.audit(tx, entitlement, command.actor, 'entitlement.grant', null, null);
      return entitlement;
    });
  }

  async cancel(command: CancelEntitlementCommand): Promise<EntitlementEntity> {
    const notes = command.notes?.trim() || null;
    if (notes !== null && notes.length > 2000) throw new InvalidInputError('notes', 'must be at most 2000 characters');
    return this.unitOfWork.run(async (tx) => {
      const entitlement = await this.lockEntitlement(command.entitlementId, tx.manager);
      return this.cancelLocked(tx, entitlement, command.reason, notes, command.actor);
    });
  }

  /**
   * Cancels an entitlement the caller has locked (with its organization): snapshots the policy
   * in force, computes the reactivation and portal windows and any refund, and publishes.
   */
  async cancelLocked(
    tx: Transaction,
    entitlement: EntitlementEntity,
    reason: CancellationReason,
    notes: string | null,
    actor: string,
    known: CancellationContext = {},
  ): Promise<EntitlementEntity> {
    const now = this.clock.now();
    const effective = known.policy ?? (await this.policies.effective(entitlement.organizationId, tx.manager));
    const { before, policy } = applyCancellation(entitlement, reason, notes, actor, effective, now);
    await tx.manager.update(EntitlementEntity, { id: entitlement.id }, cancellationColumns(entitlement));

    const remaining =
      known.remainingAfter ??
      (await tx.manager.countBy(EntitlementEntity, {
        organizationId: entitlement.organizationId,
        status: In(OPEN),
      }));
    if (remaining === 0) await tx.manager.update(OrganizationEntity, { id: entitlement.organizationId }, { cancelledAt: now, updatedAt: now });

    await this.publishCancelled(tx, entitlement, reason, actor, policy, remaining, now);
    await this.audit(tx, entitlement, actor, 'entitlement.cancel', reason, before);
    return entitlement;
  }

  /**
   * `cancelLocked` for all of an organization's open entitlements, which the caller holds locked,
   * in their order and with the same rows and events: one update per set of identical changes
   * (usually one), one insert of the audit entries. None are left open afterwards.
   */
  async cancelAllLocked(
    tx: Transaction,
    entitlements: readonly EntitlementEntity[],
    reason: CancellationReason,
    notes: string | null,
    actor: string,
    policy: EffectivePolicy,
  ): Promise<void> {
    if (entitlements.length === 0) return;
    const now = this.clock.now();
    const applied = entitlements.map((entitlement) => ({ entitlement, ...applyCancellation(entitlement, reason, notes, actor, policy, now) }));
    const sameChange = new Map<string, { columns: ReturnType<typeof cancellationColumns>; ids: string[] }>();
    for (const { entitlement } of applied) {
      const columns = cancellationColumns(entitlement);
      const key = JSON.stringify(columns);
      const group = sameChange.get(key) ?? { columns, ids: [] };
      group.ids.push(entitlement.id);
      sameChange.set(key, group);
    }
    for (const { columns, ids } of sameChange.values()) await tx.manager.update(EntitlementEntity, { id: In(ids) }, columns);
    const organizationIds = [...new Set(entitlements.map((entitlement) => entitlement.organizationId))];
    await tx.manager.update(OrganizationEntity, { id: In(organizationIds) }, { cancelledAt: now, updatedAt: now });
    await this.auditLog.recordAll(
      tx,
      applied.map(({ entitlement, before }) => this.auditEntry(entitlement, actor, 'entitlement.cancel', reason, before)),
      (index) => {
        const { entitlement, policy: snapshot } = applied[index];
        return this.publishCancelled(tx, entitlement, reason, actor, snapshot, entitlements.length - index - 1, now);
      },
    );
  }

  private async publishCancelled(
    tx: Transaction,
    entitlement: EntitlementEntity,
    reason: CancellationReason,
    actor: string,
    policy: CancellationPolicySnapshot,
    remaining: number,
    now: Date,
  ): Promise<void> {
    await tx.publish('com.offboarding.entitlements.entitlement_cancelled.v1', entitlement.organizationId, {
      organizationId: entitlement.organizationId,
      entitlementId: entitlement.id,
      class: entitlement.class,
      reason,
      cancelledAt: now.toISOString(),
      cancelledBy: actor,
      policy,
      reactivatableUntil: entitlement.reactivatableUntil?.toISOString() ?? null,
      portalVisibleUntil: addDays(now, policy.portalVisibilityDays).toISOString(),
      remainingActiveEntitlements: remaining,
    });
    if (entitlement.refundQuote) {
      await tx.publish('com.offboarding.entitlements.refund_quoted.v1', entitlement.organizationId, {
        organizationId: entitlement.organizationId,
        entitlementId: entitlement.id,
        ...entitlement.refundQuote,
      });
    }
  }

  /** An admin suspends an active entitlement (no grace period: it stays suspended until resumed). */
  suspend(entitlementId: string, actor: string): Promise<EntitlementEntity> {
    return this.suspendWith(entitlementId, SuspensionReason.ADMIN, actor);
  }

  /** A failed payment suspends the entitlement and starts the grace period of the policy in force. */
  recordPaymentFailure(entitlementId: string, actor: string): Promise<EntitlementEntity> {
    return this.suspendWith(entitlementId, SuspensionReason.NON_PAYMENT, actor);
  }

  private suspendWith(entitlementId: string, reason: SuspensionReason, actor: string): Promise<EntitlementEntity> {
    return this.unitOfWork.run(async (tx) => {
      const entitlement = await this.lockEntitlement(entitlementId, tx.manager);
      const before = entitlement.status;
      const action = reason === SuspensionReason.NON_PAYMENT ? 'entitlement.payment_failed' : 'entitlement.suspend';
      entitlement.status = nextEntitlementStatus(entitlement.status, EntitlementAction.suspend);
      const now = this.clock.now();
      const policy = await this.policies.effective(entitlement.organizationId, tx.manager);
      entitlement.suspendedAt = now;
      entitlement.suspensionReason = reason;
      entitlement.graceEndsAt = reason === SuspensionReason.NON_PAYMENT ? addDays(now, policy.gracePeriodDays) : null;
      entitlement.updatedAt = now;
      await tx.manager.save(EntitlementEntity, entitlement);
      await tx.publish('com.offboarding.entitlements.entitlement_suspended.v1', entitlement.organizationId, {
        organizationId: entitlement.organizationId,
        entitlementId: entitlement.id,
        class: entitlement.class,
        reason,
        suspendedAt: now.toISOString(),
        graceEndsAt: entitlement.graceEndsAt?.toISOString() ?? null,
      });
      await this.audit(tx, entitlement, actor, action, reason, before);
      return entitlement;
    });
  }

  /** Lifts an admin suspension. A non-payment suspension ends only with the payment. */
  resume(entitlementId: string, actor: string): Promise<EntitlementEntity> {
    return this.resumeFrom(entitlementId, SuspensionReason.ADMIN, actor);
  }

  /** The payment arrived within the grace period: the entitlement is active again. */
  recordPaymentRecovered(entitlementId: string, actor: string): Promise<EntitlementEntity> {
    return this.resumeFrom(entitlementId, SuspensionReason.NON_PAYMENT, actor);
  }

  private resumeFrom(entitlementId: string, reason: SuspensionReason, actor: string): Promise<EntitlementEntity> {
    return this.unitOfWork.run(async (tx) => {
      const entitlement = await this.lockEntitlement(entitlementId, tx.manager);
      const before = entitlement.status;
      const action = reason === SuspensionReason.NON_PAYMENT ? 'entitlement.payment_recovered' : 'entitlement.resume';
      if (entitlement.status === EntitlementStatus.SUSPENDED && entitlement.suspensionReason !== reason) {
        throw new DomainError(
          ErrorCode.INVALID_TRANSITION,
          `cannot ${action.split('.')[1]} entitlement ${entitlement.id}: it is SUSPENDED for ${entitlement.suspensionReason}`,
          { entity: 'entitlement', currentStatus: entitlement.status, suspensionReason: entitlement.suspensionReason, action },
        );
      }
      entitlement.status = nextEntitlementStatus(entitlement.status, EntitlementAction.resume);
      const now = this.clock.now();
      Object.assign(entitlement, clearedSuspension(), { updatedAt: now });
      await tx.manager.save(EntitlementEntity, entitlement);
      await tx.publish('com.offboarding.entitlements.entitlement_resumed.v1', entitlement.organizationId, {
        organizationId: entitlement.organizationId,
        entitlementId: entitlement.id,
        class: entitlement.class,
        resumedAt: now.toISOString(),
      });
      await this.audit(tx, entitlement, actor, action, reason, before);
      return entitlement;
    });
  }

  /**
   * Win-back: only inside the cancellation snapshot's window, only if the snapshot allowed it,
   * never after the organization's PII was masked or purged, and with a new order/payment
   * reference. Brings an archived or offboarding organization back to ACTIVE.
   */
  async reactivate(command: ReactivateEntitlementCommand): Promise<EntitlementEntity> {
    const reference = this.optionalReference('reference', command.reference);
    if (reference === null) throw new InvalidInputError('reference', 'a new order or payment reference is required');
    return this.unitOfWork.run(async (tx) => {
      const entitlement = await this.lockEntitlement(command.entitlementId, tx.manager);
      const organization = await this.organizations.getById(entitlement.organizationId, tx.manager);
      const now = this.clock.now();
      const closed = (why: string) =>
        new DomainError(ErrorCode.REACTIVATION_WINDOW_CLOSED, `entitlement ${entitlement.id} cannot be reactivated: ${why}`, {
          entitlementId: entitlement.id,
          reactivatableUntil: entitlement.reactivatableUntil?.toISOString() ?? null,
        });
      if (organization.piiMaskedAt !== null || organization.status === OrganizationStatus.PURGED) {
        throw closed("the organization's personal data was already masked or purged");
      }
      const before = entitlement.status;
      nextEntitlementStatus(entitlement.status, EntitlementAction.reactivate);
      if (!entitlement.policySnapshot?.allowReactivation || entitlement.reactivatableUntil === null) {
        throw closed('its cancellation policy does not allow reactivation');
      }
      if (now.getTime() > entitlement.reactivatableUntil.getTime()) {
        throw closed(`the window closed at ${entitlement.reactivatableUntil.toISOString()}`);
      }

      Object.assign(entitlement, clearedCancellation(), {
        status: nextEntitlementStatus(entitlement.status, EntitlementAction.reactivate),
        reactivatedAt: now,
        reactivationReference: reference,
        orderReference: reference,
        updatedAt: now,
      });
      await tx.manager.save(EntitlementEntity, entitlement);
      await tx.publish('com.offboarding.entitlements.entitlement_reactivated.v1', entitlement.organizationId, {
        organizationId: entitlement.organizationId,
        entitlementId: entitlement.id,
        class: entitlement.class,
        product: entitlement.product,
        reference,
        reactivatedAt: now.toISOString(),
        reactivatedBy: command.actor,
      });
      await this.audit(tx, entitlement, command.actor, 'entitlement.reactivate', null, before);
      await this.bringOrganizationBack(tx, organization, command.actor);
      return entitlement;
    });
  }

  /** After a win-back the organization is ACTIVE again and an open offboarding case is withdrawn. */
  private async bringOrganizationBack(tx: Transaction, organization: OrganizationEntity, actor: string): Promise<void> {
    const now = this.clock.now();
    const openCase = await tx.manager.findOne(OffboardingCaseEntity, {
      where: { organizationId: organization.id, status: In([OffboardingCaseStatus.SCHEDULED, OffboardingCaseStatus.ENTITLEMENTS_CANCELLED]) },
      lock: { mode: 'pessimistic_write' },
    });
    if (openCase) {
      await tx.manager.update(
        OffboardingCaseEntity,
        { id: openCase.id },
        { status: OffboardingCaseStatus.WITHDRAWN, closedAt: now, closedBy: actor, updatedAt: now },
      );
      await tx.publish('com.offboarding.entitlements.offboarding_cancelled.v1', organization.id, {
        organizationId: organization.id,
        caseId: openCase.id,
        cancelledAt: now.toISOString(),
        cancelledBy: actor,
      });
      await this.auditLog.record(tx, {
        organizationId: organization.id,
        actor,
        action: 'offboarding_case.withdraw',
        reason: 'REACTIVATION',
        subjectType: 'offboarding_case',
        subjectId: openCase.id,
        beforeStatus: openCase.status,
        afterStatus: OffboardingCaseStatus.WITHDRAWN,
      });
    }
    if (organization.status === OrganizationStatus.ACTIVE) {
      await tx.manager.update(OrganizationEntity, { id: organization.id }, { cancelledAt: null, updatedAt: now });
      return;
    }
    const before = organization.status;
    const status = nextOrganizationStatus(organization.status, OrganizationAction.reactivate);
    await tx.manager.update(OrganizationEntity, { id: organization.id }, { status, archivedAt: null, cancelledAt: null, updatedAt: now });
    await tx.publish('com.offboarding.entitlements.organization_unarchived.v1', organization.id, {
      organizationId: organization.id,
      unarchivedAt: now.toISOString(),
      unarchivedBy: actor,
    });
    await this.auditLog.record(tx, {
      organizationId: organization.id,
      actor,
      action: 'organization.reactivate',
      subjectType: 'organization',
      subjectId: organization.id,
      beforeStatus: before,
      afterStatus: status,
    });
  }

  /**
   * The scheduler's half of non-payment: every suspension whose grace period ended by `now` is
   * cancelled with reason NON_PAYMENT, each in its own transaction. The row lock plus the status
   * re-check make a second sweep running at the same moment skip what the first took.
   */
  async cancelExpiredGracePeriods(now: Date): Promise<number> {
    let cancelled = 0;
    for (;;) {
      const outcome = await this.unitOfWork.run(async (tx) => {
        const due = (qb: EntityManager) =>
          qb
            .createQueryBuilder(EntitlementEntity, 'e')
            .where('e.status = :status', { status: EntitlementStatus.SUSPENDED })
            .andWhere('e.suspension_reason = :reason', { reason: SuspensionReason.NON_PAYMENT })
            .andWhere('e.grace_ends_at <= :now', { now });
        const candidate = await due(tx.manager).orderBy('e.grace_ends_at', 'ASC').addOrderBy('e.id', 'ASC').getOne();
        if (!candidate) return 'none' as const;
        // Organization first, then the entitlement: the lock order every other change uses.
        await this.organizations.lockById(candidate.organizationId, tx.manager);
        const entitlement = await due(tx.manager)
          .andWhere('e.id = :id', { id: candidate.id })
          .setLock('pessimistic_write')
          .getOne();
        // Another sweep or a recovered payment got there first: nothing left to do for it.
        if (!entitlement) return 'skipped' as const;
        await this.cancelLocked(tx, entitlement, 'NON_PAYMENT', null, GRACE_PERIOD_ACTOR);
        return 'cancelled' as const;
      });
      if (outcome === 'none') return cancelled;
      if (outcome === 'cancelled') cancelled += 1;
    }
  }

  async findById(id: string): Promise<EntitlementEntity | null> {
    if (!isUuid(id)) return null;
    return this.dataSource.getRepository(EntitlementEntity).findOneBy({ id });
  }

  /** One entitlement as the caller may see it: hidden (null) once past portal visibility for non-staff. */
  async findVisible(id: string, caller: Caller): Promise<EntitlementEntity | null> {
    const entitlement = await this.findById(id);
    if (!entitlement || !isVisibleTo(entitlement, caller.role, this.clock.now())) return null;
    return entitlement;
  }

  /**
   * An organization's entitlements as the caller may see them. For non-staff the visibility
   * rule runs in SQL (the same rule as `isVisibleTo`), so pages and counts stay right.
   */
  async listForOrganization(organizationId: string, caller: Caller, page: PageRequest): Promise<ConnectionShape<EntitlementEntity>> {
    const query = this.dataSource
      .getRepository(EntitlementEntity)
      .createQueryBuilder('e')
      .where('e.organization_id = :organizationId', { organizationId });
    if (!isVisibleTo({ status: EntitlementStatus.CANCELLED, portalVisibleUntil: null }, caller.role, this.clock.now())) {
      query.andWhere('(e.status <> :cancelled OR e.portal_visible_until >= :now)', {
        cancelled: EntitlementStatus.CANCELLED,
        now: this.clock.now(),
      });
    }
    return keysetPage(query, page);
  }

  /** Active and suspended entitlements of an organization, under row locks, oldest first. */
  openEntitlements(organizationId: string, manager: EntityManager): Promise<EntitlementEntity[]> {
    return manager.find(EntitlementEntity, {
      where: { organizationId, status: In(OPEN) },
      order: { createdAt: 'ASC', id: 'ASC' },
      lock: { mode: 'pessimistic_write' },
    });
  }

  /** Locks the entitlement, then its organization: one organization's changes commit in order. */
  private async lockEntitlement(id: string, manager: EntityManager): Promise<EntitlementEntity> {
    const found = isUuid(id) ? await manager.findOne(EntitlementEntity, { where: { id } }) : null;
    if (!found) throw new NotFoundError('entitlement', id);
    await this.organizations.lockById(found.organizationId, manager);
    const entitlement = await manager.findOne(EntitlementEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!entitlement) throw new NotFoundError('entitlement', id);
    return entitlement;
  }

  private optionalReference(field: string, value: string | null | undefined): string | null {
    const reference = value?.trim() || null;
    if (reference !== null && !REFERENCE.test(reference)) {
      throw new InvalidInputError(field, 'must be 1 to 100 letters, digits or . _ - / #, starting with a letter or digit');
    }
    return reference;
  }

  private audit(
    tx: Transaction,
    entitlement: EntitlementEntity,
    actor: string,
    action: string,
    reason: string | null,
    before: EntitlementStatus | null,
  ) {
    return this.auditLog.record(tx, this.auditEntry(entitlement, actor, action, reason, before));
  }

  private auditEntry(entitlement: EntitlementEntity, actor: string, action: string, reason: string | null, before: EntitlementStatus | null) {
    return {
      organizationId: entitlement.organizationId,
      actor,
      action,
      reason,
      subjectType: 'entitlement',
      subjectId: entitlement.id,
      beforeStatus: before,
      afterStatus: entitlement.status,
    };
  }
}

function validatePrepaid(prepaid: PrepaidInput): void {
  if (!Number.isSafeInteger(prepaid.amountMinor) || prepaid.amountMinor < 0) {
    throw new InvalidInputError('prepaid.amountMinor', 'must be a whole, non-negative amount in minor units');
  }
  if (!CURRENCY.test(prepaid.currency)) throw new InvalidInputError('prepaid.currency', 'must be an ISO 4217 code such as EUR');
  if (!(prepaid.until.getTime() > prepaid.from.getTime())) throw new InvalidInputError('prepaid.until', 'must be after prepaid.from');
}

function clearedCancellation() {
  return {
    cancelledAt: null,
    cancellationReason: null,
    cancellationNotes: null,
    cancelledBy: null,
    policySnapshot: null,
    reactivatableUntil: null,
    portalVisibleUntil: null,
    refundQuote: null,
  };
}

/** The columns a cancellation changes, for one UPDATE. */
/**
 * Snapshots the policy in force on the entitlement, computes the reactivation and portal windows
 * and any refund, and sets its cancellation columns (not yet written).
 */
function applyCancellation(
  entitlement: EntitlementEntity,
  reason: CancellationReason,
  notes: string | null,
  actor: string,
  effective: EffectivePolicy,
  now: Date,
): { before: EntitlementStatus; policy: CancellationPolicySnapshot } {
  const before = entitlement.status;
  const status = nextEntitlementStatus(entitlement.status, EntitlementAction.cancel);
  const policy: CancellationPolicySnapshot = {
    portalVisibilityDays: effective.portalVisibilityDays,
    dataRetentionDays: effective.dataRetentionDays,
    allowReactivation: effective.allowReactivation,
    reactivationWindowDays: effective.reactivationWindowDays,
    refundEligible: effective.refundEligible,
    gracePeriodDays: effective.gracePeriodDays,
  };
  const refund =
    policy.refundEligible && entitlement.prepaidAmountMinor !== null
      ? prorateRefund(
          {
            amountMinor: entitlement.prepaidAmountMinor,
            currency: entitlement.currency ?? 'EUR',
            from: entitlement.prepaidFrom ?? now,
            until: entitlement.prepaidUntil ?? now,
          },
          now,
        )
      : null;
  Object.assign(entitlement, clearedSuspension(), {
    status,
    cancelledAt: now,
    cancellationReason: reason,
    cancellationNotes: notes,
    cancelledBy: actor,
    policySnapshot: policy,
    reactivatableUntil: policy.allowReactivation ? addDays(now, policy.reactivationWindowDays) : null,
    portalVisibleUntil: addDays(now, policy.portalVisibilityDays),
    refundQuote: refund ? { ...refund, quotedAt: now.toISOString() } : null,
    updatedAt: now,
  });
  return { before, policy };
}

function cancellationColumns(entitlement: EntitlementEntity) {
  const { status, cancelledAt, cancellationReason, cancellationNotes, cancelledBy, policySnapshot, reactivatableUntil, portalVisibleUntil, refundQuote, updatedAt } = entitlement;
  return {
    ...clearedSuspension(),
    status,
    cancelledAt,
    cancellationReason,
    cancellationNotes,
    cancelledBy,
    policySnapshot,
    reactivatableUntil,
    portalVisibleUntil,
    refundQuote,
    updatedAt,
  };
}

function clearedSuspension() {
  return { suspendedAt: null, suspensionReason: null, graceEndsAt: null };
}
