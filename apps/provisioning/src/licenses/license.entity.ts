import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { LicenseStatus } from '@offboarding/contracts';

@Entity({ name: 'licenses' })
export class LicenseEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ name: 'entitlement_id', type: 'uuid' })
  entitlementId!: string;

  @Column({ name: 'license_key', type: 'varchar', length: 64 })
  licenseKey!: string;

  @Column({ type: 'varchar', length: 200 })
  product!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: LicenseStatus;

  @Column({ name: 'issued_at', type: 'timestamptz' })
  issuedAt!: Date;

  @Column({ name: 'cancelled_at', type: 'timestamptz', nullable: true })
  cancelledAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
