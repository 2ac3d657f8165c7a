import { nextStatus, type TransitionTable } from '../shared/transitions';

export const EnvironmentStatus = {
  PROVISIONING: 'PROVISIONING',
  ACTIVE: 'ACTIVE',
  SUSPENDED: 'SUSPENDED',
  DEPROVISIONED: 'DEPROVISIONED',
  TORN_DOWN: 'TORN_DOWN',
} as const;
export type EnvironmentStatus = (typeof EnvironmentStatus)[keyof typeof EnvironmentStatus];

export type EnvironmentAction = 'activate' | 'suspend' | 'resume' | 'deprovision' | 'reactivate' | 'tearDown';

const { PROVISIONING, ACTIVE, SUSPENDED, DEPROVISIONED, TORN_DOWN } = EnvironmentStatus;

/**
 * PROVISIONING → ACTIVE ⇄ SUSPENDED → DEPROVISIONED → TORN_DOWN. A deprovisioned environment still
 * holds the customer's data and comes back on reactivation; a torn-down one is gone for good
 * (reactivation provisions a new one).
 */
export const ENVIRONMENT_TRANSITIONS: TransitionTable<EnvironmentStatus, EnvironmentAction> = {
  activate: { from: [PROVISIONING], to: ACTIVE },
  suspend: { from: [ACTIVE], to: SUSPENDED },
  resume: { from: [SUSPENDED], to: ACTIVE },
  deprovision: { from: [PROVISIONING, ACTIVE, SUSPENDED], to: DEPROVISIONED },
  reactivate: { from: [DEPROVISIONED], to: ACTIVE },
  tearDown: { from: [DEPROVISIONED], to: TORN_DOWN },
};

/** Data can be exported while the environment still holds it. */
export const EXPORTABLE_STATUSES: readonly EnvironmentStatus[] = [ACTIVE, SUSPENDED, DEPROVISIONED];

export function nextEnvironmentStatus(current: EnvironmentStatus, action: EnvironmentAction): EnvironmentStatus {
  return nextStatus('environment', ENVIRONMENT_TRANSITIONS, current, action);
}
