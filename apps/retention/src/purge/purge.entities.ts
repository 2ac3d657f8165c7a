import { Column, Entity, PrimaryColumn } from 'typeorm';

export const ExtensionKind = { RETENTION: 'RETENTION', EXPORT_WINDOW: 'EXPORT_WINDOW' } as const;
export type ExtensionKind = (typeof ExtensionKind)[keyof typeof ExtensionKind];

/** An admin moved a date later, with a reason (free text: kept here, never in events). */
@Entity({ name: 'retention_extensions' })
export class RetentionExtensionEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ name: 'case_id', type: 'uuid' })
  caseId!: string;

  @Column({ type: 'varchar', length: 16 })
  kind!: ExtensionKind;

  @Column({ name: 'previous_until', type: 'timestamptz' })
  previousUntil!: Date;

  @Column({ type: 'timestamptz' })
  until!: Date;

  @Column({ type: 'text' })
  reason!: string;

  @Column({ type: 'varchar', length: 200 })
  actor!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** A legal hold: nothing of the organization is masked or purged while one is active. */
@Entity({ name: 'legal_holds' })
export class LegalHoldEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ name: 'case_id', type: 'uuid' })
  caseId!: string;

  @Column({ type: 'text' })
  reason!: string;

  @Column({ name: 'placed_by', type: 'varchar', length: 200 })
  placedBy!: string;

  @Column({ name: 'placed_at', type: 'timestamptz' })
  placedAt!: Date;

  @Column({ name: 'released_by', type: 'varchar', length: 200, nullable: true })
  releasedBy!: string | null;

  @Column({ name: 'released_at', type: 'timestamptz', nullable: true })
  releasedAt!: Date | null;

  @Column({ name: 'release_reason', type: 'text', nullable: true })
  releaseReason!: string | null;
}

export const PurgeRequestStatus = {
  /** An admin approved; the purge job sends it once eligible and unheld. */
  APPROVED: 'APPROVED',
  /** An extension or a released hold changed the decision after approval: approve again. */
  REVOKED: 'REVOKED',
  /** organization_purge_requested published; waiting for every service's confirmation. */
  REQUESTED: 'REQUESTED',
  COMPLETED: 'COMPLETED',
} as const;
export type PurgeRequestStatus = (typeof PurgeRequestStatus)[keyof typeof PurgeRequestStatus];

/** An approved purge and its progress; its id is the requestId every service confirms with. */
@Entity({ name: 'purge_requests' })
export class PurgeRequestEntity {
  @PrimaryColumn({ name: 'request_id', type: 'uuid' })
  requestId!: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ name: 'case_id', type: 'uuid' })
  caseId!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: PurgeRequestStatus;

  @Column({ name: 'approved_by', type: 'varchar', length: 200 })
  approvedBy!: string;

  @Column({ name: 'approved_at', type: 'timestamptz' })
  approvedAt!: Date;

  /** Who last extended retention or released a hold before this approval (never the approver). */
  @Column({ name: 'counterpart_actor', type: 'varchar', length: 200, nullable: true })
  counterpartActor!: string | null;

  @Column({ name: 'counterpart_change', type: 'varchar', length: 32, nullable: true })
  counterpartChange!: string | null;

  @Column({ name: 'requested_at', type: 'timestamptz', nullable: true })
  requestedAt!: Date | null;

  /** Rows deleted per table, per confirming service, with the confirmation time. */
  @Column({ type: 'jsonb' })
  confirmations!: Record<string, { purgedAt: string; deleted: Record<string, number> }>;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** What remains of an organization in the retention service after purge, for good. */
@Entity({ name: 'deletion_certificates' })
export class DeletionCertificateEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ name: 'request_id', type: 'uuid' })
  requestId!: string;

  /** The certified content, exactly as hashed. */
  @Column({ type: 'jsonb' })
  content!: Record<string, unknown>;

  @Column({ type: 'char', length: 64 })
  sha256!: string;

  @Column({ name: 'issued_at', type: 'timestamptz' })
  issuedAt!: Date;
}
