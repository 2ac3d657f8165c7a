import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A purge the retention service asked for; worked off in bounded batches, then confirmed. */
@Entity({ name: 'purge_requests' })
export class PurgeRequestEntity {
  @PrimaryColumn({ name: 'request_id', type: 'uuid' })
  requestId!: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: 'PENDING' | 'DONE';

  /** Rows deleted so far, per table; survives restarts so the confirmation counts everything. */
  @Column({ type: 'jsonb' })
  deleted!: Record<string, number>;

  @Column({ name: 'requested_at', type: 'timestamptz' })
  requestedAt!: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;
}
