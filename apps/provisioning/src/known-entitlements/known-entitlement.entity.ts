import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { EntitlementClass, EntitlementStatus } from '@offboarding/contracts';

/** An entitlement this service has seen granted, and where it stands now. */
@Entity({ name: 'known_entitlements' })
export class KnownEntitlementEntity {
  @PrimaryColumn({ name: 'entitlement_id', type: 'uuid' })
  entitlementId!: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ type: 'varchar', length: 3 })
  class!: EntitlementClass;

  @Column({ type: 'varchar', length: 200 })
  product!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: EntitlementStatus;

  @Column({ name: 'granted_at', type: 'timestamptz' })
  grantedAt!: Date;

  @Column({ name: 'cancelled_at', type: 'timestamptz', nullable: true })
  cancelledAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
