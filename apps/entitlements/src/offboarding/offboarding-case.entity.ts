import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { CancellationPolicySnapshot, CancellationReason } from '@offboarding/contracts';

export const OffboardingCaseStatus = {
  /** Day 0 is in the future: entitlements are cancelled by the scheduler on day 0. */
  SCHEDULED: 'SCHEDULED',
  ENTITLEMENTS_CANCELLED: 'ENTITLEMENTS_CANCELLED',
  /** Called off before day 0. */
  CANCELLED: 'CANCELLED',
  /** Closed because the organization won an entitlement back. */
  WITHDRAWN: 'WITHDRAWN',
  /** A partner's own offboarding, replaced by the one it follows with its vendor. */
  SUPERSEDED: 'SUPERSEDED',
} as const;
export type OffboardingCaseStatus = (typeof OffboardingCaseStatus)[keyof typeof OffboardingCaseStatus];

@Entity({ name: 'offboarding_cases' })
export class OffboardingCaseEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ type: 'varchar', length: 24 })
  status!: OffboardingCaseStatus;

  /** For a partner offboarded with its vendor: the vendor's case, whose day 0 and policy it follows. */
  @Column({ name: 'vendor_case_id', type: 'uuid', nullable: true })
  vendorCaseId!: string | null;

  @Column({ type: 'varchar', length: 32 })
  reason!: CancellationReason;

  /** Last day of contract, a UTC calendar day (YYYY-MM-DD). */
  @Column({ name: 'day_zero', type: 'date' })
  dayZero!: string;

  @Column({ name: 'point_of_contact', type: 'varchar', length: 200 })
  pointOfContact!: string;

  @Column({ type: 'text', nullable: true })
  notes!: string | null;

  @Column({ name: 'policy_snapshot', type: 'jsonb' })
  policySnapshot!: CancellationPolicySnapshot;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'started_by', type: 'varchar', length: 200 })
  startedBy!: string;

  @Column({ name: 'entitlements_cancelled_at', type: 'timestamptz', nullable: true })
  entitlementsCancelledAt!: Date | null;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt!: Date | null;

  @Column({ name: 'closed_by', type: 'varchar', length: 200, nullable: true })
  closedBy!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
