import type { BrokerContext } from './broker-context';
import { unsupportedApiVersionsResponse } from './handlers/api-versions';
import { HANDLERS } from './handlers';
import type { ApiHandler } from './handlers/types';
import { ApiKey, apiName } from './protocol/api-keys';
import { ProtocolError, ProtocolReader } from './protocol/reader';
import type { ProtocolWriter } from './protocol/writer';
import { ConnectionSession } from './security/connection-session';
import { SaslAuthenticationError } from './security/sasl';

/** Handles one request frame (size prefix stripped) and returns the full response frame, or null. */
export type RequestRouter = (request: Buffer, clientHost: string, session?: ConnectionSession) => Promise<Buffer | null>;

/** What a SASL listener serves before the client authenticated (Kafka's own rule). */
const BEFORE_AUTHENTICATION: ReadonlySet<number> = new Set([ApiKey.ApiVersions, ApiKey.SaslHandshake, ApiKey.SaslAuthenticate]);

function frame(correlationId: number, body: ProtocolWriter): Buffer {
  const payload = body.toBuffer();
  const header = Buffer.allocUnsafe(8);
  header.writeInt32BE(4 + payload.length, 0);
  header.writeInt32BE(correlationId, 4);
  return Buffer.concat([header, payload]);
}

/**
 * A SASL token after a v0 handshake: no Kafka header, the answer is the size-prefixed token. A
 * refused client gets no answer (the format has no room for an error); the connection closes.
 */
function rawSaslToken(session: ConnectionSession, token: Buffer, clientHost: string, logger: BrokerContext['options']['logger']): Promise<Buffer | null> {
  try {
    const { response } = session.step(token);
    const framed = Buffer.allocUnsafe(4 + response.length);
    framed.writeInt32BE(response.length, 0);
    response.copy(framed, 4);
    return Promise.resolve(framed);
  } catch (error) {
    if (!(error instanceof SaslAuthenticationError)) throw error;
    logger.warn('SASL authentication failed', { client: clientHost, mechanism: session.mechanism, reason: error.message });
    return Promise.resolve(null);
  }
}

export function createRequestRouter(broker: BrokerContext, handlers: readonly ApiHandler[] = HANDLERS): RequestRouter {
  const byKey = new Map<number, ApiHandler>(handlers.map((h) => [h.apiKey, h]));
  const { logger } = broker.options;
  return async (request, clientHost, session = ConnectionSession.open()) => {
    if (session.expectsRawToken) return rawSaslToken(session, request, clientHost, logger);
    const reader = new ProtocolReader(request);
    // Request header v1: every version we implement is non-flexible, and a flexible (v2) header
    // starts with the same fields, which is all we need to answer an unsupported ApiVersions.
    const apiKey = reader.int16();
    const apiVersion = reader.int16();
    const correlationId = reader.int32();
    const handler = byKey.get(apiKey);
    if (!handler) throw new ProtocolError(`unsupported API ${apiName(apiKey)}`);
    if (apiVersion < handler.minVersion || apiVersion > handler.maxVersion) {
      if (apiKey === ApiKey.ApiVersions) return frame(correlationId, unsupportedApiVersionsResponse(broker.supportedApis));
      throw new ProtocolError(`unsupported version ${apiVersion} of ${apiName(apiKey)}`);
    }
    if (!session.authenticated && !BEFORE_AUTHENTICATION.has(apiKey)) {
      throw new ProtocolError(`${apiName(apiKey)} request before SASL authentication`);
    }
    const clientId = reader.nullableString() ?? '';
    const body = await handler.handle({ broker, apiVersion, correlationId, clientId, clientHost, session }, reader);
    if (reader.remaining !== 0) {
      // Not fatal, but it means our idea of this version's layout differs from the client's.
      logger.warn('request had unread trailing bytes', { api: apiName(apiKey), apiVersion, bytes: reader.remaining });
    }
    return body === null ? null : frame(correlationId, body);
  };
}
