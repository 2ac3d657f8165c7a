import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { In, IsNull } from 'typeorm';
import { type Transaction, UnitOfWork } from '@offboarding/messaging';
import { addDays, Clock, DomainError, ErrorCode, InvalidInputError, InvalidTransitionError } from '@offboarding/platform';
import { RetentionJournal } from '../shared/retention-journal';
import { CaseAction, CaseStatus, nextCaseStatus } from '../timeline/case-status';
import { MilestoneEntity, PurgeDecisionChange, RetentionCaseEntity } from '../timeline/retention.entities';
import { dayZeroInstant, Milestone } from '../timeline/timeline';
import { assertDay, type Rescheduled, requireActive, TimelineService } from '../timeline/timeline.service';
import { activeHoldFor } from './legal-holds';
import { ExtensionKind, LegalHoldEntity, PurgeRequestEntity, PurgeRequestStatus, RetentionExtensionEntity } from './purge.entities';

export interface ExtendRetentionCommand {
  organizationId: string;
  /** YYYY-MM-DD: the organization becomes purge-eligible at the start of that day. */
  until: string;
  reason: string;
  actor: string;
}

export interface ExtendExportWindowCommand {
  organizationId: string;
  days: number;
  reason: string;
  actor: string;
}

export interface HoldCommand {
  organizationId: string;
  reason: string;
  actor: string;
}

const MAX_REASON = 2000;

function reasonOf(value: string): string {
  const reason = value.trim();
  if (reason.length < 3 || reason.length > MAX_REASON) throw new InvalidInputError('reason', `must be 3 to ${MAX_REASON} characters`);
  return reason;
}

/**
 * What admins decide about an organization in retention: extensions, legal holds and the purge
 * approval. The admin who last extended retention or released a hold cannot approve the purge
 * (four eyes); both are recorded on the approval. Free-text reasons stay in these tables.
 */
@Injectable()
export class RetentionAdminService {
  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly timeline: TimelineService,
    private readonly journal: RetentionJournal,
    private readonly clock: Clock,
  ) {}

  async extendRetention(command: ExtendRetentionCommand): Promise<RetentionCaseEntity> {
    assertDay('until', command.until);
    const reason = reasonOf(command.reason);
    return this.unitOfWork.run(async (tx) => {
      const retentionCase = requireActive(await this.timeline.lockActiveCase(tx.manager, command.organizationId), command.organizationId);
      refuseForPartnerOfVendor(retentionCase, 'extend the retention of');
      const now = this.clock.now();
      const until = dayZeroInstant(command.until);
      if (until <= retentionCase.purgeEligibleAt) {
        throw new InvalidInputError('until', `must be after the current end of retention (${retentionCase.purgeEligibleAt.toISOString()})`);
      }
      if (until <= now) throw new InvalidInputError('until', 'must be in the future');
      const before = retentionCase.status;
      const previous = retentionCase.purgeEligibleAt;
      retentionCase.status = nextCaseStatus(retentionCase.status, CaseAction.extendRetention);
      await this.recordExtension(tx, retentionCase, ExtensionKind.RETENTION, retentionCase.purgeEligibleAt, until, reason, command.actor);
      retentionCase.retainedUntil = until;
      this.noteDecisionChange(retentionCase, PurgeDecisionChange.RETENTION_EXTENDED, command.actor, now);
      await this.timeline.recompute(tx.manager, retentionCase, now);
      const partners = await this.timeline.partnersFollow(tx.manager, retentionCase, now);
      for (const affected of [{ partnerCase: retentionCase, previous }, ...partners.map(({ partnerCase }) => ({ partnerCase, previous }))]) {
        await this.revokeApproval(tx, affected.partnerCase, now);
        await this.journal.publish(tx, 'com.offboarding.retention.retention_extended.v1', affected.partnerCase.organizationId, {
          organizationId: affected.partnerCase.organizationId,
          caseId: affected.partnerCase.id,
          previousPurgeEligibleAt: affected.previous.toISOString(),
          purgeEligibleAt: affected.partnerCase.purgeEligibleAt.toISOString(),
          extendedBy: command.actor,
          extendedAt: now.toISOString(),
        });
      }
      await this.journal.action(tx, {
        organizationId: retentionCase.organizationId,
        actor: command.actor,
        action: 'retention.extend',
        subjectType: 'retention_case',
        subjectId: retentionCase.id,
        beforeStatus: before,
        afterStatus: retentionCase.status,
      });
      for (const { partnerCase } of partners) {
        await this.journal.action(tx, {
          organizationId: partnerCase.organizationId,
          actor: command.actor,
          action: 'retention.extend_with_vendor',
          subjectType: 'retention_case',
          subjectId: partnerCase.id,
          beforeStatus: before,
          afterStatus: partnerCase.status,
        });
      }
      return retentionCase;
    });
  }

  /**
   * The organization asked for a delay in deactivation: the export window closes later, and every
   * later milestone that ends access or destroys data (SSO shutdown, masking with its campaign
   * invalidation, portal hidden) moves with it so none falls inside the window. A vendor's
   * partners move with it. Refused once masking has started: what is masked cannot be exported.
   */
  async extendExportWindow(command: ExtendExportWindowCommand): Promise<RetentionCaseEntity> {
    if (!Number.isInteger(command.days) || command.days < 1 || command.days > 365) throw new InvalidInputError('days', 'must be a whole number from 1 to 365');
    const reason = reasonOf(command.reason);
    return this.unitOfWork.run(async (tx) => {
      const retentionCase = requireActive(await this.timeline.lockActiveCase(tx.manager, command.organizationId), command.organizationId);
      refuseForPartnerOfVendor(retentionCase, 'extend the export window of');
      if (retentionCase.status !== CaseStatus.OPEN) throw new InvalidTransitionError('retention case', retentionCase.status, 'extend the export window of');
      const masking = await tx.manager.findOneBy(MilestoneEntity, { caseId: retentionCase.id, milestone: Milestone.PII_MASKED });
      if (masking && (masking.requestId !== null || masking.status === 'DONE')) {
        throw new DomainError(
          ErrorCode.INVALID_TRANSITION,
          `the personal data of organization ${retentionCase.organizationId} was masked (requested ${masking.requestedAt?.toISOString() ?? 'earlier'}): a longer export window would only export masked data`,
          { entity: 'retention case', currentStatus: retentionCase.status, action: 'extend the export window of', maskingRequestedAt: masking.requestedAt?.toISOString() ?? null },
        );
      }
      const now = this.clock.now();
      const from = retentionCase.exportWindowClosesAt > now ? retentionCase.exportWindowClosesAt : now;
      const until = addDays(from, command.days);
      if (until > retentionCase.purgeEligibleAt) {
        throw new InvalidInputError('days', `the export window cannot outlast retention (${retentionCase.purgeEligibleAt.toISOString()}); extend retention first`);
      }
      const previous = retentionCase.exportWindowClosesAt;
      await this.recordExtension(tx, retentionCase, ExtensionKind.EXPORT_WINDOW, retentionCase.exportWindowClosesAt, until, reason, command.actor);
      retentionCase.exportWindowExtendedUntil = until;
      const rescheduled = await this.timeline.recompute(tx.manager, retentionCase, now);
      const partners = await this.timeline.partnersFollow(tx.manager, retentionCase, now);
      const announce = async (affected: RetentionCaseEntity, moved: Rescheduled[]): Promise<void> => {
        await this.journal.publish(tx, 'com.offboarding.retention.export_window_extended.v1', affected.organizationId, {
          organizationId: affected.organizationId,
          caseId: affected.id,
          previousClosesAt: previous.toISOString(),
          closesAt: affected.exportWindowClosesAt.toISOString(),
          rescheduled: moved.map((entry) => ({ milestone: entry.milestone, previousDueAt: entry.previousDueAt?.toISOString() ?? null, dueAt: entry.dueAt?.toISOString() ?? null })),
          extendedBy: command.actor,
          extendedAt: now.toISOString(),
        });
        await this.journal.action(tx, {
          organizationId: affected.organizationId,
          actor: command.actor,
          action: affected === retentionCase ? 'export_window.extend' : 'export_window.extend_with_vendor',
          subjectType: 'retention_case',
          subjectId: affected.id,
          beforeStatus: affected.status,
          afterStatus: affected.status,
        });
      };
      await announce(retentionCase, rescheduled);
      for (const { partnerCase, rescheduled: moved } of partners) await announce(partnerCase, moved);
      return retentionCase;
    });
  }

  async placeLegalHold(command: HoldCommand): Promise<RetentionCaseEntity> {
    const reason = reasonOf(command.reason);
    return this.unitOfWork.run(async (tx) => {
      const retentionCase = requireActive(await this.timeline.lockActiveCase(tx.manager, command.organizationId), command.organizationId);
      if (retentionCase.status === CaseStatus.PURGING) throw new InvalidTransitionError('retention case', retentionCase.status, 'place a legal hold on');
      const existing = await tx.manager.findOneBy(LegalHoldEntity, { organizationId: retentionCase.organizationId, releasedAt: IsNull() });
      if (existing) {
        throw new DomainError(ErrorCode.CONFLICT, `organization ${retentionCase.organizationId} is already on legal hold (since ${existing.placedAt.toISOString()})`, {
          organizationId: retentionCase.organizationId,
          holdId: existing.id,
        });
      }
      const now = this.clock.now();
      const hold: LegalHoldEntity = {
        id: randomUUID(),
        organizationId: retentionCase.organizationId,
        caseId: retentionCase.id,
        reason,
        placedBy: command.actor,
        placedAt: now,
        releasedBy: null,
        releasedAt: null,
        releaseReason: null,
      };
      await tx.manager.insert(LegalHoldEntity, hold);
      await this.journal.publish(tx, 'com.offboarding.retention.legal_hold_placed.v1', retentionCase.organizationId, {
        organizationId: retentionCase.organizationId,
        caseId: retentionCase.id,
        holdId: hold.id,
        placedBy: command.actor,
        placedAt: now.toISOString(),
      });
      await this.journal.action(tx, {
        organizationId: retentionCase.organizationId,
        actor: command.actor,
        action: 'legal_hold.place',
        subjectType: 'legal_hold',
        subjectId: hold.id,
        beforeStatus: null,
        afterStatus: 'ACTIVE',
      });
      return retentionCase;
    });
  }

  async releaseLegalHold(command: HoldCommand): Promise<RetentionCaseEntity> {
    const reason = reasonOf(command.reason);
    return this.unitOfWork.run(async (tx) => {
      const retentionCase = requireActive(await this.timeline.lockActiveCase(tx.manager, command.organizationId), command.organizationId);
      const hold = await tx.manager.findOne(LegalHoldEntity, {
        where: { organizationId: retentionCase.organizationId, releasedAt: IsNull() },
        lock: { mode: 'pessimistic_write' },
      });
      if (!hold) throw new InvalidTransitionError('legal hold', 'NONE', 'release');
      const now = this.clock.now();
      Object.assign(hold, { releasedBy: command.actor, releasedAt: now, releaseReason: reason });
      await tx.manager.save(LegalHoldEntity, hold);
      this.noteDecisionChange(retentionCase, PurgeDecisionChange.LEGAL_HOLD_RELEASED, command.actor, now);
      retentionCase.updatedAt = now;
      await tx.manager.save(RetentionCaseEntity, retentionCase);
      await this.journal.publish(tx, 'com.offboarding.retention.legal_hold_released.v1', retentionCase.organizationId, {
        organizationId: retentionCase.organizationId,
        caseId: retentionCase.id,
        holdId: hold.id,
        releasedBy: command.actor,
        releasedAt: now.toISOString(),
      });
      await this.revokeApproval(tx, retentionCase, now);
      for (const partnerCase of await this.timeline.lockPartnerCases(tx.manager, retentionCase)) {
        this.noteDecisionChange(partnerCase, PurgeDecisionChange.LEGAL_HOLD_RELEASED, command.actor, now);
        partnerCase.updatedAt = now;
        await tx.manager.save(RetentionCaseEntity, partnerCase);
        await this.revokeApproval(tx, partnerCase, now);
      }
      await this.journal.action(tx, {
        organizationId: retentionCase.organizationId,
        actor: command.actor,
        action: 'legal_hold.release',
        subjectType: 'legal_hold',
        subjectId: hold.id,
        beforeStatus: 'ACTIVE',
        afterStatus: 'RELEASED',
      });
      return retentionCase;
    });
  }

  /**
   * Approves the purge of an organization in the purge queue; the purge job sends it once unheld.
   * A vendor's approval covers the partners offboarded with it (they are purged with it).
   */
  async approvePurge(organizationId: string, actor: string): Promise<PurgeRequestEntity> {
    return this.unitOfWork.run(async (tx) => {
      const retentionCase = requireActive(await this.timeline.lockActiveCase(tx.manager, organizationId), organizationId);
      if (retentionCase.vendorOrganizationId !== null) {
        throw new DomainError(
          ErrorCode.INVALID_TRANSITION,
          `organization ${organizationId} is a partner offboarded with its vendor ${retentionCase.vendorOrganizationId}: it is purged with the vendor, so approve the vendor's purge`,
          { entity: 'retention case', currentStatus: retentionCase.status, action: 'approve the purge of', vendorOrganizationId: retentionCase.vendorOrganizationId },
        );
      }
      const request = await this.approveOne(tx, retentionCase, actor);
      for (const partnerCase of await this.timeline.lockPartnerCases(tx.manager, retentionCase)) {
        if (partnerCase.status === CaseStatus.PURGE_QUEUED) await this.approveOne(tx, partnerCase, actor);
      }
      return request;
    });
  }

  private async approveOne(tx: Transaction, retentionCase: RetentionCaseEntity, actor: string): Promise<PurgeRequestEntity> {
    const organizationId = retentionCase.organizationId;
    if (retentionCase.status !== CaseStatus.PURGE_QUEUED) {
      throw new DomainError(
        ErrorCode.INVALID_TRANSITION,
        `organization ${organizationId} is not in the purge queue (${retentionCase.status}; purge-eligible at ${retentionCase.purgeEligibleAt.toISOString()})`,
        { entity: 'retention case', currentStatus: retentionCase.status, action: 'approve the purge of', purgeEligibleAt: retentionCase.purgeEligibleAt.toISOString() },
      );
    }
    const hold = await activeHoldFor(tx.manager, retentionCase);
    if (hold) {
      throw new DomainError(
        ErrorCode.LEGAL_HOLD,
        `organization ${hold.organizationId} is on legal hold since ${hold.placedAt.toISOString()}: release the hold before approving the purge of ${organizationId}`,
        { organizationId, holdOrganizationId: hold.organizationId, holdId: hold.id, placedAt: hold.placedAt.toISOString() },
      );
    }
    const live = await tx.manager.findOneBy(PurgeRequestEntity, { caseId: retentionCase.id, status: In([PurgeRequestStatus.APPROVED, PurgeRequestStatus.REQUESTED]) });
    if (live) {
      throw new DomainError(ErrorCode.CONFLICT, `the purge of organization ${organizationId} was already approved by ${live.approvedBy}`, { organizationId, requestId: live.requestId });
    }
    if (retentionCase.lastDecisionChangeBy !== null && retentionCase.lastDecisionChangeBy === actor) {
      throw new DomainError(
        ErrorCode.FOUR_EYES_REQUIRED,
        `${actor} made the last change to this organization's retention (${retentionCase.lastDecisionChange}); another admin must approve its purge`,
        { organizationId, lastDecisionChange: retentionCase.lastDecisionChange },
      );
    }
    const now = this.clock.now();
    const request: PurgeRequestEntity = {
      requestId: randomUUID(),
      organizationId,
      caseId: retentionCase.id,
      status: PurgeRequestStatus.APPROVED,
      approvedBy: actor,
      approvedAt: now,
      counterpartActor: retentionCase.lastDecisionChangeBy,
      counterpartChange: retentionCase.lastDecisionChange,
      requestedAt: null,
      confirmations: {},
      completedAt: null,
      updatedAt: now,
    };
    await tx.manager.insert(PurgeRequestEntity, request);
    await this.journal.publish(tx, 'com.offboarding.retention.purge_approved.v1', organizationId, {
      organizationId,
      caseId: retentionCase.id,
      requestId: request.requestId,
      approvedBy: actor,
      approvedAt: now.toISOString(),
    });
    await this.journal.action(tx, {
      organizationId,
      actor,
      action: 'purge.approve',
      subjectType: 'purge_request',
      subjectId: request.requestId,
      beforeStatus: null,
      afterStatus: PurgeRequestStatus.APPROVED,
    });
    return request;
  }

  private async recordExtension(
    tx: Transaction,
    retentionCase: RetentionCaseEntity,
    kind: ExtensionKind,
    previousUntil: Date,
    until: Date,
    reason: string,
    actor: string,
  ): Promise<void> {
    await tx.manager.insert(RetentionExtensionEntity, {
      id: randomUUID(),
      organizationId: retentionCase.organizationId,
      caseId: retentionCase.id,
      kind,
      previousUntil,
      until,
      reason,
      actor,
      createdAt: this.clock.now(),
    });
  }

  private noteDecisionChange(retentionCase: RetentionCaseEntity, change: PurgeDecisionChange, actor: string, now: Date): void {
    retentionCase.lastDecisionChange = change;
    retentionCase.lastDecisionChangeBy = actor;
    retentionCase.lastDecisionChangeAt = now;
  }

  /** A change of the decision after approval voids the approval: someone else approves again. */
  private async revokeApproval(tx: Transaction, retentionCase: RetentionCaseEntity, now: Date): Promise<void> {
    const approved = await tx.manager.findOneBy(PurgeRequestEntity, { caseId: retentionCase.id, status: PurgeRequestStatus.APPROVED });
    if (!approved) return;
    Object.assign(approved, { status: PurgeRequestStatus.REVOKED, updatedAt: now });
    await tx.manager.save(PurgeRequestEntity, approved);
    await this.journal.publish(tx, 'com.offboarding.retention.purge_approval_revoked.v1', retentionCase.organizationId, {
      organizationId: retentionCase.organizationId,
      caseId: retentionCase.id,
      requestId: approved.requestId,
      reason: retentionCase.lastDecisionChange ?? PurgeDecisionChange.RETENTION_EXTENDED,
      revokedAt: now.toISOString(),
    });
    await this.journal.action(tx, {
      organizationId: retentionCase.organizationId,
      actor: 'system:purge-approval',
      action: 'purge.revoke_approval',
      reason: retentionCase.lastDecisionChange,
      subjectType: 'purge_request',
      subjectId: approved.requestId,
      beforeStatus: PurgeRequestStatus.APPROVED,
      afterStatus: PurgeRequestStatus.REVOKED,
    });
  }
}

/** A partner offboarded with its vendor keeps the vendor's dates: changes go through the vendor. */
function refuseForPartnerOfVendor(retentionCase: RetentionCaseEntity, action: string): void {
  if (retentionCase.vendorOrganizationId === null) return;
  throw new DomainError(
    ErrorCode.INVALID_TRANSITION,
    `organization ${retentionCase.organizationId} is a partner offboarded on its vendor's timeline: ${action} the vendor ${retentionCase.vendorOrganizationId} instead, and its partners follow`,
    { entity: 'retention case', currentStatus: retentionCase.status, action, vendorOrganizationId: retentionCase.vendorOrganizationId },
  );
}
