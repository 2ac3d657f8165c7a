import { Column, Entity, PrimaryColumn } from 'typeorm';

export const PurgeRequestStatus = { PENDING: 'PENDING', COMPLETED: 'COMPLETED' } as const;
export type PurgeRequestStatus = (typeof PurgeRequestStatus)[keyof typeof PurgeRequestStatus];

/**
 * A purge the retention service asked for, worked through in bounded batches. Rows deleted so far
 * are counted here in the same transaction as each batch, so a restart resumes with exact counts.
 * It holds only ids and counts, and stays as the record that the purge happened.
 */
@Entity({ name: 'purge_requests' })
export class PurgeRequestEntity {
  @PrimaryColumn({ name: 'request_id', type: 'uuid' })
  requestId!: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: PurgeRequestStatus;

  @Column({ type: 'jsonb' })
  deleted!: Record<string, number>;

  @Column({ name: 'requested_at', type: 'timestamptz' })
  requestedAt!: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;
}
