import { OrganizationStatus } from '@offboarding/contracts';
import { InvalidTransitionError } from '@offboarding/platform';

export const OrganizationAction = {
  startOffboarding: 'startOffboarding',
  cancelOffboarding: 'cancelOffboarding',
  archive: 'archive',
  unarchive: 'unarchive',
  reactivate: 'reactivate',
  purge: 'purge',
} as const;
export type OrganizationAction = (typeof OrganizationAction)[keyof typeof OrganizationAction];

const { ACTIVE, OFFBOARDING, ARCHIVED, PURGED } = OrganizationStatus;

/** The organization lifecycle (SPEC §3.2): the only place that says which status change is allowed. */
export const ORGANIZATION_TRANSITIONS: Readonly<
  Record<OrganizationAction, { from: readonly OrganizationStatus[]; to: OrganizationStatus }>
> = {
  startOffboarding: { from: [ACTIVE], to: OFFBOARDING },
  cancelOffboarding: { from: [OFFBOARDING], to: ACTIVE },
  archive: { from: [ACTIVE, OFFBOARDING], to: ARCHIVED },
  unarchive: { from: [ARCHIVED], to: ACTIVE },
  // Winning an entitlement back brings an organization on its way out back in.
  reactivate: { from: [ACTIVE, OFFBOARDING, ARCHIVED], to: ACTIVE },
  purge: { from: [OFFBOARDING, ARCHIVED], to: PURGED },
};

export function nextOrganizationStatus(current: OrganizationStatus, action: OrganizationAction): OrganizationStatus {
  const transition = ORGANIZATION_TRANSITIONS[action];
  if (!transition.from.includes(current)) throw new InvalidTransitionError('organization', current, action);
  return transition.to;
}
