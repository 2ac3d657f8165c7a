import { DomainError, ErrorCode } from '@offboarding/platform';

export interface CustomerAccessCheck {
  /** What is being read or edited, e.g. "campaign". */
  resource: string;
  id: string;
  /** Whether the resource's own state still lets the customer see or change it. */
  accessible: boolean;
  /** Why not, shown to the caller when refused. */
  refusal: string;
}

/**
 * Every customer-facing read and edit goes through this one function. Today it applies only the
 * resource's own state (an invalidated campaign is closed to the customer); the caller's role and
 * organization are checked here once authentication arrives with the identity issue.
 */
export function assertCustomerAccess(check: CustomerAccessCheck): void {
  if (!check.accessible) {
    throw new DomainError(ErrorCode.FORBIDDEN, `${check.resource} ${check.id}: ${check.refusal}`, {
      resource: check.resource,
      id: check.id,
    });
  }
}
