import { EntitlementStatus } from '@offboarding/contracts';
import { InvalidTransitionError } from '@offboarding/platform';

export const EntitlementAction = {
  suspend: 'suspend',
  resume: 'resume',
  cancel: 'cancel',
  reactivate: 'reactivate',
} as const;
export type EntitlementAction = (typeof EntitlementAction)[keyof typeof EntitlementAction];

/** The entitlement lifecycle: the only place that says which status change is allowed. */
export const ENTITLEMENT_TRANSITIONS: Readonly<
  Record<EntitlementAction, { from: readonly EntitlementStatus[]; to: EntitlementStatus }>
> = {
  suspend: { from: [EntitlementStatus.ACTIVE], to: EntitlementStatus.SUSPENDED },
  resume: { from: [EntitlementStatus.SUSPENDED], to: EntitlementStatus.ACTIVE },
  cancel: { from: [EntitlementStatus.ACTIVE, EntitlementStatus.SUSPENDED], to: EntitlementStatus.CANCELLED },
  reactivate: { from: [EntitlementStatus.CANCELLED], to: EntitlementStatus.ACTIVE },
};

/** The status after `action`, or an INVALID_TRANSITION error naming the current status. */
export function nextEntitlementStatus(current: EntitlementStatus, action: EntitlementAction): EntitlementStatus {
  const transition = ENTITLEMENT_TRANSITIONS[action];
  if (!transition.from.includes(current)) throw new InvalidTransitionError('entitlement', current, action);
  return transition.to;
}
