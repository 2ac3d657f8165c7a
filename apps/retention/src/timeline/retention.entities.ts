import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { OrganizationType } from '@offboarding/contracts';
import type { CaseStatus } from './case-status';
import type { CasePolicy } from './offboarding-policy';
import type { Milestone, MilestoneStatus } from './timeline';

/** What retention learns of an organization from entitlements' events: type and key dates. */
@Entity({ name: 'known_organizations' })
export class KnownOrganizationEntity {
  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ type: 'varchar', length: 16 })
  type!: OrganizationType;

  @Column({ name: 'vendor_id', type: 'uuid', nullable: true })
  vendorId!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'archived_at', type: 'timestamptz', nullable: true })
  archivedAt!: Date | null;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** An organization's override of its type's OffboardingPolicy; null fields keep the default. */
@Entity({ name: 'offboarding_policies' })
export class OffboardingPolicyEntity {
  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ name: 'export_window_days', type: 'integer', nullable: true })
  exportWindowDays!: number | null;

  @Column({ name: 'sso_shutdown_days', type: 'integer', nullable: true })
  ssoShutdownDays!: number | null;

  @Column({ name: 'pii_masking_days', type: 'integer', nullable: true })
  piiMaskingDays!: number | null;

  @Column({ name: 'portal_hidden_days', type: 'integer', nullable: true })
  portalHiddenDays!: number | null;

  @Column({ name: 'final_confirmation_days', type: 'integer', nullable: true })
  finalConfirmationDays!: number | null;

  @Column({ name: 'retention_days', type: 'integer', nullable: true })
  retentionDays!: number | null;

  @Column({ name: 'updated_by', type: 'varchar', length: 200 })
  updatedBy!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

export const CaseOrigin = { OFFBOARDING: 'OFFBOARDING', CANCELLATION: 'CANCELLATION' } as const;
export type CaseOrigin = (typeof CaseOrigin)[keyof typeof CaseOrigin];

export const CaseCloseReason = {
  REACTIVATED: 'REACTIVATED',
  UNARCHIVED: 'UNARCHIVED',
  OFFBOARDING_CANCELLED: 'OFFBOARDING_CANCELLED',
  NEW_ENTITLEMENT: 'NEW_ENTITLEMENT',
  SUPERSEDED: 'SUPERSEDED',
} as const;
export type CaseCloseReason = (typeof CaseCloseReason)[keyof typeof CaseCloseReason];

/** What last changed the purge decision; its actor may not approve the purge (four eyes). */
export const PurgeDecisionChange = { RETENTION_EXTENDED: 'RETENTION_EXTENDED', LEGAL_HOLD_RELEASED: 'LEGAL_HOLD_RELEASED' } as const;
export type PurgeDecisionChange = (typeof PurgeDecisionChange)[keyof typeof PurgeDecisionChange];

/** One organization's way from offboarding (or its last cancellation) to purge. */
@Entity({ name: 'retention_cases' })
export class RetentionCaseEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ type: 'varchar', length: 16 })
  origin!: CaseOrigin;

  /** The entitlements service's offboarding case, when offboarding opened it. */
  @Column({ name: 'source_case_id', type: 'uuid', nullable: true })
  sourceCaseId!: string | null;

  /** For a partner offboarded with its vendor: the vendor, whose timeline this case follows. */
  @Column({ name: 'vendor_organization_id', type: 'uuid', nullable: true })
  vendorOrganizationId!: string | null;

  /** For a partner offboarded with its vendor: the vendor's offboarding case (its `sourceCaseId`). */
  @Column({ name: 'vendor_source_case_id', type: 'uuid', nullable: true })
  vendorSourceCaseId!: string | null;

  /** For a vendor: the partners offboarded with it. Its milestones are done only when theirs are. */
  @Column({ name: 'partner_organization_ids', type: 'jsonb' })
  partnerOrganizationIds!: string[];

  @Column({ name: 'organization_type', type: 'varchar', length: 16 })
  organizationType!: OrganizationType;

  @Column({ name: 'day_zero', type: 'date' })
  dayZero!: string;

  @Column({ type: 'jsonb' })
  policy!: CasePolicy;

  @Column({ type: 'varchar', length: 16 })
  status!: CaseStatus;

  @Column({ name: 'opened_at', type: 'timestamptz' })
  openedAt!: Date;

  @Column({ name: 'archived_at', type: 'timestamptz', nullable: true })
  archivedAt!: Date | null;

  @Column({ name: 'export_window_closes_at', type: 'timestamptz' })
  exportWindowClosesAt!: Date;

  @Column({ name: 'export_window_extended_until', type: 'timestamptz', nullable: true })
  exportWindowExtendedUntil!: Date | null;

  @Column({ name: 'purge_eligible_at', type: 'timestamptz' })
  purgeEligibleAt!: Date;

  @Column({ name: 'retained_until', type: 'timestamptz', nullable: true })
  retainedUntil!: Date | null;

  @Column({ name: 'last_decision_change', type: 'varchar', length: 32, nullable: true })
  lastDecisionChange!: PurgeDecisionChange | null;

  @Column({ name: 'last_decision_change_by', type: 'varchar', length: 200, nullable: true })
  lastDecisionChangeBy!: string | null;

  @Column({ name: 'last_decision_change_at', type: 'timestamptz', nullable: true })
  lastDecisionChangeAt!: Date | null;

  @Column({ name: 'masking_key_destroyed_at', type: 'timestamptz', nullable: true })
  maskingKeyDestroyedAt!: Date | null;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt!: Date | null;

  @Column({ name: 'close_reason', type: 'varchar', length: 32, nullable: true })
  closeReason!: CaseCloseReason | null;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true, comment: 'Final confirmation sent.' })
  completedAt!: Date | null;

  @Column({ name: 'purged_at', type: 'timestamptz', nullable: true })
  purgedAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

export interface MilestoneConfirmation {
  at: string;
  /** Records the confirming service changed (masked rows). */
  records?: number;
  /** What the owner counted (accounts deactivated, connections deleted, entitlements cancelled, ...). */
  counts?: Record<string, number>;
}

/** One milestone of a case's timeline. */
@Entity({ name: 'timeline_milestones' })
export class MilestoneEntity {
  @PrimaryColumn({ name: 'case_id', type: 'uuid' })
  caseId!: string;

  @PrimaryColumn({ type: 'varchar', length: 32 })
  milestone!: Milestone;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ name: 'due_at', type: 'timestamptz', nullable: true })
  dueAt!: Date | null;

  @Column({ name: 'due_rule', type: 'varchar', length: 100 })
  dueRule!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: MilestoneStatus;

  /** The request published to the owning service; its confirmation carries it back. */
  @Column({ name: 'request_id', type: 'uuid', nullable: true })
  requestId!: string | null;

  @Column({ name: 'requested_at', type: 'timestamptz', nullable: true })
  requestedAt!: Date | null;

  /** Confirmations received, per service (masking needs one from each), with what they counted. */
  @Column({ type: 'jsonb' })
  confirmations!: Record<string, MilestoneConfirmation>;

  /**
   * When this organization's own part was confirmed. For a vendor the milestone is DONE only once
   * every partner's is too; until then this is set and the status is PENDING (or BLOCKED).
   */
  @Column({ name: 'own_completed_at', type: 'timestamptz', nullable: true })
  ownCompletedAt!: Date | null;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;

  @Column({ name: 'blocked_reason', type: 'varchar', length: 500, nullable: true })
  blockedReason!: string | null;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** A milestone_upcoming notice that went out (or was passed over for a nearer one): each is sent once. */
@Entity({ name: 'milestone_notices' })
export class MilestoneNoticeEntity {
  @PrimaryColumn({ name: 'case_id', type: 'uuid' })
  caseId!: string;

  @PrimaryColumn({ type: 'varchar', length: 32 })
  milestone!: Milestone;

  /** The due date the notice was about: a milestone that moves gets its notices again. */
  @PrimaryColumn({ name: 'due_at', type: 'timestamptz' })
  dueAt!: Date;

  @PrimaryColumn({ name: 'notice_days', type: 'integer' })
  noticeDays!: number;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  /** Null when a nearer notice went out instead (the job ran late). */
  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
