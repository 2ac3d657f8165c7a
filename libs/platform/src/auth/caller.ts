import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';

export const Role = { ADMIN: 'ADMIN', COLLABORATOR: 'COLLABORATOR', PARTNER_USER: 'PARTNER_USER' } as const;
export type Role = (typeof Role)[keyof typeof Role];

/** Who is asking: an actor id for the audit trail, a role, and the organization a non-staff caller belongs to. */
export interface Caller {
  actorId: string;
  role: Role;
  organizationId: string | null;
}

/**
 * The caller every request runs as until authentication is in place: a staff admin recorded
 * as "anonymous". Resolvers already take the caller through `@CurrentCaller()`, so plugging in
 * verified tokens changes this one function, not the domain.
 */
export const UNAUTHENTICATED_CALLER: Readonly<Caller> = Object.freeze({
  actorId: 'anonymous',
  role: Role.ADMIN,
  organizationId: null,
});

export function callerFromContext(context: { caller?: Caller } | undefined): Caller {
  return context?.caller ?? UNAUTHENTICATED_CALLER;
}

/** Resolver parameter: the caller of this GraphQL operation. */
export const CurrentCaller = createParamDecorator((_data: unknown, context: ExecutionContext): Caller =>
  callerFromContext(GqlExecutionContext.create(context).getContext<{ caller?: Caller }>()),
);
