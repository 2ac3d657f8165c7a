import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The global policy (organizationId null) or one organization's override. */
@Entity({ name: 'cancellation_policies' })
export class CancellationPolicyEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'organization_id', type: 'uuid', nullable: true })
  organizationId!: string | null;

  @Column({ name: 'portal_visibility_days', type: 'integer' })
  portalVisibilityDays!: number;

  @Column({ name: 'data_retention_days', type: 'integer' })
  dataRetentionDays!: number;

  @Column({ name: 'allow_reactivation', type: 'boolean' })
  allowReactivation!: boolean;

  @Column({ name: 'reactivation_window_days', type: 'integer' })
  reactivationWindowDays!: number;

  @Column({ name: 'refund_eligible', type: 'boolean' })
  refundEligible!: boolean;

  @Column({ name: 'grace_period_days', type: 'integer' })
  gracePeriodDays!: number;

  @Column({ name: 'updated_by', type: 'varchar', length: 200 })
  updatedBy!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
