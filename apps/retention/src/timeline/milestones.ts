import { Injectable } from '@nestjs/common';
import { type EntityManager, In, IsNull, Not } from 'typeorm';
import type { EventPayload } from '@offboarding/contracts';
import type { Transaction } from '@offboarding/messaging';
import { DataExportEntity } from '../exports/data-export.entity';
import { RetentionJournal } from '../shared/retention-journal';
import { ACTIVE_CASE_STATUSES } from './case-status';
import { MilestoneEntity, RetentionCaseEntity } from './retention.entities';
import { Milestone, MILESTONES, MilestoneStatus } from './timeline';

export const SETTLED: readonly MilestoneStatus[] = [MilestoneStatus.DONE, MilestoneStatus.SKIPPED];

/** One partner's side of a vendor's milestone. */
export interface PartnerProgress {
  organizationId: string;
  /** Null while the partner's case has not opened yet (its offboarding_started is on its way). */
  caseId: string | null;
  status: MilestoneStatus;
  dueAt: Date | null;
  completedAt: Date | null;
  blockedReason: string | null;
}

export function toPartnerProgress(organizationId: string, caseId: string | null, row: MilestoneEntity | undefined): PartnerProgress {
  return {
    organizationId,
    caseId,
    status: row?.status ?? MilestoneStatus.PENDING,
    dueAt: row?.dueAt ?? null,
    completedAt: row?.completedAt ?? null,
    blockedReason: row?.blockedReason ?? null,
  };
}

type Counts = EventPayload<'com.offboarding.retention.offboarding_completed.v1'>['counts'];

const NO_COUNTS: Counts = { entitlementsCancelled: 0, usersDeactivated: 0, ssoConnectionsDeleted: 0, sessionsRevoked: 0, recordsMasked: 0, dataExports: 0 };

/**
 * Milestone completion, the one door to DONE. A milestone is done when its owner confirmed it for
 * the organization; for a vendor, also only once the same milestone is settled for every partner
 * offboarded with it. A partner's completion settles the vendor's milestone waiting for it.
 */
@Injectable()
export class MilestoneProgress {
  constructor(private readonly journal: RetentionJournal) {}

  /**
   * The owner confirmed the organization's own part. Returns true when the milestone turned DONE
   * now (false when it already was, or a vendor's still waits for partners).
   */
  async settle(tx: Transaction, milestone: MilestoneEntity, now: Date, caseInHand?: RetentionCaseEntity): Promise<boolean> {
    if (SETTLED.includes(milestone.status)) return false;
    if (milestone.ownCompletedAt === null) {
      milestone.ownCompletedAt = now;
      milestone.updatedAt = now;
    }
    // The caller's copy when it holds the case (and saves it afterwards), so no change is lost.
    const retentionCase = caseInHand ?? (await tx.manager.findOneByOrFail(RetentionCaseEntity, { id: milestone.caseId }));
    const partners = await this.partnerProgress(tx.manager, retentionCase, milestone.milestone);
    if (partners.some((partner) => !SETTLED.includes(partner.status))) {
      await tx.manager.save(MilestoneEntity, milestone);
      return false;
    }
    Object.assign(milestone, { status: MilestoneStatus.DONE, completedAt: now, blockedReason: null, updatedAt: now });
    await tx.manager.save(MilestoneEntity, milestone);
    await this.journal.publish(tx, 'com.offboarding.retention.milestone_completed.v1', milestone.organizationId, {
      organizationId: milestone.organizationId,
      caseId: milestone.caseId,
      milestone: milestone.milestone,
      completedAt: now.toISOString(),
    });
    if (milestone.milestone === Milestone.FINAL_CONFIRMATION) await this.confirmCompletion(tx, retentionCase, now);
    if (retentionCase.vendorSourceCaseId !== null) await this.settleVendor(tx, retentionCase, milestone.milestone, now);
    return true;
  }

  /**
   * A partner's milestone was settled (done, or skipped when its case closed): the vendor's same
   * milestone, if its own part is done, may now be complete. Locked before it is read again, so
   * two partners finishing at once cannot both miss the other; a lock held elsewhere (the vendor's
   * tick, an admin's change) is skipped rather than waited for, so no two cases ever wait on each
   * other: the vendor's tick settles the milestone then.
   */
  async settleVendor(tx: Transaction, partnerCase: RetentionCaseEntity, kind: Milestone, now: Date): Promise<void> {
    if (partnerCase.vendorSourceCaseId === null) return;
    const vendorCase = await tx.manager.findOneBy(RetentionCaseEntity, { sourceCaseId: partnerCase.vendorSourceCaseId, status: In([...ACTIVE_CASE_STATUSES]) });
    if (!vendorCase) return;
    const vendorMilestone = await tx.manager.findOne(MilestoneEntity, {
      where: { caseId: vendorCase.id, milestone: kind },
      lock: { mode: 'pessimistic_write', onLocked: 'skip_locked' },
    });
    if (vendorMilestone && vendorMilestone.ownCompletedAt !== null && !SETTLED.includes(vendorMilestone.status)) await this.settle(tx, vendorMilestone, now);
  }

  /** For a vendor's case: each partner's side of `kind`, in the order the vendor listed them. Empty for anyone else. */
  async partnerProgress(manager: EntityManager, retentionCase: RetentionCaseEntity, kind: Milestone): Promise<PartnerProgress[]> {
    return (await this.partnerTimelines(manager, retentionCase)).map(({ organizationId, caseId, milestones }) =>
      toPartnerProgress(organizationId, caseId, milestones.find((candidate) => candidate.milestone === kind)),
    );
  }

  /** Every partner of a vendor's case with its case id and milestones (none yet for a case still to open). */
  async partnerTimelines(
    manager: EntityManager,
    retentionCase: RetentionCaseEntity,
  ): Promise<{ organizationId: string; caseId: string | null; milestones: MilestoneEntity[] }[]> {
    if (retentionCase.partnerOrganizationIds.length === 0 || retentionCase.sourceCaseId === null) return [];
    const cases = await manager.findBy(RetentionCaseEntity, { vendorSourceCaseId: retentionCase.sourceCaseId });
    const milestones = cases.length === 0 ? [] : await manager.findBy(MilestoneEntity, { caseId: In(cases.map((partnerCase) => partnerCase.id)) });
    return retentionCase.partnerOrganizationIds.map((organizationId) => {
      const partnerCase = cases.filter((candidate) => candidate.organizationId === organizationId).sort((a, b) => b.openedAt.getTime() - a.openedAt.getTime())[0];
      return {
        organizationId,
        caseId: partnerCase?.id ?? null,
        milestones: partnerCase ? milestones.filter((row) => row.caseId === partnerCase.id) : [],
      };
    });
  }

  /** The final confirmation: the case is complete and `offboarding_completed` says what was done. */
  private async confirmCompletion(tx: Transaction, retentionCase: RetentionCaseEntity, now: Date): Promise<void> {
    retentionCase.completedAt = now;
    retentionCase.updatedAt = now;
    await tx.manager.update(RetentionCaseEntity, { id: retentionCase.id }, { completedAt: now, updatedAt: now });
    const milestones = (await tx.manager.findBy(MilestoneEntity, { caseId: retentionCase.id })).sort(
      (a, b) => MILESTONES.indexOf(a.milestone) - MILESTONES.indexOf(b.milestone),
    );
    const partners = await this.partnerTimelines(tx.manager, retentionCase);
    const partnerCounts = { ...NO_COUNTS };
    for (const partner of partners) {
      const counts = await this.countsOf(tx.manager, partner.organizationId, partner.milestones);
      for (const key of Object.keys(partnerCounts) as (keyof Counts)[]) partnerCounts[key] += counts[key];
    }
    await this.journal.publish(tx, 'com.offboarding.retention.offboarding_completed.v1', retentionCase.organizationId, {
      organizationId: retentionCase.organizationId,
      caseId: retentionCase.id,
      organizationType: retentionCase.organizationType,
      dayZero: retentionCase.dayZero,
      milestones: milestones.map((row) => ({
        milestone: row.milestone,
        status: row.status,
        dueAt: row.dueAt?.toISOString() ?? null,
        completedAt: row.completedAt?.toISOString() ?? null,
      })),
      counts: await this.countsOf(tx.manager, retentionCase.organizationId, milestones),
      partnerOrganizationIds: retentionCase.partnerOrganizationIds,
      partnerCounts,
      purgeEligibleAt: retentionCase.purgeEligibleAt.toISOString(),
      completedAt: now.toISOString(),
    });
  }

  /** What the owners confirmed for one organization, from the confirmations on its milestones. */
  private async countsOf(manager: EntityManager, organizationId: string, milestones: MilestoneEntity[]): Promise<Counts> {
    const confirmations = (kind: Milestone) => Object.values(milestones.find((row) => row.milestone === kind)?.confirmations ?? {});
    const counted = (kind: Milestone, name: string) => confirmations(kind).reduce((sum, confirmation) => sum + (confirmation.counts?.[name] ?? 0), 0);
    return {
      entitlementsCancelled: counted(Milestone.ENTITLEMENTS_CANCELLED, 'entitlementsCancelled'),
      usersDeactivated: counted(Milestone.SSO_SHUTDOWN, 'deactivatedUsers'),
      ssoConnectionsDeleted: counted(Milestone.SSO_SHUTDOWN, 'deletedConnections'),
      sessionsRevoked: counted(Milestone.SSO_SHUTDOWN, 'revokedSessions'),
      recordsMasked: confirmations(Milestone.PII_MASKED).reduce((sum, confirmation) => sum + (confirmation.records ?? 0), 0),
      dataExports: await manager.countBy(DataExportEntity, { organizationId, readyAt: Not(IsNull()) }),
    };
  }
}
