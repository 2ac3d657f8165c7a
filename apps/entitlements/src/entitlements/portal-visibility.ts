import { EntitlementStatus } from '@offboarding/contracts';
import { Role } from '@offboarding/platform';

export interface VisibilityFacts {
  status: EntitlementStatus;
  portalVisibleUntil: Date | null;
}

/**
 * SPEC §3.1 portal visibility: staff admins see every entitlement until purge; an
 * organization's own users see a cancelled one only until `cancelledAt + portalVisibilityDays`
 * (the snapshot's `portalVisibleUntil`). Every listing and lookup goes through this function.
 */
export function isVisibleTo(entitlement: VisibilityFacts, role: Role, now: Date): boolean {
  switch (role) {
    case Role.ADMIN:
      return true;
    case Role.COLLABORATOR:
    case Role.PARTNER_USER:
      if (entitlement.status !== EntitlementStatus.CANCELLED) return true;
      return entitlement.portalVisibleUntil !== null && now.getTime() <= entitlement.portalVisibleUntil.getTime();
  }
}
