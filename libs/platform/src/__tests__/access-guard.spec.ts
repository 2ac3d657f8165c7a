import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AccessGuard } from '../auth/access.guard';
import { AdminOnly, AnyRole, assertOrganizationAccess, Public } from '../auth/authorization';
import type { Caller } from '../auth/caller';

class Resolvers {
  unruled(): void {}
  @Public() open(): void {}
  @AdminOnly() staff(): void {}
  @AnyRole() anyone(): void {}
}

@AnyRole()
class RuledClass {
  inherited(): void {}
  @AdminOnly() overridden(): void {}
}

function graphqlCall(target: object, method: string, caller: Caller | null, authError: string | null = null): ExecutionContext {
  const handler = (target as Record<string, () => void>)[method];
  return {
    getType: () => 'graphql',
    getHandler: () => handler,
    getClass: () => target.constructor,
    getArgs: () => [{}, {}, { req: {}, caller, authError }, {}],
  } as unknown as ExecutionContext;
}

const admin: Caller = { actorId: 'a', role: 'ADMIN', organizationId: null, sessionId: 's' };
const collaborator: Caller = { actorId: 'c', role: 'COLLABORATOR', organizationId: 'org-a', sessionId: 's' };

describe('the access guard (deny by default)', () => {
  const guard = new AccessGuard(new Reflector());
  const resolvers = new Resolvers();

  it('refuses a resolver that declares no rule, even for staff', () => {
    expect(() => guard.canActivate(graphqlCall(resolvers, 'unruled', admin))).toThrow(expect.objectContaining({ code: 'FORBIDDEN', message: expect.stringMatching(/declares no access rule/) }) as Error);
  });

  it('lets anyone run a public operation', () => {
    expect(guard.canActivate(graphqlCall(resolvers, 'open', null))).toBe(true);
  });

  it('needs an authenticated caller with a listed role, and says why a token was refused', () => {
    expect(() => guard.canActivate(graphqlCall(resolvers, 'anyone', null))).toThrow(expect.objectContaining({ code: 'UNAUTHENTICATED' }) as Error);
    expect(() => guard.canActivate(graphqlCall(resolvers, 'anyone', null, 'access token expired'))).toThrow('access token expired');
    expect(guard.canActivate(graphqlCall(resolvers, 'anyone', collaborator))).toBe(true);
    expect(() => guard.canActivate(graphqlCall(resolvers, 'staff', collaborator))).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }) as Error);
    expect(guard.canActivate(graphqlCall(resolvers, 'staff', admin))).toBe(true);
  });

  it('takes a class rule for methods without their own, the method rule first', () => {
    const ruled = new RuledClass();
    expect(guard.canActivate(graphqlCall(ruled, 'inherited', collaborator))).toBe(true);
    expect(() => guard.canActivate(graphqlCall(ruled, 'overridden', collaborator))).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }) as Error);
  });

  it('leaves HTTP controllers to their own guards', () => {
    const http = { ...graphqlCall(resolvers, 'unruled', null), getType: () => 'http' } as ExecutionContext;
    expect(guard.canActivate(http)).toBe(true);
  });

  it('scopes non-staff callers to their own organization', () => {
    expect(() => assertOrganizationAccess(collaborator, 'org-b')).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }) as Error);
    expect(() => assertOrganizationAccess(collaborator, 'org-a')).not.toThrow();
    expect(() => assertOrganizationAccess(admin, 'org-b')).not.toThrow();
  });
});
