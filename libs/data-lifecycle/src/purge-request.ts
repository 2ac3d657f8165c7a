import { Column, Entity, type EntityManager, PrimaryColumn } from 'typeorm';
import { InvalidTransitionError } from '@offboarding/platform';

export const PurgeRequestStatus = { PENDING: 'PENDING', COMPLETED: 'COMPLETED' } as const;
export type PurgeRequestStatus = (typeof PurgeRequestStatus)[keyof typeof PurgeRequestStatus];

export const PurgeRequestAction = { complete: 'complete' } as const;
export type PurgeRequestAction = (typeof PurgeRequestAction)[keyof typeof PurgeRequestAction];

/** A purge request's lifecycle: the only place that says which status change is allowed. */
export const PURGE_REQUEST_TRANSITIONS: Readonly<Record<PurgeRequestAction, { from: readonly PurgeRequestStatus[]; to: PurgeRequestStatus }>> = {
  complete: { from: [PurgeRequestStatus.PENDING], to: PurgeRequestStatus.COMPLETED },
};

export function nextPurgeRequestStatus(current: PurgeRequestStatus, action: PurgeRequestAction): PurgeRequestStatus {
  const transition = PURGE_REQUEST_TRANSITIONS[action];
  if (!transition.from.includes(current)) throw new InvalidTransitionError('purge request', current, action);
  return transition.to;
}

/**
 * A purge the retention service asked for, worked through in bounded batches. Rows deleted so far
 * are counted here in the same transaction as each batch, so a restart resumes with exact counts.
 * It holds only ids and counts, and stays as the record that the purge happened. Every service
 * keeps this table in its own schema, in this one shape.
 */
@Entity({ name: 'purge_requests' })
export class PurgeRequestEntity {
  @PrimaryColumn({ name: 'request_id', type: 'uuid' })
  requestId!: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: PurgeRequestStatus;

  /** Rows (and files) deleted so far, per table; survives restarts so the confirmation counts everything. */
  @Column({ type: 'jsonb' })
  deleted!: Record<string, number>;

  @Column({ name: 'requested_at', type: 'timestamptz' })
  requestedAt!: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;
}

/** Applies a transition to a request the caller holds locked, in the caller's transaction. */
export async function applyPurgeRequestTransition(
  manager: EntityManager,
  request: PurgeRequestEntity,
  action: PurgeRequestAction,
  now: Date,
): Promise<PurgeRequestEntity> {
  const status = nextPurgeRequestStatus(request.status, action);
  const completedAt = status === PurgeRequestStatus.COMPLETED ? now : request.completedAt;
  await manager.update(PurgeRequestEntity, { requestId: request.requestId }, { status, completedAt });
  return Object.assign(request, { status, completedAt });
}
