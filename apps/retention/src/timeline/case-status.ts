import { InvalidTransitionError } from '@offboarding/platform';

export const CaseStatus = {
  /** The timeline runs. */
  OPEN: 'OPEN',
  /** Retention ended: waiting for an admin's approval (and no legal hold). */
  PURGE_QUEUED: 'PURGE_QUEUED',
  /** Purge requested: waiting for every service's confirmation. */
  PURGING: 'PURGING',
  /** Deleted everywhere; the deletion certificate is issued. */
  PURGED: 'PURGED',
  /** Won back or called off before purge. */
  CLOSED: 'CLOSED',
} as const;
export type CaseStatus = (typeof CaseStatus)[keyof typeof CaseStatus];

export const CaseAction = {
  enterPurgeQueue: 'enterPurgeQueue',
  extendRetention: 'extendRetention',
  requestPurge: 'requestPurge',
  completePurge: 'completePurge',
  close: 'close',
} as const;
export type CaseAction = (typeof CaseAction)[keyof typeof CaseAction];

const { OPEN, PURGE_QUEUED, PURGING, PURGED, CLOSED } = CaseStatus;

/** The retention case lifecycle: the only place that says which status change is allowed. */
export const CASE_TRANSITIONS: Readonly<Record<CaseAction, { from: readonly CaseStatus[]; to: CaseStatus }>> = {
  enterPurgeQueue: { from: [OPEN], to: PURGE_QUEUED },
  // An extension past now takes the organization out of the queue until the new date.
  extendRetention: { from: [OPEN, PURGE_QUEUED], to: OPEN },
  requestPurge: { from: [PURGE_QUEUED], to: PURGING },
  completePurge: { from: [PURGING], to: PURGED },
  close: { from: [OPEN, PURGE_QUEUED], to: CLOSED },
};

/** Statuses of a case that still governs the organization. */
export const ACTIVE_CASE_STATUSES: readonly CaseStatus[] = [OPEN, PURGE_QUEUED, PURGING];

export function nextCaseStatus(current: CaseStatus, action: CaseAction): CaseStatus {
  const transition = CASE_TRANSITIONS[action];
  if (!transition.from.includes(current)) throw new InvalidTransitionError('retention case', current, action);
  return transition.to;
}
