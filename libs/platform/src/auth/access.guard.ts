import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError, ErrorCode } from '../errors/domain-error';
import { ACCESS_RULE, type AccessRule } from './authorization';
import { authRefusal, graphqlContextOf } from './caller';

/**
 * Deny by default: every GraphQL resolver (queries, mutations, field and reference resolvers)
 * runs only when it declares an access rule (@Public, @Roles, @AdminOnly, @AnyRole) on the method
 * or its class, and the caller satisfies it. Organization scoping is then the handler's job
 * (assertOrganizationAccess). HTTP controllers have guards of their own and are not touched.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType<string>() !== 'graphql') return true;
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_RULE, [context.getHandler(), context.getClass()]);
    const operation = `${context.getClass().name}.${context.getHandler().name}`;
    if (!rule) throw new DomainError(ErrorCode.FORBIDDEN, `${operation} declares no access rule, so nobody may run it`);
    if (rule.kind === 'public') return true;
    const auth = graphqlContextOf(context);
    const caller = auth?.caller;
    if (!caller) throw authRefusal(auth);
    if (!rule.roles.includes(caller.role)) {
      throw new DomainError(ErrorCode.FORBIDDEN, `this operation needs the role ${rule.roles.join(' or ')}`, { requiredRoles: [...rule.roles] });
    }
    return true;
  }
}
