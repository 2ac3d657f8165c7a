import { assertOrganizationAccess, type Caller, DomainError, ErrorCode, Role } from '@offboarding/platform';
import { OrganizationStatus } from '@offboarding/contracts';
import type { OrganizationEntity } from './organization.entity';

/**
 * What a caller may read of an organization: staff everything; its own users only their own
 * organization, and only while it is not archived (SPEC §3.2: an archived organization's
 * collaborators lose portal access). The identity service also refuses their tokens; this is the
 * same rule where the organization's status lives.
 */
export function assertPortalAccess(caller: Caller, organization: Pick<OrganizationEntity, 'id' | 'status'>): void {
  assertOrganizationAccess(caller, organization.id);
  if (caller.role === Role.ADMIN) return;
  if (organization.status === OrganizationStatus.ARCHIVED || organization.status === OrganizationStatus.PURGED) {
    throw new DomainError(
      ErrorCode.FORBIDDEN,
      `organization ${organization.id} is ${organization.status.toLowerCase()}: its users' portal access has ended`,
      { organizationId: organization.id, organizationStatus: organization.status },
    );
  }
}
