import { ApiKey, type ApiVersionRange } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/error-codes';
import { ProtocolWriter } from '../protocol/writer';
import { NO_THROTTLE, type ApiHandler } from './types';

function writeRanges(writer: ProtocolWriter, ranges: readonly ApiVersionRange[]): void {
  writer.array(ranges, (w, r) => w.int16(r.apiKey).int16(r.minVersion).int16(r.maxVersion));
}

/**
 * The answer to an ApiVersions request in a version we do not speak (librdkafka opens with v3,
 * which is flexible): per KIP-511 a broker replies in the v0 layout with UNSUPPORTED_VERSION and
 * its supported list, and the client retries with the highest ApiVersions version listed.
 */
export function unsupportedApiVersionsResponse(ranges: readonly ApiVersionRange[]): ProtocolWriter {
  const writer = new ProtocolWriter().int16(ErrorCode.UNSUPPORTED_VERSION);
  writeRanges(writer, ranges);
  return writer;
}

export const apiVersionsHandler: ApiHandler = {
  apiKey: ApiKey.ApiVersions,
  minVersion: 0,
  maxVersion: 2,
  handle(ctx) {
    const writer = new ProtocolWriter().int16(ErrorCode.NONE);
    writeRanges(writer, ctx.broker.supportedApis);
    if (ctx.apiVersion >= 1) writer.int32(NO_THROTTLE);
    return Promise.resolve(writer);
  },
};
