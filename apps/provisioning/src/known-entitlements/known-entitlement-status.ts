import { EntitlementStatus } from '@offboarding/contracts';
import type { TransitionTable } from '../shared/transitions';

export type KnownEntitlementAction = 'suspend' | 'resume' | 'cancel' | 'reactivate';

/** Mirrors the entitlements service's lifecycle, which is the source of truth; this copy only follows it. */
export const KNOWN_ENTITLEMENT_TRANSITIONS: TransitionTable<EntitlementStatus, KnownEntitlementAction> = {
  suspend: { from: [EntitlementStatus.ACTIVE], to: EntitlementStatus.SUSPENDED },
  resume: { from: [EntitlementStatus.SUSPENDED], to: EntitlementStatus.ACTIVE },
  cancel: { from: [EntitlementStatus.ACTIVE, EntitlementStatus.SUSPENDED], to: EntitlementStatus.CANCELLED },
  reactivate: { from: [EntitlementStatus.CANCELLED], to: EntitlementStatus.ACTIVE },
};
