import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { OrganizationStatus, OrganizationType } from '@offboarding/contracts';
import { ExportRelated } from '@offboarding/platform';

/** A vendor's export lists its partners (SPEC §3.6): who they are, where they stand, their dates. */
@ExportRelated({
  collection: 'partners',
  organizationColumn: 'vendor_id',
  columns: ['id', 'name', 'type', 'status', 'created_at', 'cancelled_at', 'archived_at', 'pii_masked_at', 'purged_at'],
})
@Entity({ name: 'organizations' })
export class OrganizationEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ name: 'tax_id', type: 'varchar', length: 64, nullable: true })
  taxId!: string | null;

  @Column({ type: 'varchar', length: 16 })
  type!: OrganizationType;

  @Column({ type: 'varchar', length: 16 })
  status!: OrganizationStatus;

  @Column({ name: 'vendor_id', type: 'uuid', nullable: true })
  vendorId!: string | null;

  @Column({ name: 'cancelled_at', type: 'timestamptz', nullable: true, comment: 'When its last entitlement was cancelled.' })
  cancelledAt!: Date | null;

  @Column({ name: 'archived_at', type: 'timestamptz', nullable: true })
  archivedAt!: Date | null;

  @Column({ name: 'purged_at', type: 'timestamptz', nullable: true })
  purgedAt!: Date | null;

  @Column({ name: 'pii_masked_at', type: 'timestamptz', nullable: true })
  piiMaskedAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
