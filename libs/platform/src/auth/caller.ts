import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { DomainError, ErrorCode } from '../errors/domain-error';

export const Role = { ADMIN: 'ADMIN', COLLABORATOR: 'COLLABORATOR', PARTNER_USER: 'PARTNER_USER' } as const;
export type Role = (typeof Role)[keyof typeof Role];
export const ROLES: readonly Role[] = Object.values(Role);

/**
 * Who is asking, taken from a verified access token: the user id (the actor id in the audit
 * trail), their role, the organization a non-staff caller belongs to, and the session the token
 * was issued for.
 */
export interface Caller {
  actorId: string;
  role: Role;
  organizationId: string | null;
  sessionId: string | null;
}

/** What the GraphQL context of a subgraph carries about authentication. */
export interface AuthContext {
  /** Absent when the request had no token, or a token that did not verify. */
  caller?: Caller | null;
  /** Why a presented token was refused (expired, bad signature, revoked session, ...), for the error message. */
  authError?: string | null;
  /** The refusal's code when it is not UNAUTHENTICATED (an archived organization, a list not loaded yet). */
  authErrorCode?: ErrorCode;
  /** Extra extensions of the refusal, e.g. the revocation reason. */
  authErrorDetails?: Readonly<Record<string, unknown>>;
}

/** The refusal of a request whose token was presented but not accepted, or that has none. */
export function authRefusal(context: AuthContext | undefined): DomainError {
  return new DomainError(
    context?.authErrorCode ?? ErrorCode.UNAUTHENTICATED,
    context?.authError ?? 'sign in first: this operation needs an access token',
    context?.authErrorDetails,
  );
}

/**
 * The resolver arguments of a GraphQL handler hold the context at a position that depends on the
 * kind of resolver (root and field resolvers: 3rd; reference resolvers: 2nd). It is the object
 * PlatformModule's context function built, recognizable by its `req`.
 */
export function graphqlContextOf(context: ExecutionContext): AuthContext | undefined {
  for (const arg of context.getArgs<unknown[]>()) {
    if (arg && typeof arg === 'object' && 'req' in arg) return arg as AuthContext;
  }
  return undefined;
}

/** The authenticated caller; UNAUTHENTICATED when there is none (the guard normally said so first). */
export function callerFromContext(context: AuthContext | undefined): Caller {
  const caller = context?.caller;
  if (!caller) throw authRefusal(context);
  return caller;
}

/** Resolver parameter: the authenticated caller of this GraphQL operation. */
export const CurrentCaller = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Caller => callerFromContext(graphqlContextOf(context)),
);

/** Resolver parameter for @Public() operations: the caller when there is one, else null. */
export const OptionalCaller = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Caller | null => graphqlContextOf(context)?.caller ?? null,
);

/** Resolver parameter: the client's address (as the gateway forwarded it, see TRUST_PROXY), or null. */
export const ClientAddress = createParamDecorator((_data: unknown, context: ExecutionContext): string | null => {
  const request = (graphqlContextOf(context) as { req?: { ip?: string } } | undefined)?.req;
  return request?.ip ?? null;
});
