import { SetMetadata } from '@nestjs/common';
import { DomainError, ErrorCode } from '../errors/domain-error';
import { type Caller, Role } from './caller';

/** Metadata key of the access rule every resolver method declares. */
export const ACCESS_RULE = 'offboarding:access-rule';

export type AccessRule =
  /** No caller needed: login, token refresh, public keys. */
  | { kind: 'public' }
  /** Any authenticated caller whose role is listed; organization scoping is checked in the handler. */
  | { kind: 'roles'; roles: readonly Role[] };

/** The operation runs without an authenticated caller. */
export const Public = () => SetMetadata(ACCESS_RULE, { kind: 'public' } satisfies AccessRule);

/** The operation needs an authenticated caller with one of these roles. */
export const Roles = (...roles: Role[]) => SetMetadata(ACCESS_RULE, { kind: 'roles', roles } satisfies AccessRule);

/** Staff only. */
export const AdminOnly = () => Roles(Role.ADMIN);

/** Staff, and the organization's own users (who are then scoped to their organization). */
export const AnyRole = () => Roles(Role.ADMIN, Role.COLLABORATOR, Role.PARTNER_USER);

/**
 * A non-staff caller may only touch their own organization. Every resolver that takes an
 * organization id, or loads a record that belongs to one, calls this before answering.
 * Answers FORBIDDEN without saying whether the other organization exists.
 */
export function assertOrganizationAccess(caller: Caller, organizationId: string): void {
  if (caller.role === Role.ADMIN) return;
  if (caller.organizationId !== null && caller.organizationId === organizationId) return;
  throw new DomainError(ErrorCode.FORBIDDEN, 'you may only access your own organization', { organizationId });
}
