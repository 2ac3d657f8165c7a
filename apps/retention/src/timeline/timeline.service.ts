import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource, type EntityManager, In, IsNull } from 'typeorm';
import { DEFAULT_CANCELLATION_POLICY, type CancellationPolicySnapshot, type EventPayload, type OrganizationType } from '@offboarding/contracts';
import { type Transaction, UnitOfWork } from '@offboarding/messaging';
import { Clock, dayOf, DomainError, ErrorCode, InvalidInputError, LOGGER, NotFoundError } from '@offboarding/platform';
import { MaskingService } from '../masking/masking.service';
import { LegalHoldEntity } from '../purge/purge.entities';
import { RETENTION_CONFIG, type RetentionConfig } from '../shared/retention-config';
import { RetentionJournal } from '../shared/retention-journal';
import { ACTIVE_CASE_STATUSES, CaseAction, CaseStatus, nextCaseStatus } from './case-status';
import { completeMilestone } from './milestones';
import { effectivePolicy, POLICY_FIELDS, type CasePolicy, type OffboardingPolicyValues } from './offboarding-policy';
import {
  CaseCloseReason,
  CaseOrigin,
  KnownOrganizationEntity,
  MilestoneEntity,
  OffboardingPolicyEntity,
  RetentionCaseEntity,
} from './retention.entities';
import { computeTimeline, type ComputedTimeline, Milestone, MILESTONES, MilestoneStatus } from './timeline';

export const TIMELINE_ACTOR = 'system:timeline-tick';
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const OPEN_OR_QUEUED: CaseStatus[] = [CaseStatus.OPEN, CaseStatus.PURGE_QUEUED];
const SETTLED: readonly MilestoneStatus[] = [MilestoneStatus.DONE, MilestoneStatus.SKIPPED];

export interface OpenCaseCommand {
  organizationId: string;
  origin: CaseOrigin;
  sourceCaseId: string | null;
  organizationType: OrganizationType;
  dayZero: string;
  cancellation: CancellationPolicySnapshot;
  entitlementsAlreadyCancelled: boolean;
}

export interface SetPolicyCommand extends Partial<OffboardingPolicyValues> {
  organizationId: string;
  actor: string;
}

/**
 * The retention case and its timeline (SPEC §3.3): opened from entitlements' events, advanced by
 * the timeline-tick job, completed by the owning services' confirmations, closed on win-back.
 */
@Injectable()
export class TimelineService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
    private readonly journal: RetentionJournal,
    private readonly masking: MaskingService,
    private readonly clock: Clock,
    @Inject(RETENTION_CONFIG) private readonly config: RetentionConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  // ---- reading ----

  async latestCase(organizationId: string, manager: EntityManager = this.dataSource.manager): Promise<RetentionCaseEntity | null> {
    if (!UUID.test(organizationId)) return null;
    return manager.findOne(RetentionCaseEntity, { where: { organizationId }, order: { openedAt: 'DESC', id: 'DESC' } });
  }

  async milestones(caseId: string): Promise<MilestoneEntity[]> {
    const rows = await this.dataSource.getRepository(MilestoneEntity).findBy({ caseId });
    return rows.sort((a, b) => MILESTONES.indexOf(a.milestone) - MILESTONES.indexOf(b.milestone));
  }

  /** Every date of the timeline an offboarding starting on `dayZero` would get, before anything starts. */
  async preview(organizationId: string, dayZero: string): Promise<{ organizationType: OrganizationType; timeline: ComputedTimeline; policy: CasePolicy }> {
    assertDay('dayZero', dayZero);
    const known = UUID.test(organizationId) ? await this.dataSource.getRepository(KnownOrganizationEntity).findOneBy({ organizationId }) : null;
    if (!known) throw new NotFoundError('organization', organizationId);
    const override = await this.dataSource.getRepository(OffboardingPolicyEntity).findOneBy({ organizationId });
    // The entitlements service owns the cancellation policy; until offboarding starts and its
    // snapshot arrives, the preview assumes the SPEC defaults for the periods it derives from it.
    const policy: CasePolicy = { offboarding: effectivePolicy(known.type, override), cancellation: DEFAULT_CANCELLATION_POLICY };
    const timeline = computeTimeline({ organizationType: known.type, dayZero, policy, archivedAt: known.archivedAt, retainedUntil: null, exportWindowExtendedUntil: null });
    return { organizationType: known.type, timeline, policy };
  }

  async policyOf(organizationId: string): Promise<{ type: OrganizationType | null; override: OffboardingPolicyEntity | null }> {
    if (!UUID.test(organizationId)) return { type: null, override: null };
    const known = await this.dataSource.getRepository(KnownOrganizationEntity).findOneBy({ organizationId });
    const override = await this.dataSource.getRepository(OffboardingPolicyEntity).findOneBy({ organizationId });
    return { type: known?.type ?? null, override };
  }

  // ---- the organization's OffboardingPolicy ----

  /** Sets the organization's overrides (null: back to the type's default); an open case follows. */
  async setPolicy(command: SetPolicyCommand): Promise<OffboardingPolicyValues> {
    for (const field of POLICY_FIELDS) {
      const value = command[field];
      if (value !== undefined && value !== null && (!Number.isInteger(value) || value < 0 || value > 3650)) {
        throw new InvalidInputError(field, 'must be a whole number of days from 0 to 3650, or null for the default');
      }
    }
    return this.unitOfWork.run(async (tx) => {
      const known = await tx.manager.findOneBy(KnownOrganizationEntity, { organizationId: command.organizationId });
      if (!known) throw new NotFoundError('organization', command.organizationId);
      const now = this.clock.now();
      const existing = await tx.manager.findOneBy(OffboardingPolicyEntity, { organizationId: known.organizationId });
      const row: OffboardingPolicyEntity = {
        organizationId: known.organizationId,
        exportWindowDays: null,
        ssoShutdownDays: null,
        piiMaskingDays: null,
        portalHiddenDays: null,
        finalConfirmationDays: null,
        retentionDays: null,
        ...(existing ?? {}),
        updatedBy: command.actor,
        createdAt: existing?.createdAt ?? now,
        updatedAt: now,
      };
      for (const field of POLICY_FIELDS) if (command[field] !== undefined) row[field] = command[field];
      await tx.manager.save(OffboardingPolicyEntity, row);
      const effective = effectivePolicy(known.type, row);
      const active = await this.lockActiveCase(tx.manager, known.organizationId);
      if (active && active.status === CaseStatus.OPEN) {
        active.policy = { ...active.policy, offboarding: effective };
        await this.recompute(tx.manager, active, now);
      }
      await this.journal.action(tx, {
        organizationId: known.organizationId,
        actor: command.actor,
        action: 'offboarding_policy.set',
        subjectType: 'organization',
        subjectId: known.organizationId,
      });
      return effective;
    });
  }

  // ---- reactions to other services' events (inbox transaction) ----

  async onOrganizationCreated(tx: Transaction, data: EventPayload<'com.offboarding.entitlements.organization_created.v1'>): Promise<void> {
    await tx.manager
      .createQueryBuilder()
      .insert()
      .into(KnownOrganizationEntity)
      .values({ organizationId: data.organizationId, type: data.type, vendorId: data.vendorId, createdAt: new Date(data.createdAt), archivedAt: null, updatedAt: this.clock.now() })
      .orIgnore()
      .execute();
  }

  async onOrganizationArchived(tx: Transaction, data: EventPayload<'com.offboarding.entitlements.organization_archived.v1'>): Promise<void> {
    const archivedAt = new Date(data.archivedAt);
    await tx.manager.update(KnownOrganizationEntity, { organizationId: data.organizationId }, { archivedAt, updatedAt: this.clock.now() });
    const active = await this.lockActiveCase(tx.manager, data.organizationId);
    if (!active || active.archivedAt !== null) return;
    active.archivedAt = archivedAt;
    await this.recompute(tx.manager, active, this.clock.now());
  }

  async onOffboardingStarted(tx: Transaction, data: EventPayload<'com.offboarding.entitlements.offboarding_started.v1'>): Promise<void> {
    if (await tx.manager.findOneBy(RetentionCaseEntity, { sourceCaseId: data.caseId })) return;
    const active = await this.lockActiveCase(tx.manager, data.organizationId);
    let alreadyCancelled = false;
    if (active) {
      if (active.origin !== CaseOrigin.CANCELLATION || !OPEN_OR_QUEUED.includes(active.status)) {
        this.logger.warn({ organizationId: data.organizationId, caseId: active.id }, 'offboarding started while a retention case governs the organization: kept the existing case');
        return;
      }
      // Everything was cancelled already; the offboarding case takes over with its own timeline.
      await this.closeCase(tx, active, CaseCloseReason.SUPERSEDED);
      alreadyCancelled = true;
    }
    await this.openCase(tx, {
      organizationId: data.organizationId,
      origin: CaseOrigin.OFFBOARDING,
      sourceCaseId: data.caseId,
      organizationType: data.organizationType,
      dayZero: data.dayZero,
      cancellation: data.policy,
      entitlementsAlreadyCancelled: alreadyCancelled,
    });
  }

  async onOffboardingCancelled(tx: Transaction, data: EventPayload<'com.offboarding.entitlements.offboarding_cancelled.v1'>): Promise<void> {
    const retentionCase = await tx.manager.findOne(RetentionCaseEntity, { where: { sourceCaseId: data.caseId }, lock: { mode: 'pessimistic_write' } });
    if (retentionCase && OPEN_OR_QUEUED.includes(retentionCase.status)) await this.closeCase(tx, retentionCase, CaseCloseReason.OFFBOARDING_CANCELLED);
  }

  /** The organization's last entitlement cancelled: a case opens (or the offboarding case's day-0 milestone is done). */
  async onEntitlementCancelled(tx: Transaction, data: EventPayload<'com.offboarding.entitlements.entitlement_cancelled.v1'>): Promise<void> {
    if (data.remainingActiveEntitlements > 0) return;
    const active = await this.lockActiveCase(tx.manager, data.organizationId);
    if (active) {
      const milestone = await tx.manager.findOne(MilestoneEntity, { where: { caseId: active.id, milestone: Milestone.ENTITLEMENTS_CANCELLED }, lock: { mode: 'pessimistic_write' } });
      if (milestone) await completeMilestone(tx, this.journal, milestone, this.clock.now());
      return;
    }
    const known = await tx.manager.findOneBy(KnownOrganizationEntity, { organizationId: data.organizationId });
    await this.openCase(tx, {
      organizationId: data.organizationId,
      origin: CaseOrigin.CANCELLATION,
      sourceCaseId: null,
      organizationType: known?.type ?? 'CUSTOMER',
      dayZero: dayOf(new Date(data.cancelledAt)),
      cancellation: data.policy,
      entitlementsAlreadyCancelled: true,
    });
  }

  async onEntitlementGranted(tx: Transaction, data: EventPayload<'com.offboarding.entitlements.entitlement_granted.v1'>): Promise<void> {
    const active = await this.lockActiveCase(tx.manager, data.organizationId);
    // A customer buying again is no longer leaving; an offboarding case is only ended by its own events.
    if (active && active.origin === CaseOrigin.CANCELLATION && OPEN_OR_QUEUED.includes(active.status)) {
      await this.closeCase(tx, active, CaseCloseReason.NEW_ENTITLEMENT);
    }
  }

  async onWonBack(tx: Transaction, organizationId: string, reason: CaseCloseReason): Promise<void> {
    if (reason === CaseCloseReason.UNARCHIVED) {
      await tx.manager.update(KnownOrganizationEntity, { organizationId }, { archivedAt: null, updatedAt: this.clock.now() });
    }
    const active = await this.lockActiveCase(tx.manager, organizationId);
    if (!active) return;
    if (!OPEN_OR_QUEUED.includes(active.status)) {
      this.logger.error({ organizationId, caseId: active.id, status: active.status }, 'organization won back while its purge runs: the case stays');
      return;
    }
    await this.closeCase(tx, active, reason);
  }

  async onSsoShutdownCompleted(tx: Transaction, data: EventPayload<'com.offboarding.identity.sso_shutdown_completed.v1'>): Promise<void> {
    await this.confirmRequest(tx, data.requestId, Milestone.SSO_SHUTDOWN, 'identity', data.completedAt);
  }

  async onPortalAccessDisabled(tx: Transaction, data: EventPayload<'com.offboarding.identity.portal_access_disabled.v1'>): Promise<void> {
    // Disabled for another reason (an archive): not the answer to our request.
    if (data.requestId === null) return;
    await this.confirmRequest(tx, data.requestId, Milestone.PORTAL_HIDDEN, 'identity', data.disabledAt);
  }

  private async confirmRequest(tx: Transaction, requestId: string, kind: Milestone, service: string, at: string): Promise<void> {
    const milestone = await tx.manager.findOne(MilestoneEntity, { where: { requestId }, lock: { mode: 'pessimistic_write' } });
    if (!milestone || milestone.milestone !== kind) {
      this.logger.warn({ requestId, milestone: kind }, 'confirmation of an unknown request: ignored');
      return;
    }
    milestone.confirmations = { ...milestone.confirmations, [service]: { at } };
    await completeMilestone(tx, this.journal, milestone, this.clock.now());
  }

  // ---- the timeline-tick job ----

  /**
   * Works every case with a milestone due by `now`, one case per transaction: publishes the
   * requests of milestones falling due, completes retention's own, marks overdue unconfirmed ones
   * BLOCKED with the reason, and moves organizations whose retention ended into the purge queue.
   */
  async tick(now: Date): Promise<number> {
    const schema = (this.dataSource.options as { schema?: string }).schema ?? 'public';
    const due = await this.dataSource.query<{ case_id: string }[]>(
      `SELECT DISTINCT m.case_id FROM "${schema}".timeline_milestones m JOIN "${schema}".retention_cases c ON c.id = m.case_id
       WHERE m.status IN ('PENDING', 'BLOCKED') AND m.due_at <= $1 AND c.status IN ('OPEN', 'PURGE_QUEUED')`,
      [now],
    );
    let processed = 0;
    for (const { case_id: caseId } of due) {
      processed += await this.unitOfWork.run((tx) => this.advanceCase(tx, caseId, now));
    }
    return processed;
  }

  private async advanceCase(tx: Transaction, caseId: string, now: Date): Promise<number> {
    const retentionCase = await tx.manager.findOne(RetentionCaseEntity, { where: { id: caseId }, lock: { mode: 'pessimistic_write' } });
    if (!retentionCase || !OPEN_OR_QUEUED.includes(retentionCase.status)) return 0;
    const milestones = (await tx.manager.find(MilestoneEntity, { where: { caseId }, lock: { mode: 'pessimistic_write' } })).sort(
      (a, b) => MILESTONES.indexOf(a.milestone) - MILESTONES.indexOf(b.milestone),
    );
    const hold = await tx.manager.findOneBy(LegalHoldEntity, { organizationId: retentionCase.organizationId, releasedAt: IsNull() });
    const graceMs = this.config.confirmationGraceHours * 3_600_000;
    const overdue = (since: Date | null): boolean => since !== null && now.getTime() > since.getTime() + graceMs;
    let changed = 0;
    const block = async (milestone: MilestoneEntity, reason: string): Promise<void> => {
      if (milestone.status === MilestoneStatus.BLOCKED && milestone.blockedReason === reason) return;
      Object.assign(milestone, { status: MilestoneStatus.BLOCKED, blockedReason: reason.slice(0, 500), updatedAt: now });
      await tx.manager.save(MilestoneEntity, milestone);
      changed += 1;
    };
    const request = async (milestone: MilestoneEntity, type: 'com.offboarding.retention.sso_shutdown_requested.v1' | 'com.offboarding.retention.portal_hide_requested.v1') => {
      const requestId = randomUUID();
      Object.assign(milestone, { requestId, requestedAt: now, updatedAt: now });
      await tx.manager.save(MilestoneEntity, milestone);
      await this.journal.publish(tx, type, retentionCase.organizationId, { organizationId: retentionCase.organizationId, requestId, requestedAt: now.toISOString() });
      changed += 1;
    };
    const waitingFor = (milestone: MilestoneEntity, what: string): Promise<void> =>
      overdue(milestone.requestedAt) ? block(milestone, `requested ${milestone.requestedAt?.toISOString()}; ${what}`) : Promise.resolve();

    for (const milestone of milestones) {
      if (SETTLED.includes(milestone.status) || milestone.dueAt === null || milestone.dueAt > now) continue;
      switch (milestone.milestone) {
        case Milestone.ENTITLEMENTS_CANCELLED:
          if (overdue(milestone.dueAt)) await block(milestone, "waiting for the entitlements service to cancel the organization's last entitlement (entitlement_cancelled)");
          break;
        case Milestone.EXPORT_WINDOW_CLOSES:
          if (await completeMilestone(tx, this.journal, milestone, now)) changed += 1;
          break;
        case Milestone.SSO_SHUTDOWN:
          if (milestone.requestId === null) await request(milestone, 'com.offboarding.retention.sso_shutdown_requested.v1');
          else await waitingFor(milestone, 'waiting for identity to confirm with sso_shutdown_completed');
          break;
        case Milestone.PORTAL_HIDDEN:
          if (milestone.requestId === null) await request(milestone, 'com.offboarding.retention.portal_hide_requested.v1');
          else await waitingFor(milestone, 'waiting for identity to confirm with portal_access_disabled');
          break;
        case Milestone.PII_MASKED:
          if (milestone.requestId === null) {
            if (hold) await block(milestone, `legal hold since ${hold.placedAt.toISOString()}: masking waits until it is released`);
            else {
              await this.masking.requestMasking(tx, milestone, now);
              if (milestone.status === MilestoneStatus.BLOCKED) Object.assign(milestone, { status: MilestoneStatus.PENDING, blockedReason: null });
              await tx.manager.save(MilestoneEntity, milestone);
              changed += 1;
            }
          } else {
            const missing = ['entitlements', 'provisioning', 'identity'].filter((service) => milestone.confirmations[service] === undefined);
            await waitingFor(milestone, `waiting for pii_masked from ${missing.join(', ')}`);
          }
          break;
        case Milestone.FINAL_CONFIRMATION: {
          const open = milestones.filter(
            (other) =>
              other !== milestone &&
              other.milestone !== Milestone.EXPORT_WINDOW_CLOSES &&
              other.milestone !== Milestone.PURGE_ELIGIBLE &&
              other.dueAt !== null &&
              other.dueAt <= (milestone.dueAt ?? now) &&
              !SETTLED.includes(other.status),
          );
          if (open.length > 0) {
            if (overdue(milestone.dueAt)) await block(milestone, `waiting for ${open.map((other) => other.milestone).join(', ')}`);
            break;
          }
          await this.journal.publish(tx, 'com.offboarding.retention.offboarding_completed.v1', retentionCase.organizationId, {
            organizationId: retentionCase.organizationId,
            caseId,
            completedAt: now.toISOString(),
          });
          retentionCase.completedAt = now;
          await completeMilestone(tx, this.journal, milestone, now);
          changed += 1;
          break;
        }
        case Milestone.PURGE_ELIGIBLE:
          if (retentionCase.status === CaseStatus.OPEN) retentionCase.status = nextCaseStatus(retentionCase.status, CaseAction.enterPurgeQueue);
          if (await completeMilestone(tx, this.journal, milestone, now)) changed += 1;
          break;
      }
    }
    retentionCase.updatedAt = now;
    await tx.manager.save(RetentionCaseEntity, retentionCase);
    return changed;
  }

  // ---- case lifecycle ----

  async lockActiveCase(manager: EntityManager, organizationId: string): Promise<RetentionCaseEntity | null> {
    return manager.findOne(RetentionCaseEntity, {
      where: { organizationId, status: In([...ACTIVE_CASE_STATUSES]) },
      lock: { mode: 'pessimistic_write' },
    });
  }

  async openCase(tx: Transaction, command: OpenCaseCommand): Promise<RetentionCaseEntity> {
    const now = this.clock.now();
    const known = await tx.manager.findOneBy(KnownOrganizationEntity, { organizationId: command.organizationId });
    const override = await tx.manager.findOneBy(OffboardingPolicyEntity, { organizationId: command.organizationId });
    const policy: CasePolicy = { offboarding: effectivePolicy(command.organizationType, override), cancellation: command.cancellation };
    const archivedAt = known?.archivedAt ?? null;
    const timeline = computeTimeline({ organizationType: command.organizationType, dayZero: command.dayZero, policy, archivedAt, retainedUntil: null, exportWindowExtendedUntil: null });
    const retentionCase: RetentionCaseEntity = {
      id: randomUUID(),
      organizationId: command.organizationId,
      origin: command.origin,
      sourceCaseId: command.sourceCaseId,
      organizationType: command.organizationType,
      dayZero: command.dayZero,
      policy,
      status: CaseStatus.OPEN,
      openedAt: now,
      archivedAt,
      exportWindowClosesAt: timeline.exportWindowClosesAt,
      exportWindowExtendedUntil: null,
      purgeEligibleAt: timeline.purgeEligibleAt,
      retainedUntil: null,
      lastDecisionChange: null,
      lastDecisionChangeBy: null,
      lastDecisionChangeAt: null,
      maskingKeyDestroyedAt: null,
      closedAt: null,
      closeReason: null,
      completedAt: null,
      purgedAt: null,
      createdAt: now,
      updatedAt: now,
    };
    await tx.manager.insert(RetentionCaseEntity, retentionCase);
    await tx.manager.insert(
      MilestoneEntity,
      timeline.milestones.map((due) => {
        const done = due.milestone === Milestone.ENTITLEMENTS_CANCELLED && command.entitlementsAlreadyCancelled;
        return {
          caseId: retentionCase.id,
          milestone: due.milestone,
          organizationId: command.organizationId,
          dueAt: due.dueAt,
          dueRule: due.rule,
          status: done ? MilestoneStatus.DONE : MilestoneStatus.PENDING,
          requestId: null,
          requestedAt: null,
          confirmations: {},
          completedAt: done ? now : null,
          blockedReason: null,
          updatedAt: now,
        };
      }),
    );
    await this.journal.publish(tx, 'com.offboarding.retention.retention_case_opened.v1', command.organizationId, {
      organizationId: command.organizationId,
      caseId: retentionCase.id,
      origin: command.origin,
      organizationType: command.organizationType,
      dayZero: command.dayZero,
      exportWindowClosesAt: timeline.exportWindowClosesAt.toISOString(),
      purgeEligibleAt: timeline.purgeEligibleAt.toISOString(),
      openedAt: now.toISOString(),
    });
    return retentionCase;
  }

  /** Closes a case before purge: pending milestones are skipped, an unused masking key destroyed. */
  async closeCase(tx: Transaction, retentionCase: RetentionCaseEntity, reason: CaseCloseReason): Promise<void> {
    const now = this.clock.now();
    retentionCase.status = nextCaseStatus(retentionCase.status, CaseAction.close);
    Object.assign(retentionCase, { closedAt: now, closeReason: reason, updatedAt: now });
    await tx.manager.save(RetentionCaseEntity, retentionCase);
    await tx.manager
      .createQueryBuilder()
      .update(MilestoneEntity)
      .set({ status: MilestoneStatus.SKIPPED, blockedReason: null, updatedAt: now })
      .where('case_id = :caseId AND status IN (:...open)', { caseId: retentionCase.id, open: [MilestoneStatus.PENDING, MilestoneStatus.BLOCKED] })
      .execute();
    await this.masking.destroyOpenKeys(tx, retentionCase.id, now);
    await this.journal.publish(tx, 'com.offboarding.retention.retention_case_closed.v1', retentionCase.organizationId, {
      organizationId: retentionCase.organizationId,
      caseId: retentionCase.id,
      reason,
      closedAt: now.toISOString(),
    });
  }

  /**
   * Recomputes the case's dates after an archive, an extension or a policy change. Milestones not
   * yet requested move; an export window or purge eligibility pushed past now opens again.
   */
  async recompute(manager: EntityManager, retentionCase: RetentionCaseEntity, now: Date): Promise<void> {
    const timeline = computeTimeline({
      organizationType: retentionCase.organizationType,
      dayZero: retentionCase.dayZero,
      policy: retentionCase.policy,
      archivedAt: retentionCase.archivedAt,
      retainedUntil: retentionCase.retainedUntil,
      exportWindowExtendedUntil: retentionCase.exportWindowExtendedUntil,
    });
    retentionCase.exportWindowClosesAt = timeline.exportWindowClosesAt;
    retentionCase.purgeEligibleAt = timeline.purgeEligibleAt;
    retentionCase.updatedAt = now;
    const rows = await manager.find(MilestoneEntity, { where: { caseId: retentionCase.id }, lock: { mode: 'pessimistic_write' } });
    for (const due of timeline.milestones) {
      const row = rows.find((candidate) => candidate.milestone === due.milestone);
      if (!row || row.status === MilestoneStatus.SKIPPED || row.requestId !== null) continue;
      const reopens = row.status === MilestoneStatus.DONE && (due.milestone === Milestone.EXPORT_WINDOW_CLOSES || due.milestone === Milestone.PURGE_ELIGIBLE) && due.dueAt !== null && due.dueAt > now;
      if (row.status === MilestoneStatus.DONE && !reopens) continue;
      Object.assign(row, { dueAt: due.dueAt, dueRule: due.rule, updatedAt: now });
      if (reopens || (row.status === MilestoneStatus.BLOCKED && due.dueAt !== null && due.dueAt > now)) {
        Object.assign(row, { status: MilestoneStatus.PENDING, completedAt: null, blockedReason: null });
      }
      await manager.save(MilestoneEntity, row);
    }
    await manager.save(RetentionCaseEntity, retentionCase);
  }
}

export function assertDay(field: string, value: string): void {
  if (!DAY.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)) || dayOf(new Date(`${value}T00:00:00Z`)) !== value) {
    throw new InvalidInputError(field, 'must be a calendar day, YYYY-MM-DD');
  }
}

export function requireActive(retentionCase: RetentionCaseEntity | null, organizationId: string): RetentionCaseEntity {
  if (!retentionCase) {
    throw new DomainError(ErrorCode.NOT_FOUND, `organization ${organizationId} has no retention case (it is not offboarding and has active entitlements)`, { organizationId });
  }
  return retentionCase;
}
