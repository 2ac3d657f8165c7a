import type { BrokerContext } from '../broker-context';
import type { ApiKey } from '../protocol/api-keys';
import type { ProtocolReader } from '../protocol/reader';
import type { ProtocolWriter } from '../protocol/writer';
import type { ConnectionSession } from '../security/connection-session';

export interface RequestContext {
  readonly broker: BrokerContext;
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string;
  readonly clientHost: string;
  /** The connection's authentication state (SASL handshake and exchange). */
  readonly session: ConnectionSession;
}

/**
 * One Kafka API. Only non-flexible versions are implemented (no tagged fields), and exactly the
 * range declared here is advertised through ApiVersions.
 */
export interface ApiHandler {
  readonly apiKey: ApiKey;
  readonly minVersion: number;
  readonly maxVersion: number;
  /** The response body (after the correlation id), or null when the client expects no response. */
  handle(ctx: RequestContext, request: ProtocolReader): Promise<ProtocolWriter | null>;
}

/** Throttle time is always zero: the dev broker never enforces quotas. */
export const NO_THROTTLE = 0;

/** DescribeGroups/Metadata "authorized operations" value meaning "not requested". */
export const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;
