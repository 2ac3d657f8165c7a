import { Column, Entity, PrimaryColumn } from 'typeorm';

/** This service's record of an offboarding action; the organization-wide chain lives in retention. */
@Entity({ name: 'audit_log' })
export class AuditLogEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ type: 'varchar', length: 200 })
  actor!: string;

  @Column({ type: 'varchar', length: 100 })
  action!: string;

  @Column({ type: 'varchar', length: 100, nullable: true })
  reason!: string | null;

  @Column({ name: 'subject_type', type: 'varchar', length: 50 })
  subjectType!: string;

  @Column({ name: 'subject_id', type: 'varchar', length: 100 })
  subjectId!: string;

  @Column({ name: 'before_status', type: 'varchar', length: 50, nullable: true })
  beforeStatus!: string | null;

  @Column({ name: 'after_status', type: 'varchar', length: 50, nullable: true })
  afterStatus!: string | null;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;
}
