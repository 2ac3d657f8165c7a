import type { GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import type { Logger } from 'pino';
import { DomainError, ErrorCode, isErrorCode } from './domain-error';

/**
 * The code a client gets for an error as GraphQL reports it (before formatting): a domain
 * error's own code; a code of the catalog set on a GraphQL error (GraphQL's validation, the
 * gateway's limits); anything else is an unexpected failure, INTERNAL_SERVER_ERROR.
 */
export function errorCodeOf(error: unknown): ErrorCode {
  const original = unwrapResolverError(error);
  if (original instanceof DomainError) return original.code;
  const code = (error as { extensions?: { code?: unknown } } | null)?.extensions?.code;
  return isErrorCode(code) ? code : ErrorCode.INTERNAL_SERVER_ERROR;
}

/**
 * The one place where errors become GraphQL errors: domain errors keep their code, message and
 * details; GraphQL's own validation errors pass through; anything else is logged and answered
 * with a generic message. No stack trace ever leaves the process.
 */
export function createGraphQLErrorFormatter(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof DomainError) {
      return {
        message: original.message,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: original.code, ...original.details },
      };
    }
    const code = formatted.extensions?.code;
    // Apollo marks an error it knows nothing about INTERNAL_SERVER_ERROR: logged and hidden below.
    if (isErrorCode(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
      return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions: { code } };
    }
    logger.error({ err: original, path: formatted.path }, 'unexpected error while resolving');
    return {
      message: 'Internal server error',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}
