import type { BrokerContext } from './broker-context';
import { unsupportedApiVersionsResponse } from './handlers/api-versions';
import { HANDLERS } from './handlers';
import type { ApiHandler } from './handlers/types';
import { ApiKey, apiName } from './protocol/api-keys';
import { ProtocolError, ProtocolReader } from './protocol/reader';
import type { ProtocolWriter } from './protocol/writer';

/** Handles one request frame (size prefix stripped) and returns the full response frame, or null. */
export type RequestRouter = (request: Buffer, clientHost: string) => Promise<Buffer | null>;

function frame(correlationId: number, body: ProtocolWriter): Buffer {
  const payload = body.toBuffer();
  const header = Buffer.allocUnsafe(8);
  header.writeInt32BE(4 + payload.length, 0);
  header.writeInt32BE(correlationId, 4);
  return Buffer.concat([header, payload]);
}

export function createRequestRouter(broker: BrokerContext, handlers: readonly ApiHandler[] = HANDLERS): RequestRouter {
  const byKey = new Map<number, ApiHandler>(handlers.map((h) => [h.apiKey, h]));
  const { logger } = broker.options;
  return async (request, clientHost) => {
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
    const clientId = reader.nullableString() ?? '';
    const body = await handler.handle({ broker, apiVersion, correlationId, clientId, clientHost }, reader);
    if (reader.remaining !== 0) {
      // Not fatal, but it means our idea of this version's layout differs from the client's.
      logger.warn('request had unread trailing bytes', { api: apiName(apiKey), apiVersion, bytes: reader.remaining });
    }
    return body === null ? null : frame(correlationId, body);
  };
}
