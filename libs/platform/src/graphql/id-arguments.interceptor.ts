import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { GqlExecutionContext, type GqlContextType } from '@nestjs/graphql';
import { type GraphQLInputType, type GraphQLResolveInfo, isInputObjectType, isListType, isNonNullType, isScalarType } from 'graphql';
import type { Observable } from 'rxjs';
import { InvalidInputError } from '../errors/domain-error';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Every `ID` of the API is a UUID. An argument (or an input field, at any depth) of type `ID`
 * that is not one cannot name anything: the caller made a mistake, so the answer is
 * BAD_USER_INPUT naming the argument, never NOT_FOUND and never a query.
 */
@Injectable()
export class IdArgumentsInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType<GqlContextType>() === 'graphql') {
      const graphql = GqlExecutionContext.create(context);
      const info = graphql.getInfo<GraphQLResolveInfo | undefined>();
      const field = info?.parentType.getFields()[info.fieldName];
      const args = graphql.getArgs<Record<string, unknown>>();
      for (const arg of field?.args ?? []) checkIds(arg.type, args[arg.name], arg.name);
    }
    return next.handle();
  }
}

export function checkIds(type: GraphQLInputType, value: unknown, path: string): void {
  if (value === null || value === undefined) return;
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) {
    if (Array.isArray(value)) value.forEach((item, index) => checkIds(inner.ofType, item, `${path}[${index}]`));
    return;
  }
  if (isInputObjectType(inner)) {
    if (typeof value !== 'object') return;
    for (const field of Object.values(inner.getFields())) checkIds(field.type, (value as Record<string, unknown>)[field.name], `${path}.${field.name}`);
    return;
  }
  if (isScalarType(inner) && inner.name === 'ID' && (typeof value !== 'string' || !UUID.test(value))) {
    const shown = typeof value === 'string' ? value : JSON.stringify(value);
    throw new InvalidInputError(path, `must be an id (a UUID), got ${JSON.stringify(shown.slice(0, 60))}`);
  }
}
