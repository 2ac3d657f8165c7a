import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import { type GraphQLResolveInfo, OperationTypeNode } from 'graphql';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { runIdempotent } from '@offboarding/messaging';
import type { AuthContext } from '../auth/caller';
import { assertOneKeyedMutation, idempotencyKeyOf, mutationFingerprint, rootFieldCount } from './idempotency-key';

/** Metadata key of @IdempotencyKeyIgnored. */
export const IDEMPOTENCY_KEY_IGNORED = 'offboarding:idempotency-key-ignored';

/**
 * The mutation runs every time, key or not, and its outcome is never stored: sign-in and token
 * refresh answer fresh credentials, which must not be kept, and retrying them is harmless.
 */
export const IdempotencyKeyIgnored = (reason: string) => SetMetadata(IDEMPOTENCY_KEY_IGNORED, reason);

type GraphQLRequestContext = AuthContext & {
  req?: { headers?: Record<string, string | string[] | undefined>; res?: { headersSent?: boolean; setHeader(name: string, value: string): unknown } };
};

/** Set on the response of a keyed mutation answered from the record (Stripe's convention). */
export const IDEMPOTENT_REPLAYED_HEADER = 'idempotent-replayed';

/**
 * Every mutation honours an Idempotency-Key: the root mutation field runs inside a keyed scope in
 * which each unit of work claims the key and records its outcome in its own transaction (see
 * UnitOfWork), so a retry with the same key and input gets the first outcome without a second
 * execution; such an answer carries `Idempotent-Replayed: true`. Keys belong to the signed-in
 * caller; an anonymous request has none to offer.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType<string>() !== 'graphql') return next.handle();
    const graphql = GqlExecutionContext.create(context);
    const info = graphql.getInfo<GraphQLResolveInfo>();
    if (info.operation.operation !== OperationTypeNode.MUTATION || info.path.prev !== undefined) return next.handle();
    const request = graphql.getContext<GraphQLRequestContext>();
    const key = idempotencyKeyOf(request.req?.headers);
    if (key === null || this.reflector.get<string | undefined>(IDEMPOTENCY_KEY_IGNORED, context.getHandler()) !== undefined) return next.handle();
    const caller = request.caller;
    if (!caller) return next.handle();
    assertOneKeyedMutation(rootFieldCount(info.operation, info.fragments));
    const keyed = {
      caller: caller.actorId,
      key,
      operation: info.fieldName,
      fingerprint: mutationFingerprint(info.fieldName, graphql.getArgs<Record<string, unknown>>()),
    };
    const response = request.req?.res;
    const replayed = () => {
      if (response && !response.headersSent) response.setHeader(IDEMPOTENT_REPLAYED_HEADER, 'true');
    };
    return from(runIdempotent(keyed, () => lastValueFrom(next.handle(), { defaultValue: undefined }), replayed));
  }
}
