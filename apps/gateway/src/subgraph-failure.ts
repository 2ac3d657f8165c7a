import { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import { ErrorCode } from '@offboarding/platform';

/** What each subgraph serves, in the words a front-end developer would look for. */
const CAPABILITIES: Record<string, string> = {
  entitlements: 'organizations, entitlements and offboarding cases',
  provisioning: 'licences, environments, contracts, credits, campaigns and seats',
  identity: 'users, sign-in and SSO',
  retention: 'retention, data exports, purges and the audit trail',
};

/**
 * The error a client gets when the gateway could not get an answer from a subgraph: a stable code
 * naming what is unavailable, never the subgraph's address or its raw reply, which go to the
 * gateway's log instead. Refusals of the caller (401, 403) keep their code.
 */
export function subgraphFailure(
  subgraph: string,
  error: unknown,
  response: { status: number; url: string } | undefined,
  logger: Logger,
): GraphQLError {
  const status = response?.status;
  const detail = error instanceof GraphQLError ? (error.extensions.response ?? error.message) : error instanceof Error ? error.message : String(error);
  logger.warn({ subgraph, url: response?.url, status, detail }, 'subgraph request failed');
  if (status === 401) return new GraphQLError('the access token was refused', { extensions: { code: ErrorCode.UNAUTHENTICATED } });
  if (status === 403) return new GraphQLError('this operation is not allowed for the caller', { extensions: { code: ErrorCode.FORBIDDEN } });
  const capability = CAPABILITIES[subgraph] ?? subgraph;
  if (status === undefined || status >= 500) {
    return new GraphQLError(
      `${capability} (the ${subgraph} service) cannot be reached right now; retry shortly, a mutation with the same Idempotency-Key`,
      { extensions: { code: ErrorCode.SERVICE_UNAVAILABLE, service: subgraph } },
    );
  }
  return new GraphQLError(`the ${subgraph} service refused the gateway's request`, { extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, service: subgraph } });
}
