import { randomUUID } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import type { Logger } from 'pino';
import { faultOf } from '../errors/domain-error';
import { errorCodeOf } from '../errors/format-graphql-error';
import { operationLabel } from './metrics';

export const REQUEST_ID_HEADER = 'x-request-id';

/** The request id a caller (or the gateway) sent, if it is sane; otherwise a new one. */
export function requestIdFrom(header: string | string[] | undefined | null): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && /^[A-Za-z0-9._:-]{1,100}$/.test(value) ? value : randomUUID();
}

/**
 * One JSON log line per GraphQL operation: request id (shared by the gateway and every subgraph
 * it calls), operation name, duration and error codes — the codes the client gets. An operation
 * refused for the caller's mistake (BAD_USER_INPUT, NOT_FOUND, FORBIDDEN …) is logged at warn,
 * one the platform failed (INTERNAL_SERVER_ERROR, SERVICE_UNAVAILABLE) at error. Variables are
 * never logged: they may hold personal data.
 */
export function operationLogPlugin(logger: Logger): ApolloServerPlugin {
  return {
    requestDidStart: ({ request }) => {
      const started = performance.now();
      const requestId = requestIdFrom(request.http?.headers.get(REQUEST_ID_HEADER));
      return Promise.resolve({
        willSendResponse: (context) => {
          const body = context.response.body;
          const errors = context.errors ?? (body.kind === 'single' ? body.singleResult.errors : undefined) ?? [];
          const codes = [...new Set(errors.map((error) => errorCodeOf(error)))];
          const level = codes.some((code) => faultOf(code) === 'server') ? 'error' : codes.length > 0 ? 'warn' : 'info';
          logger[level](
            {
              requestId,
              operation: operationLabel(context.operationName),
              operationType: context.operation?.operation ?? null,
              durationMs: Math.round(performance.now() - started),
              ...(codes.length > 0 ? { errorCodes: codes } : {}),
            },
            'graphql operation',
          );
          return Promise.resolve();
        },
      });
    },
  };
}
