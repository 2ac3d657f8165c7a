import { Column, Entity, PrimaryColumn } from 'typeorm';
import type {
  CancellationPolicySnapshot,
  CancellationReason,
  EntitlementClass,
  EntitlementStatus,
  SuspensionReason,
} from '@offboarding/contracts';
import { bigintAsNumber } from '../bigint-column';

export interface RefundQuote {
  amountMinor: number;
  currency: string;
  unusedDays: number;
  prepaidDays: number;
  quotedAt: string;
}

@Entity({ name: 'entitlements' })
export class EntitlementEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ type: 'varchar', length: 8 })
  class!: EntitlementClass;

  @Column({ type: 'varchar', length: 200 })
  product!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: EntitlementStatus;

  @Column({ name: 'granted_at', type: 'timestamptz' })
  grantedAt!: Date;

  @Column({ name: 'cancelled_at', type: 'timestamptz', nullable: true })
  cancelledAt!: Date | null;

  @Column({ name: 'cancellation_reason', type: 'varchar', length: 32, nullable: true })
  cancellationReason!: CancellationReason | null;

  @Column({ name: 'cancellation_notes', type: 'text', nullable: true })
  cancellationNotes!: string | null;

  @Column({ name: 'cancelled_by', type: 'varchar', length: 200, nullable: true })
  cancelledBy!: string | null;

  @Column({ name: 'order_reference', type: 'varchar', length: 100, nullable: true })
  orderReference!: string | null;

  @Column({ name: 'prepaid_amount_minor', type: 'bigint', nullable: true, transformer: bigintAsNumber })
  prepaidAmountMinor!: number | null;

  @Column({ type: 'char', length: 3, nullable: true })
  currency!: string | null;

  @Column({ name: 'prepaid_from', type: 'timestamptz', nullable: true })
  prepaidFrom!: Date | null;

  @Column({ name: 'prepaid_until', type: 'timestamptz', nullable: true })
  prepaidUntil!: Date | null;

  @Column({ name: 'suspended_at', type: 'timestamptz', nullable: true })
  suspendedAt!: Date | null;

  @Column({ name: 'suspension_reason', type: 'varchar', length: 16, nullable: true })
  suspensionReason!: SuspensionReason | null;

  @Column({ name: 'grace_ends_at', type: 'timestamptz', nullable: true })
  graceEndsAt!: Date | null;

  @Column({ name: 'policy_snapshot', type: 'jsonb', nullable: true })
  policySnapshot!: CancellationPolicySnapshot | null;

  @Column({ name: 'reactivatable_until', type: 'timestamptz', nullable: true })
  reactivatableUntil!: Date | null;

  @Column({ name: 'portal_visible_until', type: 'timestamptz', nullable: true })
  portalVisibleUntil!: Date | null;

  @Column({ name: 'refund_quote', type: 'jsonb', nullable: true })
  refundQuote!: RefundQuote | null;

  @Column({ name: 'reactivated_at', type: 'timestamptz', nullable: true })
  reactivatedAt!: Date | null;

  @Column({ name: 'reactivation_reference', type: 'varchar', length: 100, nullable: true })
  reactivationReference!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
