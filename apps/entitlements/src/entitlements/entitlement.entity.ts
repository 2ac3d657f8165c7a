import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { CancellationReason, EntitlementClass, EntitlementStatus } from '@offboarding/contracts';

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

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
