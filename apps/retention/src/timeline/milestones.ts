import type { Transaction } from '@offboarding/messaging';
import type { RetentionJournal } from '../shared/retention-journal';
import { MilestoneEntity } from './retention.entities';
import { MilestoneStatus } from './timeline';

/** Marks a milestone done on its owner's confirmation and says so (`milestone_completed`). */
export async function completeMilestone(tx: Transaction, journal: RetentionJournal, milestone: MilestoneEntity, now: Date): Promise<boolean> {
  if (milestone.status === MilestoneStatus.DONE || milestone.status === MilestoneStatus.SKIPPED) return false;
  milestone.status = MilestoneStatus.DONE;
  milestone.completedAt = now;
  milestone.blockedReason = null;
  milestone.updatedAt = now;
  await tx.manager.save(MilestoneEntity, milestone);
  await journal.publish(tx, 'com.offboarding.retention.milestone_completed.v1', milestone.organizationId, {
    organizationId: milestone.organizationId,
    caseId: milestone.caseId,
    milestone: milestone.milestone,
    completedAt: now.toISOString(),
  });
  return true;
}
