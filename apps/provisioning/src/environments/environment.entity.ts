import { Column, Entity, PrimaryColumn } from 'typeorm';
import { Pii } from '@offboarding/data-lifecycle';
import type { EnvironmentStatus } from './environment-status';

/** A hosted environment an ENV entitlement feeds. */
@Entity({ name: 'environments' })
export class EnvironmentEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ name: 'entitlement_id', type: 'uuid' })
  entitlementId!: string;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ type: 'varchar', length: 2048 })
  url!: string;

  @Column({ type: 'varchar', length: 50 })
  region!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: EnvironmentStatus;

  @Pii()
  @Column({ name: 'contact_name', type: 'varchar', length: 200, nullable: true })
  contactName!: string | null;

  @Pii()
  @Column({ name: 'contact_email', type: 'varchar', length: 320, nullable: true })
  contactEmail!: string | null;

  /** Exports older than this predate data the environment holds now, so they do not count. */
  @Column({ name: 'export_required_since', type: 'timestamptz' })
  exportRequiredSince!: Date;

  @Column({ name: 'deprovisioned_at', type: 'timestamptz', nullable: true })
  deprovisionedAt!: Date | null;

  @Column({ name: 'teardown_due_at', type: 'timestamptz', nullable: true })
  teardownDueAt!: Date | null;

  @Column({ name: 'teardown_blocked_at', type: 'timestamptz', nullable: true })
  teardownBlockedAt!: Date | null;

  @Column({ name: 'export_waived_at', type: 'timestamptz', nullable: true })
  exportWaivedAt!: Date | null;

  @Column({ name: 'export_waived_by', type: 'varchar', length: 200, nullable: true })
  exportWaivedBy!: string | null;

  @Column({ name: 'export_waiver_reason', type: 'varchar', length: 2000, nullable: true })
  exportWaiverReason!: string | null;

  @Column({ name: 'torn_down_at', type: 'timestamptz', nullable: true })
  tornDownAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
